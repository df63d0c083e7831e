"""Writes for the channels people use on phones and at the window: a citizen's self-report
(群众自主上报) and its rating, a proxy agent's registration (代办), a grid worker's field report
(网格采集). Every one goes through the intake door (`fengqiao.intake.actions`), so each gets the
same routing, category suggestion, twin flags and triage.

What a channel writes beside the event (the tracking code, the rate counters, the agent's binding,
the citizen's receipt text) commits in one transaction with the door's rows: anything that fails
rolls the whole submission back.
"""

from __future__ import annotations

import contextvars
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.citizen import conf, ratelimit
from fengqiao.citizen.models import (
    CitizenRating,
    CitizenReport,
    ProxyAgency,
    ProxyAgent,
    ProxyOrder,
)
from fengqiao.citizen.permissions import field_grids, proxy_agent_posts, require_keep_agencies
from fengqiao.citizen.validation import (
    clean_address,
    clean_description,
    clean_name,
    clean_phone,
    clean_photos,
    clean_point,
    display_tracking_code,
    new_tracking_code,
    require_place,
)
from fengqiao.events import actions as event_actions
from fengqiao.events import hooks
from fengqiao.events.models import Category, Event, Satisfaction, Source, Status
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, IllegalTransition, InvalidInput, NotPermitted
from fengqiao.lib.protect import blind_index
from fengqiao.notify.models import OutboxMessage
from fengqiao.people.models import Person, Post, Role
from fengqiao.people.queries import person_of
from fengqiao.regions.models import Level, Region
from fengqiao.workflow.scope import file_under

ANONYMOUS_REPORTER = "群众"  # the reporter's party name when they leave none
PROXY_STREAM = "proxy"  # the audit stream of the agencies and their agents

# ------------------------------------------------------------------------- the door, and after


_rating: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "fengqiao_citizen_rating", default=None
)


def on_event_change(change: hooks.EventChange) -> None:
    """The hook (registered in CitizenConfig.ready): records and guards a citizen's rating inside
    the call-back's transaction."""
    if change.action == "call_back":
        rating = _rating.get()
        if rating is not None:
            _record_rating(change, rating)


def _through_door(report, actor, *, before: Callable[[], None] | None = None,
                  after: Callable[[Event], None] | None = None):
    """Submit `report` through the intake door, with the channel's own writes before (counters)
    and after (its rows on the new event) in the same durable transaction."""
    from fengqiao.intake.actions import intake_submit_nested

    with transaction.atomic(durable=True):
        if before is not None:
            before()
        result = intake_submit_nested(report=report, actor=actor)
        if not result.created:  # the door returned an earlier event (only with a ticket id)
            raise Conflict(_("This matter was already registered."), code="duplicate")
        if after is not None:
            after(result.event)
    return result


def _queue_text(*, phone: str, template: str, params: dict[str, Any], event: Event | None) -> None:
    """A text to a phone that belongs to no person on the platform (the citizen), through the
    outbox, in the caller's transaction."""
    from fengqiao.notify.templates import render_sms

    now = clock.now()
    params, body = render_sms(template, params)  # one SMS where it can be
    OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.SMS, idempotency_key=uuid.uuid4().hex, recipient=phone,
        event=event, template=template, params=params, body=body, next_attempt_at=now, created_at=now,
    )
    transaction.on_commit(_kick_worker)


def _kick_worker() -> None:
    try:
        from fengqiao.notify.tasks import deliver_due

        deliver_due()
    except Exception:  # the outbox row is safe; the periodic sweep delivers it
        import logging

        logging.getLogger(__name__).warning("could not queue the delivery task", exc_info=True)


def tracking_digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def track_url(code: str) -> str:
    return settings.FENGQIAO_SITE_URL.rstrip("/") + reverse("citizen_track", args=[display_tracking_code(code)])


def public_county() -> Region:
    """The county the public page serves: FENGQIAO_PUBLIC_COUNTY, or the only county there is."""
    code = conf.public_county_code()
    counties = Region.objects.filter(level=Level.COUNTY, retired_at=None)
    county = counties.filter(code=code).first() if code else None
    if county is None and not code:
        found = list(counties[:2])
        county = found[0] if len(found) == 1 else None
    if county is None:
        raise InvalidInput(_("Self-reporting is not set up on this platform yet."), code="not_configured")
    return county


def _title(category: Category | None, description: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    excerpt = first_line[:40] + ("…" if len(first_line) > 40 else "")
    return f"{category.name}:{excerpt}" if category else excerpt


def _clean_category(category: Category | None) -> Category | None:
    if category is not None and not category.active:
        raise InvalidInput(_("Choose a category from the list."), field="category")
    return category


# -------------------------------------------------------------------------- citizen self-report


@dataclass
class CitizenSubmission:
    description: str
    phone: str
    category: Category | None = None
    address: str = ""
    latitude: Any = None
    longitude: Any = None
    name: str = ""
    photos: Sequence[Any] = ()
    ip: str = ""
    channel: str = CitizenReport.Channel.PAGE


@dataclass
class Receipt:
    event: Event
    report: CitizenReport
    tracking_code: str  # shown once to the citizen and texted to them

    @property
    def display_code(self) -> str:
        return display_tracking_code(self.tracking_code)


def citizen_report(*, submission: CitizenSubmission, actor=None) -> Receipt:
    """群众自主上报: validate everything, refuse over the rate limits, then submit through the
    intake door with a fresh tracking code; the receipt is texted to the reporter.

    `actor` is None (the citizen has no login): the platform registers on their behalf."""
    s = submission
    description = clean_description(s.description)
    phone = clean_phone(s.phone)
    name = clean_name(s.name)
    address = clean_address(s.address)
    latitude, longitude = clean_point(s.latitude, s.longitude)
    require_place(address, latitude)
    category = _clean_category(s.category)
    photos = clean_photos(s.photos)
    county = public_county()
    limits = ratelimit.limits_for(ip=s.ip, phone=phone, per_ip=conf.reports_per_hour_per_ip(),
                                  per_phone=conf.reports_per_hour_per_phone())
    ratelimit.check(limits)

    from fengqiao.intake.actions import Report

    rows: dict[str, Any] = {}

    def write(event: Event) -> None:
        rows["receipt"] = _issue_tracking(event=event, phone=phone, name=name, channel=s.channel,
                                          title=_sms_title(category, description))

    result = _through_door(Report(
        source=Source.CITIZEN,
        title=_title(category, description),
        description=description,
        address=address,
        latitude=latitude,
        longitude=longitude,
        category=category,
        category_hint=description,
        within=county,
        reporter_name=name or ANONYMOUS_REPORTER,
        reporter_phone=phone,
        attachments=photos,
        channel="citizen",
    ), actor, before=lambda: ratelimit.hit(limits), after=write)
    receipt: Receipt = rows["receipt"]
    receipt.event = result.event
    return receipt


def _issue_tracking(*, event: Event, phone: str, name: str, channel: str, title: str) -> Receipt:
    """A fresh tracking code for the event, texted to the citizen (inside the caller's transaction)."""
    code = new_tracking_code()
    report = CitizenReport.objects.create(
        event=event, tracking_digest=tracking_digest(code), tracking_code=code, reporter_name=name,
        phone=phone, phone_index=blind_index(phone), channel=channel, created_at=clock.now(),
    )
    _queue_text(phone=phone, template="citizen_receipt", event=event, params={
        "title": title, "tracking": display_tracking_code(code), "url": track_url(code),
    })
    return Receipt(event=event, report=report, tracking_code=code)


def _sms_title(category: Category | None, description: str) -> str:
    text = description.strip().replace("\n", " ")
    return (category.name + ":" if category else "") + text[:12] + ("…" if len(text) > 12 else "")


# ------------------------------------------------------------------------------------ rating


def citizen_rate(*, report: CitizenReport, satisfaction: str, comment: str = "") -> Event:
    """The citizen rates the resolution: it becomes the event's call-back (回访). Dissatisfied
    reopens the event (rework). Once per resolution; refused before the event is resolved and
    after someone has already called back for this resolution."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or dissatisfied."), field="satisfaction")
    comment = str(comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput(_("The comment is longer than %(n)d characters.") % {"n": 500}, field="comment")
    from fengqiao.citizen.queries import handled_event

    event, _ids = handled_event(report)  # a merged report rates the event it was merged into
    if event.status != Status.RESOLVED:
        raise IllegalTransition(_("The matter can be rated once it has been resolved."), code="not_resolved")
    token = _rating.set({"report": report, "satisfaction": satisfaction, "comment": comment})
    try:
        note = "群众评价" + (":" + comment if comment else "")
        return event_actions.event_call_back(event=event.pk, actor=None, satisfaction=satisfaction, note=note)
    except IllegalTransition as exc:
        if exc.code == "already_called_back":  # the call-back's guard, on the locked row
            raise Conflict(_("This resolution has already been rated. Thank you."), code="already_rated") from None
        raise IllegalTransition(_("The matter can be rated once it has been resolved."), code="not_resolved") from None
    finally:
        _rating.reset(token)


def _record_rating(change: hooks.EventChange, rating: dict[str, Any]) -> None:
    """Inside the call-back's transaction (the event row locked; the call-back's guard has
    made sure it is the first for this resolution)."""
    before = change.before or {}
    CitizenRating.objects.create(
        report=rating["report"], event=change.event, resolved_at=before.get("resolved_at") or change.at,
        satisfaction=rating["satisfaction"], comment=rating["comment"], created_at=change.at,
    )


def texts_on_outcome(change: hooks.EventChange) -> None:
    """Text the citizens when their matter is resolved (with the link to rate it) or refused —
    also those whose reports were merged into this event."""
    if change.action not in {"resolve", "refuse"}:
        return
    event = change.event
    reports = CitizenReport.objects.filter(Q(event_id=event.pk) | Q(event__merged_into_id=event.pk))
    template = "citizen_resolved" if change.action == "resolve" else "citizen_refused"
    for report in reports:
        _queue_text(phone=report.phone, template=template, event=event, params={
            "title": _sms_title(event.category, event.description),
            "tracking": display_tracking_code(report.tracking_code),
            "url": track_url(report.tracking_code),
        })


# ---------------------------------------------------------------------------------- proxy agents


@dataclass
class ProxySubmission:
    citizen_name: str
    citizen_phone: str
    description: str
    category: Category | None
    region: Region | None
    address: str = ""
    title: str = ""
    photos: Sequence[Any] = ()


def proxy_register(*, actor, submission: ProxySubmission) -> Receipt:
    """代办 (群众点单、专人代办): a proxy agent takes a citizen's matter, registers it (source
    "proxy") and is bound to it (kind N, role proxy_agent) to carry it through; the matter is
    recorded for the agent's agency (`ProxyOrder`) in the same transaction. The citizen is texted
    a tracking code, as if they had reported it themselves."""
    agent = person_of(actor)
    if agent is None or not proxy_agent_posts(actor):
        raise NotPermitted(_("Only proxy agents register matters here."))
    s = submission
    name = str(s.citizen_name or "").strip()
    if not name:
        raise InvalidInput(_("Give the citizen's name."), field="citizen_name")
    if len(name) > 50:
        raise InvalidInput(_("The name is longer than %(n)d characters.") % {"n": 50}, field="citizen_name")
    phone = clean_phone(s.citizen_phone)
    description = clean_description(s.description)
    address = clean_address(s.address)
    category = _clean_category(s.category)
    photos = clean_photos(s.photos)
    if s.region is None:
        raise InvalidInput(_("Choose the village (or town) of the matter."), field="region")

    from fengqiao.intake.actions import Report

    rows: dict[str, Any] = {}

    def write(event: Event) -> None:
        agency = _serving_agency(agent)
        _bind_agent(event, agent, actor, agency)
        _record_order(event, agent, agency)
        # The citizen follows and rates the matter with a tracking code too (群众点单、专人代办).
        rows["receipt"] = _issue_tracking(event=event, phone=phone, name=name,
                                          channel=CitizenReport.Channel.PROXY,
                                          title=_sms_title(category, description))

    result = _through_door(Report(
        source=Source.PROXY,
        title=(s.title or "").strip()[:200] or _title(category, description),
        description=description,
        address=address,
        category=category,
        category_hint=description,
        region=s.region,
        reporter_name=name,
        reporter_phone=phone,
        attachments=photos,
        channel="proxy",
    ), actor, after=write)
    receipt: Receipt = rows["receipt"]
    receipt.event = result.event
    return receipt


def _serving_agency(agent: Person) -> ProxyAgency | None:
    """The active agency the agent serves now (one at a time), read inside the registration's
    transaction; None when they serve none."""
    membership = (ProxyAgent.objects.filter(person=agent, active=True, agency__active=True)
                  .select_related("agency").first())
    return membership.agency if membership is not None else None


def _bind_agent(event: Event, agent: Person, actor, agency: ProxyAgency | None) -> None:
    """Bind the agent to the event they registered (inside the registration's transaction): a rule
    of the proxy channel itself, made at registration, which `event_add_assignee` (dispatched
    events, dispatchers only) does not cover. The binding's audit row names the agency."""
    extra: dict[str, Any] = {"channel": "proxy"}
    if agency is not None:
        extra |= {"agency": agency.pk, "agency_name": str(agency)}
    event_actions.event_bind_nested(event=event, person=agent, role=Role.PROXY_AGENT, actor=actor, **extra)


def _record_order(event: Event, agent: Person, agency: ProxyAgency | None) -> ProxyOrder:
    """The matter is the agency's work: filed under the agency's region (so a region's total is
    the sum over its agencies), or the event's when the agent serves no agency."""
    order = ProxyOrder(event=event, agent=agent, agency=agency, taken_at=event.created_at)
    region = agency.region if agency is not None else event.region
    if region is not None:
        file_under(order, region)
    order.save()
    return order


# -------------------------------------------------------------------- proxy agencies, agents

# Where an agency of each kind sits: a village station in a village, a town centre in a town …
AGENCY_LEVELS = {
    ProxyAgency.Kind.VILLAGE: {Level.VILLAGE},
    ProxyAgency.Kind.TOWN: {Level.TOWN},
    ProxyAgency.Kind.COUNTY: {Level.COUNTY},
    ProxyAgency.Kind.PARK: {Level.COUNTY, Level.TOWN, Level.VILLAGE},
    ProxyAgency.Kind.VOLUNTEER: {Level.COUNTY, Level.TOWN, Level.VILLAGE},
}


def _text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text


def _clean_agency(*, name: Any, brand: Any, kind: Any, region: Region | None, address: Any) -> dict[str, Any]:
    if kind not in ProxyAgency.Kind.values:
        raise InvalidInput(_("Choose the kind of agency."), field="kind")
    if region is None:
        raise InvalidInput(_("Choose where the agency is."), field="region")
    if region.retired_at is not None:
        raise InvalidInput(_("%(r)s no longer exists.") % {"r": region.name}, field="region")
    if region.level not in AGENCY_LEVELS[kind]:
        raise InvalidInput(_("A %(kind)s sits in a %(levels)s, not in a %(level)s.") % {
            "kind": ProxyAgency.Kind(kind).label,
            "levels": "/".join(str(Level(lv).label) for lv in sorted(AGENCY_LEVELS[kind])),
            "level": Level(region.level).label}, field="region")
    return {"name": _text(name, "name", max_length=100, required=True),
            "brand": _text(brand, "brand", max_length=50),
            "kind": kind, "region": region,
            "address": _text(address, "address", max_length=200)}


def agency_create(*, actor, name: str, kind: str, region: Region | None, brand: str = "",
                  address: str = "") -> ProxyAgency:
    """Set up a proxy agency (代办机构) in a village, town or the county. Operators, administrators
    and the town's cadres; one name once per region."""
    values = _clean_agency(name=name, brand=brand, kind=kind, region=region, address=address)
    require_keep_agencies(actor, values["region"])
    try:
        with transaction.atomic(durable=True):
            agency = ProxyAgency(**values, created_at=clock.now())
            file_under(agency, values["region"])
            agency.save()
            audit.record(stream=PROXY_STREAM, action="create_agency", actor=actor, note=str(agency),
                         details={"agency": agency.pk, "name": agency.name, "brand": agency.brand,
                                  "kind": agency.kind, "region": agency.region.code})
    except IntegrityError:
        raise Conflict(_("%(r)s already has an agency named “%(n)s”.") % {
            "r": values["region"].name, "n": values["name"]}, code="duplicate", field="name") from None
    return agency


def agency_update(*, actor, agency: ProxyAgency, name: str, kind: str, brand: str = "",
                  address: str = "", active: bool = True) -> ProxyAgency:
    """Rename, rebrand or close an agency (its region stays; a closed agency takes no more
    matters and its agents are released)."""
    require_keep_agencies(actor, agency.region)
    values = _clean_agency(name=name, brand=brand, kind=kind, region=agency.region, address=address)
    try:
        with transaction.atomic(durable=True):
            locked = ProxyAgency.objects.select_for_update().get(pk=agency.pk)
            before = {f: getattr(locked, f) for f in ("name", "brand", "kind", "address", "active")}
            for f in ("name", "brand", "kind", "address"):
                setattr(locked, f, values[f])
            locked.active = bool(active)
            after = {f: getattr(locked, f) for f in before}
            changed = [f for f in before if before[f] != after[f]]
            if not changed:
                return locked
            locked.save(update_fields=changed)
            released = 0
            if before["active"] and not locked.active:
                released = ProxyAgent.objects.filter(agency=locked, active=True).update(
                    active=False, left_at=clock.now())
            audit.record(stream=PROXY_STREAM, action="update_agency", actor=actor, note=str(locked),
                         details={"agency": locked.pk, "changed": {f: [before[f], after[f]] for f in changed},
                                  "agents_released": released})
    except IntegrityError:
        raise Conflict(_("%(r)s already has an agency named “%(n)s”.") % {
            "r": agency.region.name, "n": values["name"]}, code="duplicate", field="name") from None
    return locked


def _on_one_line(a: Region, b: Region) -> bool:
    return a.is_ancestor_of(b) or b.is_ancestor_of(a)


def agent_appoint(*, actor, agency: ProxyAgency, person: Person, full_time: bool = False) -> ProxyAgent:
    """Appoint a proxy agent (代办员) to an agency: a person with a proxy_agent post in the
    agency's region, above it or below it, who serves no other agency now."""
    require_keep_agencies(actor, agency.region)
    if not agency.active:
        raise Conflict(_("This agency is closed."), code="closed")
    posts = Post.objects.filter(person=person, role=Role.PROXY_AGENT, active=True).select_related("region")
    if not person.active or not any(_on_one_line(p.region, agency.region) for p in posts):
        raise InvalidInput(_("%(p)s holds no proxy-agent post in or around %(r)s.") % {
            "p": person.name, "r": agency.region.name}, field="person")
    try:
        with transaction.atomic(durable=True):
            current = (ProxyAgent.objects.select_for_update().filter(person=person, active=True)
                       .select_related("agency").first())
            if current is not None:
                if current.agency_id == agency.pk:
                    raise Conflict(_("%(p)s already serves this agency.") % {"p": person.name}, code="duplicate")
                raise Conflict(_("%(p)s serves %(a)s: release them there first.") % {
                    "p": person.name, "a": current.agency}, code="serves_elsewhere")
            member = ProxyAgent.objects.create(agency=agency, person=person, full_time=bool(full_time),
                                               joined_at=clock.now())
            audit.record(stream=PROXY_STREAM, action="appoint_agent", actor=actor, note=person.name,
                         details={"agency": agency.pk, "person": person.pk, "membership": member.pk,
                                  "full_time": member.full_time})
    except IntegrityError:  # a concurrent appointment of the same person won
        raise Conflict(_("%(p)s was just appointed elsewhere.") % {"p": person.name},
                       code="serves_elsewhere") from None
    return member


def agent_release(*, actor, membership: ProxyAgent) -> ProxyAgent:
    """The agent leaves the agency (the matters they took stay counted for it)."""
    require_keep_agencies(actor, membership.agency.region)
    with transaction.atomic(durable=True):
        locked = ProxyAgent.objects.select_for_update().select_related("agency", "person").get(pk=membership.pk)
        if not locked.active:
            raise Conflict(_("%(p)s no longer serves this agency.") % {"p": locked.person.name}, code="released")
        locked.active = False
        locked.left_at = clock.now()
        locked.save(update_fields=["active", "left_at"])
        audit.record(stream=PROXY_STREAM, action="release_agent", actor=actor, note=locked.person.name,
                     details={"agency": locked.agency_id, "person": locked.person_id, "membership": locked.pk})
    return locked


# ------------------------------------------------------------------------------ field reports


@dataclass
class FieldSubmission:
    description: str
    category: Category | None
    grid: Region
    latitude: Any = None
    longitude: Any = None
    address: str = ""
    photos: Sequence[Any] = ()


def field_report(*, actor, submission: FieldSubmission):
    """网格采集: a grid worker's report from the field, filed under their grid with the point
    their phone gave."""
    s = submission
    if s.grid is None or s.grid.pk not in {g.pk for g in field_grids(actor)}:
        raise NotPermitted(_("You can report only in your own grid."))
    description = clean_description(s.description)
    address = clean_address(s.address)
    latitude, longitude = clean_point(s.latitude, s.longitude)
    category = _clean_category(s.category)
    photos = clean_photos(s.photos)

    from fengqiao.intake.actions import Report

    return _through_door(Report(
        source=Source.GRID,
        title=_title(category, description),
        description=description,
        address=address,
        latitude=latitude,
        longitude=longitude,
        category=category,
        category_hint=description,
        region=s.grid,
        attachments=photos,
        channel="grid",
    ), actor)
