"""fengqiao demo: build the Xianyou demo county (places, people, a year of events). See docs/demo.md."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengqiao.demo.builder import DEFAULT_EVENTS, DemoError, build_demo
from fengqiao.demo.people import DEMO_PASSWORD
from fengqiao.lib.schema import ensure_schema


def _as_of(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r} is not a date or time (use 2026-11-20 or 2026-11-20T18:00)") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if moment > timezone.now():
        raise CommandError("--as-of cannot lie in the future")
    return moment


class Command(BaseCommand):
    help = (
        "Build the demo: Xianyou County (350322) with its 18 towns and 327 villages, grids, people "
        "with one login per role, and a year of events played through the real actions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                            help=f"how many events (default {DEFAULT_EVENTS})")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same county)")
        parser.add_argument("--reset", action="store_true",
                            help="wipe every table first (flush); required when the database holds data")
        parser.add_argument("--as-of", type=_as_of, default=None,
                            help="the demo's 'now' (default: the present moment)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, events, seed, reset, as_of, no_progress, **options):
        ensure_schema(self.stderr.write)  # a fresh database: migrate first (the demo builds one)
        try:
            report = build_demo(events=events, seed=seed, reset=reset, as_of=as_of,
                                progress=not no_progress, stdout=self.stderr._out)
        except DemoError as exc:
            raise CommandError(exc.message) from None
        out = self.stdout
        if report.import_report is not None:
            for line in report.import_report.lines():
                out.write(f"import: {line}")
        regions = ", ".join(f"{level} {n}" for level, n in sorted(report.regions.items()))
        out.write(f"regions: {regions}")
        out.write(f"people: {report.people}")
        out.write(f"events: {report.events}  " + ", ".join(
            f"{status} {n}" for status, n in sorted(report.statuses.items(), key=lambda kv: -kv[1])))
        out.write("actions: " + ", ".join(f"{a} {n}" for a, n in report.actions.most_common()))
        out.write("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items()))
        for part in (report.extras, report.petitions, report.mediation, report.grid, report.majors):
            if part is not None:
                out.write("")
                for line in part.lines():
                    out.write(line)
        out.write("")
        out.write(f"Logins (password {DEMO_PASSWORD}):")
        for login in report.logins:
            out.write(f"  {login.username:<11} {login.role:<19} {login.who}")
        out.write(self.style.SUCCESS("demo ready"))
