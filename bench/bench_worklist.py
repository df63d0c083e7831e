"""Benchmark: worklist and list latency at 100k and 1M events, as the county and as a village.

    DATABASE_URL=sqlite:///var/bench-worklist.db .venv/bin/python bench/bench_worklist.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_bench_worklist .venv/bin/python bench/bench_worklist.py

The database is dropped and re-created first (its name must contain "bench"; --keep reuses it),
gets the demo's places and people, and is filled with synthetic events by `bench_seed` up to each
--scale in turn (default 100000, then 1000000). At each scale two users call each endpoint
--calls times (after two warm-up calls) with a Bearer token through django.test.Client:

- the duty operator of the county command centre (sees the whole county), and
- the party secretary of 度尾镇洋坂村 (sees their village, and what they are bound to).

Prints a markdown table: median and p95 latency, queries per call, and the slowest query of a call.
--explain prints that slowest query and its plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN
on SQLite).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_database, machine_line, migrate, percentile, setup_django  # noqa: E402

REQUESTS = [
    ("worklist", "/api/v1/me/worklist", {}),
    ("in progress", "/api/v1/events", {"status": "in_progress"}),
    ("open", "/api/v1/events", {"status": "registered,dispatched,in_progress"}),
    ("closed", "/api/v1/events", {"status": "closed"}),
    ("overdue", "/api/v1/events", {"overdue": "true"}),
]


def top_up(target: int, stderr) -> tuple[int, float]:
    from fengqiao.demo.bench_seed import seed_bench_events
    from fengqiao.events.models import Event

    have = Event.objects.count()
    if have >= target:
        return 0, 0.0
    report = seed_bench_events(n=target - have, progress=True, stdout=stderr)
    return report.events, report.seconds


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


def measure(client, path: str, params: dict, calls: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(path, params).status_code == 200
    latencies = []
    for _ in range(calls):
        started = time.perf_counter()
        response = client.get(path, params)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "queries": len(ctx.captured_queries),
        "slowest_ms": float(slowest["time"]) * 1000,
        "slowest_sql": slowest["sql"],
        "items": response.json().get("count", len(response.json().get("items", []))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="events in the table (repeatable)")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per request (default 30)")
    parser.add_argument("--keep", action="store_true", help="reuse the database instead of re-creating it")
    parser.add_argument("--explain", action="store_true", help="print the slowest query of each call and its plan")
    args = parser.parse_args()
    scales = sorted(args.scale or [100_000, 1_000_000])
    target = fresh_database(keep=args.keep)
    migrate()
    setup_django()
    from django.db import connection
    from django.test import Client

    from fengqiao.demo.bench_seed import ensure_demo_county
    from fengqiao.people.models import ApiToken, Person

    ensure_demo_county(seed=1)
    users = [("operator (county)", "operator"), ("secretary (洋坂村)", "secretary")]
    clients = {}
    for label, username in users:
        _token, raw = ApiToken.issue(user=Person.objects.get(user__username=username).user, name="bench")
        clients[label] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    rows, plans, seeding = [], [], []
    for scale in scales:
        added, seconds = top_up(scale, sys.stderr)
        if added:
            seeding.append(f"added {added:,} events in {seconds:.0f} s ({added / seconds:,.0f}/s)")
        for label, _username in users:
            for name, path, params in REQUESTS:
                r = measure(clients[label], path, params, args.calls)
                rows.append(
                    f"| {connection.vendor} | {scale:,} | {label} | {name} | {r['items']:,} "
                    f"| {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['queries']} | {r['slowest_ms']:.1f} ms |"
                )
                if args.explain:
                    plans.append(f"### {connection.vendor} {scale:,} {label} {name}: {r['slowest_ms']:.1f} ms\n"
                                 f"{r['slowest_sql']}\n{explain(r['slowest_sql'])}\n")
                print(rows[-1], file=sys.stderr, flush=True)
    print(f"database: {target}; {machine_line()}; {args.calls} calls per row")
    for line in seeding:
        print(f"bench_seed: {line}")
    print("| database | events | user | request | rows matched | median | p95 | queries | slowest query |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    for plan in plans:
        print(plan)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
