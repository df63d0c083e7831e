"""Reads for the citizen channels: a report by its tracking code, the progress a citizen sees
(in their words, without staff names or anyone's phone), a proxy agent's worklist, and the proxy
agencies with their agents and the matters they took (404 outside the user's regions). The
command centre's figures on agencies (rates, coverage, rankings) are `command.proxy`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.audit.models import AuditEntry
from fengqiao.citizen.models import (
    CitizenRating,
    CitizenReport,
    ProxyAgency,
    ProxyAgent,
    ProxyOrder,
)
from fengqiao.citizen.validation import normalise_tracking_code
from fengqiao.events import statemachine as sm
from fengqiao.events.actions import TIER_CHINESE
from fengqiao.events.models import OPEN_STATUSES, Assignment, Event, Satisfaction, Status
from fengqiao.events.scope import visible_events
from fengqiao.people.models import Person, Post, Role
from fengqiao.people.queries import REGIONAL_ROLES, person_of
from fengqiao.regions.models import Region
from fengqiao.workflow.scope import region_scope_q

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


# ------------------------------------------------------------------------- proxy agencies

OPEN_VALUES = [s.value for s in OPEN_STATUSES]


def visible_agencies(user) -> QuerySet:
    """The agencies under the user's regional posts, and the one the user serves as an agent."""
    q = region_scope_q(user, roles=set(REGIONAL_ROLES))
    qs = ProxyAgency.objects.select_related("region", "town", "village")
    if q is None:
        return qs
    person = person_of(user)
    if person is not None:
        q |= Q(agents__person=person, agents__active=True)
    return qs.filter(q).distinct()


def access_agency_for_user(user, agency_id: int | str) -> ProxyAgency:
    """The agency if the user may see it; 404 otherwise (never say it exists)."""
    try:
        pk = int(agency_id)
    except (TypeError, ValueError):
        raise Http404("no such agency") from None
    agency = visible_agencies(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("no such agency")
    return agency


def _count(qs: QuerySet, by: str) -> Coalesce:
    """A correlated COUNT(*) of `qs` per outer row (joins would multiply one another)."""
    counted = qs.filter(**{by: OuterRef("pk")}).order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def agencies_with_counts(qs: QuerySet) -> QuerySet:
    """Each agency with its active agents (full-time apart) and the matters it took (all time,
    and those still open)."""
    active = ProxyAgent.objects.filter(active=True)
    return qs.annotate(
        n_agents=_count(active, "agency"),
        n_full_time=_count(active.filter(full_time=True), "agency"),
        n_matters=_count(ProxyOrder.objects.all(), "agency"),
        n_open=_count(ProxyOrder.objects.filter(event__status__in=OPEN_VALUES), "agency"),
    )


def agency_list(user, *, region: Region | None = None, kind: str = "", text: str = "") -> QuerySet:
    """The agencies the user may see, under `region` when given, of one kind, by name or brand."""
    qs = visible_agencies(user)
    if region is not None:
        qs = qs.filter(**region.subtree_kwargs(self_field="region_id"))
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(brand__icontains=text))
    return agencies_with_counts(qs).order_by("region__code", "name", "pk")


def agents_of(agency: ProxyAgency, *, include_former: bool = False) -> list[ProxyAgent]:
    """The agency's agents with the matters each took for it (all time, and open)."""
    qs = ProxyAgent.objects.filter(agency=agency).select_related("person")
    if not include_former:
        qs = qs.filter(active=True)
    orders = ProxyOrder.objects.filter(agency=agency, agent=OuterRef("person_id")).order_by().values("agent")
    qs = qs.annotate(
        n_matters=Coalesce(Subquery(orders.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                           Value(0)),
        n_open=Coalesce(Subquery(orders.filter(event__status__in=OPEN_VALUES).annotate(n=Count("pk"))
                                 .values("n"), output_field=IntegerField()), Value(0)),
    )
    return list(qs.order_by("-active", "-full_time", "person__name", "pk"))


def appointable_people(agency: ProxyAgency) -> list[Person]:
    """People with an active proxy_agent post in the agency's region, above or below it, who
    serve no agency now: the choices for a new appointment."""
    region = agency.region
    lineage = [r.pk for r in region.lineage()]
    posts = (Post.objects.filter(role=Role.PROXY_AGENT, active=True, person__active=True)
             .filter(Q(region_id__in=lineage) | Q(**{f"region__{k}": v for k, v in region.subtree_kwargs().items()}))
             .exclude(person__proxy_agencies__active=True))
    ids = posts.values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("name", "pk"))


def agency_matters(agency: ProxyAgency, user) -> QuerySet:
    """The events the agency's agents took for it, that the user may see, newest first."""
    ids = ProxyOrder.objects.filter(agency=agency).values("event_id")
    return (visible_events(user).filter(pk__in=ids)
            .select_related("category", "region", "village", "town")
            .order_by("-created_at", "-id"))


def serving_membership(user) -> ProxyAgent | None:
    """The agency the user serves now, as its agent."""
    person = person_of(user)
    if person is None:
        return None
    return (ProxyAgent.objects.filter(person=person, active=True, agency__active=True)
            .select_related("agency", "agency__region").first())

