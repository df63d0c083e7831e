"""A big import does not hold the county's event-code counter for its whole transaction: it takes
the codes its new rows need first, in a short transaction of its own, and says so in the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Event, EventCodeCounter
from fengqiao.lib import clock
from tests.factories import register
from tests.imports.conftest import HEADER_12345, row_12345, write_xlsx

pytestmark = pytest.mark.django_db


def run(path):
    call_command("import_events", str(path), "--no-progress", "--source", "hotline_12345", "--actor", "operator")


DAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def one_day():
    with clock.frozen(DAY):  # codes are per day
        yield


def test_an_import_takes_its_codes_as_one_block_before_it_runs(world, sheet_dir):
    first = register(world)
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 4)])
    run(path)
    events = list(Event.objects.filter(source="hotline_12345").order_by("id"))
    numbers = [int(e.code.rsplit("-", 1)[1]) for e in events]
    start = int(first.code.rsplit("-", 1)[1]) + 1
    assert numbers == [start, start + 1, start + 2]
    reserved = AuditEntry.objects.get(stream="event_codes", action="reserve_codes")
    assert (reserved.details["first"], reserved.details["last"], reserved.details["count"]) == (start, start + 2, 3)
    done = AuditEntry.objects.get(action="import_events")
    assert done.details["codes"]["reserved"] == [start, start + 2] and done.details["codes"]["used"] == 3
    # The sheet again plus one new row: one code reserved, for the one new event.
    path2 = write_xlsx(sheet_dir / "b.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 5)])
    run(path2)
    last = Event.objects.filter(source="hotline_12345").order_by("id").last()
    assert last.code.endswith(f"-{start + 3:04d}")
    assert AuditEntry.objects.filter(stream="event_codes").order_by("id").last().details["count"] == 1
    assert EventCodeCounter.objects.get(key=last.code.rsplit("-", 1)[0]).last == start + 3
    # The next registration anywhere in the county continues after the block.
    assert register(world).code.endswith(f"-{start + 4:04d}")


@pytest.mark.django_db(transaction=True)
def test_a_registration_does_not_wait_for_a_running_import(world, sheet_dir):
    """PostgreSQL (row locks): while an import's transaction is open, a walk-in registration in
    the same county goes through at once and gets the code after the import's block."""
    import threading

    from django.db import connection

    from fengqiao.imports import actions as imports

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite has one writer at a time by design)")
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 4)])
    run_ = imports.import_run_create(path=path, source="hotline_12345", actor=world.operator.user,
                                     within=world.county)
    imports.import_run_check(run=run_, progress=lambda k: None)
    run_.refresh_from_db()
    inside, go_on = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def progress(k):
        inside.set()  # the first row is written and the file's transaction is open
        assert go_on.wait(timeout=30)

    def importing():
        from django.db import connection as thread_connection

        try:
            # The clock is pinned per thread: the import runs on the test's day too, or on any
            # other real day its codes would fall under another date's counter.
            with clock.frozen(DAY):
                imports.import_run_execute(run=run_, actor=world.operator.user, progress=progress)
        except BaseException as exc:  # noqa: BLE001 — reported to the test below
            failure.append(exc)
        finally:
            thread_connection.close()

    thread = threading.Thread(target=importing)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting on the counter would fail here
        walk_in = register(world)
    finally:
        go_on.set()
        thread.join(timeout=60)
    assert not failure, failure
    codes = sorted(Event.objects.filter(source="hotline_12345").values_list("code", flat=True))
    assert len(codes) == 3
    assert int(walk_in.code.rsplit("-", 1)[1]) == int(codes[-1].rsplit("-", 1)[1]) + 1
