"""The command centre's numbers as .xlsx (openpyxl): the same objects the JSON API and the pages
show, written cell by cell — counts as integers, rates as numbers of percent with as many decimals
as shown, so a spreadsheet sum or a pivot works on them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.command.figures import Ratio
from fengqiao.command.figures_mediation import DIMENSIONS, MediationFigures, MediationRow
from fengqiao.command.figures_petitions import BatchRow, PetitionFigures
from fengqiao.command.figures_proxy import ProxyFigures
from fengqiao.command.figures_sources import SourcesFigures
from fengqiao.command.measures import COUNT_NAMES, RATES, Measures, measure_label
from fengqiao.command.queries import Comparison, Frame, OverdueItem, RankedRow, Row
from fengqiao.lib import xlsx

HEADER_FILL, HEADER_FONT = xlsx.HEADER_FILL, xlsx.HEADER_FONT
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header(ws: Worksheet, titles: Iterable[str]) -> None:
    xlsx.append(ws, [str(t) for t in titles])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _format_row(ws: Worksheet, first_rate_col: int, count: int, digits: int) -> None:
    fmt = "0" if digits == 0 else "0." + "0" * digits
    for cell in ws[ws.max_row][first_rate_col:first_rate_col + count]:
        cell.number_format = fmt


def measure_columns() -> list[str]:
    return [*(measure_label(n) for n in COUNT_NAMES), *(f"{measure_label(n)} (%)" for n in RATES),
            measure_label("score")]


def measure_cells(m: Measures) -> list[Any]:
    rates = [m.rate(n).value for n in RATES]
    score = m.score()
    return [*(m.count(n) for n in COUNT_NAMES), *(None if r is None else float(r) for r in rates),
            None if score is None else float(score)]


def _frame_sheet(wb: Workbook, frame: Frame) -> None:
    ws = wb.active
    ws.title = _("Query")
    rows = [
        (_("Region"), f"{frame.region.name} ({frame.region.code})"),
        (pgettext("span", "From"), frame.span.start.isoformat()),
        (pgettext("span", "To"), frame.span.end.isoformat()),
        (_("Category"), frame.filters.category.name if frame.filters.category else ""),
        (_("Source"), frame.filters.source or ""),
        (_("Campaign"), frame.campaign.name if frame.campaign else ""),
    ]
    for k, v in rows:
        xlsx.append(ws, [str(k), v])


def _response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def measures_xlsx(frame: Frame, m: Measures, filename: str = "measures.xlsx") -> HttpResponse:
    wb = Workbook()
    _frame_sheet(wb, frame)
    ws = wb.create_sheet(_("Measures"))
    _header(ws, [_("Measure"), _("Value")])
    for name in COUNT_NAMES:
        xlsx.append(ws, [measure_label(name), m.count(name)])
    for name in RATES:
        r = m.rate(name)
        xlsx.append(ws, [f"{measure_label(name)} (%)", None if r.value is None else float(r.value)])
        ws.cell(ws.max_row, 2).number_format = "0." + "0" * m.digits
    score = m.score()
    xlsx.append(ws, [measure_label("score"), None if score is None else float(score)])
    return _response(wb, filename)


def rows_xlsx(frame: Frame, rows: Sequence[Row], filename: str = "spread.xlsx") -> HttpResponse:
    wb = Workbook()
    _frame_sheet(wb, frame)
    ws = wb.create_sheet(_("Spread"))
    _header(ws, [_("Code"), _("Region"), *measure_columns()])
    for row in rows:
        r = row.region
        xlsx.append(ws, [r.code if r else "", r.name if r else _("Above this level"), *measure_cells(row.measures)])
        _format_row(ws, 2 + len(COUNT_NAMES), len(RATES), row.measures.digits)
    return _response(wb, filename)


def ranking_xlsx(frame: Frame, measure: str, rows: Sequence[RankedRow],
                 filename: str = "ranking.xlsx") -> HttpResponse:
    wb = Workbook()
    _frame_sheet(wb, frame)
    ws = wb.create_sheet(_("Ranking"))
    _header(ws, [_("Rank"), _("Code"), _("Region"), measure_label(measure), _("Shown"),
                 _("Denominator"), _("Small denominator")])
    for row in rows:
        xlsx.append(ws, [row.rank, row.region.code, row.region.name,
                   _number(row.value), row.display, row.denominator,
                   _("Yes") if row.small_denominator else ""])
    return _response(wb, filename)


def comparison_xlsx(frame: Frame, c: Comparison, filename: str = "compare.xlsx") -> HttpResponse:
    wb = Workbook()
    _frame_sheet(wb, frame)
    ws = wb.create_sheet(_("Compare"))
    span = "{0} – {1}"
    _header(ws, [_("Measure"),
                 span.format(c.current_span.start, c.current_span.end),
                 span.format(c.previous_span.start, c.previous_span.end),
                 span.format(c.year_earlier_span.start, c.year_earlier_span.end),
                 _("Period on period"), _("Period on period (%)"),
                 _("Year on year"), _("Year on year (%)")])
    for name, mom in c.period_on_period.items():
        yoy = c.year_on_year[name]
        xlsx.append(ws, [measure_label(name), _number(mom.current), _number(mom.baseline),
                   _number(yoy.baseline), _number(mom.difference),
                   _number(mom.percent), _number(yoy.difference),
                   _number(yoy.percent)])
    return _response(wb, filename)


def overdue_xlsx(items: Sequence[OverdueItem], filename: str = "overdue.xlsx") -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Overdue")
    _header(ws, [_("Code"), _("Title"), _("Region"), _("Category"), _("Status"), _("Deadline"),
                 _("Overdue (hours)")])
    for item in items:
        d = item.as_dict()
        xlsx.append(ws, [d["code"], d["title"], d["region"], d["category"], d["status"], d["deadline"],
                   d["overdue_hours"]])
    return _response(wb, filename)


# ------------------------------------------------------------------- the figure panels


def _pct(ws: Worksheet, r: Ratio, digits: int = 1) -> Any:
    """A shown rate as a number of percent (formatted to the digits shown), or None."""
    return xlsx.cell(ws, None if r.value is None else float(r.value),
                     number_format="0" if digits == 0 else "0." + "0" * digits)


def _span_line(ws: Worksheet, region, span, previous=None) -> None:
    line = f"{region.name} ({region.code}) · {span.start} – {span.end}"
    if previous is not None:
        line += " · " + _("compared with") + f" {previous.start} – {previous.end}"
    xlsx.append(ws, [line])


def proxy_xlsx(f: ProxyFigures, filename: str = "") -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = pgettext("command centre", "Proxy service")[:31]
    _span_line(ws, f.region, f.span, f.previous)
    _header(ws, [_("Figure"), _("Value")])
    for label, value in [
        (_("Agencies"), f.agencies), (pgettext("command centre", "Villages"), f.villages), (_("Villages with an agency"), f.covered),
        (_("Agents"), f.agents), (_("Full-time agents"), f.full_time),
        (_("Matters taken"), f.matters), (_("Resolved"), f.resolved), (pgettext("command centre", "Open"), f.open),
        (_("Matters taken, all time"), f.cumulative), (_("Taken by agents of no agency"), f.without_agency),
        (_("Matters taken, previous period"), f.period_on_period.baseline),
        (_("Matters taken, a year earlier"), f.year_on_year.baseline),
    ]:
        xlsx.append(ws, [str(label), value])
    xlsx.append(ws, [_("Coverage (%)"), _pct(ws, f.coverage)])
    xlsx.append(ws, [_("Resolution rate (%)"), _pct(ws, f.resolution)])
    for _kind, label, n in f.by_kind:
        xlsx.append(ws, [f"{_('Agencies')} · {label}", n])

    places = wb.create_sheet(_("By place")[:31])
    _header(places, [_("Code"), _("Region"), pgettext("command centre", "Villages"), _("Villages with an agency"), _("Coverage (%)"),
                     _("Agencies"), _("Agents"), _("Matters taken"), _("Resolved"), _("Resolution rate (%)")])
    for p in f.places:
        xlsx.append(places, [p.region.code if p.region else "", p.region.name if p.region else _("Above this level"),
                             p.villages, p.covered, _pct(places, p.coverage), p.agencies, p.agents, p.matters,
                             p.resolved, _pct(places, p.resolution)])

    agencies = wb.create_sheet(_("Agencies")[:31])
    _header(agencies, [_("Rank"), _("Agency"), _("Brand name"), _("Kind"), _("Region"), _("Open (takes matters)"),
                       _("Agents"), _("Full-time agents"), _("Matters taken"), _("Resolved"), pgettext("command centre", "Open"),
                       _("Resolution rate (%)")])
    for a in f.agency_rows:
        xlsx.append(agencies, [a.rank, a.name, a.brand, a.kind_label, a.region, _("Yes") if a.active else _("No"),
                               a.agents, a.full_time, a.matters, a.resolved, a.open, _pct(agencies, a.resolution)])

    agents = wb.create_sheet(_("Agents")[:31])
    _header(agents, [_("Rank"), _("Name"), _("Agency"), _("Matters taken"), _("Resolved"), pgettext("command centre", "Open"),
                     _("Resolution rate (%)")])
    for g in f.agent_rows:
        xlsx.append(agents, [g.rank, g.name, g.agency, g.matters, g.resolved, g.open, _pct(agents, g.resolution)])
    return _response(wb, filename or f"proxy-{f.region.code}-{f.span.start:%Y%m%d}-{f.span.end:%Y%m%d}.xlsx")


def sources_xlsx(f: SourcesFigures, filename: str = "") -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Three sources")[:31]
    _span_line(ws, f.region, f.span, f.previous)
    _header(ws, [_("Source"), _("Disputes"), _("Previous period"), _("A year earlier"),
                 _("Period on period (%)"), _("Year on year (%)"), _("Share (%)"), pgettext("command centre", "Events"),
                 _("Mediation cases"), _("Mediated (%)"), _("Petitions")])
    for r in f.rows:
        xlsx.append(ws, [r.label, r.current, r.previous, r.year_earlier,
                         _number(r.period_on_period.percent), _number(r.year_on_year.percent),
                         _pct(ws, r.share), r.events, r.cases, _pct(ws, r.mediated), r.petitions])
    xlsx.append(ws, [pgettext("command centre", "Total"), f.current.total, f.before.total, f.year.total,
                     _number(f.total.percent), _number(f.year_total.percent)])
    places = wb.create_sheet(_("By place")[:31])
    _header(places, [_("Code"), _("Region"), *[r.label for r in f.rows], pgettext("command centre", "Total"), _("Mediation cases"),
                     _("Petitions")])
    for p in f.places:
        c = p.counts
        xlsx.append(places, [p.region.code, p.region.name, *[c.disputes(r.source) for r in f.rows], c.total,
                             sum(c.cases.values()), c.petitions])
    return _response(wb, filename or f"sources-{f.region.code}-{f.span.start:%Y%m%d}-{f.span.end:%Y%m%d}.xlsx")


def _batch_sheet(wb: Workbook, title: str, rows: Sequence[BatchRow], first: str) -> None:
    ws = wb.create_sheet(title[:31])
    _header(ws, [first, _("Not yet settled"), pgettext("command centre", "Settled"), pgettext("command centre", "Total"), _("Toward zero (%)")])
    for b in rows:
        xlsx.append(ws, [b.label, b.open, b.settled, b.total, _pct(ws, b.progress)])


def petitions_xlsx(f: PetitionFigures, filename: str = "") -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Petitions")[:31]
    _span_line(ws, f.region, f.span, f.previous)
    _header(ws, [_("Figure"), _("Value")])
    for label, value in [
        (_("First-time petitions"), f.first_time),
        (_("First-time petitions, a year earlier"), f.first_time_year_earlier),
        (_("First-time petitions, previous period"), f.first_time_previous),
        (_("First-time petitions filed in a village"), f.village_week),
        (_("Settled inside the village within a week"), f.village_week_settled),
        (_("Backlog cases settled"), f.backlog_settled),
        (_("Backlog cases settled, over twenty years old"), f.backlog_settled_over_twenty),
        (_("Backlog cases not yet settled"), f.backlog_open),
    ]:
        xlsx.append(ws, [str(label), value])
    xlsx.append(ws, [_("Year on year (%)"), _number(f.year_on_year_exact.percent)])
    xlsx.append(ws, [_("Period on period (%)"), _number(f.period_on_period.percent)])
    xlsx.append(ws, [_("Settled inside the village within a week (%)"), _pct(ws, f.village_week_rate)])
    _batch_sheet(wb, _("Campaign to zero"), [*f.campaign, f.campaign_total], _("Batch"))
    _batch_sheet(wb, pgettext("command centre", "By age"), f.by_age, pgettext("command centre", "Age"))
    _batch_sheet(wb, _("By leader"), f.by_leader, _("Leader in charge"))
    _batch_sheet(wb, pgettext("command centre", "By town"), f.by_town, pgettext("command centre", "Town"))
    places = wb.create_sheet(_("By place")[:31])
    _header(places, [_("Rank"), _("Code"), _("Region"), _("First-time petitions"), _("A year earlier"),
                     _("Year on year (%)"), _("First-time petitions filed in a village"),
                     _("Settled inside the village within a week"),
                     _("Settled inside the village within a week (%)"), _("Backlog cases not yet settled"),
                     _("Backlog cases settled")])
    for p in f.places:
        xlsx.append(places, [p.rank, p.region.code, p.region.name, p.first_time, p.first_time_year_earlier,
                             _number(p.change.percent), p.village_week, p.village_week_settled,
                             _pct(places, p.village_week_rate), p.backlog_open, p.backlog_settled])
    return _response(wb, filename or f"petitions-{f.region.code}-{f.span.start:%Y%m%d}-{f.span.end:%Y%m%d}.xlsx")


def _mediation_cells(ws: Worksheet, r: MediationRow) -> list[Any]:
    return [r.cases, r.settled, _pct(ws, r.success, 2), r.ended,
            None if r.average_days is None else float(r.average_days), r.terms_due, r.terms_performed,
            _pct(ws, r.performance)]


def mediation_xlsx(f: MediationFigures, filename: str = "") -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Mediation")[:31]
    _span_line(ws, f.region, f.span, f.previous)
    columns = [_("Cases"), pgettext("mediation figures", "Settled"), _("Success rate (%)"), pgettext("command centre", "Ended"), _("Average days"), _("Terms due"),
               _("Terms performed"), _("Performance rate (%)")]
    _header(ws, ["", *columns])
    for label, row in ((_("This period"), f.total), (_("Previous period"), f.before), (_("A year earlier"), f.year)):
        xlsx.append(ws, [str(label), *_mediation_cells(ws, row)])
    for key, title in DIMENSIONS.items():
        sheet = wb.create_sheet(str(title)[:31])
        _header(sheet, [_("Rank"), str(title), *columns])
        for r in f.tables.get(key, []):
            xlsx.append(sheet, [r.rank, r.name, *_mediation_cells(sheet, r)])
    return _response(wb, filename or f"mediation-{f.region.code}-{f.span.start:%Y%m%d}-{f.span.end:%Y%m%d}.xlsx")
