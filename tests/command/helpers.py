"""Shared helpers: measures through both paths (and after a rebuild), which must agree."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fengqiao.command import queries, rollups
from fengqiao.command.measures import Measures
from fengqiao.command.models import ROLLUPS

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def rollup_rows() -> dict[str, set]:
    """Every rollup's non-zero rows (zero rows may linger after decrements: harmless)."""
    out = {}
    for model in ROLLUPS:
        cols = [f.column for f in model._meta.concrete_fields
                if f.column != "id" and f.column not in model.COUNTERS]
        rows = set()
        for row in model.objects.values_list(*cols, *model.COUNTERS):
            if any(row[len(cols):]):
                rows.add(row)
        out[model.__name__] = rows
    return out


def measured(user, region, start, end, *, now, **kw) -> Measures:
    """Measures by the fast path, asserting the plain path and a rebuilt rollup agree."""
    fast = queries.measures_for(user=user, region=region, start=start, end=end, now=now, **kw)
    plain = queries.measures_for(user=user, region=region, start=start, end=end, now=now,
                                 path="plain", **kw)
    assert fast.counts() == plain.counts()
    return fast


def assert_rollups_match_a_rebuild() -> None:
    incremental = rollup_rows()
    rollups.rebuild()
    rebuilt = rollup_rows()
    for table, rows in rebuilt.items():
        assert rows == incremental[table], (table, rows ^ incremental[table])
