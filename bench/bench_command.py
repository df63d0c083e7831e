"""Benchmark: the county command centre's dashboard at 100k, 1M and 10M events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_command_bench .venv/bin/python bench/bench_command.py
    ... --scale 100000 --scale 1000000 --scale 10000000 --calls 5

The database is dropped and re-created (its name must contain "bench"; --keep reuses it and tops
it up), gets the demo's places and people, and is filled by `bench_seed` (without bindings: the
command centre reads none) up to each --scale in turn; the seeder rebuilds the rollups at the end.

The dashboard, as the county's duty operator sees it (registration month so far against the
previous month, 环比 and 同比):
- compare: this month against last month and against this month a year earlier (three cohorts),
- ranking: every village ranked by resolution rate (this month),
- spread: every town's counts and rates (this month).
Each is timed --calls times after a warm-up, by the fast path (rollups) and by the plain path
(one GROUP BY over the raw events per cohort), at one pinned moment, and the two answers are
compared field by field (they must be equal). Prints a markdown table and the ratios: fast at the
largest scale over fast at the smallest (goal ≤ 2) and fast over plain (goal ≤ 1/20).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_database, machine_line, migrate, setup_django  # noqa: E402


def top_up(target: int) -> tuple[int, float]:
    from fengqiao.demo.bench_seed import seed_bench_events
    from fengqiao.events.models import Event

    have = Event.objects.count()
    if have >= target:
        return 0, 0.0
    batch = 20000 if target - have >= 1_000_000 else 5000
    report = seed_bench_events(n=target - have, batch=batch, progress=True, stdout=sys.stderr,
                               with_bindings=False)
    return report.events, report.seconds


def dashboard(user, county, today, now, path: str) -> dict:
    from fengqiao.command import queries

    prev, cur = queries.pair("month", today)
    window = {"start": cur.start, "end": cur.end, "now": now, "path": path}
    parts = {}
    started = time.perf_counter()
    parts["compare"] = queries.compare(user=user, region=county, a=prev, b=cur, now=now, path=path).as_dict()
    t1 = time.perf_counter()
    parts["ranking"] = [r.as_dict() for r in queries.ranking(
        user=user, region=county, level="village", measure="resolution_rate", **window)]
    t2 = time.perf_counter()
    parts["spread"] = [r.as_dict() for r in queries.spread(user=user, region=county, level="town", **window)]
    t3 = time.perf_counter()
    # Not part of the dashboard's total: the same compare narrowed to one category (the finer
    # rollup, day × region × category × source).
    parts["filtered"] = queries.compare(user=user, region=county, a=prev, b=cur, now=now, path=path,
                                        category="dispute").as_dict()
    t4 = time.perf_counter()
    return {"answer": parts, "compare": t1 - started, "ranking": t2 - t1, "spread": t3 - t2,
            "total": t3 - started, "filtered": t4 - t3}


def timed(user, county, today, now, path: str, calls: int) -> dict:
    dashboard(user, county, today, now, path)  # warm-up
    runs = [dashboard(user, county, today, now, path) for _ in range(calls)]
    out = {k: statistics.median(r[k] for r in runs) * 1000 for k in ("compare", "ranking", "spread", "total", "filtered")}
    out["answer"] = runs[-1]["answer"]
    return out


def table_sizes() -> dict[str, str]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("""SELECT relname, pg_size_pretty(pg_total_relation_size(oid)), reltuples::bigint
                          FROM pg_class WHERE relname IN ('events_event', 'command_dailyregioncounts',
                          'command_dailycounts', 'command_opendeadlineregioncounts', 'command_opendeadlinecounts')""")
        return {name: f"{size}, ~{rows:,} rows" for name, size, rows in cursor.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="events in the table (repeatable)")
    parser.add_argument("--calls", type=int, default=5, help="timed dashboards per path (default 5)")
    parser.add_argument("--keep", action="store_true", help="reuse the database and top it up")
    parser.add_argument("--json", help="append each scale's figures to this file (JSON lines)")
    parser.add_argument("--summary", help="only print the ratios from a --json file (several databases)")
    args = parser.parse_args()
    if args.summary:
        summary(args.summary)
        return
    scales = sorted(args.scale or [100_000, 1_000_000, 10_000_000])
    label = fresh_database(keep=args.keep)
    migrate()
    setup_django()
    from django.contrib.auth import get_user_model

    from fengqiao.demo.bench_seed import ensure_demo_county
    from fengqiao.lib import clock
    from fengqiao.regions.models import Region

    ensure_demo_county(seed=1)
    user = get_user_model().objects.get(username="operator")
    county = Region.objects.get(code="350322")
    print(f"database: {label}; {machine_line()}", flush=True)
    rows = []
    for scale in scales:
        added, seconds = top_up(scale)
        now = clock.now()
        today = clock.local_date(now)
        fast = timed(user, county, today, now, "fast", args.calls)
        plain = timed(user, county, today, now, "plain", max(1, min(args.calls, 3)))
        equal = fast.pop("answer") == plain.pop("answer")
        row = {"scale": scale, "added": added, "seed_s": seconds, "fast": fast, "plain": plain,
               "equal": equal, "sizes": table_sizes()}
        rows.append(row)
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps({**row, "database": label, "at": now.isoformat(),
                                     "machine": machine_line()}) + "\n")
        print(f"\n{scale:,} events (seeded {added:,} in {seconds:.0f} s); fast == plain: {equal}")
        for name, size in row["sizes"].items():
            print(f"  {name}: {size}")
        print("| path | compare ms | ranking ms | spread ms | dashboard ms | compare, one category ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for path, r in (("fast (rollups)", fast), ("plain GROUP BY", plain)):
            print(f"| {path} | {r['compare']:.1f} | {r['ranking']:.1f} | {r['spread']:.1f} | "
                  f"{r['total']:.1f} | {r['filtered']:.1f} |")
        print(f"fast / plain at {scale:,}: 1/{plain['total'] / fast['total']:.0f}", flush=True)
        if not equal:
            sys.exit("the fast path and the plain path disagree")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"\nfast {last['scale']:,} / fast {first['scale']:,}: "
              f"{last['fast']['total'] / first['fast']['total']:.2f}")
        print(f"plain {last['scale']:,} / plain {first['scale']:,}: "
              f"{last['plain']['total'] / first['plain']['total']:.2f}")


def summary(path: str) -> None:
    """The ratios across databases of different sizes (the last run recorded for each scale)."""
    by_scale: dict[int, dict] = {}
    with open(path) as fh:
        for line in fh:
            row = json.loads(line)
            by_scale[row["scale"]] = row
    scales = sorted(by_scale)
    print("| events | fast: compare / ranking / spread ms | fast dashboard ms | plain GROUP BY ms "
          "| fast / plain | one-category compare, fast / plain ms |")
    print("|---:|---|---:|---:|---:|---|")
    for scale in scales:
        r = by_scale[scale]
        f, p = r["fast"], r["plain"]
        print(f"| {scale:,} | {f['compare']:.0f} / {f['ranking']:.0f} / {f['spread']:.0f} | "
              f"{f['total']:.1f} | {p['total']:.1f} | 1/{p['total'] / f['total']:.0f} | "
              f"{f.get('filtered', 0):.0f} / {p.get('filtered', 0):.0f} |")
    if len(scales) > 1:
        lo, hi = by_scale[scales[0]], by_scale[scales[-1]]
        print(f"\nfast {scales[-1]:,} / fast {scales[0]:,}: {hi['fast']['total'] / lo['fast']['total']:.2f}; "
              f"plain: {hi['plain']['total'] / lo['plain']['total']:.2f}")


if __name__ == "__main__":
    main()
