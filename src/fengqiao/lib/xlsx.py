"""The one way the platform writes spreadsheet cells: text stays text.

openpyxl stores any string that starts with "=" as a formula, so an event titled
`=HYPERLINK("http://evil.example/x","点我")` became a live link in the export that anyone
opening it could click (formula injection). Every workbook the platform writes — event exports,
the command centre's tables, bulletins, import reports — puts its values through `cell` or
`append` here: numbers, dates and booleans are kept as they are (a sum or a pivot still works),
and every string is stored with the string type, so the saved sheet holds no `<f>` element.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


def as_text(c: Cell) -> Cell:
    """Keep a string cell a string (openpyxl made it a formula if it starts with "=")."""
    if c.data_type == "f" and isinstance(c.value, str):
        c.data_type = "s"
    return c


def set_value(c: Cell, value: Any) -> Cell:
    """`c.value = value`, text kept as text."""
    c.value = value
    return as_text(c)


def cell(ws, value: Any, *, font=None, fill=None, alignment=None, number_format: str | None = None) -> Cell:
    """A detached cell for `ws.append` (normal or write-only sheets), with its style."""
    c = as_text(Cell(ws, row=1, column=1, value=value))
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if alignment is not None:
        c.alignment = alignment
    if number_format is not None:
        c.number_format = number_format
    return c


def append(ws, values: Iterable[Any]) -> None:
    """`ws.append(values)`, every string written as a string."""
    ws.append([v if isinstance(v, Cell) else cell(ws, v) for v in values])


# The platform's one header style (dark blue, white bold), for every workbook it writes.
HEADER_FILL = PatternFill("solid", fgColor="1F4E8C")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def header(ws, titles: Iterable[Any], *, widths: Iterable[int] = ()) -> None:
    """Append the header row in the platform's style, set column widths, keep it in view."""
    append(ws, [cell(ws, str(t), font=HEADER_FONT, fill=HEADER_FILL, alignment=Alignment(vertical="center"))
                for t in titles])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{ws.max_row + 1}"


def to_bytes(wb) -> bytes:
    """The saved workbook, for a download."""
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
