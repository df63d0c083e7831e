"""Benchmark: feeds from a sending system — POST /api/v1/intake/hotline_12345 with its X-Api-Key.

    DATABASE_URL=sqlite:////tmp/fq-bench-feeds.db .venv/bin/python bench/bench_feeds.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_intake_bench .venv/bin/python bench/bench_feeds.py

The database is dropped and re-created first, so its name must contain "bench". It gets the
demo's places, people and synthetic grid outlines (no events), a 12345 sending system serving the
county, and optionally a classifier trained on --train synthetic past events. Then one in-process
client (django.test.Client: key check, body parsing, the door — routing by point or address,
category by the sender's label or the classifier, registration with automatic dispatch and 3+N
binding, the twin search, the triage item, the ticket row, audit rows, outbox texts — and the
response) posts --tickets tickets one after another, a mix a county's 12345 platform sends:

- address:  the address names town and village ("仙游县度尾镇洋坂村3组…")          ~50 %
- point:    a point inside a grid (and an address)                                  ~25 %
- unrouted: an address naming no place of the county ("本县某小区门口")              ~10 %
- redelivered: a ticket id sent before (the sender retrying)                        ~15 %

and 80 % of the tickets carry the sender's category label (a category name), 20 % none (the
classifier decides, or the fallback category and triage). Prints one table row per kind and one
for all: throughput, latency median/p95, queries per request (sampled), outcome.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_database, machine_line, migrate, percentile, setup_django  # noqa: E402

KINDS = ("address", "point", "unrouted", "redelivered")
KIND_WEIGHTS = (50, 25, 10, 15)
UNROUTABLE = ("本县某小区门口", "城区一处工地旁", "高速服务区附近", "来电人未说明地址")


def tickets(county, shapes: dict[int, tuple[float, float]], rng: random.Random, n: int,
            start: int) -> list[tuple[str, dict]]:
    from fengqiao.demo import names, stories, texts
    from fengqiao.events.models import Category

    names_of = dict(Category.objects.values_list("code", "name"))
    weights = stories._village_weights(random.Random(1), county)
    town_of = {t.id: t for t in county.towns}
    sent: list[dict] = []
    out: list[tuple[str, dict]] = []
    for i in range(n):
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        if kind == "redelivered" and sent:
            out.append((kind, dict(rng.choice(sent))))
            continue
        if kind == "redelivered":
            kind = "address"
        village = rng.choices(county.villages, weights=weights)[0]
        category = stories._category(rng, rng.randint(1, 12))
        title, description = rng.choice(texts.CONTENT[category]["items"])
        values = {"p": names.person_name(rng), "q": names.person_name(rng), "v": village.display_name,
                  "g": "3组", "n": "3", "amt": "8,000", "road": "村道"}
        town = town_of[village.town_id]
        address = f"仙游县{town.display_name}{village.display_name}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"
        body = {
            "ticket_id": f"XY12345-{start + i:07d}",
            "title": texts.fill(title, rng, values),
            "content": "市民来电反映:" + texts.fill(description, rng, values),
            "reporter_name": values["p"],
            "reporter_phone": names.mobile(rng),
            "occurred_at": "2026-11-25T09:30:00",
        }
        if rng.random() < 0.8:
            body["category"] = names_of[category]
        if kind == "unrouted":
            body["address"] = rng.choice(UNROUTABLE)
        else:
            body["address"] = address
        if kind == "point":
            grids = county.grids_of.get(village.id) or []
            point = next((shapes[g.id] for g in grids if g.id in shapes), shapes.get(village.id))
            if point is None:
                kind = "address"
            else:
                body["latitude"], body["longitude"] = point
        body["_village"] = village.code  # what the routing should find (not sent)
        sent.append(body)
        out.append((kind, body))
    return out


def run(count: int, train: int) -> dict:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fengqiao.audit.models import AuditEntry
    from fengqiao.demo.bench_seed import ensure_demo_county, seed_bench_events
    from fengqiao.events.models import Event
    from fengqiao.intake.actions import intake_system_create, intake_system_rotate_key
    from fengqiao.intake.models import ExternalTicket, IntakeSystem
    from fengqiao.notify.models import OutboxMessage
    from fengqiao.regions.models import RegionShape
    from fengqiao.triage import classify
    from fengqiao.triage.models import TriageItem

    county, _roster = ensure_demo_county(seed=1)
    trained = None
    if train:
        seed_bench_events(n=train)
        trained = classify.train()
    shapes = {rid: (lat, lng) for rid, lat, lng in RegionShape.objects.filter(
        region__county=county.county, level__in=["grid", "village"],
    ).values_list("region_id", "centroid_lat", "centroid_lng")}
    system = IntakeSystem.objects.filter(name="仙游县12345平台").first()  # --keep
    if system is None:
        _system, key = intake_system_create(name="仙游县12345平台", source="hotline_12345",
                                            within=county.county, actor=None)
    else:
        key = intake_system_rotate_key(system=system, actor=None)
    client = Client(HTTP_X_API_KEY=key)
    rng = random.Random(42)
    start = ExternalTicket.objects.count() * 10  # --keep: fresh ticket ids
    warmup = tickets(county, shapes, rng, 20, start=9_000_000 + start)
    work = tickets(county, shapes, rng, count, start=start)
    sample = set(rng.sample(range(count), min(60, count)))

    def post(body: dict) -> dict:
        body = {k: v for k, v in body.items() if not k.startswith("_")}
        response = client.post("/api/v1/intake/hotline_12345", json.dumps(body, ensure_ascii=False),
                               content_type="application/json")
        if response.status_code not in (200, 201):
            raise SystemExit(f"POST failed: {response.status_code} {response.content[:300]!r}")
        return response.json()

    for _kind, body in warmup:
        post(body)
    before = {m: m.objects.count() for m in (Event, AuditEntry, OutboxMessage, TriageItem, ExternalTicket)}
    lat: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    routed: dict[str, int] = defaultdict(int)
    triaged: dict[str, int] = defaultdict(int)
    wrong: dict[str, int] = defaultdict(int)  # routed somewhere else than the ticket's village
    wall, cpu = time.perf_counter(), time.process_time()
    for i, (kind, body) in enumerate(work):
        started = time.perf_counter()
        if i in sample:
            with CaptureQueriesContext(connection) as ctx:
                out = post(body)
            queries[kind].append(len(ctx.captured_queries))
        else:
            out = post(body)
        lat[kind].append(time.perf_counter() - started)
        routed[kind] += out["routed"]
        triaged[kind] += out["triage"]
        if kind in ("address", "point") and not (out["region_code"] or "").startswith(body["_village"]):
            wrong[kind] += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    added = {m.__name__: m.objects.count() - c for m, c in before.items()}
    created = added["Event"]
    rows = []
    for kind in (*KINDS, "all"):
        ls = [x for k in KINDS for x in lat[k]] if kind == "all" else lat[kind]
        qs = [x for k in KINDS for x in queries[k]] if kind == "all" else queries[kind]
        if not ls:
            continue
        n = len(ls)
        r = sum(routed.values()) if kind == "all" else routed[kind]
        t = sum(triaged.values()) if kind == "all" else triaged[kind]
        rows.append({
            "kind": kind, "n": n, "median_ms": round(statistics.median(ls) * 1000, 1),
            "p95_ms": round(percentile(ls, 95) * 1000, 1),
            "queries": round(statistics.median(qs)) if qs else None,
            "routed_pct": round(100 * r / n), "triage_pct": round(100 * t / n),
        })
    return {
        "vendor": connection.vendor, "tickets": count, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "per_s": round(count / wall, 1), "rows": rows, "created": created,
        "audit_per_event": round(added["AuditEntry"] / max(created, 1), 2),
        "texts_per_event": round(added["OutboxMessage"] / max(created, 1), 2),
        "triage_items": added["TriageItem"], "tickets_rows": added["ExternalTicket"],
        "wrong": dict(wrong),
        "trained": f"classifier trained on {trained.events:,} events" if trained and trained.version
        else "no classifier",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=500, help="tickets to post (default 500)")
    parser.add_argument("--train", type=int, default=0,
                        help="synthetic past events to train the classifier on first (default none)")
    parser.add_argument("--keep", action="store_true", help="reuse the database instead of re-creating it")
    args = parser.parse_args()
    target = fresh_database(keep=args.keep)
    migrate()
    r = run(args.tickets, args.train)
    print(f"database: {target}; {machine_line()}; {r['trained']}")
    print(f"{r['tickets']:,} tickets in {r['wall_s']} s (CPU {r['cpu_s']} s): **{r['per_s']} tickets/s**; "
          f"{r['created']:,} events, {r['tickets_rows']:,} ticket rows, {r['triage_items']:,} triage items; "
          f"per new event {r['audit_per_event']} audit rows, {r['texts_per_event']} texts")
    print(f"routed to another village than the ticket's: {r['wrong'] or 'none'}")
    print("| kind | tickets | median | p95 | queries per POST | routed | to triage |")
    print("|---|---|---|---|---|---|---|")
    for row in r["rows"]:
        print(f"| {row['kind']} | {row['n']:,} | {row['median_ms']} ms | {row['p95_ms']} ms "
              f"| {row['queries'] if row['queries'] is not None else '—'} | {row['routed_pct']} % "
              f"| {row['triage_pct']} % |")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
