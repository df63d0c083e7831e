"""The petition ledger (信访台账) as .xlsx: the visible petitions, one row each, every cell through
`fengqiao.lib.xlsx` (text stays text). Petitioners are masked unless the user may see them for
that petition; every unmasked row is a `PetitionerRead` (via "export")."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from fengqiao.lib import clock, xlsx
from fengqiao.petitions import permissions as perms
from fengqiao.petitions.models import BATCH_CHINESE, Batch, Petition, PetitionerRead
from fengqiao.petitions.queries import LIST_RELATED, with_clock_state

MAX_ROWS = 5000
HEADER_FILL, HEADER_FONT = xlsx.HEADER_FILL, xlsx.HEADER_FONT
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _columns() -> list[str]:
    return [_("Code"), pgettext("petition", "Registered"), pgettext("petition", "Received"), _("Form"), _("First-time or repeat"),
            _("Joint"), _("Headcount"), _("Petitioners"), _("ID numbers"), _("Phones"), _("Addresses"),
            _("Subject"), _("Category"), _("Town"), _("Village"), _("Body responsible"),
            _("Leader in charge"), _("Status"), pgettext("petition", "Accepted"), _("Next limit"), pgettext("petition", "Overdue"),
            pgettext("petition", "Answered"), pgettext("petition", "Closed"), _("Backlog batch"), _("Year first raised")]


def ledger_workbook(user, petitions: Iterable[Petition]) -> bytes:
    qs = with_clock_state(
        Petition.objects.filter(pk__in=[p.pk for p in petitions])
        .select_related(*LIST_RELATED, "backlog").prefetch_related("petitioners")
        .order_by("-registered_at", "-id")
    )
    wb = Workbook()
    ws = wb.active
    ws.title = _("Petition ledger")
    xlsx.append(ws, [xlsx.cell(ws, t, font=HEADER_FONT, fill=HEADER_FILL) for t in _columns()])
    reads: list[PetitionerRead] = []
    now = clock.now()
    uid = user if getattr(user, "pk", None) else None
    for p in qs:
        clear = perms.may_see_petitioners(user, p)
        people = list(p.petitioners.all())
        shown = [({"name": x.name, "id_number": x.id_number, "phone": x.phone, "address": x.address}
                  if clear else x.masked()) for x in people]
        if clear and people:
            reads.append(PetitionerRead(user=uid, petition=p, via="export", created_at=now))
        backlog = getattr(p, "backlog", None) if hasattr(p, "backlog") else None
        xlsx.append(ws, [
            p.code, _day(p.registered_at), _day(p.received_at), p.get_form_display(), p.get_kind_display(),
            _("Yes") if p.joint else "", p.headcount,
            "、".join(s["name"] for s in shown), "、".join(s["id_number"] for s in shown if s["id_number"]),
            "、".join(s["phone"] for s in shown if s["phone"]), "、".join(s["address"] for s in shown if s["address"]),
            p.title, p.category.name, p.town.display_name if p.town else "",
            p.village.display_name if p.village else "", p.body_name, p.leader.name if p.leader else "",
            p.get_status_display(), _day(p.accepted_at),
            (f"{getattr(p, 'next_clock', '')} {_day(getattr(p, 'next_due', None))}"
             if getattr(p, "next_due", None) else ""), _("Yes") if getattr(p, "overdue", False) else "",
            _day(p.answered_at), _day(p.closed_at),
            BATCH_CHINESE[Batch(backlog.batch)] if backlog else "", backlog.first_raised_year if backlog else "",
        ])
    PetitionerRead.objects.bulk_create(reads)
    for col, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXY", [26, 12, 12, 8, 10, 6, 6, 16, 22, 16, 30, 30, 14,
                                                        10, 12, 18, 10, 12, 12, 26, 6, 12, 12, 14, 10],
                          strict=True):
        ws.column_dimensions[col].width = width
    return xlsx.to_bytes(wb)
