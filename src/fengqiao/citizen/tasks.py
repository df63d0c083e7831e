"""Housekeeping on Huey: the rate-limit counters of windows long past are dropped every night."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.citizen import ratelimit
from fengqiao.lib import clock

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="10"))
def prune_rate_counters_nightly() -> int:
    deleted = ratelimit.prune(before=clock.now() - dt.timedelta(days=1))
    logger.info("rate-limit counters pruned: %d", deleted)
    return deleted
