"""The deadline scanner warns once before the deadline and once at it, through the real action:
audit rows, texts to every bound person, notes in their inboxes."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events.models import Event
from fengqiao.events.scanner import scan_deadlines
from fengqiao.lib import clock
from fengqiao.notify.models import Notification, OutboxMessage
from tests.factories import register

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SH)  # an ordinary working Monday


def _event(world, **kwargs) -> Event:
    with clock.frozen(MONDAY):
        event = register(world, **kwargs)
    event.refresh_from_db()
    assert event.status == "dispatched" and event.deadline is not None
    return event


def _texts(event: Event, template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event=event, template=template).order_by("id"))


def test_an_event_is_warned_once_before_its_deadline_and_once_when_it_passes(world, settings):
    settings.FENGQIAO_DEADLINE_WARNING_HOURS = 24
    event = _event(world)
    deadline = event.deadline
    bound_phones = sorted(p.phone for p in (world.secretary_a, world.liaison_a, world.police_a))

    # More than a day ahead: nothing yet.
    assert scan_deadlines(now=deadline - dt.timedelta(hours=25)) == {"warned": 0, "overdue": 0, "errors": 0}

    warn_at = deadline - dt.timedelta(hours=23)
    assert scan_deadlines(now=warn_at) == {"warned": 1, "overdue": 0, "errors": 0}
    event.refresh_from_db()
    assert event.deadline_warned_at == warn_at and event.overdue_notified_at is None
    warnings = _texts(event, "deadline_warning")
    assert sorted(t.recipient for t in warnings) == bound_phones
    assert all(event.code in t.body and "预警" in t.body for t in warnings)
    [entry] = AuditEntry.objects.filter(event=event, action="deadline_warning")
    assert entry.actor is None and entry.created_at == warn_at
    assert sorted(entry.details["notified"]) == sorted(
        p.pk for p in (world.secretary_a, world.liaison_a, world.police_a)
    )

    # Later scans before the deadline do not warn again.
    assert scan_deadlines(now=deadline - dt.timedelta(hours=1))["warned"] == 0
    assert len(_texts(event, "deadline_warning")) == 3

    # At the deadline: not yet overdue. A second past it: the overdue notice, once.
    assert scan_deadlines(now=deadline) == {"warned": 0, "overdue": 0, "errors": 0}
    assert scan_deadlines(now=deadline + dt.timedelta(seconds=1)) == {"warned": 0, "overdue": 1, "errors": 0}
    assert scan_deadlines(now=deadline + dt.timedelta(minutes=5)) == {"warned": 0, "overdue": 0, "errors": 0}
    overdue = _texts(event, "overdue")
    assert sorted(t.recipient for t in overdue) == bound_phones
    assert all("已超过办理时限" in t.body for t in overdue)
    assert AuditEntry.objects.filter(event=event, action="overdue").count() == 1
    event.refresh_from_db()
    assert event.overdue_notified_at == deadline + dt.timedelta(seconds=1)


def test_the_bound_people_see_both_notes_in_their_inbox(world, api):
    event = _event(world)
    scan_deadlines(now=event.deadline - dt.timedelta(hours=2))
    scan_deadlines(now=event.deadline + dt.timedelta(seconds=1))
    for who in ("secretary_a", "liaison_a", "police_a"):
        r = api.get("/me/notifications", user=world.user(who))
        assert r.status_code == 200
        mine = [n for n in r.json()["items"] if n["event_id"] == event.pk]
        assert [n["kind"] for n in mine] == ["overdue", "deadline_warning", "dispatched"]
        assert mine[0]["title"] == f"已逾期:{event.code}"
        assert mine[1]["title"] == f"即将逾期:{event.code}"
        assert not any(n["read"] for n in mine)
    # Someone not bound to the event hears nothing.
    r = api.get("/me/notifications", user=world.user("secretary_b"))
    assert not [n for n in r.json()["items"] if n["event_id"] == event.pk]


def test_an_event_found_already_overdue_gets_only_the_overdue_notice(world):
    event = _event(world)
    assert scan_deadlines(now=event.deadline + dt.timedelta(days=2)) == {"warned": 0, "overdue": 1, "errors": 0}
    assert _texts(event, "deadline_warning") == []
    assert len(_texts(event, "overdue")) == 3


def test_a_resolved_event_is_not_chased(world):
    event = _event(world)
    actor = world.user("secretary_a")
    with clock.frozen(MONDAY + dt.timedelta(hours=1)):
        actions.event_acknowledge(event=event, actor=actor)
        actions.event_resolve(event=event, actor=actor, result="双方达成调解协议")
    assert scan_deadlines(now=event.deadline + dt.timedelta(hours=1)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert not OutboxMessage.objects.filter(event=event, template__in=["deadline_warning", "overdue"]).exists()


def test_the_scanner_works_through_many_events_in_batches(world):
    events = [_event(world, title=f"柯某工资拖欠{i}") for i in range(7)]
    latest = max(e.deadline for e in events)
    counts = scan_deadlines(now=latest + dt.timedelta(minutes=1), batch_size=2)
    assert counts == {"warned": 0, "overdue": 7, "errors": 0}
    assert Event.objects.filter(pk__in=[e.pk for e in events], overdue_notified_at__isnull=False).count() == 7
    assert Notification.objects.filter(kind="overdue", user=world.user("secretary_a")).count() == 7


def test_scan_deadlines_command_reports_what_it_did(world, settings):
    event = _event(world)
    out = StringIO()
    with clock.frozen(event.deadline + dt.timedelta(minutes=1)):
        call_command("scan_deadlines", stdout=out)
    assert out.getvalue().strip() == "deadline warnings: 0, overdue notices: 1, errors: 0"


def test_scan_deadlines_command_rejects_a_bad_batch_size():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("scan_deadlines", "--batch-size", "0")
