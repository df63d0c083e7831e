"""The mediation centre's ledgers (台账) as .xlsx: cases (with their parties and agreed terms) and
群英 tasks. Callers pass querysets already limited to the user's scope (`queries.visible_cases`,
`queries.visible_tasks`); parties are masked here unless `queries.may_see_parties` allows, and
every unmasked read is logged (`queries.parties_for`, via "export"). Every cell goes through
`fengqiao.lib.xlsx` (text stays text)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.lib import xlsx
from fengqiao.mediation import queries
from fengqiao.mediation.models import (
    KIND_CHINESE,
    SPECIALTY_CHINESE,
    Case,
    CaseMediator,
    Channel,
    Kind,
    Outcome,
    Performance,
    Specialty,
    Status,
    Task,
    TaskStatus,
)

MAX_ROWS = 10000


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _label(choices, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _header(ws: Worksheet, titles: Iterable[str], widths: Iterable[int] = ()) -> None:
    xlsx.header(ws, titles, widths=widths)




def cases_workbook(user, cases: QuerySet[Case]) -> bytes:
    """Three sheets: the cases, their parties (masked unless the reader's work needs them), and the
    agreed terms with their performance."""
    rows = list(cases.select_related("event", "org", "region").prefetch_related(
        "mediators__mediator__person", "parties").order_by("applied_at", "id")[:MAX_ROWS])
    wb = Workbook()
    ws = wb.active
    ws.title = _("Cases")
    _header(ws, [_("Case number"), _("Title"), _("Kind"), _("Matter"), _("Channel"), _("Status"), _("Organisation"),
                 _("Region"), _("Event"), _("Mediators"), _("Applied at"), _("Accepted at"), _("Outcome"),
                 _("Outcome at"), _("Days"), _("Joint mediation"), _("Court case number"), _("Reported to the court"),
                 _("Performance"), _("Closed at")],
            [22, 30, 12, 12, 12, 10, 24, 16, 24, 20, 17, 17, 16, 17, 8, 8, 24, 17, 12, 17])
    for c in rows:
        mediators = [cm.mediator.person.name + ("(主持)" if cm.role == CaseMediator.Role.LEAD else "")
                     for cm in c.mediators.all() if cm.active]
        days = None
        if c.outcome_at is not None:
            days = round((c.outcome_at - (c.accepted_at or c.applied_at)).total_seconds() / 86400, 1)
        agreement = getattr(c, "agreement", None) if c.outcome in (Outcome.WRITTEN, Outcome.ORAL) else None
        xlsx.append(ws, [
            c.code, c.title, KIND_CHINESE.get(Kind(c.kind), c.kind), SPECIALTY_CHINESE.get(Specialty(c.specialty), ""),
            _label(Channel, c.channel), _label(Status, c.status), c.org.name, c.region.display_name, c.event.code,
            "、".join(mediators), _when(c.applied_at), _when(c.accepted_at), _label(Outcome, c.outcome),
            _when(c.outcome_at), days, _("Yes") if c.joint else _("No"), c.court_case_number,
            _when(c.court_reported_at), _label(Performance, agreement.performance) if agreement else "",
            _when(c.closed_at),
        ])
    parties = wb.create_sheet(_("Parties"))
    _header(parties, [_("Case number"), _("Side"), _("Name"), _("Phone"), _("ID number"), _("Address")],
            [22, 10, 20, 16, 22, 30])
    terms = wb.create_sheet(_("Agreed terms"))
    _header(terms, [_("Case number"), _("No."), _("Term"), _("Due on"), _("Performance"), _("Checked at"),
                    _("Check note")], [22, 6, 50, 12, 12, 17, 30])
    for c in rows:
        for p in queries.parties_for(user, c, via="export"):
            xlsx.append(parties, [c.code, p["side_label"], p["name"], p["phone"], p["id_number"], p["address"]])
        agreement = getattr(c, "agreement", None) if c.outcome in (Outcome.WRITTEN, Outcome.ORAL) else None
        if agreement is not None:
            for t in agreement.terms.all():
                xlsx.append(terms, [c.code, t.seq, t.content, t.due_on.isoformat() if t.due_on else "",
                                    _label(Performance, t.status), _when(t.checked_at), t.check_note])
    return xlsx.to_bytes(wb)


def tasks_workbook(user, tasks: QuerySet[Task]) -> bytes:
    rows = list(tasks.select_related("event", "member__person", "member__pool", "dispatcher", "region")
                .order_by("dispatched_at", "id")[:MAX_ROWS])
    wb = Workbook()
    ws = wb.active
    ws.title = _("群英 tasks")
    _header(ws, [_("Event"), _("Title"), _("Region"), _("群英"), _("Pool"), _("Dispatched by"), _("Dispatched at"),
                 _("Status"), _("Taken at"), _("Reported at"), _("Settled"), _("Report"), _("Closed at"),
                 _("Reason for declining")],
            [24, 30, 16, 10, 20, 10, 17, 10, 17, 17, 8, 40, 17, 24])
    for t in rows:
        settled = "" if t.settled is None else (_("Yes") if t.settled else _("No"))
        xlsx.append(ws, [t.event.code, t.event.title, t.region.display_name, t.member.person.name, t.member.pool.name,
                         t.dispatcher.name, _when(t.dispatched_at), _label(TaskStatus, t.status), _when(t.accepted_at),
                         _when(t.reported_at), settled, t.report, _when(t.closed_at), t.decline_reason])
    return xlsx.to_bytes(wb)
