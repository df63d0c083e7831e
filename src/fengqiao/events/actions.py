"""Every write on an event. Views, the API, commands and tasks all call these functions.

Each action: one durable transaction; lock the event row; check the state machine and the actor's
posts; change the row with `update_fields`; write one audit row; queue texts in the outbox.
`actor=None` is the platform itself (automatic dispatch, the deadline scanner).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.events import deadlines, hooks
from fengqiao.events import permissions as perms
from fengqiao.events import statemachine as sm
from fengqiao.events.batch import CodeBlock, batch_memo, current_codes
from fengqiao.events.models import (
    TERMINAL_STATUSES,
    TIER_ORDER,
    Assignment,
    Attachment,
    CallLog,
    Category,
    Event,
    EventCodeCounter,
    ExtensionRequest,
    Party,
    PersonalDataRead,
    Satisfaction,
    Source,
    Status,
    Tier,
)
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, IllegalTransition, InvalidInput, NotPermitted
from fengqiao.lib.filetypes import sniff_attachment
from fengqiao.lib.inputs import text as _text
from fengqiao.lib.masking import mask_phone
from fengqiao.lib.protect import blind_index
from fengqiao.notify.actions import notify_people
from fengqiao.people.models import VILLAGE_THREE, Person, Post, Role
from fengqiao.regions.models import ANCESTOR_LEVELS, Level, Region
from fengqiao.workflow.transition import Step, Workflow, register, transition

MAX_EXTENSION_DAYS = 60
P = ParamSpec("P")
R = TypeVar("R")
# Texts go out in Chinese whatever the sender's interface language.
TIER_CHINESE = {"village": "村(社区)", "town": "镇(街道)", "county": "县指挥中心"}


# ----------------------------------------------------------------------------------- helpers


def _fmt(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _params(event: Event, **extra: Any) -> dict[str, Any]:
    region = event.region
    return {
        "code": event.code,
        "title": event.title,
        "region": region.display_name if region else "",
        "deadline": _fmt(event.deadline),
        "tier": TIER_CHINESE[event.tier],
        **{k: str(v) for k, v in extra.items()},
    }


def _bound_people(event: Event) -> list[Person]:
    return [
        a.person
        for a in Assignment.objects.filter(event=event, active=True).select_related("person")
    ]


def _record(event: Event, actor, action: str, from_state: str, note: str = "", *,
            new_stream: bool = False, **details) -> None:
    audit.record(
        stream=audit.event_stream(event),
        event=event,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=event.status,
        note=note,
        details=details,
        new_stream=new_stream,
    )


def _lock(event: Event | int) -> Event:
    pk = event if isinstance(event, int) else event.pk
    return Event.objects.select_for_update(of=("self",)).select_related("region", "category").get(pk=pk)


# The events' workflow on the shared machinery: its machine, its row, who may, its stream.
WORKFLOW = register(Workflow(
    machine=sm.MACHINE,
    model=Event,
    require=lambda actor, event, action: perms.require(actor, event, action),
    stream=audit.event_stream,
    event_of=lambda event: event,
    related=("region", "category"),
    hooks=hooks.HOOKS,
    make_change=hooks.make_change,
))
_Step = Step  # what an action body decided (fields, note, details, after, fresh)


def _require_posts(event: Event | int, actor, action: str) -> None:
    """The actor's posts, checked before their input is validated (a 403 must not become a 400
    or a 404 that tells what the input would have done). `_act` checks again under the lock."""
    WORKFLOW.require_first(event, actor, action)


def _act(event: Event | int, actor, action: str, body: Callable[[Event, _Step], None]) -> Event:
    """Run one action: lock, check posts and state, apply `body`, save, audit — atomically."""
    with transaction.atomic(durable=True):
        return _act_in_transaction(event, actor, action, body)


def _act_in_transaction(event: Event | int, actor, action: str, body, *, fresh: bool = False) -> Event:
    """`fresh`: `event` is the instance this transaction has just inserted (registration's own
    dispatch) — no other transaction can see the row yet, so it is neither locked nor reloaded."""
    return transition(WORKFLOW, event, actor=actor, action=action, body=body, fresh=fresh)


# ------------------------------------------------------------------------------ registration


def _county_code(region: Region) -> str:
    memo = batch_memo()
    if memo is None:
        return region.county.code
    key = ("county_code", region.county_id)
    if key not in memo:
        memo[key] = region.county.code
    return memo[key]


def _code_key(region: Region | None, moment: dt.datetime) -> str:
    prefix = (_county_code(region) if region is not None and region.county_id else
              region.code if region is not None else "000000")
    return f"{prefix}-{timezone.localtime(moment).strftime('%Y%m%d')}"


def reserve_codes(*, region: Region, count: int, actor, reason: str) -> CodeBlock | None:
    """Take `count` event codes of today's counter of `region`'s county in a short transaction of
    its own, so that a long import (one transaction for a whole file) does not hold the counter —
    and every other registration in the county — until it commits. Codes of the block that the
    import does not use (rows already imported, rows filed in another county, an import that
    fails) are never handed out: the day's numbering has a gap there, which the audit row written
    here explains."""
    if count <= 0:
        return None
    key = _code_key(region, clock.now())
    with transaction.atomic(durable=True):
        last = _advance_counter(key, count)
        first = last - count + 1
        audit.record(stream="event_codes", action="reserve_codes", actor=actor, note=reason,
                     details={"key": key, "first": first, "last": last, "count": count})
    return CodeBlock(key=key, first=first, last=last)


def _advance_counter(key: str, count: int = 1) -> int:
    """Move the day counter `key` on by `count` (row-locked); the last number now taken."""
    EventCodeCounter.objects.get_or_create(key=key)
    counter = EventCodeCounter.objects.select_for_update().get(key=key)
    counter.last += count
    counter.save(update_fields=["last"])
    return counter.last


def _next_code(region: Region | None, moment: dt.datetime) -> str:
    key = _code_key(region, moment)
    codes = current_codes()
    if codes is not None and codes.key == key:
        number = codes.take()
        if number is not None:
            return f"{key}-{number:04d}"
    return f"{key}-{_advance_counter(key):04d}"


def _file_under(event: Event, region: Region) -> None:
    event.region = region
    for lv in ANCESTOR_LEVELS:
        setattr(event, f"{lv}_id", getattr(region, f"{lv}_id"))


@dataclass
class PartyInput:
    name: str
    phone: str = ""
    id_number: str = ""
    is_reporter: bool = False


def event_register_nested(
    *,
    actor,
    title: str,
    category: Category,
    source: str,
    region: Region | None,
    description: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    dispute_source: str = "",
    high_risk: bool = False,
    parties: Iterable[PartyInput] = (),
    attachments: Iterable[Any] = (),
    auto_dispatch: bool = True,
) -> Event:
    """受理 inside a transaction the caller holds (a channel that writes its own rows — the
    sender's ticket, a triage item — in the same transaction as the event). One event per matter,
    dispatched at once when the region names a village or below. `event_register` is the same in
    a durable transaction of its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_register_nested needs an enclosing transaction.atomic()")
    title = _text(title, "title", max_length=200)
    description = _text(description, "description", required=False, max_length=10000)
    address = _text(address, "address", required=False, max_length=300)
    if source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": source}, field="source")
    if dispute_source and dispute_source not in {"police", "litigation", "petition"}:
        raise InvalidInput(_("Unknown dispute source “%(s)s”.") % {"s": dispute_source}, field="dispute_source")
    if not category.active:
        raise InvalidInput(_("Category “%(c)s” is retired.") % {"c": category.name}, field="category_code")
    if region is not None and region.retired_at is not None:
        raise InvalidInput(_("Region %(c)s has been retired.") % {"c": region.code}, field="region_code")
    if (latitude is None) != (longitude is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(_("The point is not on Earth."), field="latitude")
    party_rows = []
    for i, p in enumerate(parties):
        name = _text(p.name, f"parties[{i}].name", max_length=50)
        phone = (p.phone or "").strip()
        if phone and not (phone.replace("-", "").isdigit() and 5 <= len(phone) <= 20):
            raise InvalidInput(_("Phone “%(p)s” is not a phone number.") % {"p": phone}, field=f"parties[{i}].phone")
        id_number = (p.id_number or "").strip().upper()
        if id_number and not _valid_id_number(id_number):
            raise InvalidInput(_("ID number is not valid."), field=f"parties[{i}].id_number")
        party_rows.append((name, phone, id_number, p.is_reporter))
    attachments = list(attachments)

    now = clock.now()
    event = Event(
        code=_next_code(region, now),
        title=title,
        description=description,
        category=category,
        source=source,
        dispute_source=dispute_source,
        address=address,
        latitude=latitude,
        longitude=longitude,
        high_risk=high_risk,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    from fengqiao.people.queries import person_of

    event.registered_by_person = person_of(actor)
    if region is not None:
        _file_under(event, region)
    event.save()
    Party.objects.bulk_create(
        Party(event=event, name=n, phone=ph, phone_index=blind_index(ph), id_number=idn, is_reporter=rep)
        for n, ph, idn, rep in party_rows
    )
    for upload in attachments:
        _attach(event, upload, actor, now)
    _record(
        event, actor, "register", "", new_stream=True,
        source=source, category=category.code, region=region.code if region else None,
        parties=len(party_rows), attachments=len(attachments), high_risk=high_risk,
    )
    hooks.fire(hooks.EventChange(event=event, action="register", from_state="", before=None,
                                 actor=actor, at=now, fresh=True))
    if auto_dispatch and region is not None and region.level in {Level.VILLAGE, Level.GRID, Level.UNIT}:
        _act_in_transaction(event, None, "dispatch", _dispatch_body(None), fresh=True)
    return event


def _durable(fn: Callable[P, R]) -> Callable[P, R]:
    """The same action in a durable transaction of its own (the top-level entry)."""

    @functools.wraps(fn)
    def in_own_transaction(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(durable=True):
            return fn(*args, **kwargs)

    return in_own_transaction


event_register = _durable(event_register_nested)
event_register.__name__ = event_register.__qualname__ = "event_register"


def _valid_id_number(value: str) -> bool:
    """Mainland resident ID: 18 characters with the ISO 7064 check digit (or the old 15 digits)."""
    if len(value) == 15:
        return value.isdigit()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


def _attach(event: Event, upload, actor, now) -> Attachment:
    from django.conf import settings

    size = getattr(upload, "size", 0) or 0
    if size > settings.FENGQIAO_MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            _("Attachment “%(n)s” is larger than %(m)d MB.")
            % {"n": upload.name, "m": settings.FENGQIAO_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            field="attachments",
        )
    # What is stored is what the bytes are, not what the sender declared (an HTML page sent as
    # image/png is refused).
    content_type = sniff_attachment(upload)
    if content_type is None:
        declared = getattr(upload, "content_type", "") or _("unknown")
        raise InvalidInput(
            _("“%(n)s” (sent as %(t)s) is not a picture, PDF, Office document, audio, video or plain "
              "text file; only those can be attached.") % {"n": str(upload.name)[:80], "t": declared[:60]},
            field="attachments")
    att = Attachment(event=event, name=upload.name[:200], content_type=content_type, size=size,
                     uploaded_by=actor if getattr(actor, "pk", None) else None, created_at=now)
    att.file.save(upload.name, upload, save=False)
    att.save()
    return att


def event_attach(*, event: Event, actor, upload) -> Attachment:
    with transaction.atomic(durable=True):
        locked = _lock(event)
        if locked.status in TERMINAL_STATUSES:
            raise IllegalTransition(_("Cannot attach files to an event that is %(s)s.") % {"s": locked.status})
        att = _attach(locked, upload, actor, clock.now())
        _record(locked, actor, "attach", locked.status, name=att.name, size=att.size)
        return att


# ---------------------------------------------------------------------------------- dispatch


def _tier_for(region: Region) -> str:
    if region.village_id:
        return Tier.VILLAGE
    if region.town_id:
        return Tier.TOWN
    return Tier.COUNTY


def _posts_at(region_id: int, roles: Iterable[str]) -> list[Post]:
    """The active posts of these roles at the region, by id (read once per registration batch)."""
    roles = sorted(roles)
    memo = batch_memo()
    key = ("posts", region_id, tuple(roles))
    if memo is not None and key in memo:
        return memo[key]
    posts = list(
        Post.objects.filter(region_id=region_id, role__in=roles, active=True, person__active=True)
        .select_related("person").order_by("id")
    )
    if memo is not None:
        memo[key] = posts
    return posts


def _duty_posts(region: Region | int | None, roles: Iterable[str]) -> list[Post]:
    if region is None:
        return []
    posts = _posts_at(region if isinstance(region, int) else region.pk, roles)
    on_duty = [p for p in posts if p.on_duty]
    return on_duty or posts


def _bind(event: Event, person: Person, role: str, kind: str, now) -> bool:
    """Bind a person; reactivate an earlier binding. True when newly active."""
    a, created = Assignment.objects.get_or_create(
        event=event, person=person, role=role,
        defaults={"kind": kind, "tier": event.tier, "created_at": now,
                  # The 3 and the tiers' duty people hold posts over the event by construction.
                  "beyond_posts": kind == Assignment.Kind.N and not _posts_cover(person, event)},
    )
    if not created and not a.active:
        a.active = True
        a.tier = event.tier
        a.save(update_fields=["active", "tier"])
        return True
    return created


def event_bind_nested(*, event: Event, person: Person, role: str, actor, **details: Any) -> bool:
    """Bind a person to an event as an N, inside the caller's transaction, with the same audit
    row `add_assignee` writes — for a channel's own binding rule at registration (a proxy agent
    follows the matter they registered), which the state machine's `add_assignee` (dispatched
    events, dispatchers only) does not cover. True when newly bound."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_bind_nested needs an enclosing transaction.atomic()")
    bound = _bind(event, person, role, Assignment.Kind.N, clock.now())
    audit.record(
        stream=audit.event_stream(event), event=event, actor=actor, action="add_assignee",
        from_state=event.status, to_state=event.status, note="",
        details={"person": person.pk, "person_name": person.name, "role": role, **details},
    )
    return bound


def _posts_cover(person: Person, event: Event) -> bool:
    """Does one of the person's own posts already put the event in their scope?"""
    region = event.region
    if region is None:
        return False
    return any(
        post.role != Role.DEPARTMENT_LIAISON and post.region.is_ancestor_of(region)
        for post in Post.objects.filter(person=person, active=True).select_related("region")
    )


def _tier_posts(event: Event) -> list[tuple[Post, str]]:
    """The posts whose holders the event's tier binds, with the kind of binding."""
    if event.tier == Tier.VILLAGE:
        three = _posts_at(event.village_id, VILLAGE_THREE) if event.village_id is not None else []
        posts: list[tuple[Post, str]] = [(post, Assignment.Kind.THREE) for post in three]
        if event.grid_id:
            posts += [(post, Assignment.Kind.N) for post in _duty_posts(event.grid_id, [Role.GRID_HEAD])]
        return posts
    if event.tier == Tier.TOWN:
        return [(post, Assignment.Kind.TIER) for post in _duty_posts(event.town_id, [Role.TOWN_CADRE])]
    return [(post, Assignment.Kind.TIER) for post in _duty_posts(event.county_id, [Role.OPERATOR])]


def _bind_fresh(event: Event, now) -> list[Person]:
    """`_bind_tier` for an event inserted in this transaction: it has no bindings yet, so the
    tier's people are bound in one INSERT. The rows are those `_bind` would write: the grid head
    holds the grid's post, which covers the event filed under that grid (not `beyond_posts`)."""
    rows: list[Assignment] = []
    bound: list[Person] = []
    seen: set[tuple[int, str]] = set()
    for post, kind in _tier_posts(event):
        if (post.person_id, post.role) in seen:
            continue
        seen.add((post.person_id, post.role))
        rows.append(Assignment(event=event, person=post.person, role=post.role, kind=kind,
                               tier=event.tier, created_at=now, beyond_posts=False))
        bound.append(post.person)
    Assignment.objects.bulk_create(rows)
    return bound


def _bind_tier(event: Event, now) -> list[Person]:
    """Bind the people a tier owes the event: the village's 3 and the grid head, or the
    duty people of the town or the county command centre."""
    return [post.person for post, kind in _tier_posts(event)
            if _bind(event, post.person, post.role, kind, now)]


def _set_deadline(event: Event, step: _Step, now) -> None:
    d = deadlines.deadline_for(category=event.category, tier=event.tier, source=event.source, start=now,
                               memo=batch_memo())
    event.deadline = d.at
    event.deadline_approximate = d.approximate
    event.deadline_warned_at = None
    event.overdue_notified_at = None
    step.fields |= {"deadline", "deadline_approximate", "deadline_warned_at", "overdue_notified_at"}
    step.details["deadline"] = d.at.isoformat()
    step.details["deadline_rule"] = f"{d.days} {d.day_kind}"
    if d.approximate:
        step.details["calendar_warning"] = "holiday schedule not published: weekends only"


def _dispatch_body(region: Region | None):
    def body(event: Event, step: _Step) -> None:
        now = clock.now()
        if region is not None:
            if region.retired_at is not None:
                raise InvalidInput(_("Region %(c)s has been retired.") % {"c": region.code}, field="region_code")
            _file_under(event, region)
            step.fields |= {"region", *ANCESTOR_LEVELS}
        if event.region is None:
            raise InvalidInput(_("Choose the village this event belongs to before dispatching."), field="region_code")
        event.tier = _tier_for(event.region)
        event.dispatched_at = now
        step.fields |= {"tier", "dispatched_at"}
        _set_deadline(event, step, now)
        if step.fresh:  # nothing bound before: the bound are all the event's people
            bound = _bind_fresh(event, now)
            people = bound
        else:
            bound = _bind_tier(event, now)
            people = _bound_people(event)
        step.details.update(region=event.region.code, tier=event.tier, bound=[p.pk for p in bound])
        if not bound:
            step.details["warning"] = "no one holds the posts to bind"
        notify_people(persons=people, template="dispatched", params=_params(event), event=event)

    return body


def event_dispatch(*, event: Event | int, actor, region: Region | None = None) -> Event:
    """分拨: file under the region's village (or town) and bind its 3 (+ grid head) at once."""
    return _act(event, actor, "dispatch", _dispatch_body(region))


# ----------------------------------------------------------------------------- the handling


def event_acknowledge(*, event: Event | int, actor) -> Event:
    """签收."""

    def body(e: Event, step: _Step) -> None:
        if e.acknowledged_at is None:
            e.acknowledged_at = clock.now()
            step.fields.add("acknowledged_at")

    return _act(event, actor, "acknowledge", body)


def event_return(*, event: Event | int, actor, reason: str) -> Event:
    """退回: not ours (wrong jurisdiction); back to the operator to dispatch again."""
    reason = _text(reason, "reason", max_length=500)

    def body(e: Event, step: _Step) -> None:
        people = _bound_people(e)
        Assignment.objects.filter(event=e, active=True).update(active=False)
        e.return_count += 1
        e.deadline = None
        e.tier = Tier.VILLAGE
        step.fields |= {"return_count", "deadline", "tier"}
        step.note = reason
        county_ops = [p.person for p in _duty_posts(e.county, [Role.OPERATOR])]
        notify_people(persons=county_ops, template="returned", params=_params(e, reason=reason), event=e)
        step.details["unbound"] = [p.pk for p in people]

    return _act(event, actor, "return", body)


def event_add_assignee(*, event: Event | int, actor, person_id: Any, role: str) -> Event:
    """增派 the "N": a work-team member, grid head, department liaison, county leader …"""
    _require_posts(event, actor, "add_assignee")
    if role not in Role.values:
        raise InvalidInput(_("Unknown role “%(r)s”.") % {"r": role}, field="role")
    try:
        person = Person.objects.get(pk=int(person_id), active=True)
    except (TypeError, ValueError, Person.DoesNotExist):
        raise InvalidInput(_("No such person."), field="person_id") from None

    def body(e: Event, step: _Step) -> None:
        if Assignment.objects.filter(event=e, person=person, role=role, active=True).exists():
            raise Conflict(_("%(p)s is already bound to this event as %(r)s.") % {"p": person.name, "r": Role(role).label})
        if role == Role.DEPARTMENT_LIAISON:
            post = Post.objects.filter(person=person, role=role, active=True).exclude(department=None).first()
            if post is None or post.department is None:
                raise InvalidInput(_("%(p)s is not a department liaison.") % {"p": person.name}, field="person_id")
            e.department = post.department
            step.fields.add("department")
            step.details["department"] = post.department.name
        _bind(e, person, role, Assignment.Kind.N, clock.now())
        step.details.update(person=person.pk, person_name=person.name, role=role)
        notify_people(persons=[person], template="assigned", params=_params(e), event=e)

    return _act(event, actor, "add_assignee", body)


def event_comment(*, event: Event | int, actor, text: str, consultation: bool = False) -> Event:
    """A note on the timeline; `consultation` marks a 会商 record."""
    text = _text(text, "text", max_length=5000)

    def body(e: Event, step: _Step) -> None:
        step.note = text
        step.details["kind"] = "consultation" if consultation else "comment"

    return _act(event, actor, "comment", body)


def event_call(*, event: Event | int, actor, person_id: Any = None,
               party_id: Any = None, note: str = "") -> tuple[Event, dict[str, str]]:
    """一键拨号: log the call and say how it is placed.

    Whoever may see the callee's number unmasked (`may_see_personal_data`, the one rule for every
    unmasked phone) gets the `tel:` link, and a `PersonalDataRead` row records who was given
    whose number. Anyone else gets a call-back request instead: the platform texts the callee
    the caller's own number, and nothing handed back (answer, page, audit) holds the callee's.
    The caller's optional note (what the call is about) goes into the call-back request's text
    and into the record either way.
    Returns the event and the caller's output: {"tel": …} or {"call_request": message}."""
    from fengqiao.events.scope import may_see_personal_data
    from fengqiao.notify.actions import text_phone
    from fengqiao.people.queries import person_of

    result: dict[str, str] = {}
    note = _text(note, "note", required=False, max_length=200)

    def body(e: Event, step: _Step) -> None:
        callee = party = None
        if person_id not in (None, ""):
            a = Assignment.objects.filter(event=e, person_id=_int(person_id, "person_id")).select_related("person").first()
            if a is None:
                raise InvalidInput(_("That person is not bound to this event."), field="person_id")
            callee, phone, name = a.person, a.person.phone, a.person.name
        elif party_id not in (None, ""):
            party = Party.objects.filter(event=e, pk=_int(party_id, "party_id")).first()
            if party is None:
                raise InvalidInput(_("No such party on this event."), field="party_id")
            phone, name = party.phone, party.name
        else:
            raise InvalidInput(_("Say whom to call: person_id or party_id."), field="person_id")
        if not phone:
            raise InvalidInput(_("%(n)s has no phone number on file.") % {"n": name}, field="person_id")
        now = clock.now()
        user = actor if getattr(actor, "pk", None) else None
        if may_see_personal_data(actor, e):
            PersonalDataRead.objects.create(user=user, event=e, via="call", field="phone", party=party,
                                            person=callee, created_at=now)
            result["tel"] = "tel:" + phone.replace(" ", "")
            step.details["mode"] = "dial"
        else:
            own = person_of(actor)
            if own is None or not own.phone:
                raise NotPermitted(_(
                    "You may not see %(n)s's number, and there is no phone of yours on file for "
                    "%(n)s to call back. Ask the duty desk to place the call.") % {"n": name})
            params = _params(e, caller=own.name, caller_phone=own.phone, note=note)
            if callee is not None:
                notify_people(persons=[callee], template="call_request", params=params, event=e)
            else:
                text_phone(phone=phone, template="call_request", params=params, event=e)
            result["call_request"] = _(
                "%(n)s has been sent a text asking them to call you back at your number.") % {"n": name}
            step.details["mode"] = "call_request"
        CallLog.objects.create(event=e, caller=user, callee=callee, phone=phone, created_at=now)
        step.note = note
        step.details.update(callee=name, phone=mask_phone(phone))

    e = _act(event, actor, "call", body)
    return e, result


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(f)s” must be a number.") % {"f": name}, field=name) from None


def event_resolve(*, event: Event | int, actor, result: str) -> Event:
    """办结, with the result."""
    result = _text(result, "result", max_length=5000)

    def body(e: Event, step: _Step) -> None:
        now = clock.now()
        e.result = result
        e.resolved_at = now
        e.resolved_late = bool(e.deadline and now > e.deadline)
        e.satisfaction = ""
        step.fields |= {"result", "resolved_at", "resolved_late", "satisfaction"}
        step.note = result
        step.details["late"] = e.resolved_late

    return _act(event, actor, "resolve", body)


def event_call_back(*, event: Event | int, actor, satisfaction: str, note: str = "") -> Event:
    """回访, once per resolution: where it lands by the answer is the state machine's
    (`MOVES["call_back"].outcomes`): satisfied or basically satisfied → ready to close;
    dissatisfied → back in progress (rework)."""
    if satisfaction not in sm.MOVES["call_back"].outcomes:
        raise InvalidInput(
            _("Satisfaction must be one of: %(v)s.") % {"v": ", ".join(Satisfaction.values)},
            field="satisfaction",
        )
    note = _text(note, "note", required=False, max_length=2000)

    def body(e: Event, step: _Step) -> None:  # the guard (called back once) held under the lock
        now = clock.now()
        target = sm.outcome_target("call_back", satisfaction)
        e.satisfaction = satisfaction
        e.called_back_at = now
        step.fields |= {"satisfaction", "called_back_at"}
        step.note = note
        step.details["satisfaction"] = satisfaction
        if target != e.status:  # back to in progress: rework
            e.status = target
            e.reopen_count += 1
            e.resolved_late = False
            step.fields |= {"status", "reopen_count", "resolved_late"}
            _set_deadline(e, step, now)
            step.details["rework"] = True
            notify_people(persons=_bound_people(e), template="reopened", params=_params(e), event=e)

    return _act(event, actor, "call_back", body)


def event_close(*, event: Event | int, actor) -> Event:
    """归档: only after the citizen was called back and was satisfied (or basically) — the
    move's guard in the state machine."""

    def body(e: Event, step: _Step) -> None:  # the transition checked the guard under the lock
        e.closed_at = clock.now()
        Assignment.objects.filter(event=e, active=True).update(active=False)
        step.fields.add("closed_at")

    return _act(event, actor, "close", body)


def event_refuse(*, event: Event | int, actor, reason: str) -> Event:
    """不予受理, with the reason."""
    reason = _text(reason, "reason", max_length=500)

    def body(e: Event, step: _Step) -> None:
        e.refuse_reason = reason
        step.fields.add("refuse_reason")
        step.note = reason

    return _act(event, actor, "refuse", body)


def event_escalate(*, event: Event | int, actor, reason: str) -> Event:
    """提级: village → town → county command centre; binds the next tier's duty people."""
    reason = _text(reason, "reason", max_length=500)

    def body(e: Event, step: _Step) -> None:
        index = TIER_ORDER.index(Tier(e.tier))
        nxt = None
        for candidate in TIER_ORDER[index + 1:]:
            if (candidate == Tier.TOWN and e.town_id) or (candidate == Tier.COUNTY and e.county_id):
                nxt = candidate
                break
        if nxt is None:
            raise IllegalTransition(_("The event is already at the county command centre."), code="top_tier")
        now = clock.now()
        from_tier = e.tier
        e.tier = nxt
        e.escalation_count += 1
        e.dispatched_at = now
        step.fields |= {"tier", "escalation_count", "dispatched_at"}
        _set_deadline(e, step, now)
        bound = _bind_tier(e, now)
        step.note = reason
        step.details.update(from_tier=from_tier, to_tier=nxt, bound=[p.pk for p in bound])
        notify_people(persons=bound, template="escalated", params=_params(e), event=e)

    return _act(event, actor, "escalate", body)


def _pending_extension(e: Event) -> ExtensionRequest | None:
    return ExtensionRequest.objects.filter(event=e, state=ExtensionRequest.State.PENDING).first()


def event_request_extension(*, event: Event | int, actor, days: Any, reason: str) -> Event:
    """申请延期: decided one tier up."""
    _require_posts(event, actor, "request_extension")
    days = _int(days, "days")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(_("Days must be between 1 and %(n)d.") % {"n": MAX_EXTENSION_DAYS}, field="days")
    reason = _text(reason, "reason", max_length=500)

    def body(e: Event, step: _Step) -> None:
        # One pending request at a time: the move's guard (no_extension_pending), under the lock.
        ExtensionRequest.objects.create(
            event=e, days=days, reason=reason, tier=e.tier,
            requested_by=actor if getattr(actor, "pk", None) else None,
            requested_at=clock.now(), deadline_before=e.deadline,
        )
        step.note = reason
        step.details["days"] = days
        approvers = _approvers(e)
        notify_people(persons=approvers, template="extension_requested",
                      params=_params(e, days=days, reason=reason), event=e)

    return _act(event, actor, "request_extension", body)


def _approvers(e: Event) -> list[Person]:
    if e.tier == Tier.VILLAGE:
        return [p.person for p in _duty_posts(e.town, [Role.TOWN_CADRE])]
    if e.tier == Tier.TOWN:
        return [p.person for p in _duty_posts(e.county, [Role.OPERATOR])]
    return [p.person for p in _duty_posts(e.county, [Role.COUNTY_LEADER])]


def _decide_extension(event, actor, action: str, note: str) -> Event:
    approve = action == "approve_extension"

    def body(e: Event, step: _Step) -> None:
        req = _pending_extension(e)
        if req is None:
            raise IllegalTransition(_("There is no extension request to decide."), code="no_pending_extension")
        now = clock.now()
        req.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REJECTED
        req.decided_by = actor if getattr(actor, "pk", None) else None
        req.decided_at = now
        req.decision_note = note
        if approve:
            policy = deadlines.policy_for(category=e.category, tier=e.tier, source=e.source)
            kind = policy.day_kind if policy else "calendar"
            base = e.deadline or now
            d = deadlines.extend(deadline=base, days=req.days, day_kind=kind)
            e.deadline = d.at
            e.deadline_approximate = e.deadline_approximate or d.approximate
            e.deadline_warned_at = None
            e.overdue_notified_at = None
            e.extension_count += 1
            req.deadline_after = d.at
            step.fields |= {"deadline", "deadline_approximate", "deadline_warned_at",
                            "overdue_notified_at", "extension_count"}
            step.details.update(deadline_before=base.isoformat(), deadline=d.at.isoformat())
        req.save()
        step.note = note
        step.details.update(days=req.days, request=req.pk)
        notify_people(
            persons=_bound_people(e), template="extension_decided",
            params=_params(e, decision="批准" if approve else "驳回"), event=e,
        )

    return _act(event, actor, action, body)


def event_approve_extension(*, event: Event | int, actor, note: str = "") -> Event:
    return _decide_extension(event, actor, "approve_extension", _text(note, "note", required=False, max_length=500))


def event_reject_extension(*, event: Event | int, actor, reason: str = "") -> Event:
    return _decide_extension(event, actor, "reject_extension", _text(reason, "reason", required=False, max_length=500))


def event_urge(*, event: Event | int, actor, note: str = "") -> Event:
    """催办: one click texts every bound person."""
    note = _text(note, "note", required=False, max_length=500)

    def body(e: Event, step: _Step) -> None:
        people = _bound_people(e)
        if not people:
            raise InvalidInput(_("No one is bound to this event yet."), code="no_assignees")
        sent = notify_people(persons=people, template="urged", params=_params(e, note=note), event=e)
        step.note = note
        step.details.update(notified=[p.pk for p in people], texts=sent)

    return _act(event, actor, "urge", body)


SUPERVISION_NAMES = {"normal": "普通督办", "yellow": "黄牌督办", "red": "红牌督办"}


def event_supervise(*, event: Event | int, actor, level: str, note: str = "") -> Event:
    """督办: a leader's formal order, normal → yellow card → red card."""
    _require_posts(event, actor, "supervise")
    if level not in SUPERVISION_NAMES:
        raise InvalidInput(_("Level must be normal, yellow or red."), field="level")
    note = _text(note, "note", required=False, max_length=500)

    def body(e: Event, step: _Step) -> None:
        from fengqiao.people.queries import person_of

        previous = e.supervision
        e.supervision = level
        e.supervised_by = person_of(actor)
        step.fields |= {"supervision", "supervised_by"}
        step.note = note
        step.details.update(level=level, previous=previous)
        notify_people(persons=_bound_people(e), template="supervised",
                      params=_params(e, level=SUPERVISION_NAMES[level]), event=e)

    return _act(event, actor, "supervise", body)


def event_flag_risk(*, event: Event | int, actor, reason: str = "") -> Event:
    """标记风险."""
    return _set_risk(event, actor, True, reason)


def event_unflag_risk(*, event: Event | int, actor, reason: str = "") -> Event:
    return _set_risk(event, actor, False, reason)


def _set_risk(event, actor, flag: bool, reason: str) -> Event:
    reason = _text(reason, "reason", required=False, max_length=500)
    action = "flag_risk" if flag else "unflag_risk"

    def body(e: Event, step: _Step) -> None:
        # Flagging what is flagged is refused by the move's guard (not_high_risk / high_risk).
        e.high_risk = flag
        step.fields.add("high_risk")
        step.note = reason

    return _act(event, actor, action, body)


def event_merge(*, event: Event | int, actor, into: Event) -> Event:
    """合并: the duplicate ends as merged, linked to the kept event."""

    def body(e: Event, step: _Step) -> None:
        if into.pk == e.pk:
            raise InvalidInput(_("An event cannot be merged into itself."), field="into_id")
        if into.status in {Status.REFUSED, Status.MERGED}:
            raise InvalidInput(_("Cannot merge into an event that is %(s)s.") % {"s": into.status}, field="into_id")
        e.merged_into = into
        Assignment.objects.filter(event=e, active=True).update(active=False)
        step.fields.add("merged_into")
        step.details.update(into=into.pk, into_code=into.code)

    return _act(event, actor, "merge", body)


def event_recategorise(*, event: Event | int, actor, category: Category, note: str = "") -> Event:
    """变更分类: correct the category of a registered, dispatched or in-progress event.

    Deadline rule: a dispatched event keeps whichever deadline is later — the one it had, or the
    new category's limit counted from when its current tier received it (`dispatched_at`). A
    correction never makes an event overdue on the spot and never cuts the time its handlers were
    promised; a registered event has no deadline yet (dispatch sets it)."""
    _require_posts(event, actor, "recategorise")
    note = _text(note, "note", required=False, max_length=500)
    if not isinstance(category, Category) or category.pk is None:
        raise InvalidInput(_("Choose a category."), field="category_code")
    if not category.active:
        raise InvalidInput(_("Category “%(c)s” is retired.") % {"c": category.name}, field="category_code")

    def body(e: Event, step: _Step) -> None:
        if e.category_id == category.pk:
            raise Conflict(_("The event is already in category “%(c)s”.") % {"c": category.name},
                           code="same_category")
        previous = e.category
        e.category = category
        step.fields.add("category")
        step.note = note
        step.details.update(from_category=previous.code, category=category.code)
        if e.deadline is not None and e.dispatched_at is not None:
            d = deadlines.deadline_for(category=category, tier=e.tier, source=e.source, start=e.dispatched_at)
            if d.at > e.deadline:
                step.details.update(deadline_before=e.deadline.isoformat(), deadline=d.at.isoformat(),
                                    deadline_rule=f"{d.days} {d.day_kind}")
                e.deadline = d.at
                e.deadline_approximate = d.approximate
                e.deadline_warned_at = None
                e.overdue_notified_at = None
                step.fields |= {"deadline", "deadline_approximate", "deadline_warned_at", "overdue_notified_at"}

    return _act(event, actor, "recategorise", body)


# -------------------------------------------------------------------------- deadline scanner


def event_deadline_notice(*, event: Event | int, kind: str) -> Event | None:
    """The scanner's warning before the deadline (`deadline_warning`) and at it (`overdue`).
    Idempotent: an event is warned once per deadline."""
    with transaction.atomic(durable=True):
        e = _lock(event)
        if e.status not in {Status.DISPATCHED, Status.IN_PROGRESS, Status.REGISTERED} or e.deadline is None:
            return None
        marker = "deadline_warned_at" if kind == "deadline_warning" else "overdue_notified_at"
        if getattr(e, marker) is not None:
            return None
        now = clock.now()
        before = hooks.snapshot(e)
        setattr(e, marker, now)
        e.save(update_fields=[marker, "updated_at"])
        people = _bound_people(e)
        texts = notify_people(persons=people, template=kind, params=_params(e), event=e)
        _record(e, None, kind, e.status, notified=[p.pk for p in people], texts=texts)
        hooks.fire(hooks.EventChange(event=e, action=kind, from_state=e.status, before=before,
                                     actor=None, at=now))
        return e


# ---------------------------------------------------------------------- one entry for the API

def perform(*, event: Event | int, actor, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run `action` with its fields from `data` (the API's and the pages' single entry).

    Returns extra output for the caller (e.g. the `tel:` link of a call). The actor's posts are
    checked before any of `data` is looked at: 403 before 400 or 404."""
    extra: dict[str, Any] = {}
    if action in sm.MOVES:
        _require_posts(event, actor, action)
    if action == "dispatch":
        region = None
        if data.get("region_code"):
            region = Region.objects.filter(code=str(data["region_code"])).first()
            if region is None:
                raise InvalidInput(_("No region with code %(c)s.") % {"c": data["region_code"]}, field="region_code")
        event_dispatch(event=event, actor=actor, region=region)
    elif action == "acknowledge":
        event_acknowledge(event=event, actor=actor)
    elif action == "return":
        event_return(event=event, actor=actor, reason=data.get("reason", ""))
    elif action == "add_assignee":
        event_add_assignee(event=event, actor=actor, person_id=data.get("person_id"), role=data.get("role", Role.WORK_TEAM))
    elif action == "comment":
        event_comment(event=event, actor=actor, text=data.get("text", ""), consultation=bool(data.get("consultation")))
    elif action == "call":
        _called, placed = event_call(event=event, actor=actor, person_id=data.get("person_id"),
                                     party_id=data.get("party_id"), note=data.get("note", ""))
        extra.update(placed)  # {"tel": …} for those who may see the number, else {"call_request": …}
    elif action == "resolve":
        event_resolve(event=event, actor=actor, result=data.get("result", ""))
    elif action == "call_back":
        event_call_back(event=event, actor=actor, satisfaction=data.get("satisfaction", ""), note=data.get("note", ""))
    elif action == "close":
        event_close(event=event, actor=actor)
    elif action == "refuse":
        event_refuse(event=event, actor=actor, reason=data.get("reason", ""))
    elif action == "escalate":
        event_escalate(event=event, actor=actor, reason=data.get("reason", ""))
    elif action == "request_extension":
        event_request_extension(event=event, actor=actor, days=data.get("days"), reason=data.get("reason", ""))
    elif action == "approve_extension":
        event_approve_extension(event=event, actor=actor, note=data.get("note", ""))
    elif action == "reject_extension":
        event_reject_extension(event=event, actor=actor, reason=data.get("reason", ""))
    elif action == "urge":
        event_urge(event=event, actor=actor, note=data.get("note", ""))
    elif action == "supervise":
        event_supervise(event=event, actor=actor, level=data.get("level", ""), note=data.get("note", ""))
    elif action == "flag_risk":
        event_flag_risk(event=event, actor=actor, reason=data.get("reason", ""))
    elif action == "unflag_risk":
        event_unflag_risk(event=event, actor=actor, reason=data.get("reason", ""))
    elif action == "merge":
        from fengqiao.events.scope import access_event_for_user

        into_id = data.get("into_id")
        into = access_event_for_user(actor, into_id) if actor is not None else Event.objects.get(pk=_int(into_id, "into_id"))
        event_merge(event=event, actor=actor, into=into)
    elif action == "recategorise":
        code = str(data.get("category_code") or "").strip()
        category = Category.objects.filter(code=code).first() if code else None
        if category is None:
            raise InvalidInput(_("No category with code %(c)s.") % {"c": code}, field="category_code")
        event_recategorise(event=event, actor=actor, category=category, note=data.get("note", ""))
    else:
        raise InvalidInput(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action", field="action")
    return extra
