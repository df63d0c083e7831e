"""fengqiao verify_rollups: check the command centre's rollups against the raw events."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fengqiao.command.queries import Filters, fast_counts, plain_counts
from fengqiao.lib import clock
from fengqiao.regions.models import Level, Region


class Command(BaseCommand):
    help = ("Compare the rollups with a plain count over the events, per county and town, for the "
            "last N registration days; exit non-zero naming the first difference "
            "(repair with `fengqiao rebuild_rollups`).")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=35, help="registration days to check (default 35)")

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be positive")
        now = clock.now()
        end = clock.local_date(now)
        start = end - dt.timedelta(days=days - 1)
        checked = 0
        for county in Region.objects.filter(level=Level.COUNTY, retired_at=None).order_by("code"):
            fast = fast_counts(county, start, end, Filters(), now=now, group_level="town")
            plain = plain_counts(county, start, end, Filters(), now=now, group_level="town")
            for key in sorted(set(fast) | set(plain), key=lambda k: (k is None, k or 0)):
                a = {k: v for k, v in fast.get(key, {}).items() if v}
                b = {k: v for k, v in plain.get(key, {}).items() if v}
                if a != b:
                    diff = {k: (a.get(k, 0), b.get(k, 0)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
                    raise CommandError(f"county {county.code}, town id {key}: rollup ≠ events {diff}")
                checked += 1
        self.stdout.write(f"rollups agree with the events: {checked} towns, {start} to {end}")
