"""调解 in the command centre: per mediator, room, kind, committee and department — cases, success
rate, average days and performance rate — compared across two spans, ranked, exported (seeds:
37,242 → 37,050 settled shows 99% (99.48%); 23,022 → 11,854 shows 51.48%; 102 → 102 100%;
李中秋's 和合说事工作室 300 cases, performance 100%).

The counts are `fengqiao.mediation.queries.figures` (it defines what a case, a settlement, an
ended case and a performed term are); the rates are made here by the one rule:

- **success rate** (调解成功率) = settled (a written or oral agreement) ÷ cases received (refused
  applications left out), shown to two decimals, the headline also as a whole percent;
- **average days** = days from acceptance to the outcome, summed over the ended cases ÷ the ended
  cases, one decimal, by the same rule;
- **performance rate** (履行率) = terms performed ÷ terms due (`terms_due`: fallen due, or already
  decided), one decimal.

A case counts once in each row it belongs to (two mediators: once for each), so the rows of the
mediator and department tables need not add up to the total; the total is the kind table's sum
(every case has one kind). Scope: `queries.check_region` (404 outside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.command import queries as q
from fengqiao.command.figures import Delta, Ratio, delta, ranked, ratio, span_bounds
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.rates import quantize
from fengqiao.mediation import queries as mq
from fengqiao.mediation.models import Case
from fengqiao.regions.models import Region

SUCCESS_DIGITS = 2  # seed 002 prints 51.48%, seed 001 99.48%
OTHER_DIGITS = 1
DIMENSIONS = {
    "mediator": _("Mediator"),
    "room": _("Mediation room"),
    "kind": _("Kind of mediation"),
    "committee": _("Mediation committee"),
    "department": _("Department seated"),
}
RANK_BY = ("success_rate", "cases", "performance_rate", "average_days")


@dataclass
class MediationRow:
    key: str
    name: str
    cases: int
    settled: int
    ended: int
    success: Ratio
    average_days: Decimal | None
    terms_due: int
    terms_performed: int
    performance: Ratio
    rank: int | None = None

    @property
    def average_display(self) -> str:
        return "—" if self.average_days is None else str(self.average_days)

    def value(self, measure: str) -> Decimal | int | None:
        if measure == "cases":
            return self.cases
        if measure == "success_rate":
            return self.success.value
        if measure == "performance_rate":
            return self.performance.value
        return self.average_days

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "key": self.key, "name": self.name, "cases": self.cases,
                "settled": self.settled, "ended": self.ended, "success_rate": self.success.as_dict(),
                "average_days": None if self.average_days is None else str(self.average_days),
                "terms_due": self.terms_due, "terms_performed": self.terms_performed,
                "performance_rate": self.performance.as_dict()}


@dataclass
class MediationFigures:
    region: Region
    span: q.Span
    previous: q.Span
    total: MediationRow
    success_whole: Ratio  # the headline as a whole percent ("99%")
    before: MediationRow
    year: MediationRow
    cases_change: Delta
    cases_year_change: Delta
    success_points: Decimal | None  # shown current − shown previous, in points
    tables: dict[str, list[MediationRow]] = field(default_factory=dict)
    measure: str = "success_rate"

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": {"code": self.region.code, "name": self.region.name, "level": self.region.level},
            **self.span.as_dict(), "previous": self.previous.as_dict(),
            "total": self.total.as_dict(), "success_whole": self.success_whole.as_dict(),
            "previous_total": self.before.as_dict(), "year_earlier_total": self.year.as_dict(),
            "cases_change": self.cases_change.as_dict(), "cases_year_change": self.cases_year_change.as_dict(),
            "success_points": None if self.success_points is None else str(self.success_points),
            "measure": self.measure,
            "tables": {k: [r.as_dict() for r in rows] for k, rows in self.tables.items()},
        }


def row_of(f: Any, rule: str) -> MediationRow:
    """One row as shown, from the counts of a `mediation.queries.FigureRow` (or the total)."""
    average = None
    if f.ended:
        average = quantize(Decimal(repr(float(f.total_days))) / f.ended, OTHER_DIGITS, rule)
    return MediationRow(
        key=str(f.key), name=str(f.name), cases=f.cases, settled=f.settled, ended=f.ended,
        success=ratio(f.settled, f.cases, SUCCESS_DIGITS, rule), average_days=average,
        terms_due=f.terms_due, terms_performed=f.terms_performed,
        performance=ratio(f.terms_performed, f.terms_due, OTHER_DIGITS, rule))


@dataclass
class _Sum:
    """The region's total, summed from the kind table (each case has exactly one kind)."""

    key: str = "total"
    name: str = ""
    cases: int = 0
    settled: int = 0
    ended: int = 0
    total_days: float = 0.0
    terms_due: int = 0
    terms_performed: int = 0


def _total(rows: list[Any], name: str) -> _Sum:
    s = _Sum(name=name)
    for r in rows:
        s.cases += r.cases
        s.settled += r.settled
        s.ended += r.ended
        s.total_days += r.total_days
        s.terms_due += r.terms_due
        s.terms_performed += r.terms_performed
    return s


def counted_cases(region: Region):
    return Case.objects.filter(**region.subtree_kwargs(self_field="region_id"))


def _figure_rows(region: Region, span: q.Span, by: str) -> list[Any]:
    lo, hi = span_bounds(span)
    return mq.figures(by=by, cases=counted_cases(region), start=lo, end=hi, as_of=span.end)


def mediation_figures(*, user, region, start: dt.date, end: dt.date, previous: q.Span | None = None,
                      measure: str = "success_rate", dimensions: tuple[str, ...] = tuple(DIMENSIONS)) -> MediationFigures:
    """Mediation under `region` for the cases received from `start` to `end`, against `previous`
    (default: as many days just before) and a year earlier; each dimension's table ranked by
    `measure` (success_rate, cases, performance_rate or average_days — fewest days first)."""
    if measure not in RANK_BY:
        raise InvalidInput(str(_("Rank by success rate, cases, performance rate or average days.")),
                           field="measure")
    for d in dimensions:
        if d not in DIMENSIONS:
            raise InvalidInput(str(_("Unknown table “%(d)s”.")) % {"d": d}, field="by")
    r = q.check_region(user, region)
    span = q.Span(start, end)
    before = previous or span.previous()
    year = span.year_earlier()
    rule = q.current_settings().rounding
    label = str(pgettext_lazy("command centre", "Total"))
    now = row_of(_total(_figure_rows(r, span, "kind"), label), rule)
    was = row_of(_total(_figure_rows(r, before, "kind"), label), rule)
    last_year = row_of(_total(_figure_rows(r, year, "kind"), label), rule)
    points = None
    if now.success.value is not None and was.success.value is not None:
        points = now.success.value - was.success.value
    figures = MediationFigures(
        region=r, span=span, previous=before, total=now,
        success_whole=ratio(now.settled, now.cases, 0, rule), before=was, year=last_year,
        cases_change=delta(now.cases, was.cases, 1, rule), cases_year_change=delta(now.cases, last_year.cases, 1, rule),
        success_points=points, measure=measure)
    for d in dimensions:
        rows = [row_of(f, rule) for f in _figure_rows(r, span, d)]
        order = ranked(rows, lambda x: x.value(measure), higher_is_better=measure != "average_days",
                       tie=lambda x: (-x.cases, x.name, x.key))
        for rank, row in order:
            row.rank = rank
        figures.tables[d] = [row for _rank, row in order]
    return figures
