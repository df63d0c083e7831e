"""Benchmark: importing a 12345 work-order export through `fengqiao import_events`' code path.

    DATABASE_URL=sqlite:////tmp/fq-imports/bench.db .venv/bin/python bench/bench_import_events.py --rows 1000 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_imports_bench .venv/bin/python bench/bench_import_events.py

The database is dropped and re-created first (its name must contain "bench") and gets the demo's
Xianyou County (18 towns, 327 villages, their grids and people; no events). For each size N it
writes a realistic 12345 sheet (.xlsx: 工单编号, 来电时间 in the forms exports use, 来电人,
联系电话, 诉求内容 from the demo's ledgers, 问题分类 as 12345 labels them, 事发地址 in the forms
callers give — "福建省莆田市仙游县度尾镇洋坂村3组", "洋坂村村部旁" with 所属街镇 beside it, a few
that name no place — and 办理时限), then runs what the command runs: the dry run (every row
checked), the import (every row through the intake door, one transaction for the file), and the
same sheet again (every ticket found: no new event). Prints throughput, peak memory and what the
import left behind per row. `--profile` prints where the import's time goes (cProfile, top 25).

Huey: the texts the import queues ask the worker to deliver after commit; the bench points Huey
at its own file (FENGQIAO_HUEY_FILE) so nothing lands in the shared queue, and no worker runs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_database, machine_line, migrate, setup_django  # noqa: E402

WORK = Path(os.environ.get("FENGQIAO_BENCH_DIR", "/tmp/fq-imports"))
HEADER = ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "问题分类", "事发地址", "所属街镇", "办理时限"]
# Our category → how the 12345 platform labels it (a label of the built-in mapping).
LABEL_OF = {
    "dispute.wages": "劳资纠纷", "dispute.work_injury": "工伤纠纷", "dispute.neighbours": "邻里纠纷",
    "dispute.land": "土地纠纷", "dispute.family": "婚姻家庭", "dispute.property": "物业管理",
    "dispute.consumer": "消费维权", "dispute.traffic": "交通事故", "hazard.fire": "消防安全",
    "hazard.rental": "出租房管理", "hazard.road": "道路交通安全", "hazard.production": "安全生产",
    "hazard.geology": "地质灾害", "livelihood.social_security": "社会保障", "livelihood.health": "医疗卫生",
    "livelihood.education": "教育", "livelihood.utilities": "供水", "livelihood.infrastructure": "道路设施",
    "city.illegal_building": "违法建设", "city.street_vending": "占道经营", "city.sanitation": "环境卫生",
    "environment.noise": "噪声扰民", "environment.water": "水污染", "environment.air": "大气污染",
}
NOWHERE = ("莆田市区", "不详", "高速公路服务区", "来电人不愿透露")
TIME_LIMITS = ("15个工作日", "10个工作日", "2个工作日")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_sheet(path: Path, county, n: int, seed: int, start: int = 0) -> Path:
    """A 12345 export of n work orders in Xianyou (write-only: constant memory)."""
    from openpyxl import Workbook

    from fengqiao.demo import names, texts

    rng = random.Random(seed)
    codes = [c for c in LABEL_OF if c in texts.CONTENT]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(HEADER)
    base = dt.datetime(2026, 11, 1, 8, 0)
    for i in range(start, start + n):
        village = rng.choice(county.villages)
        town = village.town
        category = rng.choice(codes)
        title, description = rng.choice(texts.CONTENT[category]["items"])
        group = f"{rng.randint(1, 12)}组"
        values = {"p": names.person_name(rng), "q": names.person_name(rng), "v": village.display_name,
                  "g": group, "road": rng.choice(texts.ROADS)}
        moment = base + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 20))
        when_form = rng.random()
        if when_form < 0.5:
            when = f"{moment:%Y-%m-%d %H:%M:%S}"
        elif when_form < 0.7:
            when = f"{moment:%Y/%m/%d %H:%M}"
        elif when_form < 0.85:
            when = f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}时{moment.minute}分"
        else:
            when = moment  # a real date cell
        form = rng.random()
        if form < 0.45:
            address, area = f"福建省莆田市仙游县{town.display_name}{village.display_name}{group}", town.display_name
        elif form < 0.75:
            address, area = f"{village.display_name}{rng.choice(('村部旁', '小学附近', group, '老街'))}", town.display_name
        elif form < 0.95:
            address, area = f"仙游县{town.display_name}{village.display_name}{rng.randint(1, 200)}号", ""
        else:
            address, area = rng.choice(NOWHERE), ""
        sheet.append([
            f"FJPT12345-{moment:%Y%m%d}-{i:07d}", when, values["p"], names.mobile(rng),
            texts.fill(description, rng, values), LABEL_OF[category], address, area,
            rng.choice(TIME_LIMITS),
        ])
    book.save(path)
    return path


def counts():
    from fengqiao.audit.models import AuditEntry
    from fengqiao.events.models import Assignment, Event, Party
    from fengqiao.intake.models import ExternalTicket
    from fengqiao.notify.models import Notification, OutboxMessage

    models = (Event, Party, Assignment, AuditEntry, OutboxMessage, Notification, ExternalTicket)
    try:
        from fengqiao.triage.models import TriageItem  # type: ignore[attr-defined]

        models += (TriageItem,)
    except ImportError:
        pass
    return {m.__name__: m.objects.count() for m in models}


class Meter:
    """Progress on stderr every tenth of the file: rows done, and the CPU per row of that tenth
    (kept in `tenths`, so a cost that grows along the file shows)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.step = max(1, total // 10)
        self.t, self.cpu = time.perf_counter(), time.process_time()
        self.tenths: list[float] = []

    def __call__(self, k: int) -> None:
        self.done += k
        if self.done % self.step == 0 or self.done == self.total:
            cpu = time.process_time()
            rows = self.done - len(self.tenths) * self.step
            ms = (cpu - self.cpu) * 1000 / max(rows, 1)
            self.tenths.append(round(ms, 1))
            self.cpu = cpu
            print(f"  {self.label}: {self.done:,}/{self.total:,} rows, {time.perf_counter() - self.t:.0f} s, "
                  f"{ms:.1f} ms CPU per row in this tenth", file=sys.stderr, flush=True)


def run_size(n: int, county, operator, *, profile: bool, seed: int) -> dict:
    from django.db import connection

    from fengqiao.imports import actions
    from fengqiao.imports.permissions import importer_county

    path = write_sheet(WORK / f"bench-12345-{connection.vendor}-{n}-s{seed}.xlsx", county, n, seed=seed,
                       start=seed * 10_000_000)
    size_mb = path.stat().st_size / 2**20
    within = importer_county(operator)
    before = counts()
    run = actions.import_run_create(path=path, source="hotline_12345", actor=operator, within=within)

    t = time.perf_counter()
    outcome = actions.import_run_check(run=run, progress=lambda k: None)
    check_s = time.perf_counter() - t
    if not outcome.result.ok:
        raise SystemExit(f"the bench sheet has bad rows: {outcome.result.errors[:5]}")

    profiler = cProfile.Profile() if profile else None
    rss_before = rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    meter = Meter("import", n)
    result = actions.import_run_execute(run=run, actor=operator, progress=meter)
    if profiler:
        profiler.disable()
    import_s, import_cpu = time.perf_counter() - t, time.process_time() - cpu
    assert result is not None and result.created == n, result
    after = counts()

    again = actions.import_run_create(path=path, source="hotline_12345", actor=operator, within=within)
    t = time.perf_counter()
    second = actions.import_run_execute(run=again, actor=operator, progress=lambda k: None)
    again_s = time.perf_counter() - t
    assert second is not None and second.created == 0 and second.already_imported == n
    assert counts()["Event"] == after["Event"]

    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    added = {k: after[k] - before.get(k, 0) for k in after}
    return {
        "vendor": connection.vendor, "rows": n, "file_mb": round(size_mb, 1),
        "check_s": round(check_s, 1), "check_per_s": round(n / check_s),
        "import_s": round(import_s, 1), "import_cpu_s": round(import_cpu, 1),
        "import_per_s": round(n / import_s, 1), "ms_per_row": round(import_s * 1000 / n, 1),
        "again_s": round(again_s, 1), "again_per_s": round(n / again_s),
        "rss_before_mb": round(rss_before), "rss_peak_mb": round(rss_mb()),
        "cpu_ms_per_row_by_tenth": meter.tenths,
        "routed": result.routed, "triaged": result.triaged,
        "per_row": {k: round(v / n, 2) for k, v in added.items() if k != "Event"},
    }


def query_breakdown(county, operator, n: int) -> None:
    """Import n fresh rows with every query captured; print the queries per row by kind and table."""
    import re
    from collections import Counter

    from django.db import connection

    from fengqiao.imports import actions
    from fengqiao.imports.permissions import importer_county

    path = write_sheet(WORK / f"bench-12345-{connection.vendor}-queries-{n}.xlsx", county, n, seed=99,
                       start=990_000_000)
    run = actions.import_run_create(path=path, source="hotline_12345", actor=operator,
                                    within=importer_county(operator))
    actions.import_run_check(run=run, progress=lambda k: None)
    kinds: Counter[str] = Counter()

    def count(execute, sql, params, many, context):
        verb = sql.strip().split(None, 1)[0].upper()
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
        lock = " FOR UPDATE" if "FOR UPDATE" in sql else ""
        kinds[f"{verb}{lock} {table.group(1) if table else ''}".strip()] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        actions.import_run_execute(run=run, actor=operator, progress=lambda k: None)
    print(f"{sum(kinds.values()) / n:.1f} queries per row ({n} rows):")
    for kind, count in kinds.most_common(30):
        print(f"  {count / n:6.2f}  {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000], help="sheet sizes (default 1000 10000)")
    parser.add_argument("--profile", action="store_true", help="cProfile the import of the first size")
    parser.add_argument("--keep", action="store_true", help="reuse the database instead of re-creating it")
    parser.add_argument("--seed", type=int, default=1,
                        help="first sheet's seed (ticket numbers differ per seed; use a new one with --keep)")
    parser.add_argument("--queries", type=int, default=0, metavar="N",
                        help="after the sizes, import N more rows and print the queries per row by table")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("FENGQIAO_HUEY_FILE", str(WORK / "bench-huey.db"))
    os.environ.setdefault("FENGQIAO_SMS_BACKEND", "console")
    target = fresh_database(keep=args.keep)
    migrate()
    setup_django()
    from fengqiao.demo.bench_seed import ensure_demo_county

    t = time.perf_counter()
    county, roster = ensure_demo_county(seed=1)
    print(f"demo county loaded in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    operator = roster.duty_operator.user
    results = []
    for i, n in enumerate(args.rows):
        r = run_size(n, county, operator, profile=args.profile and i == 0, seed=args.seed + i)
        results.append(r)
        print(r, file=sys.stderr)
    if args.queries:
        query_breakdown(county, operator, args.queries)
    print(f"database: {target}; {machine_line()}")
    print("| database | rows | file | dry run | import | rows/s | ms/row | same sheet again | RSS before → peak "
          "| dispatched / to triage | per row: parties, bindings, audit rows, texts, inbox notes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        p = r["per_row"]
        print(f"| {r['vendor']} | {r['rows']:,} | {r['file_mb']} MB | {r['check_s']} s ({r['check_per_s']:,}/s) "
              f"| {r['import_s']} s (CPU {r['import_cpu_s']} s) | {r['import_per_s']} | {r['ms_per_row']} "
              f"| {r['again_s']} s ({r['again_per_s']:,}/s) | {r['rss_before_mb']} → {r['rss_peak_mb']} MB "
              f"| {r['routed']:,} / {r['triaged']:,} | {p.get('Party')}, {p.get('Assignment')}, "
              f"{p.get('AuditEntry')}, {p.get('OutboxMessage')}, {p.get('Notification')} |")


if __name__ == "__main__":
    main()
