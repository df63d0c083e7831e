"""Fill a database fast with synthetic events, for benchmarks only.

Unlike the demo, this writes rows directly with `bulk_create`, bypassing the actions: the events
have no audit trail, no parties, no texts and no inbox entries, and their timestamps are only
plausible. What it does fill faithfully is what lists, worklists and dashboards read: status,
tier, the region and its ancestor columns, category and source, deadlines (open ones overdue or
not), resolved/closed/called-back times, satisfaction, supervision, high-risk flags, departments,
and the people bound to each event (the village's "3", the grid head, the tiers' duty people),
active while the event is open. Event codes continue the per-day counters, so events registered
afterwards through the actions do not collide with them.

How it stays fast (a million events in a few minutes): rows go in as raw multi-row inserts
(COPY on PostgreSQL, executemany on SQLite) with ids allocated here, so run it alone; a big load
drops the two tables' secondary indexes and builds them again at the end; on PostgreSQL a
superuser skips the per-row foreign-key triggers (the rows are consistent by construction); and
afterwards PostgreSQL gets the VACUUM ANALYZE autovacuum would soon run. Open events are a fixed
share of all (STATUS_MIX), so at a million events the open lists are far longer than a county's
would be — a stress test, not a forecast.

Never run it on a database that matters: the rows it writes cannot be told from real ones by
anything but their missing audit trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from fengqiao.command.models import ROLLUPS
from fengqiao.command.rollups import rebuild as rebuild_rollups
from fengqiao.demo import people, places, stories
from fengqiao.demo.texts import CONTENT
from fengqiao.events.deadlines import end_of_local_day
from fengqiao.events.models import Assignment, Category, Event, EventCodeCounter, Satisfaction
from fengqiao.regions.models import Region

DAY = dt.timedelta(days=1)

# Final states, as a county's ledger looks after a few years: most closed.
STATUS_MIX = {"closed": 87.5, "resolved": 3.0, "in_progress": 4.0, "dispatched": 2.0,
              "registered": 0.7, "refused": 1.5, "merged": 1.3}
TIER_MIX = {"village": 92.0, "town": 6.0, "county": 2.0}
# Adding at least this many events (and no fewer than the table holds): drop the secondary
# indexes during the load and build them again after.
BULK_LOAD_THRESHOLD = 50_000
DEADLINE_DAYS = {"village": 7, "town": 14, "county": 30}
TITLES = {code: [title for title, _description in c["items"]] for code, c in CONTENT.items()}


@dataclass
class SeedReport:
    events: int = 0
    assignments: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    rollup_rows: dict[str, int] | None = None


def ensure_demo_county(*, seed: int, stdout=None) -> tuple[places.County, people.Roster]:
    """The demo's places and people, loading them first when the database has none."""
    from fengqiao.demo.builder import build_places
    from fengqiao.demo.slice import XIANYOU

    if not Region.objects.filter(code=XIANYOU).exists():
        rng = random.Random(seed)
        county, _report = build_places(rng=rng, stdout=stdout)
        with transaction.atomic():
            people.create_people(county=county, rng=rng)
    county = places.load_county()
    return county, people.load_roster(county)


def _weighted(rng: random.Random, table: dict[str, float], k: int) -> list[str]:
    keys = list(table)
    return rng.choices(keys, weights=[table[x] for x in keys], k=k)


class _Writer:
    """Raw multi-row inserts: COPY on PostgreSQL, executemany on SQLite. Rows are dicts keyed by
    attribute name; every other column takes the field's default. Ids are given explicitly
    (the seeder runs alone) and the sequences are moved past them at the end."""

    def __init__(self, model) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: (None if f.primary_key else f.get_default()) for f in self.fields}
        self.datetime_columns = {f.attname for f in self.fields if f.get_internal_type() == "DateTimeField"}
        self.vendor = connection.vendor
        self.next_id = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        # PostgreSQL checks each foreign key with a trigger per row; the seeder's rows are
        # consistent by construction, so a superuser skips the triggers (bulk-load practice).
        self.skip_fk_triggers = self.vendor == "postgresql" and _is_pg_superuser()

    def allocate(self) -> int:
        pk, self.next_id = self.next_id, self.next_id + 1
        return pk

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        sqlite = self.vendor == "sqlite"
        pick = operator.itemgetter(*[f.attname for f in self.fields])
        defaults, dts = self.defaults, self.datetime_columns
        tuples = []
        for row in rows:
            if sqlite:
                for att in dts.intersection(row):
                    # As Django stores it on SQLite: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
                    row[att] = str(row[att].astimezone(dt.UTC).replace(tzinfo=None))
            tuples.append(pick({**defaults, **row}))
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if sqlite:
                # Many indexes take the rows in random order: give SQLite room to keep them hot.
                cursor.execute("PRAGMA cache_size = -262144")
            if self.vendor == "postgresql":
                if self.skip_fk_triggers:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write("".join(_copy_line(values) for values in tuples).encode())
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuples)

    def finish(self) -> None:
        sql = connection.ops.sequence_reset_sql(no_style(), [self.model])
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(values) -> str:
    """One row in COPY's text format (tab-separated, \\N for NULL)."""
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif v is True or v is False:
            out.append("t" if v else "f")
        elif isinstance(v, str):
            out.append(v.translate(_COPY_ESCAPES))
        else:  # numbers, aware datetimes (ISO text with offset)
            out.append(str(v))
    return "\t".join(out) + "\n"


def _is_pg_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that no constraint owns."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT indexname, indexdef FROM pg_indexes
                   WHERE schemaname = current_schema() AND tablename = %s
                     AND indexname NOT IN (SELECT conindid::regclass::text FROM pg_constraint
                                           WHERE conrelid = %s::regclass AND conindid <> 0)""",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


@contextlib.contextmanager
def indexes_rebuilt_after(models: list) -> Iterator[None]:
    """Drop the tables' secondary indexes for a bulk load and build them again afterwards (one
    sorted build is far cheaper than a million random inserts into twenty B-trees)."""
    saved = [(name, sql) for model in models for name, sql in secondary_indexes(model._meta.db_table)]
    with connection.cursor() as cursor:
        for name, _sql in saved:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One sorted build per index: give it memory (the session's setting only).
                cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in saved:
                cursor.execute(sql)


def settle(models: list) -> None:
    """On PostgreSQL, what autovacuum does soon after a big insert: VACUUM (which marks the pages
    all-visible, so counts can be index-only) and ANALYZE (so the planner knows the new sizes).
    SQLite keeps no statistics unless asked, and the platform does not ask: nothing to do."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def seed_bench_events(
    *, n: int, batch: int = 5000, seed: int = 1, days: int = 365, progress: bool = False, stdout=None,
    rebuild_indexes: bool | None = None, with_bindings: bool = True,
) -> SeedReport:
    """Add `n` synthetic events (and their bindings) spread over the last `days` days, then
    rebuild the command centre's rollups from the events (one GROUP BY per table).

    `rebuild_indexes`: drop and rebuild the secondary indexes around the load (default: when
    adding at least BULK_LOAD_THRESHOLD events and at least as many as the table holds).
    `with_bindings=False` writes no Assignment rows (the command centre's benches read none; at ten
    million events they would be some forty million rows)."""
    if n < 1 or batch < 1 or days < 1:
        raise ValueError("events, batch and days must be positive")
    started = time.perf_counter()
    county, roster = ensure_demo_county(seed=seed, stdout=stdout)
    rng = random.Random(seed * 7919 + Event.objects.count())  # a second run adds new events
    now = timezone.now()
    tz = timezone.get_current_timezone()
    village_weights = stories._village_weights(random.Random(seed), county)
    villages = county.villages
    categories = {c.code: c.pk for c in Category.objects.filter(parent__isnull=False)}
    categories["other"] = Category.objects.get(code="other").pk
    category_codes = list(categories)
    category_weights = []
    for code in category_codes:
        share, subs = stories.CATEGORY_WEIGHTS[code.split(".")[0]]
        category_weights.append(share * subs.get(code, 1) / sum(subs.values()))
    titles = {code: [t.format_map(_Blank()) for t in TITLES[code]] for code in category_codes}
    sources = list(stories.SOURCE_WEIGHTS)
    source_weights = list(stories.SOURCE_WEIGHTS.values())
    counters = dict(EventCodeCounter.objects.values_list("key", "last"))
    duty_cadre = {town: lst[0].pk for town, lst in roster.town_cadres.items()}
    operator = roster.duty_operator.pk
    dept_of = {code: roster.department_for(code) for code in category_codes}
    liaison_of = {d.pk: roster.dept_liaison[d.code].pk for d in roster.departments.values()}
    leaders = [p.pk for p in roster.leaders]
    three = [("village_liaison", roster.liaison), ("party_secretary", roster.secretary),
             ("community_police", roster.police)]
    events_out, bindings_out = _Writer(Event), _Writer(Assignment)
    report = SeedReport()

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, desc="events", unit="ev", unit_scale=True, file=stdout, mininterval=1.0)
    done = 0
    if rebuild_indexes is None:
        rebuild_indexes = n >= max(BULK_LOAD_THRESHOLD, Event.objects.count())
    with indexes_rebuilt_after([Event, Assignment]) if rebuild_indexes else contextlib.nullcontext():
        while done < n:
            size = min(batch, n - done)
            events: list[dict] = []
            bindings: list[dict] = []
            picked = rng.choices(villages, weights=village_weights, k=size)
            statuses = _weighted(rng, STATUS_MIX, size)
            tiers = _weighted(rng, TIER_MIX, size)
            cats = rng.choices(category_codes, weights=category_weights, k=size)
            srcs = rng.choices(sources, weights=source_weights, k=size)
            for village, status, tier, cat, source in zip(picked, statuses, tiers, cats, srcs, strict=True):
                # Open events are mostly recent; an old open event is an overdue one.
                if status in {"registered", "dispatched", "in_progress", "resolved"} and rng.random() < 0.8:
                    age = min(rng.expovariate(1 / 6), days)
                else:
                    age = rng.random() * days
                created = now - dt.timedelta(days=age, minutes=rng.randrange(1, 600))
                grids = county.grids_of.get(village.id)
                grid = rng.choice(grids) if grids and source in {"grid", "hazard_check"} else None
                region = grid or village
                if status in {"registered", "refused"}:
                    tier = "village"  # the tier is set at dispatch
                    if rng.random() < 0.7:
                        region = village.town  # only the town was known
                        grid = None
                key = f"350322-{timezone.localtime(created, tz):%Y%m%d}"
                counters[key] = counters.get(key, 0) + 1
                e = {
                    "id": events_out.allocate(), "code": f"{key}-{counters[key]:04d}",
                    "title": rng.choice(titles[cat]), "category_id": categories[cat], "source": source,
                    "status": status, "tier": tier, "region_id": region.id,
                    "province_id": region.province_id, "city_id": region.city_id,
                    "county_id": region.county_id, "town_id": region.town_id,
                    "village_id": region.village_id, "grid_id": region.grid_id,
                    "created_at": created, "updated_at": now, "high_risk": rng.random() < 0.02,
                }
                if status == "refused":
                    e["refuse_reason"] = "不属于受理范围"
                elif status != "registered":
                    _fill_dispatched(e, rng, now, tier)
                    if tier == "county":
                        e["department_id"] = dept_of[cat].pk
                r = rng.random()
                if status in {"dispatched", "in_progress"} and r < 0.06:
                    e["supervision"] = "normal" if r < 0.04 else "yellow" if r < 0.055 else "red"
                    e["supervised_by_id"] = rng.choice(leaders)
                events.append(e)
                if status in {"registered", "refused"} or not with_bindings:
                    continue
                active = status in {"dispatched", "in_progress", "resolved"}
                at_village = active and tier == "village"

                links = [(holder[village.id].pk, role, "3", "village", at_village) for role, holder in three]
                if grid is not None:
                    links.append((roster.grid_head[grid.id].pk, "grid_head", "N", "village", at_village))
                if tier in {"town", "county"}:
                    assert village.town_id is not None, "a village always lies in a town"
                    links.append((duty_cadre[village.town_id], "town_cadre", "tier", "town",
                                  active and tier == "town"))
                if tier == "county":
                    links.append((operator, "operator", "tier", "county", active))
                    links.append((liaison_of[e["department_id"]], "department_liaison", "N", "county", active))
                bindings.extend(
                    {"id": bindings_out.allocate(), "event_id": e["id"], "person_id": person_id,
                     "role": role, "kind": kind, "tier": bound_tier, "active": is_active,
                     "created_at": e["dispatched_at"],
                     # As `events.actions._bind` marks it: a liaison's post is no region scope.
                     "beyond_posts": role == "department_liaison"}
                    for person_id, role, kind, bound_tier, is_active in links
                )
            with transaction.atomic():
                events_out.write(events)
                bindings_out.write(bindings)
            report.assignments += len(bindings)
            report.statuses.update(statuses)
            done += size
            if bar is not None:
                bar.update(size)
        if bar is not None:
            bar.close()
            bar = None
        if rebuild_indexes:
            _step(stdout, progress, "building the indexes again")
    if bar is not None:
        bar.close()
    with transaction.atomic():
        events_out.finish()
        bindings_out.finish()
        EventCodeCounter.objects.bulk_create(
            [EventCodeCounter(key=k, last=v) for k, v in counters.items()],
            update_conflicts=True, unique_fields=["key"], update_fields=["last"], batch_size=1000,
        )
    _step(stdout, progress, "rebuilding the command centre's rollups")
    report.rollup_rows = rebuild_rollups()
    settle([Event, Assignment, *ROLLUPS])
    report.events = done
    report.seconds = time.perf_counter() - started
    return report


def _step(stdout, progress: bool, what: str) -> None:
    if progress and stdout is not None:
        stdout.write(f"{what} …\n")
        stdout.flush()


def _fill_dispatched(e: dict, rng: random.Random, now: dt.datetime, tier: str) -> None:
    """The times of a dispatched event's loop, each after the last and none after `now`."""
    status = e["status"]
    dispatched = min(now, e["created_at"] + dt.timedelta(minutes=rng.randrange(0, 240)))
    # As events.deadlines computes it: the end (23:59:59 local) of the N-th calendar day.
    deadline = end_of_local_day(timezone.localtime(dispatched).date() + DEADLINE_DAYS[tier] * DAY)
    e.update(dispatched_at=dispatched, deadline=deadline)
    if tier != "village":
        e["escalation_count"] = 1 if tier == "town" else 2
    if status == "dispatched":
        return
    acknowledged = min(now, dispatched + dt.timedelta(minutes=rng.randrange(5, 600)))
    e["acknowledged_at"] = acknowledged
    if status == "in_progress":
        e["extension_count"] = 1 if rng.random() < 0.05 else 0
        return
    if status == "merged":
        return
    span = deadline - acknowledged
    if rng.random() < 0.06:  # resolved late
        resolved = deadline + dt.timedelta(hours=rng.uniform(2, 96))
    else:
        resolved = acknowledged + span * rng.uniform(0.05, 0.9)
    resolved = min(now, resolved)
    e.update(resolved_at=resolved, resolved_late=resolved > deadline, result="已办结")
    if status == "resolved":
        return
    called_back = min(now, resolved + dt.timedelta(hours=rng.uniform(1, 48)))
    e.update(
        called_back_at=called_back,
        satisfaction=Satisfaction.SATISFIED if rng.random() < 0.86 else Satisfaction.BASICALLY_SATISFIED,
        closed_at=min(now, called_back + dt.timedelta(minutes=rng.randrange(5, 600))),
        reopen_count=1 if rng.random() < 0.015 else 0,
    )


class _Blank(dict):
    """Title templates without the names: {p}等… → 某某等…"""

    def __missing__(self, key: str) -> str:
        return {"p": "某某", "q": "某某", "v": "某村", "g": "某组", "n": "3", "amt": "5,000",
                "road": "村道"}.get(key, "")
