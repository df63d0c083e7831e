"""Shared pieces of the intake and worklist benchmarks (bench_intake.py, bench_worklist.py)."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.config.settings")
    import django

    django.setup()


def database() -> dict:
    setup_django()
    from django.conf import settings

    return settings.DATABASES["default"]


def fresh_database(*, keep: bool = False) -> str:
    """Drop and re-create the benchmark database (its name must contain "bench")."""
    db = database()
    name = str(db["NAME"])
    label = f"{db['ENGINE'].rsplit('.', 1)[-1]} {name}"
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to use {name!r}: point DATABASE_URL at a database whose name contains 'bench'")
    if keep:
        return label
    from django.db import connections

    connections.close_all()
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(
            host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
            password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return label


def migrate() -> None:
    subprocess.run([sys.executable, "-m", "fengqiao.config.cli", "migrate", "-v0"], check=True, cwd=ROOT)


def machine_line() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    except OSError:
        pass
    return (f"machine: {platform.machine()}, {os.cpu_count()} cores{mem}, "
            f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
