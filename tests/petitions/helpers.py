"""Petitions built through the real actions, at a pinned moment, with named people."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

from fengqiao.events.models import Category
from fengqiao.lib import clock
from fengqiao.petitions import actions
from fengqiao.petitions.actions import PetitionerInput
from fengqiao.petitions.models import Petition
from fengqiao.workflow.models import Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_KE = "35032219800101123X"  # a valid check digit
PHONE_KE = "13912345678"


def local(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


@contextlib.contextmanager
def at(moment: dt.datetime):
    """The platform clock pinned at `moment` (in UTC, as the audit hash expects)."""
    with clock.frozen(moment.astimezone(dt.UTC)):
        yield


def register(world, *, actor=None, region=None, kind="first", form="visit", when=None,
             received_at=None, **kwargs) -> Petition:
    when = when or local(2026, 3, 2)
    petitioners = kwargs.pop("petitioners", None) or [
        PetitionerInput(name="柯志明", id_number=ID_KE, phone=PHONE_KE, address="仙游县度尾镇洋坂村3组18号",
                        is_representative=True),
    ]
    with at(when):
        return actions.petition_register(
            actor=actor if actor is not None else world.operator.user,
            form=form, kind=kind, title=kwargs.pop("title", "反映拖欠工资问题"),
            content=kwargs.pop("content", "信访人反映在度尾镇某企业务工,老板拖欠三个月工资共一万二千元。"),
            category=Category.objects.get(code=kwargs.pop("category", "petition.first")),
            region=region or world.village_a, petitioners=petitioners,
            received_at=received_at, **kwargs,
        )


def route_to_department(world, petition, *, when, actor=None):
    with at(when):
        return actions.petition_route(petition=petition, actor=actor or world.operator.user,
                                      department=world.department)


def running(petition, key):
    return Clock.objects.filter(workflow="petition", record_id=petition.pk, policy__key=key,
                                stopped_at=None).first()


def clock_of(petition, key):
    return Clock.objects.filter(workflow="petition", record_id=petition.pk, policy__key=key).order_by("-id").first()


# --------------------------------------------------------------- a petition in any state

# The steps from registration to each state, with who takes them; each step a day after the last.
PATHS = {
    "registered": [],
    "routed": ["route"],
    "not_accepted": ["route", "not_accept"],
    "accepted": ["route", "accept"],
    "handling": ["route", "accept", "start"],
    "answered": ["route", "accept", "start", "answer"],
    "in_review": ["route", "accept", "start", "answer", "apply_review"],
    "reviewed": ["route", "accept", "start", "answer", "apply_review", "answer_review"],
    "in_rereview": ["route", "accept", "start", "answer", "apply_review", "answer_review", "apply_rereview"],
    "rereviewed": ["route", "accept", "start", "answer", "apply_review", "answer_review", "apply_rereview",
                   "answer_rereview"],
    "closed": ["route", "accept", "start", "answer", "close"],
}
STATES = list(PATHS)


def _an_event(world):
    from fengqiao.events.models import Event
    from tests.factories import register as register_event

    found = Event.objects.filter(title="柯某工资拖欠").first()
    if found is None:
        with at(local(2026, 3, 1)):
            found = register_event(world, dispute_source="petition")
    return found


def data_for(world, action: str) -> dict:
    """Valid fields of each action (as the API's ActionIn would carry them)."""
    return {
        "route": {"department_code": world.department.code},
        "object": {"reason": "该事项属于劳动仲裁范围,不属本局职责"},
        "accept": {},
        "not_accept": {"reason": "已进入诉讼程序"},
        "start": {},
        "extend": {"days": 30, "reason": "涉及多个部门,需调取用工记录"},
        "answer": {"answer": "经调查核实,企业已同意于三日内支付拖欠工资。"},
        "apply_review": {"note": "信访人不服处理意见"},
        "answer_review": {"answer": "经复查,维持原处理意见。"},
        "apply_rereview": {"note": "信访人不服复查意见"},
        "answer_rereview": {"answer": "经复核,维持复查意见。"},
        "close": {"closing": "settled"},
        "assign": {"leader_id": world.county_leader.pk, "team_ids": [world.work_team_a.pk]},
        "urge": {"note": "请加快办理"},
        "escalate": {"note": "列入县级督办"},
        "link_event": {"event_code": _an_event(world).code},
        "list_backlog": {"first_raised_year": 2003, "batch": "strive"},
        "resort": {"batch": "stabilise", "reason": "信访人诉求过高,先行稳控"},
        "settle_backlog": {"settlement": "包案领导多次约谈,落实帮扶,信访人息诉罢访。"},
    }[action]


def actor_for(world, action: str):
    """Who takes each step of the line: the office routes and records requests, the department
    (the body) accepts, handles and answers, the county leader answers reviews."""
    if action in {"accept", "not_accept", "object", "start", "extend", "answer"}:
        return world.dept_liaison.user
    if action in {"answer_review", "answer_rereview", "assign", "escalate"}:
        return world.county_leader.user
    return world.operator.user


def petition_in(world, state: str, *, start=None, **kwargs) -> Petition:
    from fengqiao.petitions.actions import perform_action

    when = start or local(2026, 3, 2)
    p = register(world, when=when, **kwargs)
    for i, action in enumerate(PATHS[state], start=1):
        with at(when + dt.timedelta(days=i)):
            p = perform_action(petition=Petition.objects.get(pk=p.pk), actor=actor_for(world, action),
                               action=action, data=data_for(world, action))
    return Petition.objects.get(pk=p.pk)
