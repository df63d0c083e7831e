"""Benchmark: intake through the JSON API — POST /api/v1/events with a Bearer token.

    DATABASE_URL=sqlite:///var/bench-intake.db .venv/bin/python bench/bench_intake.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_bench_intake .venv/bin/python bench/bench_intake.py

The database is dropped and re-created first, so its name must contain "bench". It gets the
demo's places and people (no events unless --existing N adds synthetic ones with bench_seed),
then one client (django.test.Client, in-process: the whole request path — routing, token auth,
validation, the action with automatic dispatch, 3+N binding, deadline, audit row, outbox texts
and inbox notes, the response with the event) posts --events events, one after another, each a
real village's matter with one or two parties. Prints a markdown table: throughput, latency
median and p95, queries per request, and what each event left behind.

Each text queued also asks the worker to deliver (notify.tasks.deliver_due → a Huey enqueue);
which Huey storage that hits is printed (SQLite file by default, Redis when REDIS_URL is set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_database, machine_line, migrate, percentile, setup_django  # noqa: E402


def payloads(county, rng: random.Random, n: int) -> list[dict]:
    from fengqiao.demo import names, stories, texts

    weights = stories._village_weights(random.Random(1), county)
    out = []
    for _ in range(n):
        village = rng.choices(county.villages, weights=weights)[0]
        category = stories._category(rng, rng.randint(1, 12))
        source = stories._source(rng, category)
        title, description = rng.choice(texts.CONTENT[category]["items"])
        values = {"p": names.person_name(rng), "q": names.person_name(rng), "v": village.display_name,
                  "g": "3组", "n": "3", "amt": "8,000", "road": "村道"}
        parties = [{"name": values["p"], "phone": names.mobile(rng), "is_reporter": True}]
        if category.startswith("dispute"):
            parties.append({"name": values["q"], "phone": names.mobile(rng),
                            "id_number": names.id_number(rng, today=dt.date(2026, 1, 1))})
        out.append({
            "title": texts.fill(title, rng, values), "description": texts.fill(description, rng, values),
            "category_code": category, "source": source, "region_code": village.code,
            "address": f"{village.display_name}3组", "parties": parties,
        })
    return out


def run(events: int, existing: int) -> dict:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fengqiao.audit.models import AuditEntry
    from fengqiao.demo.bench_seed import ensure_demo_county, seed_bench_events
    from fengqiao.events.models import Assignment, Event
    from fengqiao.notify.models import Notification, OutboxMessage
    from fengqiao.people.models import ApiToken

    county, roster = ensure_demo_county(seed=1)
    if existing:
        seed_bench_events(n=existing)
    operator = roster.duty_operator.user
    _token, raw = ApiToken.issue(user=operator, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    rng = random.Random(42)
    warmup = payloads(county, rng, 20)
    bodies = payloads(county, rng, events)
    sample = set(rng.sample(range(events), min(25, events)))

    def post(body: dict) -> None:
        response = client.post("/api/v1/events", json.dumps(body), content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"POST failed: {response.status_code} {response.content[:300]!r}")

    for body in warmup:
        post(body)
    before = {m: m.objects.count() for m in (Event, Assignment, AuditEntry, OutboxMessage, Notification)}
    latencies, queries = [], []
    wall, cpu = time.perf_counter(), time.process_time()
    for i, body in enumerate(bodies):
        started = time.perf_counter()
        if i in sample:
            with CaptureQueriesContext(connection) as ctx:
                post(body)
            queries.append(len(ctx.captured_queries))
        else:
            post(body)
        latencies.append(time.perf_counter() - started)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    added = {m.__name__: m.objects.count() - c for m, c in before.items()}
    dispatched = Event.objects.filter(status="dispatched").count()
    return {
        "vendor": connection.vendor,
        "events": events,
        "existing": existing,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "per_s": round(events / wall, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "queries": round(statistics.median(queries)),
        "bindings_per_event": round(added["Assignment"] / events, 2),
        "audit_per_event": round(added["AuditEntry"] / events, 2),
        "texts_per_event": round(added["OutboxMessage"] / events, 2),
        "notes_per_event": round(added["Notification"] / events, 2),
        "all_dispatched": dispatched == events + len(warmup),
        "huey": settings.HUEY["huey_class"].rsplit(".", 1)[-1]
        + (" (immediate)" if settings.HUEY.get("immediate") else ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000, help="events to post (default 1000)")
    parser.add_argument("--existing", type=int, default=0, help="synthetic events already in the table")
    parser.add_argument("--keep", action="store_true", help="reuse the database instead of re-creating it")
    args = parser.parse_args()
    target = fresh_database(keep=args.keep)
    migrate()
    r = run(args.events, args.existing)
    print(f"database: {target}; {machine_line()}; Huey storage: {r['huey']}")
    print("| database | events in table before | events posted | wall time | events/s | median | p95 "
          "| queries per POST | bound per event | audit rows per event | texts per event |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {r['vendor']} | {r['existing']:,} | {r['events']:,} | {r['wall_s']} s (CPU {r['cpu_s']} s) "
          f"| {r['per_s']} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['queries']} "
          f"| {r['bindings_per_event']} | {r['audit_per_event']} | {r['texts_per_event']} |")
    if not r["all_dispatched"]:
        sys.exit("some posted events were not dispatched at once")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
