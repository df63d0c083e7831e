"""Reads for the command centre: measures of a cohort, compares, spread, rankings, overdue lists,
campaigns. Every function checks scope first: the region asked about must lie under one of the
user's regional posts (a town cadre asking about the county or another town gets a 404).

Two paths give the same numbers (tests/command/test_exactness.py compares them on random
histories): the **fast path** sums the rollups (rollups.py) and counts "open and past the deadline"
from the open-deadline rollup plus a live count of today's passed deadlines only; the **plain
path** is one GROUP BY over the raw events (`path="plain"`), used below the village (grids, units)
where no rollup exists, and as the reference.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.command.measures import (
    DEFAULT_ROUNDING,
    MEASURE_NAMES,
    OPEN,
    RATES,
    STORED,
    Measures,
    higher_is_better,
    plain_aggregates,
    plain_filters,
    relative_change,
)
from fengqiao.command.models import (
    Campaign,
    CommandSettings,
    DailyCounts,
    DailyRegionCounts,
    OpenDeadlineCounts,
    OpenDeadlineRegionCounts,
)
from fengqiao.events.models import Category, Event, Source
from fengqiao.events.queries import overdue_now_q
from fengqiao.events.scope import visible_events
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.people.queries import REGIONAL_ROLES, posts_of, roles_over_region, sees_everything
from fengqiao.regions.models import Level, Region

ROLLUP_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE})
SPREAD_LEVELS = ("town", "village")
MAX_SPAN_DAYS = 3660
# The days a span may name: a year either side stays a date (同比, 环比), and nothing the platform
# holds is older or newer.
FIRST_DAY = dt.date(1901, 1, 1)
LAST_DAY = dt.date(2198, 12, 31)

# ---------------------------------------------------------------------------------------- spans


@dataclass(frozen=True)
class Span:
    """Registration days from `start` to `end`, both included (local dates)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if not (FIRST_DAY <= self.start and self.end <= LAST_DAY):
            raise InvalidInput(_("Dates run from %(a)s to %(b)s.") % {"a": FIRST_DAY, "b": LAST_DAY},
                               field="start" if self.start < FIRST_DAY else "end")
        if self.end < self.start:
            raise InvalidInput(_("The end of a span cannot be before its start."), field="end")
        if (self.end - self.start).days > MAX_SPAN_DAYS:
            raise InvalidInput(_("A span can be at most ten years."), field="end")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_earlier(self) -> Span:
        """The same days a year before (同比); 29 February becomes the 28th."""
        return Span(_year_back(self.start), _year_back(self.end))

    def previous(self) -> Span:
        """As many days, just before (环比 for a custom span)."""
        return Span(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    @classmethod
    def today(cls, today: dt.date | None = None) -> Span:
        d = today or clock.local_date()
        return cls(d, d)

    @classmethod
    def yesterday(cls, today: dt.date | None = None) -> Span:
        d = (today or clock.local_date()) - dt.timedelta(days=1)
        return cls(d, d)

    @classmethod
    def this_week(cls, today: dt.date | None = None) -> Span:
        d = today or clock.local_date()
        return cls(d - dt.timedelta(days=d.weekday()), d)

    @classmethod
    def last_week(cls, today: dt.date | None = None) -> Span:
        monday = cls.this_week(today).start
        return cls(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))

    @classmethod
    def last_30_days(cls, today: dt.date | None = None) -> Span:
        """近30天: the thirty days up to today, both included (the dashboard's default, so the
        first days of a month do not look empty)."""
        d = today or clock.local_date()
        return cls(d - dt.timedelta(days=29), d)

    @classmethod
    def previous_30_days(cls, today: dt.date | None = None) -> Span:
        return cls.last_30_days(today).previous()

    @classmethod
    def this_month(cls, today: dt.date | None = None) -> Span:
        d = today or clock.local_date()
        return cls(d.replace(day=1), d)

    @classmethod
    def last_month(cls, today: dt.date | None = None) -> Span:
        first = (today or clock.local_date()).replace(day=1)
        end = first - dt.timedelta(days=1)
        return cls(end.replace(day=1), end)

    @classmethod
    def this_year(cls, today: dt.date | None = None) -> Span:
        d = today or clock.local_date()
        return cls(d.replace(month=1, day=1), d)

    @classmethod
    def last_year(cls, today: dt.date | None = None) -> Span:
        d = today or clock.local_date()
        return cls(dt.date(d.year - 1, 1, 1), dt.date(d.year - 1, 12, 31))

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _year_back(d: dt.date) -> dt.date:
    last = calendar.monthrange(d.year - 1, d.month)[1]
    return d.replace(year=d.year - 1, day=min(d.day, last))


PAIRS = {
    "30d": (Span.previous_30_days, Span.last_30_days),
    "day": (Span.yesterday, Span.today),
    "week": (Span.last_week, Span.this_week),
    "month": (Span.last_month, Span.this_month),
    "year": (Span.last_year, Span.this_year),
}


def pair(kind: str, today: dt.date | None = None) -> tuple[Span, Span]:
    """(previous, current) for "30d" (the 30 days before / the last 30 days), "day"
    (yesterday/today), "week", "month" or "year" (so far)."""
    if kind not in PAIRS:
        raise InvalidInput(_("Compare by 30 days, day, week, month or year."), field="period")
    before, now = PAIRS[kind]
    return before(today), now(today)


# ---------------------------------------------------------------------------------------- scope


def resolve_region(region: Region | str | int | None) -> Region:
    if isinstance(region, Region):
        return region
    if region in (None, ""):
        raise InvalidInput(_("Say which region."), field="region")
    found = Region.objects.filter(code=str(region)).first()
    if found is None:
        raise Http404("no such region")
    return found


def check_region(user, region: Region | str | int | None) -> Region:
    """The region if one of the user's regional posts covers it; 404 otherwise (never say it
    exists). Department liaisons see their department's events, not a region's statistics."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise Http404("no such region")
    r = resolve_region(region)
    if sees_everything(user) or roles_over_region(user, r) & REGIONAL_ROLES:
        return r
    raise Http404("no such region")


def home_region(user) -> Region | None:
    """The highest region the user's regional posts cover (the dashboard's default)."""
    from fengqiao.regions.models import LEVEL_ORDER

    regions = [p.region for p in posts_of(user) if p.role in REGIONAL_ROLES]
    if sees_everything(user) and not regions:
        return Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    if not regions:
        return None
    return min(regions, key=lambda r: (LEVEL_ORDER.index(r.level), r.code))


# -------------------------------------------------------------------------------------- filters


class FilterParams(TypedDict):
    """The filters as a page or an endpoint reads them (codes), passed on as keyword arguments."""

    category: str | None
    source: str | None


@dataclass(frozen=True)
class Filters:
    category: Category | None = None
    source: str | None = None

    @property
    def any(self) -> bool:
        return self.category is not None or bool(self.source)

    def category_ids(self) -> list[int]:
        if self.category is None:
            return []
        ids, frontier = [self.category.pk], [self.category.pk]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids += frontier
        return ids

    def as_dict(self) -> dict[str, str | None]:
        return {"category": self.category.code if self.category else None, "source": self.source or None}


def make_filters(category: Category | str | None = None, source: str | None = None) -> Filters:
    if isinstance(category, str):
        if category:
            found = Category.objects.filter(code=category).first()
            if found is None:
                raise InvalidInput(_("No category with code “%(c)s”.") % {"c": category}, field="category")
            category = found
        else:
            category = None
    if source and source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": source}, field="source")
    return Filters(category=category, source=source or None)


# ------------------------------------------------------------------------------- counting paths


def _local_midnight(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


def _event_cohort(region: Region, start: dt.date, end: dt.date, filters: Filters) -> QuerySet:
    qs = Event.objects.filter(
        created_at__gte=_local_midnight(start), created_at__lt=_local_midnight(end + dt.timedelta(days=1)),
        **region.subtree_kwargs(self_field="region_id"),
    )
    if filters.category is not None:
        qs = qs.filter(category_id__in=filters.category_ids())
    if filters.source:
        qs = qs.filter(source=filters.source)
    return qs


def _group_column(group_level: str | None) -> str | None:
    return f"{group_level}_id" if group_level else None


def plain_counts(region: Region, start: dt.date, end: dt.date, filters: Filters, *,
                 now: dt.datetime, group_level: str | None = None) -> dict[Any, dict[str, int]]:
    """The reference: one GROUP BY over the raw events. Keyed by the group's region id (None for
    events above that level), or {None: …} without grouping."""
    qs = _event_cohort(region, start, end, filters).order_by()
    column = _group_column(group_level)
    if column is None:
        return {None: qs.aggregate(**plain_aggregates(now))}
    return {row.pop(column): row for row in qs.values(column).annotate(**plain_aggregates(now))}


def fast_counts(region: Region, start: dt.date, end: dt.date, filters: Filters, *,
                now: dt.datetime, group_level: str | None = None) -> dict[Any, dict[str, int]]:
    """The same numbers from the rollups."""
    return fast_counts_many(region, [(start, end)], filters, now=now, group_level=group_level)[0]


def fast_counts_many(region: Region, spans: list[tuple[dt.date, dt.date]], filters: Filters, *,
                     now: dt.datetime, group_level: str | None = None) -> list[dict[Any, dict[str, int]]]:
    """`fast_counts` for several spans in one round trip (a compare's three cohorts)."""
    if region.level not in ROLLUP_LEVELS:
        return [plain_counts(region, a, b, filters, now=now, group_level=group_level) for a, b in spans]
    counts_model = DailyCounts if filters.any else DailyRegionCounts
    open_model = OpenDeadlineCounts if filters.any else OpenDeadlineRegionCounts
    today = timezone.localtime(now).date()
    category_ids = filters.category_ids() if filters.category is not None else None
    # Without a grouping, group by the region's own column: one row, the region's id.
    column = _group_column(group_level) or f"{region.level}_id"
    sums = {c: Sum(c) for c in STORED}
    pad = ", 0" * (len(STORED) - 1)
    sqls: list[str] = []
    params: list[Any] = []
    for index, (start, end) in enumerate(spans):
        where: dict[str, Any] = {"day__gte": start, "day__lte": end, f"{region.level}_id": region.id}
        if category_ids is not None:
            where["category_id__in"] = category_ids
        if filters.source:
            where["source"] = filters.source
        # Deadlines that fall today and have already passed: few, counted live (partial index on
        # open events' deadlines).
        live = _event_cohort(region, start, end, filters).filter(
            status__in=OPEN, deadline__gte=_local_midnight(today), deadline__lt=now)
        parts = [
            counts_model.objects.filter(**where).order_by().values(column).annotate(**sums),
            open_model.objects.filter(**where, deadline_day__lt=today).order_by()
            .values(column).annotate(n=Sum("open")),
            live.order_by().values(column).annotate(n=Count("id")),
        ]
        # The span's three grouped queries, tagged span × 3 + part, all joined by UNION ALL.
        for part, qs in enumerate(parts):
            sql, p = qs.query.sql_with_params()
            sqls.append(f"SELECT {index * 3 + part} AS k, t.*{pad if part else ''} FROM ({sql}) t")
            params.extend(p)
    out: list[dict[Any, dict[str, int]]] = [{} for _ in spans]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        rows = cursor.fetchall()
    for tag, key, *values in rows:
        bucket = out[tag // 3].setdefault(key, {"open_overdue": 0})
        if tag % 3 == 0:
            bucket.update({c: int(v or 0) for c, v in zip(STORED, values, strict=True)})
        else:
            bucket["open_overdue"] += int(values[0] or 0)
    if group_level is None:
        return [{None: o.get(region.id, {})} for o in out]
    return out


PATHS = {"fast": fast_counts, "plain": plain_counts}


def _options() -> dict[str, Any]:
    s = current_settings()
    return {"rounding": s.rounding, "weights": s.weights()}


_settings_cache: dict[str, Any] = {}
SETTINGS_TTL = 60.0  # seconds: another process sees the admin's change within a minute


def current_settings() -> CommandSettings:
    """The admin's settings, cached in the process (cleared at once when saved here)."""
    import time

    hit = _settings_cache.get("row")
    if hit is not None and time.monotonic() - hit[0] < SETTINGS_TTL:
        return hit[1]
    row = CommandSettings.current()
    _settings_cache["row"] = (time.monotonic(), row)
    return row


def forget_settings(**_kwargs: Any) -> None:
    _settings_cache.clear()


def _measures(counts: dict[str, int] | None, options: dict[str, Any]) -> Measures:
    return Measures.from_counts(counts or {}, **options)


# ------------------------------------------------------------------------------------- campaigns


def _campaign_frame(user, campaign: Campaign | int, region) -> tuple[Campaign, Region, Span, Filters]:
    c = campaign if isinstance(campaign, Campaign) else Campaign.objects.filter(pk=campaign).first()
    if c is None:
        raise Http404("no such campaign")
    r = c.region if region in (None, "") else resolve_region(region)
    if not c.region.is_ancestor_of(r):
        raise InvalidInput(_("%(r)s lies outside the campaign's region.") % {"r": r.name}, field="region")
    r = check_region(user, r)
    return c, r, Span(c.start, c.end), Filters(category=c.category, source=c.source or None)


def visible_campaigns(user, *, active_only: bool = False) -> list[Campaign]:
    """Campaigns over a region the user covers, or over one of their regions' ancestors (they
    see their own part of a county-wide campaign)."""
    qs = Campaign.objects.select_related("region", "category").order_by("-start", "name")
    if active_only:
        qs = qs.filter(active=True)
    if sees_everything(user):
        return list(qs)
    posts = [p for p in posts_of(user) if p.role in REGIONAL_ROLES]
    return [c for c in qs if any(p.region.is_ancestor_of(c.region) or c.region.is_ancestor_of(p.region)
                                 for p in posts)]


def campaign_region_for(user, campaign: Campaign) -> Region:
    """Where a user looks at a campaign from: its region, or their own post's region inside it."""
    for p in posts_of(user):
        if p.role in REGIONAL_ROLES and p.region.is_ancestor_of(campaign.region):
            return campaign.region
    for p in posts_of(user):
        if p.role in REGIONAL_ROLES and campaign.region.is_ancestor_of(p.region):
            return p.region
    if sees_everything(user):
        return campaign.region
    raise Http404("no such campaign")


# -------------------------------------------------------------------------------------- measures


@dataclass
class Frame:
    """What was asked, after checks: the region, the span and the filters."""

    region: Region
    span: Span
    filters: Filters
    campaign: Campaign | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"region": {"code": self.region.code, "name": self.region.name, "level": self.region.level},
                **self.span.as_dict(), **self.filters.as_dict(),
                "campaign": self.campaign.pk if self.campaign else None}


def frame(*, user, region, start: dt.date | None = None, end: dt.date | None = None,
          category=None, source=None, campaign=None) -> Frame:
    if campaign is not None:
        c, r, span, filters = _campaign_frame(user, campaign, region)
        return Frame(r, span, filters, c)
    r = check_region(user, region)
    if start is None or end is None:
        raise InvalidInput(_("Say the start and end dates."), field="start" if start is None else "end")
    return Frame(r, Span(start, end), make_filters(category, source))


def measures_for(*, user, region, start: dt.date | None = None, end: dt.date | None = None,
                 category=None, source=None, campaign=None, path: str = "fast",
                 now: dt.datetime | None = None) -> Measures:
    """Every count, rate and the score of the events registered from `start` to `end` under
    `region` (or of a campaign, whose span and filters then apply)."""
    f = frame(user=user, region=region, start=start, end=end, category=category, source=source,
              campaign=campaign)
    counts = PATHS[path](f.region, f.span.start, f.span.end, f.filters, now=now or clock.now())
    return _measures(counts.get(None), _options())


# --------------------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class Change:
    """Current against a baseline: the difference (points for rates and the score) and, for
    counts, the relative change in percent (None when the baseline is zero or a value missing)."""

    current: Decimal | int | None
    baseline: Decimal | int | None
    difference: Decimal | int | None
    percent: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        def s(v):
            return None if v is None else (v if isinstance(v, int) else str(v))

        return {"current": s(self.current), "baseline": s(self.baseline),
                "difference": s(self.difference), "percent": s(self.percent)}


def change(current: Decimal | int | None, baseline: Decimal | int | None, *, relative: bool,
           rounding: str = DEFAULT_ROUNDING) -> Change:
    if current is None or baseline is None:
        return Change(current, baseline, None, None)
    diff = current - baseline
    pct = None
    if relative and isinstance(current, int) and isinstance(baseline, int):
        pct = relative_change(current, baseline, 1, rounding)
    return Change(current, baseline, diff, pct)


@dataclass
class Comparison:
    current_span: Span
    previous_span: Span
    year_earlier_span: Span
    current: Measures
    previous: Measures
    year_earlier: Measures
    period_on_period: dict[str, Change] = field(default_factory=dict)  # 环比
    year_on_year: dict[str, Change] = field(default_factory=dict)  # 同比

    def as_dict(self) -> dict[str, Any]:
        return {
            "current": {**self.current_span.as_dict(), **self.current.as_dict()},
            "previous": {**self.previous_span.as_dict(), **self.previous.as_dict()},
            "year_earlier": {**self.year_earlier_span.as_dict(), **self.year_earlier.as_dict()},
            "period_on_period": {k: v.as_dict() for k, v in self.period_on_period.items()},
            "year_on_year": {k: v.as_dict() for k, v in self.year_on_year.items()},
        }


def _changes(cur: Measures, base: Measures) -> dict[str, Change]:
    return {name: change(cur.value(name), base.value(name), relative=name not in RATES and name != "score",
                         rounding=cur.rounding)
            for name in MEASURE_NAMES}


def compare(*, user, region, a: Span, b: Span, category=None, source=None, path: str = "fast",
            now: dt.datetime | None = None) -> Comparison:
    """`b` (current) against `a` (previous, 环比) and against `b` a year earlier (同比)."""
    r = check_region(user, region)
    filters = make_filters(category, source)
    moment = now or clock.now()
    options = _options()
    last_year = b.year_earlier()
    spans = [(s.start, s.end) for s in (b, a, last_year)]
    if path == "fast":
        counted = fast_counts_many(r, spans, filters, now=moment)
    else:
        counted = [PATHS[path](r, x, y, filters, now=moment) for x, y in spans]
    cur, prev, yoy = (_measures(c.get(None), options) for c in counted)
    return Comparison(b, a, last_year, cur, prev, yoy, _changes(cur, prev), _changes(cur, yoy))


# ---------------------------------------------------------------------------------------- spread


@dataclass
class Row:
    """One region's measures (region None: the events filed above the spread's level, e.g. a
    town's own events that belong to no village)."""

    region: Region | None
    measures: Measures

    def as_dict(self) -> dict[str, Any]:
        r = self.region
        return {"region": None if r is None else {"code": r.code, "name": r.name, "level": r.level},
                **self.measures.as_dict()}


def _child_level(region: Region, level: str) -> str:
    from fengqiao.regions.models import LEVEL_ORDER

    if level not in SPREAD_LEVELS:
        raise InvalidInput(_("Spread by town or village."), field="level")
    if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(region.level):
        raise InvalidInput(_("%(r)s has no %(l)s below it.") % {"r": region.name, "l": level}, field="level")
    return level


def _spread_rows(r: Region, level: str, span: Span, filters: Filters, *, path: str,
                 now: dt.datetime, include_unassigned: bool = True) -> list[Row]:
    options = _options()
    counts = PATHS[path](r, span.start, span.end, filters, now=now, group_level=level)
    children = list(Region.objects.filter(level=level, **r.subtree_kwargs()).order_by("code"))
    rows = [Row(c, _measures(counts.get(c.id), options)) for c in children]
    if include_unassigned and counts.get(None):
        unassigned = _measures(counts[None], options)
        if unassigned.registered:
            rows.append(Row(None, unassigned))
    return rows


def spread(*, user, region, start: dt.date | None = None, end: dt.date | None = None,
           level: str = "town", category=None, source=None, campaign=None, path: str = "fast",
           now: dt.datetime | None = None) -> list[Row]:
    """Counts and rates for each town or village under `region` (every one, zeros included), and
    a last row for the events filed above that level when there are any."""
    f = frame(user=user, region=region, start=start, end=end, category=category, source=source,
              campaign=campaign)
    lv = _child_level(f.region, level)
    return _spread_rows(f.region, lv, f.span, f.filters, path=path, now=now or clock.now())


# --------------------------------------------------------------------------------------- ranking


@dataclass
class RankedRow:
    rank: int | None  # competition ranking (1, 2, 2, 4); None: no value (no denominator)
    region: Region
    value: Decimal | int | None
    display: str
    denominator: int
    small_denominator: bool
    measures: Measures

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        return {"rank": self.rank, "region": {"code": self.region.code, "name": self.region.name,
                                               "level": self.region.level},
                "value": None if v is None else (v if isinstance(v, int) else str(v)),
                "display": self.display, "denominator": self.denominator,
                "small_denominator": self.small_denominator}


def display(m: Measures, name: str) -> str:
    """How a measure is printed: "91.5%", "—" (no value), the score, or a count."""
    if name in RATES:
        return m.rate(name).display
    if name == "score":
        s = m.score()
        return "—" if s is None else str(s)
    return str(m.count(name))


def rank_rows(rows: list[Row], measure: str, *, min_denominator: int) -> list[RankedRow]:
    """Best first (highest, or lowest where lower is better); equal shown values share a rank and
    the next rank skips (1, 2, 2, 4); regions with no value come last, unranked."""
    if measure not in MEASURE_NAMES:
        raise InvalidInput(_("Unknown measure “%(m)s”.") % {"m": measure}, field="measure")
    better_high = higher_is_better(measure)
    scored = []
    for row in rows:
        if row.region is None:
            continue
        m = row.measures
        den = m.denominator(measure)
        scored.append(RankedRow(None, row.region, m.value(measure), display(m, measure), den,
                                den < min_denominator, m))
    valued = [(x.value, x) for x in scored if x.value is not None]
    valued.sort(key=lambda vx: (-vx[0] if better_high else vx[0], vx[1].region.code))
    with_value = [x for _v, x in valued]
    previous, rank = None, 0
    for i, x in enumerate(with_value, start=1):
        if x.value != previous:
            rank, previous = i, x.value
        x.rank = rank
    without = sorted((x for x in scored if x.value is None), key=lambda x: x.region.code)
    return with_value + without


def ranking(*, user, region, level: str, measure: str, start: dt.date | None = None,
            end: dt.date | None = None, min_denominator: int | None = None, category=None,
            source=None, campaign=None, path: str = "fast", now: dt.datetime | None = None) -> list[RankedRow]:
    """Every town or village under `region` ranked by `measure` (a count, a rate or "score")."""
    if measure not in MEASURE_NAMES:
        raise InvalidInput(_("Unknown measure “%(m)s”.") % {"m": measure}, field="measure")
    if min_denominator is None:
        min_denominator = current_settings().min_denominator
    if min_denominator < 0:
        raise InvalidInput(_("The minimum denominator cannot be negative."), field="min_denominator")
    f = frame(user=user, region=region, start=start, end=end, category=category, source=source,
              campaign=campaign)
    lv = _child_level(f.region, level)
    rows = _spread_rows(f.region, lv, f.span, f.filters, path=path, now=now or clock.now(),
                        include_unassigned=False)
    return rank_rows(rows, measure, min_denominator=min_denominator)


# --------------------------------------------------------------------------------------- overdue


@dataclass
class OverdueItem:
    event: Event
    overdue_by: dt.timedelta

    def as_dict(self) -> dict[str, Any]:
        e = self.event
        return {"id": e.pk, "code": e.code, "title": e.title, "status": e.status, "tier": e.tier,
                "region": e.region.name if e.region else None,
                "category": e.category.name, "deadline": e.deadline.isoformat() if e.deadline else None,
                "overdue_hours": int(self.overdue_by.total_seconds() // 3600),
                "supervision": e.supervision, "high_risk": e.high_risk}


def overdue_now(*, user, region, category=None, source=None, now: dt.datetime | None = None) -> QuerySet:
    """当前超期: the events open past their deadline *now* under `region` that the user may see,
    whenever they were received — the worklist's 已逾期 (`events.queries.overdue_now_q`), not a
    cohort's `open_overdue` (超期未办结 of the events received in a span)."""
    r = check_region(user, region)
    filters = make_filters(category, source)
    qs = visible_events(user).filter(overdue_now_q(now or clock.now()),
                                     **r.subtree_kwargs(self_field="region_id"))
    if filters.category is not None:
        qs = qs.filter(category_id__in=filters.category_ids())
    if filters.source:
        qs = qs.filter(source=filters.source)
    return qs


def overdue_count(*, user, region, category=None, source=None, now: dt.datetime | None = None) -> int:
    """How many `overdue_now` holds (the dashboard's 当前超期 card, the API's `count`)."""
    return overdue_now(user=user, region=region, category=category, source=source, now=now).count()


def overdue_items(*, user, region, limit: int = 50, category=None, source=None,
                  now: dt.datetime | None = None) -> list[OverdueItem]:
    """`overdue_now` under `region`, longest overdue first, at most `limit` of them."""
    moment = now or clock.now()
    qs = overdue_now(user=user, region=region, category=category, source=source, now=moment)
    if not 1 <= limit <= 1000:
        raise InvalidInput(_("The limit must be between 1 and 1000."), field="limit")
    qs = qs.select_related("region", "category").order_by("deadline", "id")[:limit]
    return [OverdueItem(e, moment - e.deadline) for e in qs]


# ------------------------------------------------------------------------------------ drill down


def cohort_events(*, user, region, start: dt.date | None = None, end: dt.date | None = None,
                  measure: str | None = None, category=None, source=None, campaign=None,
                  now: dt.datetime | None = None) -> QuerySet:
    """The events behind a number (drill down to the events themselves): the cohort, narrowed to
    the events a count counts (`measure` a count name; rates drill to their numerator)."""
    f = frame(user=user, region=region, start=start, end=end, category=category, source=source,
              campaign=campaign)
    qs = visible_events(user).filter(pk__in=_event_cohort(f.region, f.span.start, f.span.end, f.filters)
                                     .values("pk"))
    if measure:
        if measure in RATES:
            measure = RATES[measure][0]
        moment = now or clock.now()
        conditions = plain_filters()
        conditions["open_overdue"] = Q(status__in=OPEN, deadline__lt=moment)
        conditions["overdue"] = conditions["open_overdue"] | conditions["resolved_late"]
        conditions["received"] = ~Q(status__in=["merged", "refused"])
        if measure not in conditions:
            raise InvalidInput(_("Unknown measure “%(m)s”.") % {"m": measure}, field="measure")
        qs = qs.filter(conditions[measure])
    return qs.select_related("region", "category").order_by("-created_at", "-id")
