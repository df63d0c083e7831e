"""代办 in the command centre: agencies, agents, coverage and the matters they took (seed 001:
372 agencies, coverage 100%, 792 agents, 968 matters).

Definitions (docs/measures.md, "Proxy service"):

- an **agency** counts when it is open (active), under the region (its own region in the
  subtree); **agents** are the open agencies' active appointments, full-time apart;
- **coverage** (覆盖率) = villages under the region with at least one open agency of their own
  (the agency's region is the village) ÷ all villages under the region that exist now;
- a **matter** (代办事项) is a citizen's matter an agent took and registered (`ProxyOrder`),
  counted on the local date it was taken, filed under the agency's region (the event's when the
  agent served none), by its event's state now: **resolved** when resolved or closed, **open**
  while registered, dispatched or in progress; **cumulative** = every matter taken up to the
  span's last day (seed 001's "累计代办968件").

Every rate through `figures.ratio` (the one rule). Scope: `queries.check_region` (404 outside).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.citizen.models import ProxyAgency, ProxyAgent, ProxyOrder
from fengqiao.command import queries as q
from fengqiao.command.figures import Delta, Ratio, delta, ranked, ratio, span_bounds
from fengqiao.events.models import OPEN_STATUSES, Status
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.models import LEVEL_ORDER, Level, Region

RESOLVED = (Status.RESOLVED, Status.CLOSED)
MAX_ROWS = 1000


@dataclass
class AgencyRow:
    agency_id: int
    name: str
    brand: str
    kind: str
    kind_label: str
    region: str
    region_code: str
    active: bool
    agents: int
    full_time: int
    matters: int
    resolved: int
    open: int
    resolution: Ratio
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "id": self.agency_id, "name": self.name, "brand": self.brand,
                "kind": self.kind, "region": self.region, "region_code": self.region_code, "active": self.active, "agents": self.agents,
                "full_time": self.full_time, "matters": self.matters, "resolved": self.resolved,
                "open": self.open, "resolution_rate": self.resolution.as_dict()}


@dataclass
class AgentRow:
    person_id: int
    name: str
    agency: str
    matters: int
    resolved: int
    open: int
    resolution: Ratio
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "person": self.person_id, "name": self.name, "agency": self.agency,
                "matters": self.matters, "resolved": self.resolved, "open": self.open,
                "resolution_rate": self.resolution.as_dict()}


@dataclass
class PlaceRow:
    region: Region | None  # None: the matters filed above the level (the county's own agencies)
    villages: int
    covered: int
    coverage: Ratio
    agencies: int
    agents: int
    matters: int
    resolved: int
    resolution: Ratio

    def as_dict(self) -> dict[str, Any]:
        r = self.region
        return {"region": None if r is None else {"code": r.code, "name": r.name, "level": r.level},
                "villages": self.villages, "covered": self.covered, "coverage": self.coverage.as_dict(),
                "agencies": self.agencies, "agents": self.agents, "matters": self.matters,
                "resolved": self.resolved, "resolution_rate": self.resolution.as_dict()}


@dataclass
class ProxyFigures:
    region: Region
    span: q.Span
    previous: q.Span
    agencies: int
    by_kind: list[tuple[str, str, int]]  # kind, label, open agencies
    agents: int
    full_time: int
    villages: int
    covered: int
    coverage: Ratio
    matters: int
    resolved: int
    open: int
    resolution: Ratio
    cumulative: int
    period_on_period: Delta  # matters against the previous span (环比)
    year_on_year: Delta  # matters against the same days a year earlier (同比)
    level: str | None
    places: list[PlaceRow] = field(default_factory=list)
    agency_rows: list[AgencyRow] = field(default_factory=list)
    agent_rows: list[AgentRow] = field(default_factory=list)
    agencies_ranked: int = 0  # how many agency rows there were before the limit
    agents_ranked: int = 0
    without_agency: int = 0  # matters of the span taken by agents who served no agency

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": {"code": self.region.code, "name": self.region.name, "level": self.region.level},
            **self.span.as_dict(),
            "previous": self.previous.as_dict(),
            "agencies": self.agencies, "by_kind": [{"kind": k, "label": lbl, "agencies": n} for k, lbl, n in self.by_kind],
            "agents": self.agents, "full_time": self.full_time, "part_time": self.agents - self.full_time,
            "villages": self.villages, "covered_villages": self.covered, "coverage": self.coverage.as_dict(),
            "matters": self.matters, "resolved": self.resolved, "open": self.open,
            "resolution_rate": self.resolution.as_dict(), "cumulative": self.cumulative,
            "without_agency": self.without_agency,
            "period_on_period": self.period_on_period.as_dict(), "year_on_year": self.year_on_year.as_dict(),
            "level": self.level, "places": [p.as_dict() for p in self.places],
            "agency_ranking": [a.as_dict() for a in self.agency_rows], "agencies_ranked": self.agencies_ranked,
            "agent_ranking": [a.as_dict() for a in self.agent_rows], "agents_ranked": self.agents_ranked,
        }


def _orders(region: Region) -> QuerySet:
    return ProxyOrder.objects.filter(**region.subtree_kwargs(self_field="region_id"))


def _in_span(qs: QuerySet, span: q.Span) -> QuerySet:
    start, end = span_bounds(span)
    return qs.filter(taken_at__gte=start, taken_at__lt=end)


_TALLY = {
    "matters": Count("pk"),
    "resolved": Count("pk", filter=Q(event__status__in=RESOLVED)),
    "open": Count("pk", filter=Q(event__status__in=OPEN_STATUSES)),
}


def _child_level(region: Region) -> str | None:
    for level in (Level.TOWN, Level.VILLAGE):
        if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(region.level):
            return level
    return None


@dataclass
class ProxySummary:
    """The dashboard's line on the proxy service: agencies, coverage, agents, matters of the span."""

    agencies: int
    agents: int
    full_time: int
    villages: int
    covered: int
    coverage: Ratio
    matters: int
    cumulative: int


def proxy_summary(*, user, region, start: dt.date, end: dt.date) -> ProxySummary:
    """The proxy panel's headline figures only (a handful of counts), for the dashboard."""
    r = q.check_region(user, region)
    span = q.Span(start, end)
    agencies = ProxyAgency.objects.filter(active=True, **r.subtree_kwargs(self_field="region_id"))
    agents = ProxyAgent.objects.filter(active=True, agency__in=agencies)
    villages = Region.objects.filter(level=Level.VILLAGE, retired_at=None, **r.subtree_kwargs()).count()
    covered = (agencies.filter(region__level=Level.VILLAGE, region__retired_at=None)
               .values("region_id").distinct().count())
    orders = _orders(r)
    _lo, hi = span_bounds(span)
    return ProxySummary(agencies=agencies.count(), agents=agents.count(), full_time=agents.filter(full_time=True).count(),
                        villages=villages, covered=covered, coverage=ratio(covered, villages, 1),
                        matters=_in_span(orders, span).count(), cumulative=orders.filter(taken_at__lt=hi).count())


def proxy_figures(*, user, region, start: dt.date, end: dt.date, previous: q.Span | None = None,
                  limit: int = 50) -> ProxyFigures:
    """The proxy panel of `region` for the matters taken from `start` to `end`; `previous` is
    the span to compare with (default: as many days just before)."""
    if not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(_("The limit must be between 1 and 1000."), field="limit")
    r = q.check_region(user, region)
    span = q.Span(start, end)
    before = previous or span.previous()
    year = span.year_earlier()

    agencies = ProxyAgency.objects.filter(active=True, **r.subtree_kwargs(self_field="region_id"))
    kinds = Counter(agencies.values_list("kind", flat=True))
    agents = ProxyAgent.objects.filter(active=True, agency__in=agencies)
    n_agents = agents.count()
    full_time = agents.filter(full_time=True).count()
    villages = Region.objects.filter(level=Level.VILLAGE, retired_at=None, **r.subtree_kwargs())
    n_villages = villages.count()
    covered = (agencies.filter(region__level=Level.VILLAGE, region__retired_at=None)
               .values("region_id").distinct().count())

    orders = _orders(r)
    tally = _in_span(orders, span).aggregate(**_TALLY)
    _start_at, end_at = span_bounds(span)
    cumulative = orders.filter(taken_at__lt=end_at).count()
    n_before = _in_span(orders, before).count()
    n_year = _in_span(orders, year).count()
    rule = q.current_settings().rounding

    level = _child_level(r)
    figures = ProxyFigures(
        region=r, span=span, previous=before,
        agencies=sum(kinds.values()),
        by_kind=[(k, str(label), kinds.get(k, 0)) for k, label in ProxyAgency.Kind.choices],
        agents=n_agents, full_time=full_time, villages=n_villages, covered=covered,
        coverage=ratio(covered, n_villages, 1, rule),
        matters=tally["matters"], resolved=tally["resolved"], open=tally["open"],
        resolution=ratio(tally["resolved"], tally["matters"], 1, rule), cumulative=cumulative,
        period_on_period=delta(tally["matters"], n_before, 1, rule),
        year_on_year=delta(tally["matters"], n_year, 1, rule),
        level=level,
        without_agency=_in_span(orders, span).filter(agency=None).count(),
    )
    if level is not None:
        figures.places = _places(r, level, span, rule)
    figures.agency_rows, figures.agencies_ranked = _agency_rows(r, span, rule, limit)
    figures.agent_rows, figures.agents_ranked = _agent_rows(r, span, rule, limit)
    return figures


def _places(r: Region, level: str, span: q.Span, rule: str) -> list[PlaceRow]:
    column = f"{level}_id"
    children = list(Region.objects.filter(level=level, retired_at=None, **r.subtree_kwargs()).order_by("code"))
    villages = Counter(Region.objects.filter(level=Level.VILLAGE, retired_at=None, **r.subtree_kwargs())
                       .values_list(column, flat=True))
    agencies = ProxyAgency.objects.filter(active=True, **r.subtree_kwargs(self_field="region_id"))
    covered = Counter(row[0] for row in agencies.filter(region__level=Level.VILLAGE, region__retired_at=None)
                      .values_list(column, "region_id").distinct())
    n_agencies = Counter(agencies.values_list(column, flat=True))
    n_agents = Counter(ProxyAgent.objects.filter(active=True, agency__in=agencies)
                       .values_list(f"agency__{column}", flat=True))
    tallies = {row.pop(column): row for row in _in_span(_orders(r), span).order_by().values(column).annotate(**_TALLY)}
    rows = []
    for child in children:
        t = tallies.get(child.id, {"matters": 0, "resolved": 0})
        rows.append(PlaceRow(child, villages.get(child.id, 0), covered.get(child.id, 0),
                             ratio(covered.get(child.id, 0), villages.get(child.id, 0), 1, rule),
                             n_agencies.get(child.id, 0), n_agents.get(child.id, 0), t["matters"], t["resolved"],
                             ratio(t["resolved"], t["matters"], 1, rule)))
    above = tallies.get(None)
    if above or n_agencies.get(None):
        t = above or {"matters": 0, "resolved": 0}
        rows.append(PlaceRow(None, 0, 0, ratio(0, 0, 1, rule), n_agencies.get(None, 0), n_agents.get(None, 0),
                             t["matters"], t["resolved"], ratio(t["resolved"], t["matters"], 1, rule)))
    return rows


def _agency_rows(r: Region, span: q.Span, rule: str, limit: int) -> tuple[list[AgencyRow], int]:
    """Every agency under the region that is open or took a matter in the span, by matters; those
    that took none last, unranked, in place order."""
    tallies = {row.pop("agency_id"): row for row in _in_span(_orders(r), span).exclude(agency=None)
               .order_by().values("agency_id").annotate(**_TALLY)}
    agencies = (ProxyAgency.objects.filter(**r.subtree_kwargs(self_field="region_id"))
                .filter(Q(active=True) | Q(pk__in=list(tallies)))
                .select_related("region")
                .annotate(n_agents=Count("agents", filter=Q(agents__active=True)),
                          n_full=Count("agents", filter=Q(agents__active=True, agents__full_time=True))))
    rows = []
    for a in agencies:
        t = tallies.get(a.pk, {"matters": 0, "resolved": 0, "open": 0})
        rows.append(AgencyRow(a.pk, a.name, a.brand, a.kind, str(ProxyAgency.Kind(a.kind).label),
                              a.region.name, a.region.code, a.active, a.n_agents, a.n_full, t["matters"], t["resolved"],
                              t["open"], ratio(t["resolved"], t["matters"], 1, rule)))
    # Agencies that took nothing in the span come last, unranked (a tie of hundreds at 0 says nothing).
    order = ranked(rows, lambda x: x.matters or None, tie=lambda x: (x.region_code, x.name, x.agency_id))
    for rank, row in order:
        row.rank = rank
    return [row for _rank, row in order][:limit], len(rows)


def _agent_rows(r: Region, span: q.Span, rule: str, limit: int) -> tuple[list[AgentRow], int]:
    """Every agent who took a matter in the span (for an agency under the region), by matters."""
    grouped = (_in_span(_orders(r), span).order_by()
               .values("agent_id", "agent__name", "agency__name", "agency__brand").annotate(**_TALLY))
    rows = [AgentRow(g["agent_id"], g["agent__name"],
                     (g["agency__brand"] or g["agency__name"] or ""), g["matters"], g["resolved"], g["open"],
                     ratio(g["resolved"], g["matters"], 1, rule)) for g in grouped]
    order = ranked(rows, lambda x: x.matters, tie=lambda x: (x.name, x.person_id, x.agency))
    for rank, row in order:
        row.rank = rank
    return [row for _rank, row in order][:limit], len(rows)
