"""Stream the rows of a spreadsheet as the 12345 and 110 platforms export it: .xlsx (openpyxl in
read-only mode, so a 100,000-row sheet is never held in memory) or .csv in UTF-8 (with or without
the BOM Excel writes) or GBK/GB18030 (what many government systems still export).

`open_sheet(path)` reads the header and hands back a `Sheet` whose `rows()` can be iterated more
than once (the check pass, then the import pass, then the error report): each iteration reopens
the file. Values come out as the cells hold them (str, int, float, datetime …); `cell_text()`
turns one into the text the checks read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.lib.errors import InvalidInput

SUPPORTED = (".xlsx", ".csv")
# Encodings tried in order; GB18030 is a superset of GBK and GB2312.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class SheetUnreadable(InvalidInput):
    """The file cannot be read as a spreadsheet at all (wrong type, broken, no header)."""

    code = "unreadable"


def cell_text(value: Any) -> str:
    """The text of a cell: integral floats without ".0", dates in ISO form, full-width spaces
    folded, surrounding blanks stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).replace("\u3000", " ").replace("\ufeff", "").strip()


@dataclass
class Sheet:
    """One readable sheet: its header (row 1) and a way to stream the data rows again."""

    path: Path
    kind: str  # "xlsx" or "csv"
    header: list[str]
    encoding: str = ""  # csv only: the encoding detected
    sheet_name: str = ""  # xlsx only
    header_row: int = 1  # exports often put a title (仙游县12345工单明细表) above the header

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(spreadsheet row number, values) for every data row that is not blank, below the
        header row."""
        raw = _xlsx_rows(self.path) if self.kind == "xlsx" else _csv_rows(self.path, self.encoding)
        for number, values in raw:
            if number <= self.header_row:
                continue
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                yield number, list(values)


HEADER_SCAN_ROWS = 10


def open_sheet(path: Path | str, known_headers: frozenset[str] = frozenset()) -> Sheet:
    """Open a sheet and find its header: the first of the top rows holding two or more of
    `known_headers` (the mappings' column names), else the first non-blank row."""
    path = Path(path)
    if not path.is_file():
        raise SheetUnreadable(_("File not found: %(p)s") % {"p": path.name})
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SheetUnreadable(_("Old .xls files cannot be read: open it in Excel or WPS and save it as .xlsx."))
    if suffix not in SUPPORTED:
        raise SheetUnreadable(
            _("Unsupported file type “%(s)s”: use .xlsx or .csv.") % {"s": suffix or "—"}
        )
    if suffix == ".xlsx":
        sheet = Sheet(path=path, kind="xlsx", header=[], sheet_name=_xlsx_sheet_name(path))
    else:
        sheet = Sheet(path=path, kind="csv", header=[], encoding=detect_encoding(path))
    raw = _xlsx_rows(path) if sheet.kind == "xlsx" else _csv_rows(path, sheet.encoding)
    top: list[tuple[int, list[str]]] = []
    for number, values in raw:
        if number > HEADER_SCAN_ROWS:
            break
        top.append((number, [cell_text(v) for v in values]))
    if hasattr(raw, "close"):
        raw.close()
    known = [(n, v) for n, v in top if len(known_headers.intersection(v)) >= 2]
    filled = [(n, v) for n, v in top if any(v)]
    chosen = known[0] if known else (filled[0] if filled else None)
    if chosen is None:
        raise SheetUnreadable(_("The first row must be the header (the column names)."))
    sheet.header_row, header = chosen
    while header and not header[-1]:
        header.pop()
    sheet.header = header
    return sheet


# ------------------------------------------------------------------------------------- xlsx


def _load(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SheetUnreadable(_("The Excel file cannot be read (%(e)s).") % {"e": exc}) from exc


def _xlsx_sheet_name(path: Path) -> str:
    book = _load(path)
    try:
        return book.worksheets[0].title if book.worksheets else ""
    finally:
        book.close()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    book = _load(path)
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        # Exports often claim a wrong dimension; let openpyxl read every row it finds.
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), 1)
    finally:
        book.close()


# -------------------------------------------------------------------------------------- csv


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8; otherwise GB18030
    (GBK's superset) when that decodes it; otherwise the file is not text we can read."""
    with open(path, "rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        for encoding in ("utf-8", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            fh.seek(0)
            try:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return "utf-8-sig" if encoding == "utf-8" else encoding
    raise SheetUnreadable(_("The CSV file is neither UTF-8 nor GBK text."))


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        sample = text.read(64 * 1024)
        text.seek(0)
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        if "\t" in sample.split("\n", 1)[0] and "," not in sample.split("\n", 1)[0]:
            dialect = csv.excel_tab
        try:
            yield from enumerate(csv.reader(text, dialect), 1)
        except csv.Error as exc:
            raise SheetUnreadable(_("The CSV file is malformed (%(e)s).") % {"e": exc}) from exc
