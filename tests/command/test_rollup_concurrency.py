"""Concurrent actions on different events of one bucket: no count is lost (the upsert adds in the
database, never a read-modify-write in Python). Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest

from fengqiao.command.models import DailyRegionCounts
from fengqiao.events import actions
from fengqiao.lib import clock
from tests.command.helpers import assert_rollups_match_a_rebuild, at
from tests.factories import register


@pytest.mark.django_db(transaction=True)
def test_acknowledging_many_events_of_one_village_at_once_counts_every_one(world):
    from tests.factories import ensure_default_catalogue

    ensure_default_catalogue()
    with clock.frozen(at(2026, 3, 2)):
        events = [register(world) for _ in range(6)]
    barrier = threading.Barrier(len(events))
    errors: list[BaseException] = []

    def run(pk: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            with clock.frozen(at(2026, 3, 3)):
                actions.event_acknowledge(event=pk, actor=None)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(e.pk,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    row = DailyRegionCounts.objects.get(village_id=world.village_a.id)
    assert (row.registered, row.handled) == (6, 6)
    assert_rollups_match_a_rebuild()
