"""Registration's own dispatch and the registration batch (what a spreadsheet import runs in)
write exactly what the ordinary path writes, with fewer queries.

- Registration dispatches the event it has just inserted without locking or reloading it, and
  binds the tier's people in one INSERT: the bindings, texts, deadline and audit row must be
  those a later `event_dispatch` of the same event writes.
- `registration_batch` reads deadline policies, the working calendar and duty posts once, and
  hands out event codes from a block `reserve_codes` took beforehand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions, batch, deadlines
from fengqiao.events.models import Assignment, Category, Event, EventCodeCounter
from fengqiao.lib import clock
from fengqiao.notify.actions import _kick_worker
from fengqiao.notify.models import OutboxMessage
from tests.factories import register

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _bindings(event: Event) -> list[tuple]:
    return sorted(
        (a.person_id, a.role, a.kind, a.tier, a.beyond_posts, a.active)
        for a in Assignment.objects.filter(event=event)
    )


def _texts(event: Event) -> list[tuple]:
    return sorted((m.person_id, m.template, m.body) for m in OutboxMessage.objects.filter(event=event))


def _dispatch_row(event: Event) -> AuditEntry:
    return AuditEntry.objects.get(event=event, action="dispatch")


@pytest.mark.parametrize("where", ["village_a", "grid_a"])
def test_registration_dispatch_writes_what_a_later_dispatch_writes(world, where):
    region = getattr(world, where)
    with clock.frozen(AT):
        fresh = register(world, region=region, title="工资拖欠")
        later = register(world, region=region, title="工资拖欠", auto_dispatch=False)
        assert later.status == "registered" and not Assignment.objects.filter(event=later).exists()
        later = actions.event_dispatch(event=later, actor=None)
    assert fresh.status == later.status == "dispatched"
    assert _bindings(fresh) == _bindings(later) and _bindings(fresh)
    if where == "grid_a":  # the grid head is one of them, within their posts
        assert (world.grid_head_a.pk, "grid_head", "N", "village", False, True) in _bindings(fresh)
    texts = _texts(fresh)
    assert [(p, t) for p, t, _ in texts] == [(p, t) for p, t, _ in _texts(later)]
    assert {p for p, _, _ in texts} == {p for p, *_ in _bindings(fresh)}
    assert (fresh.deadline, fresh.deadline_approximate, fresh.tier) == (later.deadline, later.deadline_approximate, later.tier)
    a, b = _dispatch_row(fresh), _dispatch_row(later)
    assert a.details["bound"] == b.details["bound"] and a.details["deadline"] == b.details["deadline"]
    # The instance handed back is what the database holds (nothing left to reload).
    stored = Event.objects.get(pk=fresh.pk)
    for name in ("status", "tier", "deadline", "dispatched_at", "region_id", "village_id", "grid_id", "updated_at"):
        assert getattr(fresh, name) == getattr(stored, name), name
    assert audit.verify() is None


def test_a_new_stream_that_exists_already_is_refused_and_nothing_is_written(world):
    event = register(world)
    rows = AuditEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        audit.record(stream=audit.event_stream(event), action="comment", new_stream=True)
    assert AuditEntry.objects.count() == rows
    assert audit.verify() is None


def test_texts_of_many_registrations_in_one_transaction_kick_the_worker_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            actions.event_register_nested(
                actor=world.operator.user, title=f"工资拖欠{n}", source="walk_in",
                category=Category.objects.get(code="dispute.wages"), region=world.village_a)
    assert OutboxMessage.objects.count() >= 9
    assert [c for c in callbacks if c is _kick_worker] == [_kick_worker]


def test_deadlines_in_a_batch_equal_those_outside_and_approximate_is_per_deadline(world):
    health = Category.objects.get(code="livelihood.health")  # 10 working days from 12345
    memo: dict = {}
    for start in (dt.datetime(2027, 12, 20, 10, tzinfo=AT.tzinfo),  # runs into an unpublished year
                  AT, dt.datetime(2026, 9, 30, 10, tzinfo=AT.tzinfo)):
        alone = deadlines.deadline_for(category=health, tier="village", source="hotline_12345", start=start)
        batched = deadlines.deadline_for(category=health, tier="village", source="hotline_12345",
                                         start=start, memo=memo)
        assert batched == alone
    assert deadlines.deadline_for(category=health, tier="village", source="hotline_12345",
                                  start=AT, memo=memo).approximate is False


def test_codes_come_from_the_reserved_block_then_from_the_counter(world):
    with clock.frozen(AT):
        before = register(world)
        block = actions.reserve_codes(region=world.county, count=2, actor=world.operator.user,
                                      reason="import of 2 rows")
        assert (block.key, block.first, block.last) == ("350322-20261120", 2, 3)
        # Taking the block is its own committed step, recorded in the audit.
        row = AuditEntry.objects.get(stream="event_codes", action="reserve_codes")
        assert row.details == {"key": "350322-20261120", "first": 2, "last": 3, "count": 2}
        assert EventCodeCounter.objects.get(key=block.key).last == 3
        with transaction.atomic(), batch.registration_batch(codes=block):
            inside = [
                actions.event_register_nested(
                    actor=world.operator.user, title=f"噪音扰民{n}", source="hotline_12345",
                    category=Category.objects.get(code="environment.noise"), region=world.village_c)
                for n in range(3)
            ]
        after = register(world)
    assert before.code == "350322-20261120-0001"
    # Two from the block, the third (block used up) from the counter, as is the next one outside.
    assert [e.code for e in inside] == ["350322-20261120-0002", "350322-20261120-0003", "350322-20261120-0004"]
    assert after.code == "350322-20261120-0005"
    assert block.next == 4


def test_a_block_of_another_county_or_day_is_not_used(world):
    with clock.frozen(AT):
        block = actions.reserve_codes(region=world.county, count=5, actor=None, reason="test")
    with clock.frozen(AT + dt.timedelta(days=1)), transaction.atomic(), batch.registration_batch(codes=block):
        event = actions.event_register_nested(
            actor=world.operator.user, title="噪音扰民", source="hotline_12345",
            category=Category.objects.get(code="environment.noise"), region=world.village_a)
    assert event.code == "350322-20261121-0001" and block.next == block.first


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_a_batch_needs_a_transaction():
    with pytest.raises(RuntimeError):
        with batch.registration_batch():
            pass
