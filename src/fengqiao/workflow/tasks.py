"""Periodic work of the shared machinery: the clock scanner, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.workflow.clocks import scan


@db_periodic_task(crontab(minute="*"))
def scan_clocks_every_minute() -> dict[str, int]:
    return scan()
