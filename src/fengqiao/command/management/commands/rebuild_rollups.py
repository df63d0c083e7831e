"""fengqiao rebuild_rollups: recompute the command centre's rollups from the events."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from fengqiao.command.rollups import rebuild


class Command(BaseCommand):
    help = ("Recompute the command centre's counters from the events (after a bulk load, or to "
            "repair). Actions wait while it runs.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        written = rebuild()
        rows = ", ".join(f"{table} {n}" for table, n in written.items())
        self.stdout.write(f"rebuilt in {time.perf_counter() - started:.1f} s: {rows}")
