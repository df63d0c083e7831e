"""Check a sender's sheet row by row, and turn each good row into a `SheetRow`.

`RowParser.parse(number, values)` is the only place a row is read: the dry run (`check_sheet`)
and the import pass both call it, so what the dry run accepts is exactly what gets imported.
Nothing here writes. Every problem is a `RowError(row, column, message)` naming the file's own
column header, so the error report can highlight the cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.events.models import Category
from fengqiao.imports import mappings as m
from fengqiao.imports.reading import Sheet, cell_text
from fengqiao.lib import clock
from fengqiao.lib.inputs import NUL, nul_message

MAX_TITLE = 200
MAX_CONTENT = 10000
MAX_ADDRESS = 300
MAX_NAME = 50
MAX_TICKET = 64
TITLE_FROM_CONTENT = 40  # characters of the content that make a title when the sheet has none
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")
SERVICE = re.compile(r"^(400|800)-?\d{3}-?\d{4}$")
PHONE_SEPARATORS = re.compile(r"[,，;；/、|]+")
# Excel serial day numbers from 1970 to 2099 (the 1900 date system).
SERIAL_MIN, SERIAL_MAX = 25569, 73050
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EARLIEST = dt.datetime(2000, 1, 1)
FUTURE_SLACK = dt.timedelta(days=1)
DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]+(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2})(?:\.\d+)?)?)?$"
)
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
SENTENCE_END = re.compile(r"[。！？!?；;\n]")
LABEL_SEPARATORS = re.compile(r"\s*[/>＞\-—_|｜\\]+\s*")


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1); 0 for the file as a whole
    column: str  # the file's header of the bad cell ("" when the whole row or file is meant)
    message: str

    def __str__(self) -> str:
        where = _("row %(n)d") % {"n": self.row} if self.row else _("file")
        return f"{where} · {self.column}: {self.message}" if self.column else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class SheetRow:
    """One good row, read and checked."""

    row: int
    ticket_id: str
    received_at: dt.datetime
    title: str
    content: str
    category: Category | None
    category_label: str
    address: str
    area_county: str = ""
    area_town: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    time_limit: str = ""

    @property
    def locate_text(self) -> str:
        """The address with the sender's county and town in front when the address lacks them
        (12345 exports often give 所属街镇 separately and a bare '洋坂村3组' as the address)."""
        parts = [p for p in (self.area_county, self.area_town) if p and p not in self.address]
        return "".join(parts) + self.address


# -------------------------------------------------------------------------------- values


def parse_datetime(value: Any, date_format: str = "") -> dt.datetime | None:
    """A local, aware datetime from what a sheet holds: a datetime cell, an Excel serial number,
    or text such as 2026-11-26 09:30, 2026/11/26, 2026.11.26 9:30, 2026年11月26日 9时30分,
    20261126093000. None when it is none of these."""
    naive: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None) if value.tzinfo is None else None
        if value.tzinfo is not None:
            return timezone.localtime(value)
    elif isinstance(value, dt.date):
        naive = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        naive = _from_serial(float(value))
    else:
        text = cell_text(value)
        if not text:
            return None
        if date_format:
            try:
                naive = dt.datetime.strptime(text, date_format)
            except ValueError:
                naive = None
        if naive is None:
            naive = _from_text(text)
    if naive is None:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _from_serial(number: float) -> dt.datetime | None:
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        return None
    moment = EXCEL_EPOCH + dt.timedelta(days=number)
    return moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))


def _from_text(text: str) -> dt.datetime | None:
    try:
        return _from_serial(float(text)) if re.fullmatch(r"\d{5}(\.\d+)?", text) else _text_date(text)
    except (ValueError, OverflowError):
        return None


def _text_date(text: str) -> dt.datetime | None:
    compact = COMPACT_DATE.match(text)
    if compact:
        y, mo, d, h, mi, s = compact.groups()
        return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    t = text.replace("年", "-").replace("月", "-").replace("日", " ").replace("号", " ")
    t = t.replace("时", ":").replace("点", ":").replace("分", ":").replace("秒", "")
    t = t.replace("/", "-").replace(".", "-", 2) if re.match(r"^\d{4}[./]", t) else t
    t = re.sub(r"\s+", " ", t).strip().rstrip(":").replace(" :", ":").replace(": ", ":")
    match = DATE_TEXT.match(t)
    if not match:
        return None
    y, mo, d, h, mi, s = match.groups()
    return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))


def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s()（）]", "", value)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if MOBILE.match(phone.replace("-", "")):
        phone = phone.replace("-", "")
    return phone


def first_phone(value: str) -> str:
    """The first of several numbers a cell may list ("138… / 0594-…")."""
    parts = [p for p in PHONE_SEPARATORS.split(value.strip()) if p]
    return normalise_phone(parts[0]) if parts else ""


def title_from(content: str) -> str:
    first = SENTENCE_END.split(content.strip(), maxsplit=1)[0].strip()
    if len(first) > TITLE_FROM_CONTENT:
        return first[: TITLE_FROM_CONTENT - 1] + "…"
    return first or content[:TITLE_FROM_CONTENT]


class CategoryTable:
    """Sender's label → our category: the mapping's table first (label → code), then a category
    of that name or code, then the segments of a path label (城乡建设/违法建设), last first."""

    def __init__(self, labels: dict[str, str]):
        self.by_code: dict[str, Category] = {}
        self.by_name: dict[str, Category] = {}
        for c in Category.objects.all():
            self.by_code[c.code] = c
            self.by_name.setdefault(c.name, c)
        self.labels = {k.strip(): v for k, v in labels.items()}
        self._cache: dict[str, Category | str] = {}

    def resolve(self, label: str) -> Category | str:
        """The category, or the error message."""
        if label in self._cache:
            return self._cache[label]
        found = self._resolve(label)
        self._cache[label] = found
        return found

    def _resolve(self, label: str) -> Category | str:
        candidates = [label]
        parts = [p for p in LABEL_SEPARATORS.split(label) if p]
        if len(parts) > 1:
            candidates += list(reversed(parts))
        for text in candidates:
            code = self.labels.get(text)
            if code is not None:
                category = self.by_code.get(code)
                if category is None:
                    return _("The mapping sends “%(l)s” to category %(c)s, which does not exist.") % {"l": label, "c": code}
                if not category.active:
                    return _("The mapping sends “%(l)s” to category “%(c)s”, which is retired.") % {"l": label, "c": category.name}
                return category
            category = self.by_name.get(text) or self.by_code.get(text)
            if category is not None:
                if not category.active:
                    return _("Category “%(c)s” is retired.") % {"c": category.name}
                return category
        return _("Unknown category “%(l)s”: map it to one of ours in the column mapping.") % {"l": label}


# ---------------------------------------------------------------------------------- rows


class RowParser:
    """Reads rows of one sheet under one mapping."""

    def __init__(self, header: list[str], mapping: m.Mapping, *, categories: CategoryTable | None = None,
                 now: dt.datetime | None = None):
        self.header = [h.strip() for h in header]
        self.mapping = mapping
        self.index = {
            key: self.header.index(column)
            for key, column in mapping.columns.items()
            if column and column in self.header
        }
        self.categories = categories or CategoryTable(mapping.categories)
        self.latest = (now or clock.now()) + FUTURE_SLACK
        self.earliest = timezone.make_aware(EARLIEST, timezone.get_default_timezone())
        self.seen_tickets: dict[str, int] = {}

    def file_errors(self) -> list[RowError]:
        """Missing required columns and columns named twice: the file cannot be read at all."""
        errors = []
        for key in m.REQUIRED:
            column = self.mapping.columns.get(key)
            if not column:
                known = m.HEADERS_110 if self.mapping.source == "police_110" else m.HEADERS_12345
                errors.append(RowError(0, str(m.FIELD_LABEL[key]), _(
                    "Missing column: no column of the file holds “%(f)s” (looked for: %(names)s)."
                ) % {"f": m.FIELD_LABEL[key], "names": "、".join(known[key])}))
            elif column not in self.header:
                errors.append(RowError(0, column, _(
                    "Missing column “%(c)s” (mapped to “%(f)s”)."
                ) % {"c": column, "f": m.FIELD_LABEL[key]}))
        for column in set(self.mapping.columns.values()):
            if column and self.header.count(column) > 1:
                errors.append(RowError(0, column, _("The column “%(c)s” appears twice.") % {"c": column}))
        return errors

    def _get(self, values: list[Any], key: str) -> Any:
        i = self.index.get(key)
        return values[i] if i is not None and i < len(values) else None

    def parse(self, number: int, values: list[Any]) -> tuple[SheetRow | None, list[RowError]]:
        errors: list[RowError] = []
        col = self.mapping.columns

        def error(key: str, message: str) -> None:
            errors.append(RowError(number, col.get(key, ""), message))

        def text(key: str) -> str:
            value = cell_text(self._get(values, key))
            if NUL in value:  # a CSV can carry one; no column means it (and PostgreSQL refuses it)
                error(key, nul_message(col.get(key, key)))
                return value.replace(NUL, "")
            return value

        ticket = text(m.TICKET_ID)
        if not ticket:
            error(m.TICKET_ID, _("The ticket number is empty."))
        elif len(ticket) > MAX_TICKET:
            error(m.TICKET_ID, _("The ticket number is longer than %(n)d characters.") % {"n": MAX_TICKET})
        else:
            first = self.seen_tickets.get(ticket)
            if first is not None:
                error(m.TICKET_ID, _("Ticket %(t)s appears twice in the file (first in row %(r)d).")
                      % {"t": ticket, "r": first})
            else:
                self.seen_tickets[ticket] = number

        raw_date = self._get(values, m.RECEIVED_AT)
        received_at = parse_datetime(raw_date, self.mapping.date_format)
        if received_at is None:
            shown = cell_text(raw_date)
            error(m.RECEIVED_AT, _("The date is empty.") if not shown else
                  _("“%(v)s” is not a date (use e.g. 2026-11-26 09:30).") % {"v": shown})
        elif received_at > self.latest:
            error(m.RECEIVED_AT, _("The date %(d)s is in the future.") % {"d": f"{received_at:%Y-%m-%d %H:%M}"})
        elif received_at < self.earliest:
            error(m.RECEIVED_AT, _("The date %(d)s is before 2000.") % {"d": f"{received_at:%Y-%m-%d}"})

        content = text(m.CONTENT)
        if not content:
            error(m.CONTENT, _("The content is empty."))
        elif len(content) > MAX_CONTENT:
            error(m.CONTENT, _("The content is longer than %(n)d characters.") % {"n": MAX_CONTENT})

        title = text(m.TITLE)
        if len(title) > MAX_TITLE:
            error(m.TITLE, _("The title is longer than %(n)d characters.") % {"n": MAX_TITLE})
        if not title and content:
            title = title_from(content)

        label = text(m.CATEGORY)
        category: Category | None = None
        if label:
            found = self.categories.resolve(label)
            if isinstance(found, Category):
                category = found
            else:
                error(m.CATEGORY, found)

        address = text(m.ADDRESS)
        if len(address) > MAX_ADDRESS:
            error(m.ADDRESS, _("The address is longer than %(n)d characters.") % {"n": MAX_ADDRESS})

        name = text(m.REPORTER_NAME)
        if len(name) > MAX_NAME:
            error(m.REPORTER_NAME, _("The name is longer than %(n)d characters.") % {"n": MAX_NAME})
        raw_phone = text(m.REPORTER_PHONE)
        phone = first_phone(raw_phone) if raw_phone else ""
        if phone:
            if "*" in phone:
                error(m.REPORTER_PHONE, _("“%(p)s” is masked: export the sheet with full phone numbers, or leave the cell empty.") % {"p": raw_phone})
            elif not (MOBILE.match(phone) or LANDLINE.match(phone) or SERVICE.match(phone)):
                error(m.REPORTER_PHONE, _("“%(p)s” is not a phone number.") % {"p": raw_phone})

        if errors:
            return None, errors
        assert received_at is not None
        return SheetRow(
            row=number, ticket_id=ticket, received_at=received_at, title=title, content=content,
            category=category, category_label=label, address=address,
            area_county=text(m.AREA_COUNTY), area_town=text(m.AREA_TOWN),
            reporter_name=name, reporter_phone=phone, time_limit=text(m.TIME_LIMIT),
        ), []

    def rows(self, sheet: Sheet, on_row: Callable[[int], None] | None = None
             ) -> Iterator[tuple[int, SheetRow | None, list[RowError]]]:
        for number, values in sheet.rows():
            row, errors = self.parse(number, values)
            if on_row is not None:
                on_row(number)
            yield number, row, errors


# -------------------------------------------------------------------------------- the check


@dataclass
class CheckResult:
    rows_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    labels: dict[str, int] = field(default_factory=dict)  # sender's category label → rows
    tickets: list[str] = field(default_factory=list)  # the ticket numbers, once each

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_level(self) -> bool:
        return any(e.row == 0 for e in self.errors)

    def errors_by_row(self) -> dict[int, list[RowError]]:
        out: dict[int, list[RowError]] = {}
        for e in self.errors:
            out.setdefault(e.row, []).append(e)
        return out


def check_sheet(sheet: Sheet, mapping: m.Mapping, *, progress: Callable[[int], None] | None = None,
                now: dt.datetime | None = None) -> CheckResult:
    """The dry run: read every row, list every problem. Streams the file; holds only the errors,
    the ticket numbers seen (for duplicates) and the distinct category labels."""
    parser = RowParser(sheet.header, mapping, now=now)
    result = CheckResult()
    file_errors = parser.file_errors()
    if file_errors:
        result.errors = file_errors
        return result
    for number, row, errors in parser.rows(sheet):
        result.rows_total += 1
        if errors:
            result.errors.extend(errors)
            result.bad_rows.add(number)
        if row is not None and row.category_label:
            result.labels[row.category_label] = result.labels.get(row.category_label, 0) + 1
        if progress is not None:
            progress(1)
    result.tickets = list(parser.seen_tickets)
    if result.rows_total == 0:
        result.errors.append(RowError(0, "", _("The sheet has no data rows.")))
    return result


def distinct_labels(sheet: Sheet, column: str, limit: int = 500, rows: int = 20_000) -> dict[str, int]:
    """The sender's category labels in `column` with their row counts: at most `limit` labels,
    from the first `rows` rows (the page must stay quick; the dry run checks every row)."""
    header = [h.strip() for h in sheet.header]
    if column not in header:
        return {}
    i = header.index(column)
    counts: dict[str, int] = {}
    for seen, (_number, values) in enumerate(sheet.rows()):
        if seen >= rows:
            break
        label = cell_text(values[i]) if i < len(values) else ""
        if label and (label in counts or len(counts) < limit):
            counts[label] = counts.get(label, 0) + 1
    return counts
