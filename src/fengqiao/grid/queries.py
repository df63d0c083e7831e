"""Reads of the grid network: the one place its scope is decided, the views that follow the
admin's rules (each worker's compliance week by week, households overdue, coverage by grid,
village, zone and town), the map's data, and the figures the command centre shows.

Scope: the rows under the regions of the user's posts (`workflow.scope.region_scope_q`);
`access_…` raises 404 outside — never a 403 that tells the row exists. An area is a region or a
zone (片区), and every view takes either (`Area`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from fengqiao.events.models import Event, Source, Status
from fengqiao.grid.models import (
    Appointment,
    Finding,
    FindingStatus,
    Firm,
    HazardCheck,
    Household,
    Patrol,
    Publicity,
    RentedRoom,
    Team,
    Visit,
    Zone,
)
from fengqiao.grid.rules import current_settings
from fengqiao.lib import clock
from fengqiao.lib.rates import current_rounding, format_rate
from fengqiao.people.models import Person, Post, Role
from fengqiao.people.queries import REGIONAL_ROLES, sees_everything
from fengqiao.regions.models import Level, Region
from fengqiao.workflow.clocks import WorkingCalendar
from fengqiao.workflow.scope import region_scope_q

# ------------------------------------------------------------------------------------ scope


def scope_q(user) -> Q | None:
    return region_scope_q(user, roles=set(REGIONAL_ROLES))


def scoped(user, queryset: QuerySet) -> QuerySet:
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    q = scope_q(user)
    return queryset if q is None else queryset.filter(q)


def _access(user, model, pk: Any):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("not found") from None
    if not (0 < pk < 2**62):
        raise Http404("not found")
    row = scoped(user, model.objects.select_related("region")).filter(pk=pk).first()
    if row is None:
        raise Http404("not found")
    return row


def access_household(user, pk: Any) -> Household:
    return _access(user, Household, pk)


def access_firm(user, pk: Any) -> Firm:
    return _access(user, Firm, pk)


def access_room(user, pk: Any) -> RentedRoom:
    return _access(user, RentedRoom, pk)


def access_visit(user, pk: Any) -> Visit:
    return _access(user, Visit, pk)


def access_check(user, pk: Any) -> HazardCheck:
    return _access(user, HazardCheck, pk)


def access_finding(user, pk: Any) -> Finding:
    return _access(user, Finding, pk)


def access_team(user, pk: Any) -> Team:
    return _access(user, Team, pk)


def access_appointment(user, pk: Any) -> Appointment:
    return _access(user, Appointment, pk)


def visible_zones(user) -> QuerySet[Zone]:
    """The zones with a village in the user's scope."""
    zones = Zone.objects.filter(active=True)
    if sees_everything(user):
        return zones
    q = region_scope_q(user, self_field="id", roles=set(REGIONAL_ROLES))
    villages = Region.objects.filter(q) if q is not None else Region.objects.all()
    return zones.filter(villages__in=villages.filter(level=Level.VILLAGE)).distinct()


def access_zone(user, pk: Any) -> Zone:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("not found") from None
    zone = visible_zones(user).filter(pk=pk).first()
    if zone is None:
        raise Http404("not found")
    return zone


# ------------------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class Area:
    """A region, or a zone used like a town."""

    region: Region | None = None
    zone: Zone | None = None

    @property
    def name(self) -> str:
        return self.zone.name if self.zone is not None else (self.region.display_name if self.region else "")

    def q(self) -> Q:
        if self.zone is not None:
            return Q(village_id__in=list(self.zone.villages.values_list("pk", flat=True)))
        assert self.region is not None
        return Q(**self.region.subtree_kwargs(self_field="region_id"))


def in_area(user, queryset: QuerySet, area: Area | None) -> QuerySet:
    qs = scoped(user, queryset)
    return qs if area is None else qs.filter(area.q())


# What part of the number, a name or the address finds in each registry (pages, API, exports).
_SEARCHED = {Household: ("code", "head_name", "address"), Firm: ("code", "name", "address"),
             RentedRoom: ("code", "landlord_name", "address")}


def registry(user, model, area: Area | None, *, text: str = "", care: str = "") -> QuerySet:
    """The active households, firms or rented rooms of the area the user sees, by number,
    matching `text` (part of the number, the head's, firm's or landlord's name, or the address)
    and, for households, a special-care flag."""
    qs = in_area(user, model.objects.filter(active=True), area).select_related(
        "region", *(["household"] if model is RentedRoom else []))
    if text:
        match = Q()
        for name in _SEARCHED[model]:
            match |= Q(**{f"{name}__icontains": text})
        qs = qs.filter(match)
    if care:
        qs = qs.filter(**{care: True})
    return qs.order_by("code")


# --------------------------------------------------------------------------- the rules


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Week:
    start: dt.date
    days_out: int  # days with at least one visit
    working_days: int  # the week's working days (holidays and make-up days counted)
    required: int  # the rule's days, at most the week's working days
    visits: int

    @property
    def ok(self) -> bool:
        return self.days_out >= self.required

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


@dataclass
class WorkerCompliance:
    person: Person
    grid: Region
    weeks: list[Week] = field(default_factory=list)

    @property
    def weeks_ok(self) -> int:
        return sum(1 for w in self.weeks if w.ok)

    @property
    def rate(self) -> str:
        return format_rate(self.weeks_ok, len(self.weeks), rounding=current_rounding())

    @property
    def below_rule(self) -> bool:
        return any(not w.ok for w in self.weeks)


def weeks_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The Mondays of the weeks from the one holding `start` to the one holding `end`."""
    first, last = week_start(start), week_start(end)
    out = []
    while first <= last:
        out.append(first)
        first += dt.timedelta(days=7)
    return out


def required_days(week: dt.date, calendar: WorkingCalendar, rule_days: int,
                  today: dt.date | None = None) -> tuple[int, int]:
    """(working days of the week, the days the rule asks for): a week of 国庆 with three
    working days asks for three, not four. The week under way counts its working days up to
    `today` only (on Tuesday it asks for two at most)."""
    days = [week + dt.timedelta(days=i) for i in range(7)]
    if today is not None:
        days = [d for d in days if d <= today]
    working = sum(1 for d in days if calendar.is_workday(d))
    return working, min(rule_days, working)


def workers_in(user, area: Area | None) -> list[Post]:
    """The grid workers walking grids of the area (people posts `grid_worker` at a grid)."""
    posts = Post.objects.filter(role=Role.GRID_WORKER, active=True, region__level=Level.GRID,
                                person__active=True).select_related("person", "region")
    q = scope_q(user)
    if q is not None:
        grids = Region.objects.filter(region_scope_q(user, self_field="id", roles=set(REGIONAL_ROLES)))
        posts = posts.filter(region__in=grids)
    if area is not None:
        if area.zone is not None:
            posts = posts.filter(region__village_id__in=area.zone.villages.values_list("pk", flat=True))
        else:
            assert area.region is not None
            posts = posts.filter(**{f"region__{k}": v for k, v in area.region.subtree_kwargs().items()})
    return list(posts.order_by("region__code", "person__name"))


def compliance(user, area: Area | None, *, start: dt.date, end: dt.date) -> list[WorkerCompliance]:
    """Each grid worker's weeks from `start` to `end`: days out visiting against the rule."""
    rules = current_settings()
    calendar = WorkingCalendar()
    weeks = weeks_between(start, end)
    today = clock.local_date()
    needs = {w: required_days(w, calendar, rules.worker_days_per_week, today) for w in weeks}
    posts = workers_in(user, area)
    if not posts:
        return []
    first, last = weeks[0], weeks[-1] + dt.timedelta(days=6)
    rows = (Visit.objects.filter(worker_id__in={p.person_id for p in posts}, visited_on__gte=first,
                                 visited_on__lte=last)
            .values("worker_id", "grid_id", "visited_on").annotate(n=Count("pk")))
    days: dict[tuple[int, int | None], dict[dt.date, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    counts: dict[tuple[int, int | None], dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        w = week_start(r["visited_on"])
        days[(r["worker_id"], r["grid_id"])][w].add(r["visited_on"])
        counts[(r["worker_id"], r["grid_id"])][w] += r["n"]
    out = []
    for post in posts:
        key = (post.person_id, post.region_id)
        entry = WorkerCompliance(person=post.person, grid=post.region)
        for w in weeks:
            working, required = needs[w]
            entry.weeks.append(Week(start=w, days_out=len(days[key][w]), working_days=working,
                                    required=required, visits=counts[key][w]))
        out.append(entry)
    return out


def overdue_households(user, area: Area | None, *, as_of: dt.datetime | None = None) -> QuerySet[Household]:
    """Households not visited for longer than the rule allows (registered before the window and
    never visited count too), with `last_visit` annotated, longest first."""
    moment = as_of or clock.now()
    limit = moment - dt.timedelta(days=current_settings().visit_interval_days)
    last = Visit.objects.filter(household=OuterRef("pk"), visited_at__lte=moment).order_by("-visited_at")
    return (in_area(user, Household.objects.filter(active=True, created_at__lte=limit), area)
            .annotate(last_visit=Subquery(last.values("visited_at")[:1]))
            .filter(Q(last_visit__lt=limit) | Q(last_visit__isnull=True))
            .select_related("region").order_by(F("last_visit").asc(nulls_first=True), "code"))


def overdue_firms(user, area: Area | None, *, as_of: dt.datetime | None = None) -> QuerySet[Firm]:
    moment = as_of or clock.now()
    limit = moment - dt.timedelta(days=current_settings().visit_interval_days)
    last = Visit.objects.filter(firm=OuterRef("pk"), visited_at__lte=moment).order_by("-visited_at")
    return (in_area(user, Firm.objects.filter(active=True, created_at__lte=limit), area)
            .annotate(last_visit=Subquery(last.values("visited_at")[:1]))
            .filter(Q(last_visit__lt=limit) | Q(last_visit__isnull=True))
            .select_related("region").order_by(F("last_visit").asc(nulls_first=True), "code"))


@dataclass
class Coverage:
    key: Any  # a region id or a zone id
    name: str
    code: str
    households: int
    households_covered: int
    firms: int
    firms_covered: int

    @property
    def total(self) -> int:
        return self.households + self.firms

    @property
    def covered(self) -> int:
        return self.households_covered + self.firms_covered

    @property
    def rate(self) -> str:
        return format_rate(self.covered, self.total, rounding=current_rounding())


COVERAGE_LEVELS = ("grid", "village", "town", "zone")


def _covered_counts(qs: QuerySet, column: str, visit_field: str, since: dt.datetime,
                    moment: dt.datetime) -> dict[Any, tuple[int, int]]:
    recent = Visit.objects.filter(**{visit_field: OuterRef("pk")}, visited_at__gt=since, visited_at__lte=moment)
    rows = (qs.annotate(recent=Exists(recent)).values(column)
            .annotate(total=Count("pk"), covered=Count("pk", filter=Q(recent=True))))
    return {r[column]: (r["total"], r["covered"]) for r in rows}


def coverage(user, *, by: str, area: Area | None = None, as_of: dt.datetime | None = None) -> list[Coverage]:
    """Visit coverage: the share of active households and firms visited within the rule's
    interval before `as_of`, by grid, village, town or zone (片区), lowest first."""
    if by not in COVERAGE_LEVELS:
        raise ValueError(by)
    moment = as_of or clock.now()
    since = moment - dt.timedelta(days=current_settings().visit_interval_days)
    households = in_area(user, Household.objects.filter(active=True, created_at__lte=moment), area)
    firms = in_area(user, Firm.objects.filter(active=True, created_at__lte=moment), area)
    column = "village_id" if by == "zone" else f"{by}_id"
    h = _covered_counts(households, column, "household", since, moment)
    f = _covered_counts(firms, column, "firm", since, moment)
    out: list[Coverage] = []
    if by == "zone":
        zones = visible_zones(user) if area is None or area.zone is None else Zone.objects.filter(pk=area.zone.pk)
        for zone in zones.prefetch_related("villages"):
            ids = [v.pk for v in zone.villages.all()]
            out.append(Coverage(key=zone.pk, name=zone.name, code=zone.code,
                                households=sum(h.get(i, (0, 0))[0] for i in ids),
                                households_covered=sum(h.get(i, (0, 0))[1] for i in ids),
                                firms=sum(f.get(i, (0, 0))[0] for i in ids),
                                firms_covered=sum(f.get(i, (0, 0))[1] for i in ids)))
    else:
        regions = {r.pk: r for r in Region.objects.filter(pk__in=set(h) | set(f))}
        for pk, region in regions.items():
            out.append(Coverage(key=pk, name=region.display_name, code=region.code,
                                households=h.get(pk, (0, 0))[0], households_covered=h.get(pk, (0, 0))[1],
                                firms=f.get(pk, (0, 0))[0], firms_covered=f.get(pk, (0, 0))[1]))
    out.sort(key=lambda c: (c.covered * 10_000 // c.total if c.total else 10_001, c.code))
    return out


# ------------------------------------------------------------------------------ the map


MAP_LIMIT = 3000


def visits_geojson(user, area: Area | None, *, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    visits = (in_area(user, Visit.objects.filter(visited_at__gte=since, visited_at__lt=until,
                                                 latitude__isnull=False), area)
              .select_related("worker", "household", "firm").order_by("-visited_at")[: MAP_LIMIT + 1])
    rows = list(visits)
    features = []
    for v in rows[:MAP_LIMIT]:
        whom = v.household.code if v.household_id else (v.firm.name if v.firm_id else "")
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [v.longitude, v.latitude]},
                         "properties": {"kind": "visit", "id": v.pk, "worker": v.worker.name, "whom": whom,
                                        "at": timezone.localtime(v.visited_at).strftime("%Y-%m-%d %H:%M"),
                                        "in_grid": v.in_grid, "demand": bool(v.demand)}})
    patrols = in_area(user, Patrol.objects.filter(started_at__gte=since, started_at__lt=until), area)
    for p in patrols.select_related("team").order_by("-started_at")[:500]:
        if len(p.route) < 2:
            continue
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString", "coordinates": [[lng, lat] for lat, lng in p.route]},
                         "properties": {"kind": "patrol", "id": p.pk, "team": p.team.name,
                                        "at": timezone.localtime(p.started_at).strftime("%Y-%m-%d %H:%M"),
                                        "metres": p.distance_m}})
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if len(rows) > MAP_LIMIT:
        out["truncated"] = True
    return out


# ------------------------------------------------------------------------------ figures


@dataclass
class Span:
    start: dt.datetime
    end: dt.datetime


def publicity_totals(user, area: Area | None, span: Span | None = None) -> dict[str, int]:
    """Seed 000's publicity figures: firms visited, households visited, leaflets, online
    pushes, sessions (summed over the logs)."""
    qs = in_area(user, Publicity.objects.all(), area)
    if span is not None:
        qs = qs.filter(day__gte=timezone.localtime(span.start).date(), day__lt=timezone.localtime(span.end).date())
    sums = qs.aggregate(firms=Sum("firms_visited"), households=Sum("households_visited"), leaflets=Sum("leaflets"),
                        pushes=Sum("online_pushes"), sessions=Sum("sessions"), logs=Count("pk"))
    return {k: int(v or 0) for k, v in sums.items()}


def demands(user, area: Area | None, span: Span | None = None) -> dict[str, Any]:
    """民情诉求: the events the grid collected (source grid: visits' demands and field reports)
    and how many are solved (resolved or closed). Seed 000: 141 collected, 125 solved."""
    qs = in_area(user, Event.objects.filter(source=Source.GRID), area)
    if span is not None:
        qs = qs.filter(created_at__gte=span.start, created_at__lt=span.end)
    row = qs.aggregate(collected=Count("pk"),
                       solved=Count("pk", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])))
    return {"collected": row["collected"], "solved": row["solved"],
            "rate": format_rate(row["solved"], row["collected"], rounding=current_rounding())}


def hazards(user, area: Area | None, span: Span | None = None) -> dict[str, Any]:
    qs = in_area(user, Finding.objects.all(), area)
    if span is not None:
        qs = qs.filter(found_at__gte=span.start, found_at__lt=span.end)
    row = qs.aggregate(found=Count("pk"), closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)))
    return {"found": row["found"], "closed": row["closed"],
            "rate": format_rate(row["closed"], row["found"], rounding=current_rounding())}


def visit_coverage(user, area: Area | None, *, as_of: dt.datetime | None = None) -> dict[str, Any]:
    rows = coverage(user, by="town", area=area, as_of=as_of)
    total = sum(r.total for r in rows)
    covered = sum(r.covered for r in rows)
    return {"subjects": total, "covered": covered,
            "rate": format_rate(covered, total, rounding=current_rounding())}


def teams_totals(user, area: Area | None) -> dict[str, int]:
    teams = in_area(user, Team.objects.filter(active=True), area)
    row = teams.aggregate(teams=Count("pk", distinct=True),
                          members=Count("members", filter=Q(members__active=True)))
    return {"teams": row["teams"], "members": row["members"],
            "kinds": teams.values("kind").distinct().count()}


def registry_totals(user, area: Area | None) -> dict[str, int]:
    households = in_area(user, Household.objects.filter(active=True), area)
    care = households.aggregate(alone=Count("pk", filter=Q(elderly_alone=True)),
                                disabled=Count("pk", filter=Q(disabled=True)),
                                left_behind=Count("pk", filter=Q(left_behind_children=True)), n=Count("pk"))
    firms = in_area(user, Firm.objects.filter(active=True), area).aggregate(
        n=Count("pk"), migrants=Sum("migrant_workers"))
    return {"households": care["n"], "elderly_alone": care["alone"], "disabled": care["disabled"],
            "left_behind_children": care["left_behind"], "firms": firms["n"],
            "migrant_workers": int(firms["migrants"] or 0),
            "rented_rooms": in_area(user, RentedRoom.objects.filter(active=True), area).count()}


def worker_figures(person: Person, *, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """What a worker did in a span: visits, households visited, demands raised and solved, hazards
    found — the figures behind an election's nominee."""
    visits = Visit.objects.filter(worker=person, visited_at__gte=start, visited_at__lt=end)
    row = visits.aggregate(n=Count("pk"), households=Count("household", distinct=True),
                           demands=Count("event"),
                           solved=Count("event", filter=Q(event__status__in=[Status.RESOLVED, Status.CLOSED])),
                           days=Count("visited_on", distinct=True))
    found = Finding.objects.filter(check_record__worker=person, found_at__gte=start, found_at__lt=end).count()
    return {"visits": row["n"], "households": row["households"], "days_out": row["days"],
            "demands": row["demands"], "solved": row["solved"], "hazards": found}


def last_visits(user, area: Area | None) -> QuerySet[Visit]:
    return in_area(user, Visit.objects.all(), area).select_related("worker", "household", "firm", "region")


def latest_visit_of(household: Household) -> dt.datetime | None:
    return household.visits.aggregate(m=Max("visited_at"))["m"]


def area_figures(region: Region, *, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """What was done in a grid (or any region) in a span: visits, households visited, demands
    collected (events of source grid) and solved, hazards found and closed."""
    under = Q(**region.subtree_kwargs(self_field="region_id"))
    visits = Visit.objects.filter(under, visited_at__gte=start, visited_at__lt=end).aggregate(
        n=Count("pk"), households=Count("household", distinct=True))
    events = Event.objects.filter(under, source=Source.GRID, created_at__gte=start, created_at__lt=end).aggregate(
        n=Count("pk"), solved=Count("pk", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])))
    found = Finding.objects.filter(under, found_at__gte=start, found_at__lt=end).aggregate(
        n=Count("pk"), closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)))
    return {"grid_visits": visits["n"], "grid_households_visited": visits["households"],
            "grid_demands": events["n"], "grid_demands_solved": events["solved"],
            "grid_hazards": found["n"], "grid_hazards_closed": found["closed"]}
