"""Benchmark: address → place against the whole country's divisions.

    DATABASE_URL=sqlite:////tmp/fq-locate/bench-locate.db .venv/bin/python bench/bench_locate.py
    … --keep                    reuse the imported bench database (skip the ~35 s import)
    … --counties 350322,330784  the counties to write addresses for (default: ten across provinces)
    … --per-county 1200 --seed 7

Phases, each in a fresh process: (1) drop, migrate and import all divisions from --data into the
bench database (its name must contain "bench"); (2) write the labelled addresses
(bench/locate_addresses.py, from the division files alone, not from the matcher) to a JSON-lines
file; (3) build the matcher's index from the database and measure its build time and memory
(RSS before/after, and the bytes Python holds for it by tracemalloc), then locate every address
on one core without `within`, and again with `within` = the address's county, and report:
accuracy on the unambiguous addresses, guesses on the ambiguous ones (any code is a guess), and
addresses per second (CPU time and wall time). --cases FILE reuses or keeps the address file.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = os.environ.get("FENGQIAO_DIVISIONS", str(ROOT.parent / "shared" / "data" / "divisions"))
# Xianyou (Fujian) and counties across provinces: Zhejiang (a county-level city, a district),
# Hebei, Liaoning, Beijing (地区 towns, communities), Inner Mongolia (旗, 苏木, 嘎查), Hubei (an
# autonomous prefecture, an autonomous county), Tibet, Guangxi.
DEFAULT_COUNTIES = "350322,330784,330703,130503,210402,110105,150522,422802,420528,540102,450329"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database, machine_line, setup_django  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def phase_import(data: str) -> None:
    setup_django()
    from fengqiao.regions.importer import import_divisions
    from fengqiao.regions.models import Region

    started = time.monotonic()
    import_divisions(Path(data), edition="2023")
    print(json.dumps({"rows": Region.objects.count(), "seconds": round(time.monotonic() - started, 1)}))


def phase_generate(data: str, counties: list[str], per_county: int, seed: int, out: str) -> None:
    from locate_addresses import Divisions, generate

    divisions = Divisions.load(data)
    missing = [c for c in counties if c not in divisions.regions]
    if missing:
        sys.exit(f"no such county in {data}: {', '.join(missing)}")
    with open(out, "w", encoding="utf-8") as fh:
        for case in generate(divisions, counties, per_county=per_county, seed=seed):
            fh.write(json.dumps(case.as_json(), ensure_ascii=False) + "\n")


def _score(index, cases: list[dict], *, within: bool) -> dict:
    right = wrong = unresolved = guesses = lucky = covered = 0
    unambiguous = ambiguous = 0
    wrong_forms: Counter[str] = Counter()
    examples: list[str] = []
    cpu, wall = time.process_time(), time.perf_counter()
    results = [index.locate(c["address"], within=c["code"][:6] if within else None) for c in cases]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for case, got in zip(cases, results, strict=True):
        truth = case["candidates"] if not within else [c for c in case["candidates"] if c[:6] == case["code"][:6]]
        if len(truth) > 1:
            ambiguous += 1
            if got.code is not None:
                guesses += 1
                lucky += got.code == case["code"]
                if len(examples) < 12:
                    examples.append(f"guess {case['address']} → {got.code} (could be {', '.join(truth)})")
            elif set(truth) <= {c["code"] for c in got.candidates}:
                covered += 1
        else:
            unambiguous += 1
            if got.code == case["code"]:
                right += 1
            else:
                if got.code is None:
                    unresolved += 1
                else:
                    wrong += 1
                wrong_forms[case["form"].split("|")[0]] += 1
                if len(examples) < 12:
                    examples.append(f"miss  {case['address']} → {got.code} {got.name} (want {case['code']})")
    return {
        "within": within, "addresses": len(cases), "unambiguous": unambiguous, "right": right,
        "wrong": wrong, "unresolved": unresolved, "accuracy": right / unambiguous if unambiguous else 1.0,
        "ambiguous": ambiguous, "guesses": guesses, "lucky_guesses": lucky,
        "all_candidates_listed": covered, "cpu_s": cpu, "wall_s": wall,
        "per_cpu_second": len(cases) / cpu if cpu else 0.0, "per_wall_second": len(cases) / wall if wall else 0.0,
        "wrong_forms": wrong_forms.most_common(6), "examples": examples,
    }


def phase_measure(cases_file: str) -> None:
    setup_django()
    import tracemalloc

    from django.db import connection

    from fengqiao.regions import locate as locate_module

    cases = [json.loads(line) for line in open(cases_file, encoding="utf-8")]
    gc.collect()
    before = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    index = locate_module.locate_index()
    build_wall, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    gc.collect()
    after = _rss_mb()
    check = time.perf_counter()
    locate_module.table_version()
    version_s = time.perf_counter() - check
    check = time.perf_counter()
    for _ in range(1000):
        locate_module.regions_version()
    row_check_s = (time.perf_counter() - check) / 1000
    runs = [_score(index, cases, within=False), _score(index, cases, within=True)]
    # The bytes Python holds for one index (tracemalloc slows the build, so it is a second one).
    del index
    locate_module._index = None
    gc.collect()
    tracemalloc.start()
    rows_started = tracemalloc.get_traced_memory()[0]
    second = locate_module.LocateIndex(locate_module._rows())
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({
        "vendor": connection.vendor, "regions": second.size, "keys": len(second.keys),
        "build_wall_s": build_wall, "build_cpu_s": build_cpu, "rss_before_mb": before,
        "rss_after_mb": after, "traced_mb": (held - rows_started) / 2**20,
        "traced_peak_mb": (peak - rows_started) / 2**20, "version_check_s": version_s, "row_check_s": row_check_s, "runs": runs,
    }, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--counties", default=DEFAULT_COUNTIES)
    parser.add_argument("--per-county", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the imported bench database")
    parser.add_argument("--cases", help="JSON-lines address file: reused if it exists, else written there")
    parser.add_argument("--phase", choices=["import", "generate", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counties = [c.strip() for c in args.counties.split(",") if c.strip()]
    if args.phase == "import":
        return phase_import(args.data)
    if args.phase == "generate":
        return phase_generate(args.data, counties, args.per_county, args.seed, args.out)
    if args.phase == "measure":
        return phase_measure(args.out)

    python = sys.executable
    target = fresh_database(keep=args.keep)
    print(f"database: {target}; data: {args.data}")
    print(machine_line())
    # Also with --keep: a kept database gets the migrations added since (idempotent, quick).
    subprocess.run([python, "-m", "fengqiao.config.cli", "migrate", "-v0", "--skip-checks"], check=True, cwd=ROOT)
    if not args.keep:
        out = subprocess.run([python, __file__, "--phase", "import", "--data", args.data], check=True,
                             cwd=ROOT, capture_output=True, text=True).stdout
        imported = json.loads(out.strip().splitlines()[-1])
        print(f"imported {imported['rows']:,} regions in {imported['seconds']} s")
    cases_file = args.cases or str(Path(tempfile.mkdtemp(prefix="bench-locate-")) / "addresses.jsonl")
    if not Path(cases_file).exists():
        subprocess.run([python, __file__, "--phase", "generate", "--data", args.data, "--counties",
                        ",".join(counties), "--per-county", str(args.per_county), "--seed", str(args.seed),
                        "--out", cases_file], check=True, cwd=ROOT)
    print(f"addresses: {cases_file}")
    out = subprocess.run([python, __file__, "--phase", "measure", "--out", cases_file], check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(f"index: {r['regions']:,} regions, {r['keys']:,} keys; built in {r['build_wall_s']:.1f} s wall "
          f"({r['build_cpu_s']:.1f} s CPU); RSS {r['rss_before_mb']:.0f} → {r['rss_after_mb']:.0f} MB "
          f"(+{r['rss_after_mb'] - r['rss_before_mb']:.0f} MB); Python objects held {r['traced_mb']:.0f} MB "
          f"(peak while building {r['traced_peak_mb']:.0f} MB); staleness check: the version row "
          f"{r['row_check_s'] * 1e6:.0f} µs (the old table fingerprint {r['version_check_s'] * 1000:.0f} ms)")
    print("| within | addresses | unambiguous: right | wrong code | no code | accuracy "
          "| ambiguous | guesses | all candidates listed | addresses/s (CPU) | addresses/s (wall) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in r["runs"]:
        print(f"| {'county' if run['within'] else 'none'} | {run['addresses']:,} | {run['right']:,} "
              f"| {run['wrong']} | {run['unresolved']} | {100 * run['accuracy']:.2f}% | {run['ambiguous']} "
              f"| {run['guesses']} | {run['all_candidates_listed']} | {run['per_cpu_second']:,.0f} "
              f"| {run['per_wall_second']:,.0f} |")
    for run in r["runs"]:
        if run["examples"]:
            print(f"\nwithin={'county' if run['within'] else 'none'}: misses by form {run['wrong_forms']}")
            for line in run["examples"]:
                print("  " + line)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
