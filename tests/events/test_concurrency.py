"""Two people acting on one event at the same moment cannot both win (row lock on PostgreSQL,
an immediate write transaction on SQLite)."""

import threading

import pytest
from django.db import connection

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events.models import Event
from fengqiao.lib.errors import DomainError
from tests.factories import register


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, fn):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            fn()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_people_acknowledging_at_once_only_one_wins(world, round_):
    event = register(world)
    outcomes = _race(
        lambda: actions.event_acknowledge(event=event.pk, actor=world.secretary_a.user),
        lambda: actions.event_acknowledge(event=event.pk, actor=world.police_a.user),
    )
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    loser = next(o for o in outcomes if o != "ok")
    assert loser.status == 409
    assert AuditEntry.objects.filter(event=event, action="acknowledge").count() == 1


@pytest.mark.django_db(transaction=True)
def test_resolve_and_return_racing_leave_one_consistent_outcome(world):
    event = register(world)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    outcomes = _race(
        lambda: actions.event_resolve(event=event.pk, actor=world.secretary_a.user, result="已处理"),
        lambda: actions.event_return(event=event.pk, actor=world.police_a.user, reason="不属本村"),
    )
    assert outcomes.count("ok") == 1, outcomes
    event.refresh_from_db()
    last = AuditEntry.objects.filter(event=event).order_by("-seq").first()
    assert event.status == last.to_state and event.status in {"resolved", "registered"}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_get_distinct_codes(world):
    results = []

    def reg():
        results.append(register(world, title=f"并发登记{threading.get_ident()}").code)

    outcomes = _race(*[reg] * 4)
    assert outcomes == ["ok"] * 4
    assert len(set(results)) == 4
    assert Event.objects.count() == 4
    assert connection.vendor in {"sqlite", "postgresql"}
