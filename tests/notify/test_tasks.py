"""The Huey tasks: the after-commit kick queues one delivery run; the sweep runs every minute."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.events import tasks as event_tasks
from fengqiao.notify import tasks
from fengqiao.notify.actions import notify_people
from fengqiao.notify.models import OutboxMessage
from tests.notify.helpers import URGED, make_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(huey_inline):
    """Huey with a real (in-memory) queue: tasks wait until the test runs them."""
    huey_inline._immediate = False  # keep the in-memory storage, stop running inline
    try:
        yield huey_inline
    finally:
        huey_inline._immediate = True


def _run_queue(huey) -> int:
    """Work the queue as the consumer would (immediate flag on only so that db_task leaves the
    test's database connection open)."""
    ran = 0
    huey._immediate = True
    try:
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
    finally:
        huey._immediate = False
    return ran


def test_the_kick_queues_one_run_however_often_it_is_called(queued, aliyun):
    rows = [make_text(), make_text(phone="13900000006")]
    first = tasks.deliver_due()
    assert first is not None
    assert all(tasks.deliver_due() is None for _ in range(50))
    assert queued.pending_count() == 1 and aliyun.requests == 0

    assert _run_queue(queued) == 1
    assert sorted(aliyun.delivered_keys()) == sorted(r.idempotency_key for r in rows)
    assert OutboxMessage.objects.filter(state="sent").count() == 2

    # The run cleared the flag: the next kick queues again.
    later = make_text(phone="13900000007")
    assert tasks.deliver_due() is not None and queued.pending_count() == 1
    _run_queue(queued)
    assert later.idempotency_key in aliyun.delivered_keys()


def test_the_sweep_clears_a_flag_left_by_a_lost_task(queued, aliyun):
    assert tasks.deliver_due() is not None
    queued.flush()  # the queued run is lost (queue wiped), the flag stays
    queued.put(tasks.QUEUED_FLAG, 0)
    assert tasks.deliver_due() is None
    make_text()
    queued._immediate = True  # (so that db_task leaves the test's connection open)
    try:
        tasks.deliver_due_every_minute.call_local()
    finally:
        queued._immediate = False
    assert len(aliyun.messages) == 1
    assert tasks.deliver_due() is not None


def test_a_text_queued_by_an_action_is_delivered_after_commit(world, aliyun, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = notify_people(persons=[world.secretary_a, world.liaison_a], template="urged", params=URGED)
    assert queued == 2 and len(callbacks) == 1
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count() == 2
    assert sorted(m["phone"] for m in aliyun.messages) == ["13900000005", "13900000006"]


def test_the_sweep_and_the_scanner_run_every_minute(huey_inline):
    periodic = {t.name for t in huey_inline._registry.periodic_tasks}
    assert {"deliver_due_every_minute", "scan_deadlines_every_minute"} <= periodic
    for task in (tasks.deliver_due_every_minute, event_tasks.scan_deadlines_every_minute):
        instance = task.s()
        for minute in (0, 1, 37, 59):
            assert instance.validate_datetime(dt.datetime(2025, 3, 3, 9, minute))


def test_the_sweep_delivers_what_is_due(aliyun):
    row = make_text()
    tasks.deliver_due_every_minute.call_local()
    assert aliyun.delivered_keys() == [row.idempotency_key]
