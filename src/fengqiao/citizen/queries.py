"""Reads for the citizen channels: a report by its tracking code, the progress a citizen sees
(in their words, without staff names or anyone's phone), and a proxy agent's worklist."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.audit.models import AuditEntry
from fengqiao.citizen.models import CitizenRating, CitizenReport
from fengqiao.citizen.validation import normalise_tracking_code
from fengqiao.events import statemachine as sm
from fengqiao.events.actions import TIER_CHINESE
from fengqiao.events.models import Assignment, Event, Satisfaction, Status
from fengqiao.events.scope import visible_events
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of

# The five steps a citizen sees: 受理 → 已分派 → 处置中 → 已办结 → 已归档.
STEPS = [
    ("registered", gettext_lazy("Received")),
    ("dispatched", gettext_lazy("Assigned")),
    ("in_progress", gettext_lazy("Being handled")),
    ("resolved", gettext_lazy("Resolved")),
    ("closed", gettext_lazy("Archived")),
]
STEP_INDEX = {key: i for i, (key, _label) in enumerate(STEPS)}

_PHONE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)|(?<!\d)(0\d{2,3})[-\s]?\d{3,4}(\d{4})(?!\d)")


def scrub_phones(text: str) -> str:
    """Mask anything that looks like a phone number in text a citizen will read."""
    def mask(m: re.Match) -> str:
        if m.group(1):
            return f"{m.group(1)}****{m.group(2)}"
        return f"{m.group(3)}-****{m.group(4)}"

    return _PHONE_LIKE.sub(mask, text or "")


def report_by_code(raw_code: str) -> CitizenReport:
    """The report behind a tracking code; 404 for anything else (malformed or unknown alike)."""
    from fengqiao.citizen.actions import tracking_digest

    code = normalise_tracking_code(raw_code)
    if code is None:
        raise Http404("no such tracking code")
    report = (
        CitizenReport.objects.select_related("event", "event__category", "event__region",
                                             "event__merged_into")
        .filter(tracking_digest=tracking_digest(code)).first()
    )
    if report is None:
        raise Http404("no such tracking code")
    return report


@dataclass
class Entry:
    at: Any
    text: str
    note: str = ""


@dataclass
class Progress:
    """What the tracking page and GET /citizen/reports/{code} show."""

    report: CitizenReport
    event: Event  # the one being handled (the kept event when the report's was merged)
    status: str  # the citizen's step key, or "refused"
    status_label: str
    steps: list[dict[str, Any]]
    entries: list[Entry]
    result: str
    refuse_reason: str
    can_rate: bool
    rated: CitizenRating | None
    satisfaction_label: str
    merged: bool = False
    attachments: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _describe(entry: AuditEntry) -> Entry | None:
    """One line of the record in a citizen's words, or None for what they need not see."""
    d = entry.details or {}
    action = entry.action
    if action == "register":
        return Entry(entry.created_at, _("Your report was received."))
    if action == "dispatch":
        return Entry(entry.created_at, _("Assigned to the responsible village or community."))
    if action == "acknowledge":
        return Entry(entry.created_at, _("The responsible people have taken it up."))
    if action == "escalate":
        tier = TIER_CHINESE.get(str(d.get("to_tier", "")), "")
        return Entry(entry.created_at, _("Passed up to %(tier)s for handling.") % {"tier": tier or _("a higher level")})
    if action == "return":
        return Entry(entry.created_at, _("Being re-assigned to the right place."))
    if action == "approve_extension":
        return Entry(entry.created_at, _("More time was granted to handle it."))
    if action == "resolve":
        return Entry(entry.created_at, _("Resolved."), scrub_phones(entry.note))
    if action == "call_back":
        label = Satisfaction(d["satisfaction"]).label if d.get("satisfaction") in Satisfaction.values else ""
        text = _("Rated: %(s)s.") % {"s": label}
        if d.get("rework"):
            text += " " + _("It is being handled again.")
        return Entry(entry.created_at, text)
    if action == "close":
        return Entry(entry.created_at, _("Archived."))
    if action == "refuse":
        return Entry(entry.created_at, _("Not accepted."), scrub_phones(entry.note))
    if action == "merge":
        return Entry(entry.created_at, _("Handled together with a report of the same matter."))
    return None


def handled_event(report: CitizenReport) -> tuple[Event, list[int]]:
    """The event being handled for this report: its own, or the one it was merged into (a chain
    is short; loops are guarded). Also the ids along the way."""
    event = report.event
    seen = [event.pk]
    while event.status == Status.MERGED and event.merged_into_id and event.merged_into_id not in seen:
        event = Event.objects.select_related("category", "region", "merged_into").get(pk=event.merged_into_id)
        seen.append(event.pk)
    return event, seen


def progress(report: CitizenReport) -> Progress:
    own = report.event
    event, seen = handled_event(report)
    merged = len(seen) > 1
    entries = [e for e in (_describe(a) for a in AuditEntry.objects.filter(event_id__in=seen).order_by("created_at", "id")) if e]
    status = event.status
    if status == Status.REFUSED:
        step = -1
        label = _("Not accepted")
    else:
        key = status if status in STEP_INDEX else "registered"
        step = STEP_INDEX[key]
        label = str(dict(STEPS)[key])
    steps = [{"key": k, "label": str(lbl), "done": i < step, "current": i == step} for i, (k, lbl) in enumerate(STEPS)]
    rated = (CitizenRating.objects.filter(event=event, resolved_at=event.resolved_at).first()
             if event.resolved_at else None)
    can_rate = sm.legal_now(event, "call_back")  # the rating is the call-back: once per resolution
    return Progress(
        report=report, event=event, status=status if status != Status.MERGED else "registered",
        status_label=label, steps=steps, entries=list(reversed(entries)),
        result=scrub_phones(event.result) if status in {Status.RESOLVED, Status.CLOSED} else "",
        refuse_reason=scrub_phones(event.refuse_reason) if status == Status.REFUSED else "",
        can_rate=can_rate, rated=rated,
        satisfaction_label=str(Satisfaction(event.satisfaction).label) if event.satisfaction else "",
        merged=merged, attachments=own.attachments.count(),
    )


def proxied_events(user) -> QuerySet:
    """我的代办: the events this proxy agent registered for citizens (bound as proxy_agent), newest
    first, within what they may see."""
    person = person_of(user)
    if person is None:
        return Event.objects.none()
    ids = Assignment.objects.filter(person=person, role=Role.PROXY_AGENT).values("event_id")
    # The agent's binding puts the event in their scope; visible_events keeps the page honest.
    return (visible_events(user).filter(pk__in=ids)
            .select_related("category", "region", "village", "town")
            .order_by("-created_at", "-id"))
