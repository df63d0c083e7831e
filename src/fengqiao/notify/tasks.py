"""Background delivery of the outbox on Huey.

``deliver_due()`` is the kick `notify.actions` calls after every commit that queued a text. It
must stay cheap and safe to call often, so it queues ``deliver_due_task`` only when no run is
already waiting: a flag in Huey's key-value store says one is queued, and the task clears the flag
*before* it reads the outbox — a row committed after that moment queues a fresh run. A burst of
actions therefore costs one queued task, and a stopped worker does not pile up thousands.

The periodic sweep every minute delivers whatever is due — retries whose backoff has passed, rows
whose worker died, anything a lost kick missed — and clears a flag left by a task that was lost.
Several runs at once are harmless: each row is claimed by compare-and-set.
"""

from __future__ import annotations

import logging
import time

from huey import crontab
from huey.api import Result
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from fengqiao.notify import delivery

logger = logging.getLogger(__name__)

QUEUED_FLAG = "fengqiao.notify.delivery-queued"


def _run() -> None:
    HUEY.delete(QUEUED_FLAG)  # before reading the outbox; see the module docstring
    report = delivery.deliver_all_due()
    if report.claimed or report.failed or report.lost:
        logger.info("outbox delivery: %s", report.as_dict())


@db_task(name="deliver_due")  # queued as fengqiao.notify.tasks.deliver_due
def deliver_due_task() -> None:
    """Deliver everything due now (returns nothing, so Huey stores no result)."""
    _run()


@db_periodic_task(crontab(minute="*"))
def deliver_due_every_minute() -> None:
    _run()


def deliver_due() -> Result | None:
    """Queue a delivery run unless one is already waiting. Returns the queued task's result
    handle, or None when a waiting run will pick the new rows up."""
    if not HUEY.put_if_empty(QUEUED_FLAG, time.time()):
        return None
    try:
        return deliver_due_task()
    except BaseException:
        HUEY.delete(QUEUED_FLAG)  # nothing was queued after all; let the next kick try
        raise
