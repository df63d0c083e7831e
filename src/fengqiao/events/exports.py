"""Excel exports of events (openpyxl). Callers pass querysets already limited to the user's scope
(`visible_events` / `access_event_for_user`); personal data is masked here unless
`may_see_personal_data` allows it, and every unmasked read is logged by `parties_for`."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.events.models import (
    DisputeSource,
    Event,
    Satisfaction,
    Source,
    Status,
    Supervision,
    Tier,
)
from fengqiao.events.presenters import assignees_for, parties_for
from fengqiao.events.queries import timeline
from fengqiao.events.statemachine import action_label
from fengqiao.events.templatetags.fq import actor_label
from fengqiao.lib import clock, xlsx

MAX_ROWS = 10000
HEADER_FILL, HEADER_FONT = xlsx.HEADER_FILL, xlsx.HEADER_FONT


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _label(choices, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _yes(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _header(ws: Worksheet, titles: Iterable[str]) -> None:
    xlsx.append(ws, [str(t) for t in titles])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _widths(ws: Worksheet, widths: Iterable[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _parties_text(user, event: Event) -> str:
    rows = []
    for p in parties_for(user, event, via="export"):
        bits = [p["name"], p["phone"], p["id_number"]]
        rows.append(" ".join(b for b in bits if b))
    return "; ".join(rows)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def events_workbook(user, events: QuerySet) -> bytes:
    """One row per event of `events` (at most MAX_ROWS; the caller checks the count)."""
    now = clock.now()
    wb = Workbook()
    ws = wb.active
    ws.title = _("Events")
    _header(ws, [
        _("Code"), _("Title"), _("Status"), _("Tier"), _("Category"), _("Source"), _("Region"),
        _("Address"), _("Registered at"), _("Deadline"), _("Overdue"), _("High risk"),
        _("Supervision"), _("Parties"), _("Result"), _("Satisfaction"),
    ])
    qs = (
        events.select_related("category", "region")
        .prefetch_related("parties")
        .order_by("-created_at", "-id")[:MAX_ROWS]
    )
    for e in qs:
        xlsx.append(ws, [
            e.code, e.title, _label(Status, e.status), _label(Tier, e.tier),
            e.category.name, _label(Source, e.source),
            e.region.display_name if e.region_id else "", e.address, _when(e.created_at),
            _when(e.deadline), _yes(e.overdue_at(now)), _yes(e.high_risk),
            _label(Supervision, e.supervision), _parties_text(user, e), e.result,
            _label(Satisfaction, e.satisfaction),
        ])
    _widths(ws, [24, 36, 10, 12, 16, 14, 14, 24, 17, 17, 8, 8, 10, 40, 40, 12])
    return _save(wb)


def event_workbook(user, event: Event) -> bytes:
    """One event: its details, parties and people bound, and the full timeline."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Event")
    rows = [
        (_("Code"), event.code),
        (_("Title"), event.title),
        (_("Status"), _label(Status, event.status)),
        (_("Tier"), _label(Tier, event.tier)),
        (_("Category"), event.category.name),
        (_("Source"), _label(Source, event.source)),
        (_("Dispute source"), _label(DisputeSource, event.dispute_source)),
        (_("Region"), " / ".join(r.display_name for r in event.region.lineage()) if event.region is not None else ""),
        (_("Address"), event.address),
        (_("Description"), event.description),
        (_("Registered at"), _when(event.created_at)),
        (_("Deadline"), _when(event.deadline)),
        (_("Overdue"), _yes(event.overdue_at(clock.now()))),
        (_("High risk"), _yes(event.high_risk)),
        (_("Supervision"), _label(Supervision, event.supervision)),
        (_("Result"), event.result),
        (_("Satisfaction"), _label(Satisfaction, event.satisfaction)),
    ]
    for key, value in rows:
        xlsx.append(ws, [str(key), value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    xlsx.append(ws, [])
    xlsx.append(ws, [_("Parties")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    for p in parties_for(user, event, via="export"):
        xlsx.append(ws, [p["name"], p["phone"], p["id_number"], _("Reporter") if p["is_reporter"] else ""])
    xlsx.append(ws, [])
    xlsx.append(ws, [_("Assignees")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    for a in assignees_for(user, event):
        xlsx.append(ws, [a["name"], str(a["role_name"]), a["kind"], _label(Tier, a["tier"]),
                   "" if a["active"] else _("Released")])
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [16, 60, 22, 14, 10])

    tl = wb.create_sheet(_("Timeline"))
    _header(tl, [_("Time"), _("Who"), _("Action"), _("From"), _("To"), _("Note")])
    for entry in timeline(event):
        xlsx.append(tl, [
            _when(entry.created_at), actor_label(entry), action_label(entry.action),
            _label(Status, entry.from_state), _label(Status, entry.to_state), entry.note,
        ])
    _widths(tl, [17, 14, 14, 10, 10, 60])
    return _save(wb)
