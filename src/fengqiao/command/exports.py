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
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.command.measures import COUNT_NAMES, RATES, Measures, measure_label
from fengqiao.command.queries import Comparison, Frame, OverdueItem, RankedRow, Row
from fengqiao.lib import xlsx

HEADER_FILL = PatternFill("solid", fgColor="1F4E8C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
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
        (_("From"), frame.span.start.isoformat()),
        (_("To"), frame.span.end.isoformat()),
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
