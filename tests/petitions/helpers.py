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
