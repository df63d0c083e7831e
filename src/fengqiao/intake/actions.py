"""The one door every channel goes through (受理入口).

A channel — the 12345 and 110 feeds, online opinion, video alerts, a citizen's self-report, a
walk-in form, Open311, a spreadsheet import — hands the door a `Report`. The door, with no human
reading it first:

1. drops a ticket the same sender already delivered (`ExternalTicket`: (channel, external id) is
   unique; two deliveries at the same moment still make one event);
2. routes it: the region the channel names → else the grid or village whose polygon holds the
   point → else the address, matched inside the sender's county (`within`);
3. picks the category: the one the channel names → else the category whose name or code equals
   the channel's own label → else the classifier's top suggestion when it is confident enough →
   else the fallback category ("other");
4. registers the event (`event_register_nested`): filed under a village, grid or unit it is
   dispatched at once and its 3 (+ grid head) are bound; otherwise it is filed under the sender's
   county (so the county's operators see it) or under nothing;
5. looks for twins among recent events;
6. opens a triage item when anything needed a person ("unrouted", "ambiguous_address",
   "uncategorised", "duplicate").

The event, the ticket row, the triage item and the audit rows commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.events.actions import PartyInput, event_register_nested
from fengqiao.events.batch import batch_memo
from fengqiao.events.models import Category, Event, Source
from fengqiao.intake.models import ExternalTicket, IntakeSystem
from fengqiao.intake.queries import ticket_for
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.geo import region_at
from fengqiao.regions.locate import Located, locate
from fengqiao.regions.models import Level, Region
from fengqiao.triage.actions import triage_open
from fengqiao.triage.classify import suggest_categories
from fengqiao.triage.duplicates import find_twins

# Triage reasons.
UNROUTED = "unrouted"
AMBIGUOUS_ADDRESS = "ambiguous_address"
UNCATEGORISED = "uncategorised"
DUPLICATE = "duplicate"

# Levels at which registering an event dispatches it at once (events.actions does the same test).
DISPATCH_LEVELS = {Level.VILLAGE, Level.GRID, Level.UNIT}
# Stored data is Chinese whatever the sender's interface language.
REPORTER_NAME = "反映人"
SYSTEMS_STREAM = "intake_systems"


def category_confidence() -> float:
    """Below this the classifier's top suggestion is not trusted: fallback category + triage."""
    return float(getattr(settings, "FENGQIAO_INTAKE_CATEGORY_CONFIDENCE", 0.5))


def fallback_category_code() -> str:
    return str(getattr(settings, "FENGQIAO_INTAKE_FALLBACK_CATEGORY", "other"))


# --------------------------------------------------------------------------------- contracts


@dataclass
class Report:
    """What any channel hands the door."""

    source: str  # an events.models.Source value
    title: str
    description: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    category: Category | None = None  # when the channel knows it (Open311 service, mapped column)
    category_hint: str = ""  # the channel's own label, shown in triage
    region: Region | None = None  # when the channel knows it (a grid worker's grid, a walk-in form)
    within: Region | None = None  # restrict address matching (the sending system's county)
    reporter_name: str = ""
    reporter_phone: str = ""
    parties: Sequence[PartyInput] = ()
    attachments: Sequence[Any] = ()
    system: IntakeSystem | None = None
    external_id: str = ""  # the sender's own ticket id (idempotency)
    channel: str = ""  # idempotency namespace when there is no system, e.g. "sheet:hotline_12345"
    occurred_at: dt.datetime | None = None
    dispute_source: str = ""
    high_risk: bool = False


@dataclass
class IntakeResult:
    event: Event
    created: bool  # False: the same ticket was sent before; `event` is the earlier one
    routed: bool  # filed under a village/grid/unit and dispatched
    triage_reasons: list[str] = field(default_factory=list)
    ticket: ExternalTicket | None = None


@dataclass
class Routing:
    region: Region | None  # where the event is filed
    routed: bool  # filed at a level that dispatches at once
    by: str  # "region", "point", "address" or "" (not found)
    reasons: list[str] = field(default_factory=list)
    candidates: list[Any] = field(default_factory=list)  # the address's candidate places


@dataclass
class Categorising:
    category: Category
    by: str  # "channel", "label", "classifier", "fallback"
    reasons: list[str] = field(default_factory=list)
    suggestions: list[tuple[Category, float]] = field(default_factory=list)


# -------------------------------------------------------------------------------------- door


def intake_submit(*, report: Report, actor) -> IntakeResult:
    """Take one report through the door in its own (durable) transaction."""
    with transaction.atomic(durable=True):
        return intake_submit_nested(report=report, actor=actor)


def intake_submit_nested(*, report: Report, actor) -> IntakeResult:
    """`intake_submit` inside a transaction the caller holds (all-or-nothing spreadsheet imports).

    The work runs in a savepoint: when a concurrent delivery of the same ticket commits first,
    only this report's rows are undone and the earlier event is returned."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("intake_submit_nested needs an enclosing transaction.atomic()")
    channel = _channel(report)
    external_id = (report.external_id or "").strip()
    if len(external_id) > 100:
        raise InvalidInput(_("The ticket id is longer than 100 characters."), field="ticket_id")
    if external_id:
        earlier = ticket_for(channel=channel, external_id=external_id, likely_new=batch_memo() is not None)
        if earlier is not None:
            return redelivered(earlier)
    try:
        with transaction.atomic():
            return _submit(report, actor, channel, external_id)
    except IntegrityError:
        # The same ticket committed by a concurrent delivery (PostgreSQL: our insert waited for
        # it, then hit the unique constraint). Anything else is re-raised.
        earlier = ticket_for(channel=channel, external_id=external_id) if external_id else None
        if earlier is None:
            raise
        return redelivered(earlier)


def _channel(report: Report) -> str:
    if report.system is not None:
        return report.system.channel
    return (report.channel or f"source:{report.source}")[:60]


def redelivered(ticket: ExternalTicket) -> IntakeResult:
    """The answer to a ticket delivered again: the earlier event, as it was routed then."""
    ExternalTicket.objects.filter(pk=ticket.pk).update(deliveries=F("deliveries") + 1)
    return IntakeResult(event=ticket.event, created=False, routed=ticket.routed,
                        triage_reasons=list(ticket.triage_reasons), ticket=ticket)


def _submit(report: Report, actor, channel: str, external_id: str) -> IntakeResult:
    if report.source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": report.source}, field="source")
    within = report.within
    if within is None and report.system is not None:
        within = report.system.within
    routing = route(report, within=within)
    categorising = categorise(report)
    parties = _parties(report)

    event = event_register_nested(
        actor=actor,
        title=report.title,
        category=categorising.category,
        source=report.source,
        region=routing.region,
        description=report.description,
        address=report.address,
        latitude=report.latitude,
        longitude=report.longitude,
        dispute_source=report.dispute_source,
        high_risk=report.high_risk,
        parties=parties,
        attachments=report.attachments,
        auto_dispatch=True,
    )

    # Registration re-read the row after dispatching; put back what we hold (no queries later).
    if routing.region is not None and event.region_id == routing.region.pk:
        event.region = routing.region
    if event.category_id == categorising.category.pk:
        event.category = categorising.category

    reasons = [*routing.reasons, *categorising.reasons]
    twins = _twins(event)
    if twins:
        reasons.append(DUPLICATE)

    ticket = None
    if external_id:
        ticket = ExternalTicket.objects.create(
            channel=channel, external_id=external_id, system=report.system, event=event,
            category_hint=(report.category_hint or "")[:100], occurred_at=report.occurred_at,
            routed=routing.routed, triage_reasons=reasons, received_at=event.created_at,
        )

    audit.record(
        stream=audit.event_stream(event),
        event=event,
        actor=actor,
        actor_name=report.system.name if report.system is not None and actor is None else "",
        action="intake",
        from_state=event.status,
        to_state=event.status,
        details={
            "channel": channel,
            "ticket": external_id or None,
            "system": report.system.pk if report.system is not None else None,
            "routed_by": routing.by or None,
            "category_by": categorising.by,
            "category_hint": report.category_hint or None,
            "occurred_at": report.occurred_at.isoformat() if report.occurred_at else None,
            "triage": reasons,
        },
    )

    if reasons:
        _open_triage(event=event, reasons=reasons, routing=routing, categorising=categorising,
                     twins=twins)
    return IntakeResult(event=event, created=True, routed=routing.routed, triage_reasons=reasons,
                        ticket=ticket)


# ----------------------------------------------------------------------------------- routing


def route(report: Report, *, within: Region | None) -> Routing:
    """Where the report belongs: the region given, else the point's polygon, else the address."""
    if report.region is not None:
        region = report.region
        if region.retired_at is not None:
            raise InvalidInput(_("Region %(c)s has been retired.") % {"c": region.code}, field="region_code")
        if within is not None and not within.is_ancestor_of(region):
            raise InvalidInput(
                _("Region %(c)s is outside %(w)s.") % {"c": region.code, "w": within.display_name},
                field="region_code",
            )
        return _routing(region, "region", within)

    if report.latitude is not None and report.longitude is not None:
        at_point = _region_at(report.latitude, report.longitude)
        if at_point is not None and (within is None or within.is_ancestor_of(at_point)):
            return _routing(at_point, "point", within)

    located = _locate(report.address, within) if (report.address or "").strip() else None
    if located is not None and not located.ambiguous:
        named = _region_of(located)
        if named is not None and named.retired_at is None and (within is None or within.is_ancestor_of(named)):
            return _routing(named, "address", within)
    if within is not None and within.level in DISPATCH_LEVELS:
        # A sender serving one village: whatever the address says, the matter is that village's.
        return _routing(within, "within", within)
    # Not found: filed under the sender's county (its operators see it), or under nothing.
    reason = AMBIGUOUS_ADDRESS if located is not None and located.ambiguous else UNROUTED
    return Routing(region=within, routed=False, by="", reasons=[reason],
                   candidates=list(located.candidates) if located is not None else [])


def _routing(region: Region, by: str, within: Region | None) -> Routing:
    routed = region.level in DISPATCH_LEVELS
    # Filed above the villages (a town, a county): registered there but no one is bound yet.
    return Routing(region=region, routed=routed, by=by, reasons=[] if routed else [UNROUTED])


def _region_of(located: Located) -> Region | None:
    memo = batch_memo()  # an import's rows name the same few hundred villages over and over
    if memo is None:
        return located.region()
    key = ("region_by_code", located.code)
    if key not in memo:
        memo[key] = located.region()
    return memo[key]


def _region_at(latitude: float, longitude: float) -> Region | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(_("The point is not on Earth."), field="latitude")
    return region_at(latitude, longitude)


def _locate(address: str, within: Region | None) -> Located:
    return locate(address, within=within)


# -------------------------------------------------------------------------------- categories


def categorise(report: Report) -> Categorising:
    """The channel's category, else its label mapped by name or code, else the classifier."""
    if report.category is not None:
        return Categorising(category=report.category, by="channel")
    hint = (report.category_hint or "").strip()
    if hint:
        mapped = (
            Category.objects.filter(active=True)
            .filter(Q(code=hint) | Q(name=hint))
            .order_by("sort", "code")
            .first()
        )
        if mapped is not None:
            return Categorising(category=mapped, by="label")
    text = "\n".join(t for t in (hint, report.title, report.description) if t)
    suggestions = _suggest(text)
    if suggestions and suggestions[0][1] >= category_confidence():
        return Categorising(category=suggestions[0][0], by="classifier", suggestions=suggestions)
    fallback = Category.objects.filter(code=fallback_category_code(), active=True).first()
    if fallback is None:
        if not suggestions:
            raise InvalidInput(
                _("The matter has no category and the fallback category “%(c)s” is missing.")
                % {"c": fallback_category_code()},
                field="category_code",
            )
        fallback = suggestions[0][0]
    return Categorising(category=fallback, by="fallback", reasons=[UNCATEGORISED], suggestions=suggestions)


def _suggest(text: str) -> list[tuple[Category, float]]:
    return list(suggest_categories(text, limit=3))


# ------------------------------------------------------------------------------- duplicates


def _twins(event: Event) -> list[tuple[Event, float]]:
    """Likely twins (the same matter through another channel), scoring at least triage's
    threshold (`triage.duplicates.THRESHOLD`)."""
    return list(find_twins(event=event, limit=5))


def _open_triage(*, event: Event, reasons: list[str], routing: Routing, categorising: Categorising,
                 twins: list[tuple[Event, float]]) -> None:
    triage_open(event=event, reasons=reasons, region_candidates=routing.candidates,
                category_suggestions=categorising.suggestions, twins=twins)


# ---------------------------------------------------------------------------------- parties


def normalise_phone(phone: str) -> str:
    """“+86 139-0000 0001” → “13900000001”: what the senders write, as events accept it."""
    value = "".join(ch for ch in (phone or "") if not ch.isspace())
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and len(value) > len(prefix) + 6:
            value = value[len(prefix):]
            break
    if value.startswith("86") and len(value) == 13 and value[2] == "1":
        value = value[2:]
    if value.startswith("1") and value.replace("-", "").isdigit() and len(value.replace("-", "")) == 11:
        value = value.replace("-", "")
    return value


def _parties(report: Report) -> list[PartyInput]:
    parties = list(report.parties)
    name = (report.reporter_name or "").strip()
    phone = normalise_phone(report.reporter_phone)
    if (name or phone) and not any(p.is_reporter for p in parties):
        parties.insert(0, PartyInput(name=name[:50] or REPORTER_NAME, phone=phone, is_reporter=True))
    return parties


# --------------------------------------------------------------------------- sending systems


def intake_system_create(
    *, name: str, source: str, actor, within: Region | None = None, callback_url: str = "",
) -> tuple[IntakeSystem, str]:
    """A new sending system and its API key; the raw key is returned once, only its digest is kept."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("The name must have 1 to 100 characters."), field="name")
    if source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": source}, field="source")
    callback_url = _check_callback_url(callback_url)
    with transaction.atomic():
        if IntakeSystem.objects.filter(name=name).exists():
            raise InvalidInput(_("A sending system named “%(n)s” exists already.") % {"n": name}, field="name")
        raw = IntakeSystem.new_key()
        system = IntakeSystem.objects.create(
            name=name, source=source, within=within, callback_url=callback_url,
            key_prefix=raw[:12], key_digest=IntakeSystem.digest_of(raw), created_at=clock.now(),
            callback_secret=IntakeSystem.new_secret(),
        )
        audit.record(
            stream=SYSTEMS_STREAM, action="create_intake_system", actor=actor,
            details={"system": system.pk, "name": name, "source": source, "prefix": system.key_prefix,
                     "within": within.code if within else None, "callback_url": callback_url or None},
        )
    return system, raw


def intake_system_rotate_key(*, system: IntakeSystem, actor) -> str:
    """Replace the system's key and its callback signing secret (the old ones stop working at
    once); returns the new raw key (the new secret is `system.callback_secret`)."""
    with transaction.atomic():
        locked = IntakeSystem.objects.select_for_update().get(pk=system.pk)
        raw = IntakeSystem.new_key()
        old_prefix = locked.key_prefix
        locked.key_prefix = raw[:12]
        locked.key_digest = IntakeSystem.digest_of(raw)
        locked.callback_secret = IntakeSystem.new_secret()
        locked.save(update_fields=["key_prefix", "key_digest", "callback_secret"])
        audit.record(
            stream=SYSTEMS_STREAM, action="rotate_intake_key", actor=actor,
            details={"system": locked.pk, "name": locked.name, "old_prefix": old_prefix,
                     "prefix": locked.key_prefix},
        )
    system.key_prefix, system.key_digest = locked.key_prefix, locked.key_digest
    system.callback_secret = locked.callback_secret
    return raw


def _check_callback_url(url: str) -> str:
    import urllib.parse

    url = (url or "").strip()
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
        raise InvalidInput(_("The callback URL must be an http(s) URL."), field="callback_url")
    return url
