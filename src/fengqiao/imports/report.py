"""The xlsx error report: the sender's rows as they came, an error column saying what is wrong
with each, and the bad cells filled red — so the operator can fix the file and upload it again.
A second sheet lists every error (row, column, message). Written in openpyxl's write-only mode,
streaming the original file once more, so a 100,000-row sheet costs no more memory than one row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.imports.checking import CheckResult, RowError
from fengqiao.imports.reading import Sheet

RED = "FFC7CE"
DARK_RED = "9C0006"
AMBER = "FFEB9C"


def error_column_title() -> str:
    return _("Errors")


def write_report(path: Path | str, sheet: Sheet | None, result: CheckResult) -> Path:
    """Write the report to `path` (.xlsx) and return it."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, Font, PatternFill

    from fengqiao.lib import xlsx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    bad_fill = PatternFill("solid", start_color=RED, end_color=RED)
    row_fill = PatternFill("solid", start_color=AMBER, end_color=AMBER)
    bold = Font(bold=True)
    red_font = Font(color=DARK_RED)
    wrap = Alignment(wrap_text=True, vertical="top")
    by_row = result.errors_by_row()

    rows_sheet = book.create_sheet(_("Rows"))
    rows_sheet.freeze_panes = "A2"
    header = list(sheet.header) if sheet is not None else []
    index = {h.strip(): i for i, h in enumerate(header)}
    width = len(header)

    def cell(value: Any, *, fill=None, font=None, alignment=None) -> Cell:
        # the sender's text, never a formula the report would run
        return xlsx.cell(rows_sheet, _safe(value), fill=fill, font=font, alignment=alignment)

    file_errors = [e for e in result.errors if e.row == 0]
    header_bad = {e.column for e in file_errors}
    rows_sheet.append(
        [cell(error_column_title(), font=bold, fill=bad_fill)]
        + [cell(h, font=bold, fill=bad_fill if h.strip() in header_bad else None) for h in header]
    )
    if file_errors:
        # The file as a whole cannot be read: the header row says why (the rows follow unchanged).
        rows_sheet.append([cell("；".join(e.message for e in file_errors), font=red_font, alignment=wrap)])
    if sheet is not None:
        for number, values in sheet.rows():
            errors = by_row.get(number, [])
            bad_columns = {index[e.column] for e in errors if e.column in index}
            values = list(values) + [None] * (width - len(values))
            row = [cell("；".join(_message(e) for e in errors), font=red_font, alignment=wrap,
                        fill=row_fill if errors else None)]
            row += [cell(v, fill=bad_fill if i in bad_columns else None) for i, v in enumerate(values)]
            rows_sheet.append(row)

    list_sheet = book.create_sheet(_("Error list"))
    list_sheet.append([cell(_("Row"), font=bold), cell(_("Column"), font=bold), cell(_("Error"), font=bold)])
    for e in result.errors:
        xlsx.append(list_sheet, [e.row or "", e.column, e.message])
    book.save(path)
    return path


def _message(error: RowError) -> str:
    return f"{error.column}: {error.message}" if error.column else error.message


def _safe(value: Any) -> Any:
    """What a cell can hold: numbers and dates as they came, anything else as text."""
    if value is None or isinstance(value, int | float | dt.datetime | dt.date | dt.time):
        return value
    return str(value)
