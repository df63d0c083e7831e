"""三源 (警源、诉源、访源) in the command centre: the disputes by the source they came from,
counted and compared across the events, the mediation cases and the petitions.

Definitions (docs/measures.md, "The three sources"):

- **disputes** of a source: events registered in the span under the region tagged with it
  (`Event.dispute_source`), merged and refused left out — `petitions.queries.three_sources`;
- **of which mediated**: mediation cases opened in the span (`Case.applied_at`) on an event of
  that source, refused applications left out;
- **petitions** (访源 only): petitions registered in the span; the 访源 total counts a matter once
  (the tagged events plus the petitions not linked to a 访源 event — `ThreeSources.petition_total`);
- the **share** of a source: its disputes ÷ the three sources' disputes (访源 by its total), by the
  one rule; the **change** against the previous span (环比) and the same days a year earlier (同比).

Scope: `queries.check_region` (404 outside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from fengqiao.command import queries as q
from fengqiao.command.figures import Delta, Ratio, delta, ratio, span_bounds
from fengqiao.events.models import DisputeSource
from fengqiao.mediation.models import Case
from fengqiao.mediation.models import Status as CaseStatus
from fengqiao.petitions.queries import three_sources
from fengqiao.regions.models import LEVEL_ORDER, Level, Region

SOURCES = (DisputeSource.POLICE, DisputeSource.LITIGATION, DisputeSource.PETITION)
SOURCE_COLOURS = {DisputeSource.POLICE: "#1f4e8c", DisputeSource.LITIGATION: "#8a5a00",
                  DisputeSource.PETITION: "#1e6b3a"}
SOURCE_SHORT = {DisputeSource.POLICE: _("Police"), DisputeSource.LITIGATION: _("Litigation"),
                DisputeSource.PETITION: _("Petition")}


@dataclass
class SourceCounts:
    """One span's counts for the three sources."""

    events: dict[str, int]  # source → tagged events (disputes)
    cases: dict[str, int]  # source → mediation cases on those events
    petitions: int  # petitions registered
    petition_total: int  # 访源 counted once

    def disputes(self, source: str) -> int:
        return self.petition_total if source == DisputeSource.PETITION else self.events[source]

    @property
    def total(self) -> int:
        return sum(self.disputes(s) for s in SOURCES)

    def as_dict(self) -> dict[str, Any]:
        return {"events": dict(self.events), "cases": dict(self.cases), "petitions": self.petitions,
                "petition_total": self.petition_total,
                "disputes": {s.value: self.disputes(s) for s in SOURCES}, "total": self.total}


@dataclass
class SourceRow:
    source: str
    label: str
    current: int
    previous: int
    year_earlier: int
    events: int
    cases: int
    petitions: int | None
    share: Ratio
    mediated: Ratio  # cases ÷ tagged events
    period_on_period: Delta
    year_on_year: Delta

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "label": self.label, "disputes": self.current,
                "previous": self.previous, "year_earlier": self.year_earlier, "events": self.events,
                "cases": self.cases, "petitions": self.petitions, "share": self.share.as_dict(),
                "mediated": self.mediated.as_dict(), "period_on_period": self.period_on_period.as_dict(),
                "year_on_year": self.year_on_year.as_dict()}


@dataclass
class PlaceSources:
    region: Region
    counts: SourceCounts

    def as_dict(self) -> dict[str, Any]:
        r = self.region
        return {"region": {"code": r.code, "name": r.name, "level": r.level}, **self.counts.as_dict()}


@dataclass
class SourcesFigures:
    region: Region
    span: q.Span
    previous: q.Span
    year_earlier: q.Span
    current: SourceCounts
    before: SourceCounts
    year: SourceCounts
    rows: list[SourceRow]
    total: Delta
    year_total: Delta
    level: str | None
    places: list[PlaceSources] = field(default_factory=list)

    def chart(self) -> dict[str, Any]:
        """Grouped bars: each source's disputes in the previous span, a year earlier and now."""
        return {"categories": [r.label for r in self.rows], "series": [
            {"label": str(_("A year earlier")), "values": [r.year_earlier for r in self.rows], "colour": "#9aa3ad"},
            {"label": str(_("Previous period")), "values": [r.previous for r in self.rows], "colour": "#7fa7d9"},
            {"label": str(_("This period")), "values": [r.current for r in self.rows], "colour": "#1f4e8c"},
        ]}

    def place_chart(self) -> dict[str, Any]:
        """Stacked bars: each place's disputes by source, this span."""
        return {"categories": [p.region.display_name for p in self.places], "stacked": True, "series": [
            {"label": str(SOURCE_SHORT[s]), "values": [p.counts.disputes(s) for p in self.places],
             "colour": SOURCE_COLOURS[s]} for s in SOURCES]}

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": {"code": self.region.code, "name": self.region.name, "level": self.region.level},
            **self.span.as_dict(), "previous": self.previous.as_dict(), "year_earlier": self.year_earlier.as_dict(),
            "current_counts": self.current.as_dict(), "previous_counts": self.before.as_dict(),
            "year_earlier_counts": self.year.as_dict(),
            "sources": [r.as_dict() for r in self.rows],
            "total": self.total.as_dict(), "year_total": self.year_total.as_dict(),
            "level": self.level, "places": [p.as_dict() for p in self.places],
        }


def source_counts(region: Region, span: q.Span) -> SourceCounts:
    """The three sources' counts of one span under `region` (no scope check: callers check)."""
    t = three_sources(region=region, start=span.start, end=span.end)
    lo, hi = span_bounds(span)
    cases = dict.fromkeys((s.value for s in SOURCES), 0)
    for row in (Case.objects.filter(applied_at__gte=lo, applied_at__lt=hi,
                                    event__dispute_source__in=[s.value for s in SOURCES],
                                    **region.subtree_kwargs(self_field="region_id"))
                .exclude(status=CaseStatus.REFUSED).order_by()
                .values("event__dispute_source").annotate(n=Count("pk"))):
        cases[row["event__dispute_source"]] = row["n"]
    return SourceCounts(
        events={DisputeSource.POLICE.value: t.police, DisputeSource.LITIGATION.value: t.litigation,
                DisputeSource.PETITION.value: t.petition_events},
        cases=cases, petitions=t.petitions, petition_total=t.petition_total)


def _child_level(region: Region) -> str | None:
    for level in (Level.TOWN, Level.VILLAGE):
        if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(region.level):
            return level
    return None


def sources_figures(*, user, region, start: dt.date, end: dt.date, previous: q.Span | None = None,
                    by_place: bool = True) -> SourcesFigures:
    """The three sources under `region` from `start` to `end`, against `previous` (default: as
    many days just before) and the same days a year earlier; with each town (or village) below."""
    r = q.check_region(user, region)
    span = q.Span(start, end)
    before = previous or span.previous()
    year = span.year_earlier()
    rule = q.current_settings().rounding
    now, was, last_year = source_counts(r, span), source_counts(r, before), source_counts(r, year)
    rows = []
    for s in SOURCES:
        cur = now.disputes(s)
        rows.append(SourceRow(
            source=s.value, label=str(DisputeSource(s).label), current=cur, previous=was.disputes(s),
            year_earlier=last_year.disputes(s), events=now.events[s], cases=now.cases[s],
            petitions=now.petitions if s == DisputeSource.PETITION else None,
            share=ratio(cur, now.total, 1, rule), mediated=ratio(now.cases[s], now.events[s], 1, rule),
            period_on_period=delta(cur, was.disputes(s), 1, rule),
            year_on_year=delta(cur, last_year.disputes(s), 1, rule)))
    level = _child_level(r)
    figures = SourcesFigures(r, span, before, year, now, was, last_year, rows,
                             delta(now.total, was.total, 1, rule), delta(now.total, last_year.total, 1, rule),
                             level)
    if by_place and level is not None:
        children = Region.objects.filter(level=level, retired_at=None, **r.subtree_kwargs()).order_by("code")
        figures.places = [PlaceSources(c, source_counts(c, span)) for c in children]
    return figures
