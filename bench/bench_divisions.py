"""Benchmark: import the whole country's divisions (620,573 villages), then re-run it.

    DATABASE_URL=sqlite:///var/bench-divisions.db .venv/bin/python bench/bench_divisions.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_bench_divisions .venv/bin/python bench/bench_divisions.py

The database is dropped and re-created first, so its name must contain "bench". Each phase runs
in a fresh process and reports wall time, CPU time and peak resident memory
(resource.getrusage ru_maxrss) of that process; the last column is the memory Django itself
takes before the import starts. Options: --data DIR (default /work/shared/data/divisions, else
$FENGQIAO_DIVISIONS), --within CODE for a smaller run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = os.environ.get("FENGQIAO_DIVISIONS", str(ROOT.parent / "shared" / "data" / "divisions"))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database, setup_django  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def phase(data: str, within: str | None) -> None:
    """One import in this process; print one JSON line."""
    setup_django()
    from django.db import connection

    from fengqiao.regions.importer import import_divisions
    from fengqiao.regions.models import Region

    baseline = _rss_mb()
    wall = time.monotonic()
    cpu = time.process_time()
    report = import_divisions(Path(data), within=within, edition="2023")
    result = {
        "vendor": connection.vendor,
        "wall_s": round(time.monotonic() - wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "baseline_rss_mb": round(baseline, 1),
        "created": report.created,
        "unchanged": report.unchanged,
        "changed": report.changed,
        "rows": Region.objects.count(),
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--within")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.data, args.within)
        return

    target = fresh_database()
    python = sys.executable
    subprocess.run([python, "-m", "fengqiao.config.cli", "migrate", "-v0"], check=True, cwd=ROOT)
    argv = [python, __file__, "--phase", "--data", args.data] + (["--within", args.within] if args.within else [])
    load = os.getloadavg()[0]
    print(f"database: {target}; data: {args.data}{' within ' + args.within if args.within else ''}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}")
    print("| database | run | rows in table | wall time | CPU time | peak RSS | Django baseline RSS |")
    print("|---|---|---|---|---|---|---|")
    for label in ("full import", "re-run (no change)"):
        out = subprocess.run(argv, check=True, cwd=ROOT, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if label.startswith("re-run") and r["changed"]:
            sys.exit(f"re-run changed {r['changed']} rows: the import is not idempotent")
        print(
            f"| {r['vendor']} | {label} | {r['rows']:,} | {r['wall_s']} s | {r['cpu_s']} s "
            f"| {r['peak_rss_mb']} MB | {r['baseline_rss_mb']} MB |",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
