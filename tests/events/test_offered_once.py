"""A button is offered only when its move is legal now and not already made: the machine's
guards decide (`Machine.offered` / `legal_now`), and every page, the API and the worklist tab
ask them — never a copy of the rule."""

from __future__ import annotations

import re

import pytest

from fengqiao.events import actions
from fengqiao.events import statemachine as sm
from fengqiao.events.models import Event
from fengqiao.events.permissions import available_actions
from fengqiao.events.queries import worklist
from fengqiao.lib.errors import IllegalTransition
from fengqiao.workflow.machine import Guard, Machine, Move
from tests.events.helpers import event_in

pytestmark = pytest.mark.django_db


def _buttons(client, user, event) -> list[str]:
    client.force_login(user)
    html = client.get(f"/events/{event.pk}/").content.decode()
    return re.findall(r'data-action="([a-z_]+)"', html)


def test_call_back_is_no_longer_offered_once_made(world, client, api):
    admin, cadre = world.admin.user, world.town_cadre.user
    event = event_in(world, "resolved", admin)
    assert "call_back" in available_actions(cadre, event)
    assert "call_back" in _buttons(client, cadre, event)
    assert list(worklist(cadre, "to_call_back")) == [event]

    actions.event_call_back(event=event, actor=cadre, satisfaction="basically_satisfied")
    event = Event.objects.get(pk=event.pk)
    for who in ("admin", "town_cadre", "operator"):
        assert "call_back" not in available_actions(world.user(who), event), who
    assert "call_back" not in _buttons(client, cadre, event)
    assert "close" in _buttons(client, cadre, event)
    assert list(worklist(cadre, "to_call_back")) == []
    body = api.get(f"/events/{event.pk}", user=cadre).json()
    assert "call_back" not in body["available_actions"]
    # and the move itself is refused with the guard's code
    with pytest.raises(IllegalTransition) as err:
        actions.event_call_back(event=event, actor=cadre, satisfaction="satisfied")
    assert err.value.code == "already_called_back"


def test_a_new_resolution_is_called_back_again(world):
    admin = world.admin.user
    event = event_in(world, "resolved", admin)
    actions.event_call_back(event=event, actor=admin, satisfaction="dissatisfied")  # rework
    event = Event.objects.get(pk=event.pk)
    assert "call_back" not in available_actions(admin, event)
    actions.event_resolve(event=event, actor=admin, result="再次上门,已补发工资")
    event = Event.objects.get(pk=event.pk)
    assert "call_back" in available_actions(admin, event)
    assert list(worklist(admin, "to_call_back")) == [event]


def test_flagging_what_is_flagged_is_neither_offered_nor_allowed(world, api):
    admin = world.admin.user
    event = event_in(world, "in_progress", admin)
    assert "flag_risk" in available_actions(admin, event) and "unflag_risk" not in available_actions(admin, event)
    actions.event_flag_risk(event=event, actor=admin, reason="群体性苗头")
    event = Event.objects.get(pk=event.pk)
    assert "flag_risk" not in available_actions(admin, event) and "unflag_risk" in available_actions(admin, event)
    response = api.post(f"/events/{event.pk}/actions", {"action": "flag_risk"}, user=admin)
    assert response.status_code == 409 and response.json()["code"] == "already_flagged"


def test_one_extension_request_waits_at_a_time(world, api):
    secretary = world.secretary_a.user
    event = event_in(world, "in_progress", world.admin.user)
    assert "request_extension" in available_actions(secretary, event)
    actions.event_request_extension(event=event, actor=secretary, days=3, reason="等待鉴定")
    event = Event.objects.get(pk=event.pk)
    assert "request_extension" not in available_actions(secretary, event)
    assert {"approve_extension", "reject_extension"} <= set(available_actions(world.town_cadre.user, event))
    response = api.post(f"/events/{event.pk}/actions",
                        {"action": "request_extension", "days": 2, "reason": "再等"}, user=secretary)
    assert response.status_code == 409 and response.json()["code"] == "extension_pending"
    actions.event_approve_extension(event=event, actor=world.town_cadre.user)
    event = Event.objects.get(pk=event.pk)
    assert "approve_extension" not in available_actions(world.town_cadre.user, event)
    assert "request_extension" in available_actions(secretary, event)


def test_every_guard_of_the_event_lists_by_the_same_data(world):
    """legal_q and legal_now agree on every event and every move (the worklist and the button)."""
    admin = world.admin.user
    events = [event_in(world, s, admin) for s in ("registered", "dispatched", "in_progress", "resolved", "closed")]
    actions.event_request_extension(event=events[2], actor=admin, days=3, reason="等待鉴定")
    actions.event_flag_risk(event=events[1], actor=admin)
    for action in sm.ACTIONS:
        listed = set(Event.objects.filter(sm.legal_q(action)).values_list("pk", flat=True))
        legal = {e.pk for e in Event.objects.all() if sm.legal_now(e, action)}
        assert listed == legal, action


def test_a_machine_offers_nothing_its_guard_refuses():
    """The shared machinery, on a workflow of its own: a once-only move disappears when made."""
    class Rec:
        status = "open"
        visited = False

    machine = Machine("toy", moves={
        "visit": Move(frozenset({"open"}), None, "Visit", guard="not_visited"),
        "close": Move(frozenset({"open"}), "closed", "Close"),
    }, guards={"not_visited": Guard(lambda r: not r.visited, "visited", "already visited")},
        state_label=str)
    rec = Rec()
    assert machine.offered(rec) == ["visit", "close"]
    rec.visited = True
    assert machine.offered(rec) == ["close"]
    with pytest.raises(ValueError):
        machine.legal_q("visit")  # a guard without a queryset filter cannot be listed
