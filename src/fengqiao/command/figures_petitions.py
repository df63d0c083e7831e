"""信访 in the command centre: first-time petitions against the same days a year earlier (seed
004: 同比下降52%), first-time petitions settled inside the village within a week (初信初访一周内
不出村解决), backlog cases settled (seed 004: 210, 13 over twenty years old), and the 清零
campaign column — backlog cases by 四个一批 and how far each batch has come toward zero.

The counts are `fengqiao.petitions.queries` (they define what is counted); every rate and change
is made here by the one rule. Definitions: docs/measures.md, "Petitions". Scope:
`queries.check_region` (404 outside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.command import queries as q
from fengqiao.command.figures import Delta, Ratio, delta, ranked, ratio
from fengqiao.petitions import queries as pq
from fengqiao.petitions.models import BATCH_CHINESE, Batch
from fengqiao.regions.models import LEVEL_ORDER, Level, Region

HEADLINE_DIGITS = 0  # seed 004 prints the change of first-time petitions as a whole percent


@dataclass
class BatchRow:
    """One line of the 清零 column: a batch (or a town, a leader, an age) with its backlog."""

    key: str
    label: str
    open: int
    settled: int
    progress: Ratio  # settled ÷ (open + settled): how far toward zero

    @property
    def total(self) -> int:
        return self.open + self.settled

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "open": self.open, "settled": self.settled,
                "total": self.total, "progress": self.progress.as_dict()}


@dataclass
class PlacePetitions:
    region: Region
    first_time: int
    first_time_year_earlier: int
    change: Delta
    village_week: int
    village_week_settled: int
    village_week_rate: Ratio
    backlog_open: int
    backlog_settled: int
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        r = self.region
        return {"rank": self.rank, "region": {"code": r.code, "name": r.name, "level": r.level},
                "first_time": self.first_time, "first_time_year_earlier": self.first_time_year_earlier,
                "change": self.change.as_dict(), "village_week": self.village_week,
                "village_week_settled": self.village_week_settled,
                "village_week_rate": self.village_week_rate.as_dict(),
                "backlog_open": self.backlog_open, "backlog_settled": self.backlog_settled}


@dataclass
class PetitionFigures:
    region: Region
    span: q.Span
    previous: q.Span
    first_time: int
    first_time_year_earlier: int
    first_time_previous: int
    year_on_year: Delta  # 同比 at HEADLINE_DIGITS
    year_on_year_exact: Delta  # one decimal
    period_on_period: Delta
    village_week: int
    village_week_settled: int
    village_week_rate: Ratio
    backlog_settled: int
    backlog_settled_over_twenty: int
    backlog_settled_by_age: dict[str, int]
    backlog_open: int
    campaign: list[BatchRow]  # 清零: by 四个一批
    campaign_total: BatchRow
    by_age: list[BatchRow]
    by_leader: list[BatchRow]
    by_town: list[BatchRow]
    level: str | None
    places: list[PlacePetitions] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """"同比下降52%" — the change of first-time petitions, as seed 004 prints it."""
        return self.year_on_year.display

    def campaign_chart(self) -> dict[str, Any]:
        return {"categories": [b.label for b in self.campaign], "stacked": True, "series": [
            {"label": pgettext("command centre", "Settled"), "values": [b.settled for b in self.campaign], "colour": "#1e6b3a"},
            {"label": str(_("Not yet settled")), "values": [b.open for b in self.campaign], "colour": "#b3261e"},
        ]}

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": {"code": self.region.code, "name": self.region.name, "level": self.region.level},
            **self.span.as_dict(), "previous": self.previous.as_dict(),
            "first_time": {"current": self.first_time, "year_earlier": self.first_time_year_earlier,
                           "previous": self.first_time_previous, "year_on_year": self.year_on_year.as_dict(),
                           "year_on_year_exact": self.year_on_year_exact.as_dict(),
                           "period_on_period": self.period_on_period.as_dict()},
            "village_week": {"first_time": self.village_week, "settled": self.village_week_settled,
                             "rate": self.village_week_rate.as_dict()},
            "backlog": {"settled": self.backlog_settled, "over_twenty": self.backlog_settled_over_twenty,
                        "by_age": self.backlog_settled_by_age, "open": self.backlog_open},
            "campaign": {"batches": [b.as_dict() for b in self.campaign], "total": self.campaign_total.as_dict(),
                         "by_age": [b.as_dict() for b in self.by_age],
                         "by_leader": [b.as_dict() for b in self.by_leader],
                         "by_town": [b.as_dict() for b in self.by_town]},
            "level": self.level, "places": [p.as_dict() for p in self.places],
        }


def _rows(counts: list[pq.CountRow], rule: str, labels: dict[str, str] | None = None) -> list[BatchRow]:
    """`labels`: the names of the fixed keys (a batch, an age), also when no case has them yet."""
    return [BatchRow(c.key, (labels or {}).get(c.key, c.label), c.open, c.settled,
                     ratio(c.settled, c.open + c.settled, 1, rule)) for c in counts]


def _batch_labels() -> dict[str, str]:
    return {b.value: BATCH_CHINESE[b] for b in Batch}


def _age_labels() -> dict[str, str]:
    return {key: str(label) for key, label, *_rest in pq.AGE_BUCKETS}


def _child_level(region: Region) -> str | None:
    for level in (Level.TOWN, Level.VILLAGE):
        if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(region.level):
            return level
    return None


def petition_figures(*, user, region, start: dt.date, end: dt.date, previous: q.Span | None = None,
                     by_place: bool = True) -> PetitionFigures:
    """The petition panel of `region` for petitions registered from `start` to `end`."""
    r = q.check_region(user, region)
    span = q.Span(start, end)
    before = previous or span.previous()
    rule = q.current_settings().rounding
    first = pq.first_time_petitions(region=r, start=span.start, end=span.end)
    first_before = pq.first_time_petitions(region=r, start=before.start, end=before.end)
    week = pq.settled_in_village_week(region=r, start=span.start, end=span.end)
    settled = pq.backlog_settled(region=r, start=span.start, end=span.end)
    batches = _rows(pq.backlog_counts(region=r, by="batch"), rule, _batch_labels())
    total_open = sum(b.open for b in batches)
    total_settled = sum(b.settled for b in batches)
    level = _child_level(r)
    figures = PetitionFigures(
        region=r, span=span, previous=before,
        first_time=first.current, first_time_year_earlier=first.baseline, first_time_previous=first_before.current,
        year_on_year=delta(first.current, first.baseline, HEADLINE_DIGITS, rule),
        year_on_year_exact=delta(first.current, first.baseline, 1, rule),
        period_on_period=delta(first.current, first_before.current, 1, rule),
        village_week=week.first_time, village_week_settled=week.settled,
        village_week_rate=ratio(week.settled, week.first_time, 1, rule),
        backlog_settled=settled.settled, backlog_settled_over_twenty=settled.over_twenty,
        backlog_settled_by_age=dict(settled.by_age), backlog_open=settled.open,
        campaign=batches,
        campaign_total=BatchRow("total", pgettext("command centre", "Total"), total_open, total_settled,
                                ratio(total_settled, total_open + total_settled, 1, rule)),
        by_age=_rows(pq.backlog_counts(region=r, by="age"), rule, _age_labels()),
        by_leader=_rows(pq.backlog_counts(region=r, by="leader"), rule),
        by_town=_rows(pq.backlog_counts(region=r, by="town"), rule),
        level=level,
    )
    if by_place and level is not None:
        figures.places = _places(r, level, span, rule)
    return figures


def _places(r: Region, level: str, span: q.Span, rule: str) -> list[PlacePetitions]:
    rows = []
    for child in Region.objects.filter(level=level, retired_at=None, **r.subtree_kwargs()).order_by("code"):
        first = pq.first_time_petitions(region=child, start=span.start, end=span.end)
        week = pq.settled_in_village_week(region=child, start=span.start, end=span.end)
        backlog = pq.backlog_counts(region=child, by="batch")
        rows.append(PlacePetitions(
            child, first.current, first.baseline, delta(first.current, first.baseline, 1, rule),
            week.first_time, week.settled, ratio(week.settled, week.first_time, 1, rule),
            sum(b.open for b in backlog), sum(b.settled for b in backlog)))
    # Ranked by the week's rate (highest first); places without first-time petitions last.
    order = ranked(rows, lambda p: p.village_week_rate.value, tie=lambda p: p.region.code)
    for rank, row in order:
        row.rank = rank
    return [row for _rank, row in order]
