"""The 督办 ledger (督办台账): every supervision order on an event the user may see — its level
(普通 / 黄牌 / 红牌), who gave it, when, with what note — and what followed it: the event's own
record after the order (urges, acknowledgements, extensions, escalations, the resolution …, until
the next order on the same event), where the event stands now, and the bulletins, summons and
accountability records linked to it.

Everything is read from the audit trail (`supervise` rows of the event's stream, written by
`events.actions.event_supervise`) and the supervision records: nothing here is stored twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.audit.models import AuditEntry
from fengqiao.events import statemachine
from fengqiao.events.models import Event, Status, Supervision
from fengqiao.events.scope import visible_events
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.models import Region
from fengqiao.supervision.models import AccountabilityRecord
from fengqiao.supervision.queries import visible_records
from fengqiao.workflow.timeline import actor_label

LEVELS = [v for v in Supervision.values if v]  # normal, yellow, red
MAX_EXPORT = 5000  # orders in one spreadsheet
FOLLOW_SHOWN = 6  # steps listed on the page under an order (the export lists them all)
# The steps after an order that say nothing about the handling (a second order ends the span).
QUIET = frozenset({"comment", "attach", "deadline_warning"})


@dataclass
class Step:
    """One thing the event's record shows after the order."""

    at: dt.datetime
    action: str
    label: str
    actor: str
    to_state: str  # "" when the step did not move the state
    note: str

    def text(self) -> str:
        when = timezone.localtime(self.at).strftime("%m-%d %H:%M")
        moved = f"→{Status(self.to_state).label}" if self.to_state else ""
        return f"{when} {self.label}{moved}({self.actor})"


@dataclass
class Order:
    """One 督办 order and what followed it."""

    entry: AuditEntry
    event: Event
    level: str
    previous: str
    steps: list[Step] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)  # AccountabilityRecord

    @property
    def at(self) -> dt.datetime:
        return self.entry.created_at

    @property
    def by(self) -> str:
        return actor_label(self.entry)

    @property
    def note(self) -> str:
        return str(self.entry.note)

    @property
    def level_label(self) -> str:
        return str(Supervision(self.level).label) if self.level in Supervision.values else self.level

    @property
    def previous_label(self) -> str:
        return str(Supervision(self.previous).label) if self.previous else ""

    @property
    def urges(self) -> int:
        return sum(1 for s in self.steps if s.action == "urge")

    @property
    def resolved_at(self) -> dt.datetime | None:
        """When a resolution followed the order (the first one after it), if one did."""
        return next((s.at for s in self.steps if s.action == "resolve"), None)

    @property
    def days_to_resolve(self) -> int | None:
        done = self.resolved_at
        return None if done is None else (done - self.at).days

    @property
    def shown_steps(self) -> list[Step]:
        return self.steps[:FOLLOW_SHOWN]

    @property
    def more_steps(self) -> int:
        return max(0, len(self.steps) - FOLLOW_SHOWN)

    @property
    def overdue_now(self) -> bool:
        return self.event.overdue_at(clock.now()) and self.event.is_open


@dataclass(frozen=True)
class LedgerFilter:
    region: Region | None = None
    level: str = ""
    start: dt.date | None = None  # the order's local date
    end: dt.date | None = None
    open_only: bool = False

    def __post_init__(self) -> None:
        if self.level and self.level not in LEVELS:
            raise InvalidInput(_("Level must be normal, yellow or red."), field="level")
        if self.start and self.end and self.end < self.start:
            raise InvalidInput(_("The end date is before the start date."), field="end")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def orders(user, f: LedgerFilter) -> QuerySet:
    """The `supervise` rows on events the user may see (under `f.region`), newest first."""
    events = visible_events(user)
    if f.region is not None:
        events = events.filter(**f.region.subtree_kwargs(self_field="region_id"))
    if f.open_only:
        events = events.filter(status__in=[Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS])
    qs = AuditEntry.objects.filter(action="supervise", stream__startswith="event:", event__in=events.values("pk"))
    if f.level:
        qs = qs.filter(details__level=f.level)
    if f.start:
        qs = qs.filter(created_at__gte=_midnight(f.start))
    if f.end:
        qs = qs.filter(created_at__lt=_midnight(f.end + dt.timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


def build(user, entries: Iterable[AuditEntry]) -> list[Order]:
    """The orders of `entries` with what followed each: three queries whatever their number (the
    events, their records after the first order, the linked accountability records)."""
    keyed = [(entry, entry.event_id) for entry in entries if entry.event_id is not None]
    if not keyed:
        return []
    event_ids = {event_id for _entry, event_id in keyed}
    events = Event.objects.select_related("village", "town", "region", "category").in_bulk(event_ids)
    first_seq: dict[int, int] = {}
    for entry, event_id in keyed:
        first_seq[event_id] = min(first_seq.get(event_id, entry.seq), entry.seq)
    after: dict[int, list[AuditEntry]] = {}
    for row in (AuditEntry.objects.filter(event_id__in=event_ids, stream__startswith="event:")
                .only("event_id", "seq", "action", "actor_id", "actor_name", "to_state", "from_state", "note",
                      "created_at").order_by("event_id", "seq")):
        row_event = row.event_id
        if row_event is not None and row.seq > first_seq[row_event]:
            after.setdefault(row_event, []).append(row)
    linked: dict[int, list[Any]] = {}
    through = AccountabilityRecord.events.through
    visible = visible_records(user).filter(events__in=event_ids).distinct()
    by_id = {r.pk: r for r in visible}
    for link in through.objects.filter(event_id__in=event_ids, accountabilityrecord_id__in=list(by_id)):
        linked.setdefault(link.event_id, []).append(by_id[link.accountabilityrecord_id])
    out = []
    for entry, event_id in keyed:
        details = entry.details or {}
        order = Order(entry=entry, event=events[event_id], level=str(details.get("level", "")),
                      previous=str(details.get("previous", "")),
                      records=sorted(linked.get(event_id, []), key=lambda r: (r.decided_on, r.pk)))
        for row in after.get(event_id, []):
            if row.seq <= entry.seq or row.action in QUIET:
                continue
            if row.action == "supervise":  # the next order: what follows is its own
                break
            order.steps.append(Step(
                at=row.created_at, action=row.action, label=statemachine.action_label(row.action),
                actor=actor_label(row), to_state=row.to_state if row.to_state != row.from_state else "",
                note=row.note))
        out.append(order)
    return out


def export_rows(orders_: list[Order]) -> Iterable[list[Any]]:
    for o in orders_:
        e = o.event
        place = e.village or e.town or e.region
        yield [
            timezone.localtime(o.at).strftime("%Y-%m-%d %H:%M"), o.level_label, o.previous_label, o.by, o.note,
            e.code, e.title, place.name if place else "", e.category.name, e.get_status_display(),
            timezone.localtime(e.deadline).strftime("%Y-%m-%d %H:%M") if e.deadline else "",
            _("Yes") if o.overdue_now else "", o.urges,
            timezone.localtime(o.resolved_at).strftime("%Y-%m-%d %H:%M") if o.resolved_at else "",
            "" if o.days_to_resolve is None else o.days_to_resolve,
            ";".join(s.text() for s in o.steps),
            ";".join(f"{r.get_kind_display()}:{r.title}" for r in o.records),
        ]


def export_headers() -> list[str]:
    return [_("Supervised at"), _("Supervision level"), _("Previous level"), _("Supervised by"), _("Note"), _("Code"),
            _("Event"), _("Place"), _("Category"), _("Status now"), _("Deadline"),
            pgettext("ledger", "Overdue now"),
            _("Urges since"), _("Resolved at"), _("Days to resolve"), _("What followed"),
            _("Bulletins, summons, accountability")]
