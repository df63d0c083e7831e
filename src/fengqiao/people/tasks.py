"""Housekeeping on Huey: failed sign-ins that no longer count and run-out locks go every night."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.lib import clock
from fengqiao.people import throttle

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="20"))
def prune_login_failures_nightly() -> int:
    deleted = throttle.prune(before=clock.now())
    logger.info("sign-in failures and locks pruned: %d", deleted)
    return deleted
