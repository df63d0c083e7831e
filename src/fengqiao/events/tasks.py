"""Periodic work on events: the deadline scanner, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.events.scanner import scan_deadlines


@db_periodic_task(crontab(minute="*"))
def scan_deadlines_every_minute() -> dict[str, int]:
    return scan_deadlines()
