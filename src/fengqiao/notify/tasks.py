"""Background delivery of the outbox on Huey.

``deliver_due()`` enqueues one delivery run; `notify.actions` calls it after every commit that
queued a text, so it must stay cheap: it only puts a task on the queue. Several runs at once are
harmless (each row is claimed by compare-and-set). The periodic sweep every minute delivers
whatever is due — retries whose backoff has passed, rows whose worker died, and anything a lost
enqueue missed.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fengqiao.notify import delivery


@db_task()
def deliver_due() -> dict[str, int]:
    """Deliver everything due now."""
    return delivery.deliver_all_due().as_dict()


@db_periodic_task(crontab(minute="*"))
def deliver_due_every_minute() -> dict[str, int]:
    return delivery.deliver_all_due().as_dict()
