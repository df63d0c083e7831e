"""fengqiao bench_seed: fill the database with synthetic events fast, for benchmarks only.

Writes rows directly (COPY on PostgreSQL), bypassing the actions: no audit trail, parties or
texts; the command centre's rollups are rebuilt from the events at the end.
Never run it on a database that matters. See fengqiao.demo.bench_seed and bench/README.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fengqiao.demo.bench_seed import seed_bench_events
from fengqiao.lib.schema import ensure_schema


class Command(BaseCommand):
    help = (
        "FOR BENCHMARKS ONLY: add N synthetic events (with bindings, ancestor columns, statuses and "
        "deadlines) straight into the tables, bypassing the actions (no audit trail). Loads the demo's "
        "places and people first when the database has none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="how many events to add")
        parser.add_argument("--batch", type=int, default=5000, help="events per transaction (default 5000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed")
        parser.add_argument("--days", type=int, default=365, help="spread over the last N days (default 365)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--no-bindings", action="store_true",
                            help="write no bindings (assignees): enough for the command centre's benches")

    def handle(self, *args, events, batch, seed, days, no_progress, no_bindings, **options):
        ensure_schema(self.stderr.write)  # a fresh database: migrate first
        if events < 1 or batch < 1 or days < 1:
            raise CommandError("--events, --batch and --days must be positive")
        report = seed_bench_events(n=events, batch=batch, seed=seed, days=days,
                                   progress=not no_progress, stdout=self.stderr._out,
                                   with_bindings=not no_bindings)
        rate = report.events / report.seconds if report.seconds else 0
        self.stdout.write(
            f"added {report.events} events and {report.assignments} bindings in {report.seconds:.1f} s "
            f"({rate:,.0f} events/s)"
        )
        self.stdout.write("rollups rebuilt: " + ", ".join(
            f"{table} {rows}" for table, rows in (report.rollup_rows or {}).items()))
        self.stdout.write("statuses: " + ", ".join(f"{k} {v}" for k, v in report.statuses.most_common()))
