"""The same ticket delivered twice at the same moment makes one event (SQLite: immediate write
transactions; PostgreSQL: the second insert waits on the unique ticket key, then returns the
first delivery's event)."""

from __future__ import annotations

import threading

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Category, Event
from fengqiao.intake.actions import Report, intake_submit, intake_system_create
from fengqiao.intake.models import ExternalTicket


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, fn):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            outcomes[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the test reports what went wrong
            outcomes[i] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _report(world, system, ticket: str, *, region="a") -> Report:
    return Report(source="hotline_12345", title="柯某反映工资被拖欠", system=system, external_id=ticket,
                  category=Category.objects.get(code="dispute.wages"),
                  region=world.village_a if region == "a" else None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_simultaneous_deliveries_of_one_ticket_make_one_event(world, round_):
    system, _key = intake_system_create(name="12345", source="hotline_12345", within=world.county, actor=None)
    report = _report(world, system, f"XY-{round_}")
    outcomes = _race(*[lambda: intake_submit(report=report, actor=None)] * 3)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(o.created for o in outcomes) == [False, False, True]
    assert len({o.event.pk for o in outcomes}) == 1
    assert Event.objects.count() == 1 and ExternalTicket.objects.count() == 1
    event = Event.objects.get()
    assert event.status == "dispatched"
    assert AuditEntry.objects.filter(event=event, action="register").count() == 1
    assert ExternalTicket.objects.get().deliveries == 3


@pytest.mark.django_db(transaction=True)
def test_simultaneous_different_tickets_make_different_events(world):
    system, _key = intake_system_create(name="12345", source="hotline_12345", within=world.county, actor=None)
    outcomes = _race(*[
        (lambda n=n: intake_submit(report=_report(world, system, f"XY-{n}", region=None), actor=None))
        for n in range(4)
    ])
    assert all(not isinstance(o, Exception) and o.created for o in outcomes), outcomes
    assert len({o.event.code for o in outcomes}) == 4
    assert ExternalTicket.objects.count() == 4
