"""Rollups kept current with the events.

`on_event_change` runs inside every action's transaction (events.hooks): it computes the event's
counters (measures.event_flags) before and after the action, and moves the event between buckets
with atomic upserts — `INSERT … ON CONFLICT (key) DO UPDATE SET n = table.n + excluded.n` — the
same SQL on PostgreSQL and SQLite, safe under concurrent actions (the row lock is taken by the
upsert itself; no read-modify-write in Python).

`rebuild()` recomputes every rollup from the events with one GROUP BY per table (after a bulk
load such as `bench_seed`, or to repair): `fengqiao rebuild_rollups`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Model, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from fengqiao.command.measures import STORED, event_flags, is_open_with_deadline, plain_filters
from fengqiao.command.models import (
    ROLLUPS,
    DailyCounts,
    DailyRegionCounts,
    OpenDeadlineCounts,
    OpenDeadlineRegionCounts,
)
from fengqiao.events import hooks
from fengqiao.events.batch import at_batch_end, batch_memo
from fengqiao.events.models import OPEN_STATUSES, Event

REGION_LEVELS = ("province", "city", "county", "town", "village")


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _region_part(values: dict[str, Any]) -> dict[str, Any]:
    ids = {f"{lv}_id": values.get(f"{lv}_id") for lv in REGION_LEVELS}
    key = next((ids[f"{lv}_id"] for lv in reversed(REGION_LEVELS) if ids[f"{lv}_id"]), 0)
    return {"region_key": key, **ids}


def _buckets(values: dict[str, Any] | None) -> dict[type, tuple[dict[str, Any], dict[str, int]]]:
    """For each rollup table: (the bucket's key and region columns, the counters) of one event."""
    if values is None:
        return {}
    day = local_day(values["created_at"])
    region = _region_part(values)
    flags = event_flags(values)
    fine = {"category_id": values["category_id"], "source": values["source"]}
    out: dict[type, tuple[dict[str, Any], dict[str, int]]] = {
        DailyRegionCounts: ({"day": day, **region}, flags),
        DailyCounts: ({"day": day, **region, **fine}, flags),
    }
    if is_open_with_deadline(values):
        deadline_day = local_day(values["deadline"])
        out[OpenDeadlineRegionCounts] = ({"day": day, **region, "deadline_day": deadline_day}, {"open": 1})
        out[OpenDeadlineCounts] = ({"day": day, **region, **fine, "deadline_day": deadline_day}, {"open": 1})
    return out


def _key_of(model, row: dict[str, Any]) -> tuple:
    return tuple(row[k] for k in model.KEY)


def deltas(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[type, dict, dict]]:
    """The (table, bucket, counter deltas) that move one event from `before` to `after`."""
    old, new = _buckets(before), _buckets(after)
    out: list[tuple[type, dict, dict]] = []
    for model in ROLLUPS:
        o, n = old.get(model), new.get(model)
        if o and n and _key_of(model, o[0]) == _key_of(model, n[0]):
            diff = {c: n[1][c] - o[1][c] for c in model.COUNTERS}
            if any(diff.values()):
                out.append((model, n[0], diff))
            continue
        if o:
            out.append((model, o[0], {c: -o[1][c] for c in model.COUNTERS}))
        if n:
            out.append((model, n[0], dict(n[1])))
    return out


def _upsert(model, bucket: dict[str, Any], diff: dict[str, int]) -> None:
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [*bucket, *model.COUNTERS]
    values = [*bucket.values(), *(diff.get(c, 0) for c in model.COUNTERS)]
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in model.COUNTERS
                        if diff.get(c))
    sql = (f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({', '.join(q(k) for k in model.KEY)}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def apply(changes: Iterable[tuple[type, dict, dict]]) -> None:
    for model, bucket, diff in changes:
        _upsert(model, bucket, diff)


def on_event_change(change: hooks.EventChange) -> None:
    """The hook: move the event between buckets (runs in the action's transaction).

    Inside a registration batch (an import: one transaction for a whole file) the events the
    batch registers are counted once, at its end (`add_created`): an upsert here would lock the
    bucket rows of every village and day the file touches until it commits, and every other
    registration there would wait for it."""
    deferred = _deferred_in_batch()
    if deferred is not None and (change.action == "register" or change.event.pk in deferred):
        deferred.add(change.event.pk)
        return
    after = hooks.snapshot(change.event)
    apply(deltas(change.before, after))


def _deferred_in_batch() -> set[int] | None:
    memo = batch_memo()
    if memo is None:
        return None
    ids = memo.get("rollups_deferred")
    if ids is None:
        ids = memo["rollups_deferred"] = set()
        deferred: set[int] = ids

        def count_deferred() -> None:
            add_created(deferred)

        at_batch_end("rollups", count_deferred)
    return ids


def add_created(event_ids: Iterable[int], chunk: int = 1000) -> int:
    """Count events that no rollup holds yet, as they are now (rows rolled back since are gone):
    the batch's deltas summed per bucket, one upsert each. Returns the upserts."""
    fields = [f.attname for f in Event._meta.concrete_fields]
    totals: dict[tuple, tuple[type, dict[str, Any], dict[str, int]]] = {}
    ids = sorted(event_ids)
    for i in range(0, len(ids), chunk):
        for values in Event.objects.filter(pk__in=ids[i:i + chunk]).values(*fields):
            for model, bucket, diff in deltas(None, values):
                key = (model, _key_of(model, bucket))
                if key in totals:
                    summed = totals[key][2]
                    for c, n in diff.items():
                        summed[c] = summed.get(c, 0) + n
                else:
                    totals[key] = (model, bucket, dict(diff))
    changes = [t for t in totals.values() if any(t[2].values())]
    apply(changes)
    return len(changes)


def register() -> None:
    hooks.listen(on_event_change)


# ------------------------------------------------------------------------------------ rebuild


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _grouped(model):
    """The GROUP BY over events that fills `model` (a queryset of dicts keyed like its columns)."""
    qs = Event.objects.order_by()
    annotations: dict[str, Any] = {
        "r_day": TruncDate("created_at", tzinfo=_tz()),
        "r_region_key": Coalesce("village_id", "town_id", "county_id", "city_id", "province_id",
                                 Value(0), output_field=IntegerField()),
    }
    group = ["r_day", "r_region_key", "province_id", "city_id", "county_id", "town_id", "village_id"]
    if "category_id" in model.KEY:
        group += ["category_id", "source"]
    if "deadline_day" in model.KEY:
        annotations["r_deadline_day"] = TruncDate("deadline", tzinfo=_tz())
        group.append("r_deadline_day")
        qs = qs.filter(status__in=list(OPEN_STATUSES), deadline__isnull=False)
        aggregates: dict[str, Any] = {"open": Count("id")}
    else:
        aggregates = {name: Count("id", filter=q) if q else Count("id")
                      for name, q in plain_filters().items()}
    return qs.annotate(**annotations).values(*group).annotate(**aggregates)


def rebuild(models: Iterable[type[Model]] = ROLLUPS) -> dict[str, int]:
    """Recompute the rollups from the events (one INSERT … SELECT … GROUP BY each). Returns the
    rows written per table. Holds a transaction: actions wait, and nothing is counted twice."""
    written: dict[str, int] = {}
    q = connection.ops.quote_name
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Keep actions out while counting: their hooks would upsert into rows we rebuild.
                cursor.execute(f"LOCK TABLE {q(Event._meta.db_table)} IN SHARE MODE")
                # Hash the groups in memory rather than sorting millions of rows on disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
        for model in models:
            table = q(model._meta.db_table)
            grouped = _grouped(model)
            # Name the grouped query's output columns explicitly (its SELECT order is Django's).
            selected = [*grouped.query.values_select, *grouped.query.annotation_select]
            columns = [c.removeprefix("r_") for c in selected]
            if set(columns) != {f.column for f in model._meta.concrete_fields} - {"id"}:
                raise RuntimeError(f"rollup columns do not match {model.__name__}: {columns}")
            sql, params = grouped.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
                    f"SELECT {', '.join('g.' + q(c) for c in selected)} FROM ({sql}) g", params)
                written[model._meta.db_table] = cursor.rowcount
    return written


__all__ = ["STORED", "apply", "deltas", "on_event_change", "rebuild", "register", "local_day"]
