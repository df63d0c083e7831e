"""The Huey tasks: the after-commit kick enqueues a delivery; the sweep runs every minute."""

from __future__ import annotations

import datetime as dt

import pytest
from huey.contrib.djhuey import HUEY

from fengqiao.events import tasks as event_tasks
from fengqiao.notify import tasks
from fengqiao.notify.actions import notify_people
from fengqiao.notify.models import OutboxMessage
from tests.notify.helpers import URGED, make_text

pytestmark = pytest.mark.django_db


def test_deliver_due_is_a_queued_task_that_delivers_everything_due(aliyun):
    rows = [make_text(), make_text(phone="13900000006")]
    result = tasks.deliver_due()  # enqueued; Huey runs it inline in the tests
    assert result() == {"claimed": 2, "sent": 2, "retried": 0, "failed": 0, "lost": 0, "expired": 0}
    assert sorted(aliyun.delivered_keys()) == sorted(r.idempotency_key for r in rows)


def test_a_text_queued_by_an_action_is_delivered_after_commit(world, aliyun, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = notify_people(persons=[world.secretary_a, world.liaison_a], template="urged", params=URGED)
    assert queued == 2 and len(callbacks) == 1
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count() == 2
    assert sorted(m["phone"] for m in aliyun.messages) == ["13900000005", "13900000006"]


def test_the_kick_is_cheap_when_nothing_is_due(aliyun):
    assert tasks.deliver_due()()["claimed"] == 0
    assert aliyun.requests == 0


def test_the_sweep_and_the_scanner_run_every_minute():
    periodic = {t.name for t in HUEY._registry.periodic_tasks}
    assert {"deliver_due_every_minute", "scan_deadlines_every_minute"} <= periodic
    for task in (tasks.deliver_due_every_minute, event_tasks.scan_deadlines_every_minute):
        instance = task.s()
        for minute in (0, 1, 37, 59):
            assert instance.validate_datetime(dt.datetime(2025, 3, 3, 9, minute))


def test_the_sweep_delivers_what_is_due(aliyun):
    row = make_text()
    assert tasks.deliver_due_every_minute.call_local()["sent"] == 1
    assert aliyun.delivered_keys() == [row.idempotency_key]
