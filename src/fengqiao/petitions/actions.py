"""Every write on a petition. Pages, the API, the demo and the scanner all call these.

Each action is one durable transaction through the shared transition function
(`workflow.transition.perform`): the row locked, the actor's posts (403) before the machine (409),
the body's changes saved with `update_fields`, one audit row on `petition:<id>`, texts into the
outbox (`notify_people`), the clocks of 信访工作条例 started, stopped or extended
(`workflow.clocks`) — all or nothing. `actor=None` is the platform itself.

Audit rows and texts never carry a petitioner's identity: they name the petition by its code and
its subject (which the registration form asks to keep free of names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.events.models import Category, Event
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput
from fengqiao.lib.inputs import text as _text
from fengqiao.lib.inputs import whole_number as _int
from fengqiao.lib.protect import blind_index
from fengqiao.notify.actions import notify_people
from fengqiao.people.models import Department, Person, Post, Role
from fengqiao.people.queries import person_of
from fengqiao.petitions import permissions as perms
from fengqiao.petitions.machine import MACHINE, NAME
from fengqiao.petitions.models import (
    BATCH_CHINESE,
    BacklogCase,
    BacklogSort,
    Batch,
    Closing,
    Counter,
    Document,
    Form,
    Kind,
    Petition,
    Petitioner,
    Status,
    body_name_of_region,
)
from fengqiao.regions.models import Level, Region
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock
from fengqiao.workflow.transition import Step, Workflow, create, perform, register

MAX_EXTENSION_DAYS = 30  # 延长期限不得超过30日
MAX_PETITIONERS = 20
MAX_HEADCOUNT = 100_000
MAX_TEAM = 30
RECEIVED_MAX_AGE = dt.timedelta(days=366)  # a receipt date older than a year is a typing error
ROUTINGS = {"transfer": "转送", "assign": "交办"}


# -------------------------------------------------------------------------------- the people


def body_clerks(petition: Petition) -> list[Person]:
    """The people of the body responsible (see permissions.is_body_clerk)."""
    if petition.body_department_id is not None:
        posts = Post.objects.filter(role=Role.DEPARTMENT_LIAISON, department_id=petition.body_department_id,
                                    active=True, person__active=True)
    elif petition.body_region_id is not None:
        posts = Post.objects.filter(region_id=petition.body_region_id, active=True, person__active=True,
                                    role__in=sorted(perms.BODY_REGION_ROLES - perms.OFFICE))
    else:
        return []
    return [p.person for p in posts.select_related("person").order_by("id")]


def office_people(petition: Petition) -> list[Person]:
    """The petition office over the petition: the county's operators on duty (all if none is),
    and whoever registered it."""
    posts = list(Post.objects.filter(region_id__in=[r for r in [petition.county_id] if r], role=Role.OPERATOR,
                                     active=True, person__active=True).select_related("person").order_by("id"))
    on_duty = [p.person for p in posts if p.on_duty] or [p.person for p in posts]
    people = list(on_duty)
    if petition.registered_by_person is not None:
        people.append(petition.registered_by_person)
    return people


def handlers(petition: Petition) -> list[Person]:
    """Who works on the petition now: the body's clerks, the handler and the 专班 — or, before it
    is routed, the office that must route it."""
    people: list[Person] = []
    if petition.has_body:
        people += body_clerks(petition)
    else:
        people += office_people(petition)
    if petition.handler is not None:
        people.append(petition.handler)
    people += list(petition.team.filter(active=True))
    return _unique(people)


def clock_recipients(petition: Petition, running: Any) -> list[Person]:
    """Told when a clock warns or passes: the handlers and the leader in charge. A window one may
    use but need not (queries.OPTION_WINDOWS) is different: the body is warned that its time to
    object runs out, and nobody is told when it has; the office is told that a petitioner's time
    to ask for a review runs out and when it has (the petition is then to be closed)."""
    from fengqiao.petitions.queries import OPTION_WINDOWS

    key = running.policy.key
    lapsed = running.overdue_notified_at is not None  # the scanner marks the notice before asking
    if key == "petition.object":
        return [] if lapsed else _unique(body_clerks(petition) + [petition.handler])
    if key in OPTION_WINDOWS:
        return _unique(office_people(petition))
    people = handlers(petition)
    if petition.leader is not None:
        people.append(petition.leader)
    return _unique(people)


def _unique(people: Iterable[Person | None]) -> list[Person]:
    seen: set[int] = set()
    out = []
    for p in people:
        if p is not None and p.pk not in seen:
            seen.add(p.pk)
            out.append(p)
    return out


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _params(p: Petition, **extra: Any) -> dict[str, Any]:
    nxt = (Clock.objects.filter(workflow=NAME, record_id=p.pk, stopped_at=None)
           .order_by("due_at").values_list("due_at", flat=True).first())
    return {"code": p.code, "title": p.title,
            "deadline": _fmt(nxt), **{k: str(v) for k, v in extra.items()}}


# The petition's audit rows are not linked to its event (`event_of` is left out): the event's own
# timeline is ordered by its stream's sequence and would be scrambled by a second stream, and a
# petition's steps are not the event's. The link is `Petition.event`; texts name the event.
WORKFLOW = register(Workflow(
    machine=MACHINE,
    model=Petition,
    require=perms.require,
    stream=lambda p: f"petition:{p.pk}",
    related=("region", "county", "body_department", "body_region", "handler", "leader",
             "registered_by_person", "event"),
    clock_recipients=clock_recipients,
    clock_params=lambda p, running: {"code": p.code, "title": f"信访事项「{p.title}」"},
))


def _require(petition: Petition | int, actor, action: str) -> None:
    """The actor's posts, before their input is validated (403 before 400), on the row as it is
    now (a caller may hold an older copy; `transition` asks again under the lock)."""
    WORKFLOW.require_first(petition if isinstance(petition, int) else petition.pk, actor, action)


def _act(petition: Petition | int, actor, action: str, body) -> Petition:
    return perform(WORKFLOW, petition, actor=actor, action=action, body=body)


# ----------------------------------------------------------------------------------- inputs






def _person(value: Any, name: str) -> Person:
    try:
        return Person.objects.get(pk=int(value), active=True)
    except (TypeError, ValueError, OverflowError, Person.DoesNotExist):
        raise InvalidInput(_("No such person."), field=name) from None


def valid_id_number(value: str) -> bool:
    """Mainland resident ID: 18 characters with the ISO 7064 check digit (or the old 15 digits)."""
    if len(value) == 15:
        return value.isdigit()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


@dataclass
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False


def _petitioner_rows(petitioners: Iterable[PetitionerInput]) -> list[tuple[str, str, str, str, bool]]:
    rows = []
    for i, p in enumerate(petitioners):
        name = _text(p.name, f"petitioners[{i}].name", max_length=50)
        id_number = (p.id_number or "").strip().upper()
        if id_number and not valid_id_number(id_number):
            raise InvalidInput(_("ID number is not valid."), field=f"petitioners[{i}].id_number")
        phone = (p.phone or "").strip()
        if phone and not (phone.replace("-", "").isdigit() and 5 <= len(phone) <= 20):
            raise InvalidInput(_("Phone “%(p)s” is not a phone number.") % {"p": phone},
                               field=f"petitioners[{i}].phone")
        address = _text(p.address, f"petitioners[{i}].address", required=False, max_length=200)
        rows.append((name, id_number, phone, address, bool(p.is_representative)))
    if not rows:
        raise InvalidInput(_("Record at least one petitioner."), field="petitioners")
    if len(rows) > MAX_PETITIONERS:
        raise InvalidInput(_("At most %(n)d petitioners (a joint petition records its representatives).")
                           % {"n": MAX_PETITIONERS}, field="petitioners")
    return rows


# ----------------------------------------------------------------------------- code numbers


def _next_number(key: str) -> int:
    Counter.objects.get_or_create(key=key)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _petition_code(region: Region, moment: dt.datetime) -> str:
    county = region.county.code if region.county_id else region.code
    key = f"XF-{county}-{timezone.localtime(moment):%Y%m%d}"
    return f"{key}-{_next_number(key):04d}"


DOCUMENT_PREFIX = {
    Document.Kind.ACCEPTANCE: "信受告",
    Document.Kind.REFUSAL: "信不受告",
    Document.Kind.EXTENSION: "信延告",
    Document.Kind.ANSWER: "信处意",
    Document.Kind.REVIEW: "信复查",
    Document.Kind.REREVIEW: "信复核",
}


def _issue(p: Petition, kind: str, actor, step: Step, **facts: Any) -> Document:
    """A notice to the petitioner, numbered per county, kind and year (仙信受告〔2026〕12号)."""
    now = clock.now()
    year = timezone.localtime(now).year
    county = p.county
    short = (county.display_name[:1] if county is not None else "")
    number = _next_number(f"doc-{county.code if county else ''}-{kind}-{year}")
    doc = Document.objects.create(
        petition=p, kind=kind, number=f"{short}{DOCUMENT_PREFIX[Document.Kind(kind)]}〔{year}〕{number}号",
        issued_at=now, issued_by=actor if getattr(actor, "pk", None) else None, facts=facts,
    )
    step.details.setdefault("documents", []).append({"id": doc.pk, "kind": kind, "number": doc.number})
    return doc


def _facts(p: Petition) -> dict[str, Any]:
    """What every notice states about the petition (no petitioner identity: that is filled in
    from the petitioners, masked or not, when the .docx is laid out)."""
    return {
        "code": p.code, "title": p.title, "form": p.form, "received": _day(p.received_at),
        "body": p.body_name or _county_office(p), "county": p.county.display_name if p.county else "",
        "joint": p.joint, "headcount": p.headcount,
    }


def _county_office(p: Petition) -> str:
    return f"{p.county.display_name}信访局" if p.county is not None else "信访局"


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


# ------------------------------------------------------------------------------ registration


def petition_register(
    *,
    actor,
    form: str,
    kind: str,
    title: str,
    content: str,
    category: Category,
    region: Region,
    petitioners: Iterable[PetitionerInput],
    received_at: dt.datetime | None = None,
    joint: bool = False,
    headcount: int | None = None,
    key_difficult: bool = False,
    event: Event | None = None,
) -> Petition:
    """登记: a petition received by letter, visit, phone or online. Starts the limits that run
    from receipt: register and route within 15 days; a first-time petition filed under a village
    settled there within 7 days; a key difficult one settled locally within 14."""
    if actor is not None:
        perms.require_register(actor, region)
    if form not in Form.values:
        raise InvalidInput(_("Unknown form “%(f)s”.") % {"f": form}, field="form")
    if kind not in Kind.values:
        raise InvalidInput(_("Choose first-time or repeat."), field="kind")
    title = _text(title, "title", max_length=200)
    content = _text(content, "content", max_length=10000)
    if not isinstance(category, Category) or category.pk is None or not category.active:
        raise InvalidInput(_("Choose an active category."), field="category_code")
    if region.retired_at is not None:
        raise InvalidInput(_("Region %(c)s has been retired.") % {"c": region.code}, field="region_code")
    if region.level not in {Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID}:
        raise InvalidInput(_("File the petition under a county, town, village or grid."), field="region_code")
    rows = _petitioner_rows(petitioners)
    count = _int(headcount if headcount is not None else len(rows), "headcount", 1, MAX_HEADCOUNT)
    if joint and count < 2:
        raise InvalidInput(_("A joint petition has at least two petitioners."), field="headcount")
    if count < len(rows):
        raise InvalidInput(_("The headcount cannot be smaller than the petitioners recorded."), field="headcount")
    now = clock.now()
    received = received_at or now
    if received > now:
        raise InvalidInput(_("The petition cannot be received in the future."), field="received_at")
    if now - received > RECEIVED_MAX_AGE:
        raise InvalidInput(_("The receipt date is more than a year ago."), field="received_at")
    if event is not None and event.county_id not in (None, region.county_id):
        raise InvalidInput(_("The event belongs to another county."), field="event_id")

    with transaction.atomic(durable=True):
        petition = Petition(
            code=_petition_code(region, now), form=form, kind=kind, joint=bool(joint),
            headcount=count, key_difficult=bool(key_difficult), title=title, content=content,
            category=category, received_at=received, registered_at=now, event=event,
            registered_by=actor if getattr(actor, "pk", None) else None,
            registered_by_person=person_of(actor),
        )
        from fengqiao.workflow.scope import file_under

        file_under(petition, region)
        create(WORKFLOW, petition, actor=actor, action="register", details={
            "form": form, "kind": kind, "joint": petition.joint, "headcount": count,
            "key_difficult": petition.key_difficult, "region": region.code,
            "category": category.code, "petitioners": len(rows), "received_at": received.isoformat(),
            "event": event.code if event is not None else None,
        })
        Petitioner.objects.bulk_create(
            Petitioner(petition=petition, name=n, id_number=idn, id_number_index=blind_index(idn),
                       phone=ph, phone_index=blind_index(ph), address=addr, is_representative=rep, sort=i)
            for i, (n, idn, ph, addr, rep) in enumerate(rows)
        )
        clocks.start(workflow=NAME, record=petition, key="petition.route", at=received)
        if kind == Kind.FIRST and petition.village_id is not None:
            clocks.start(workflow=NAME, record=petition, key="petition.village_week", at=received)
        if petition.key_difficult:
            clocks.start(workflow=NAME, record=petition, key="petition.key_local", at=received)
    return petition


def earlier_petitions_of(petition: Petition) -> int:
    """How many earlier petitions name one of this petition's petitioners (by ID number or phone,
    through the blind indexes): a hint that a 'first-time' petition may be a repeat."""
    keys = list(petition.petitioners.values_list("id_number_index", "phone_index"))
    ids = [i for i, _p in keys if i]
    phones = [p for _i, p in keys if p]
    if not ids and not phones:
        return 0
    from django.db.models import Q

    q = Q(petitioners__id_number_index__in=ids) if ids else Q(pk__in=[])
    if phones:
        q |= Q(petitioners__phone_index__in=phones)
    return (Petition.objects.filter(q, registered_at__lt=petition.registered_at)
            .exclude(pk=petition.pk).distinct().count())


# ------------------------------------------------------------------------------------ routing


def _body(petition: Petition, department: Department | None, region: Region | None) -> None:
    if (department is None) == (region is None):
        raise InvalidInput(_("Route to one department or one town or village office."), field="department_code")
    if region is not None:
        if region.level not in {Level.COUNTY, Level.TOWN, Level.VILLAGE}:
            raise InvalidInput(_("Route to a county, town or village office."), field="office_code")
        if region.retired_at is not None or region.county_id != petition.county_id:
            raise InvalidInput(_("That office is not in the petition's county."), field="office_code")


def _local_rules(p: Petition, now: dt.datetime) -> None:
    """The local rules follow the body: "一周内不出村" holds while a first-time petition stays with
    its village's office, "两周内属地化解" while a key difficult one stays with a town's or
    village's office. Routed beyond them they are cancelled (the petition has left the village /
    the locality, which the figures count as not settled there); routed back, they run again from
    receipt."""
    tier = p.body_tier
    keep = {"petition.village_week": p.kind == Kind.FIRST and p.village_id is not None and tier == "village",
            "petition.key_local": p.key_difficult and tier in {"town", "village"}}
    for key, holds in keep.items():
        if not holds:
            clocks.stop(workflow=NAME, record=p, key=key, at=now, cancelled=True)
        elif clocks.running_clock(workflow=NAME, record=p, key=key) is None:
            clocks.start(workflow=NAME, record=p, key=key, at=p.received_at)


def petition_route(*, petition: Petition | int, actor, department: Department | None = None,
                   office: Region | None = None, routing: str = "transfer",
                   handler: Person | None = None, note: str = "") -> Petition:
    """转送 / 交办 to the body responsible. The body's 15 days to decide and tell the petitioner,
    and its 5 working days to object, run from now."""
    _require(petition, actor, "route")
    if routing not in ROUTINGS:
        raise InvalidInput(_("Routing is transfer (转送) or assign (交办)."), field="routing")
    note = _text(note, "note", required=False, max_length=500)

    def body(p: Petition, step: Step) -> None:
        _body(p, department, office)
        now = clock.now()
        p.body_department, p.body_region = department, office
        p.routing, p.routed_at, p.handler = routing, now, handler
        step.fields |= {"body_department", "body_region", "routing", "routed_at", "handler"}
        stopped = clocks.stop(workflow=NAME, record=p, key="petition.route", at=now)
        _local_rules(p, now)
        accept = clocks.start(workflow=NAME, record=p, key="petition.accept", at=now)
        objection = clocks.start(workflow=NAME, record=p, key="petition.object", at=now)
        step.note = note
        step.details.update(body=p.body_name, routing=routing, handler=handler.pk if handler else None,
                            route_clock=stopped.outcome if stopped else None,
                            accept_due=accept.due_at.isoformat(), object_due=objection.due_at.isoformat())
        people = _unique([*body_clerks(p), handler])
        step.details["notified"] = [x.pk for x in people]
        notify_people(persons=people, template="petition_routed", event=p.event,
                      params=_params(p, routing=ROUTINGS[routing], due=_fmt(accept.due_at),
                                     object_due=_fmt(objection.due_at)))

    return _act(petition, actor, "route", body)


def petition_object(*, petition: Petition | int, actor, reason: str) -> Petition:
    """异议: the body says the matter is not its duty, within 5 working days; back to routing."""
    _require(petition, actor, "object")
    reason = _text(reason, "reason", max_length=500)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        name = p.body_name
        clocks.stop(workflow=NAME, record=p, key="petition.object", at=now)
        clocks.stop(workflow=NAME, record=p, key="petition.accept", at=now, cancelled=True)
        p.body_department = p.body_region = p.handler = None
        p.routing = ""
        p.objection_count += 1
        step.fields |= {"body_department", "body_region", "handler", "routing", "objection_count"}
        route = clocks.start(workflow=NAME, record=p, key="petition.route", at=now)
        step.note = reason
        step.details.update(body=name, route_due=route.due_at.isoformat())
        notify_people(persons=office_people(p), template="petition_objected", event=p.event,
                      params=_params(p, body=name, reason=reason))

    return _act(petition, actor, "object", body)


# ------------------------------------------------------------------------------- acceptance


def petition_accept(*, petition: Petition | int, actor, note: str = "") -> Petition:
    """受理: the body takes it on and tells the petitioner in writing (受理告知书). The 60 days to
    handle run from now — from acceptance, not from routing."""
    _require(petition, actor, "accept")
    note = _text(note, "note", required=False, max_length=500)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        stopped = clocks.stop(workflow=NAME, record=p, key="petition.accept", at=now)
        clocks.stop(workflow=NAME, record=p, key="petition.object", at=now, cancelled=True)
        handle = clocks.start(workflow=NAME, record=p, key="petition.handle", at=now)
        p.accepted_at = now
        step.fields.add("accepted_at")
        if p.handler is None and person_of(actor) is not None:
            p.handler = person_of(actor)
            step.fields.add("handler")
        _issue(p, Document.Kind.ACCEPTANCE, actor, step, **_facts(p), accepted=_day(now),
               handle_days=handle.policy.days, handle_due=_day(handle.due_at),
               basis=handle.policy.basis)
        step.note = note
        step.details.update(accept_clock=stopped.outcome if stopped else None,
                            handle_due=handle.due_at.isoformat())

    return _act(petition, actor, "accept", body)


def petition_not_accept(*, petition: Petition | int, actor, reason: str) -> Petition:
    """不予受理: with the reasons, told in writing (不予受理告知书)."""
    _require(petition, actor, "not_accept")
    reason = _text(reason, "reason", max_length=500)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        stopped = clocks.stop(workflow=NAME, record=p, key="petition.accept", at=now)
        clocks.stop_all(workflow=NAME, record=p, at=now)
        p.refusal_reason = reason
        p.closed_at = now
        step.fields |= {"refusal_reason", "closed_at"}
        _issue(p, Document.Kind.REFUSAL, actor, step, **_facts(p), decided=_day(now), reason=reason)
        step.note = reason
        step.details["accept_clock"] = stopped.outcome if stopped else None

    return _act(petition, actor, "not_accept", body)


def petition_start(*, petition: Petition | int, actor, handler: Person | None = None,
                   note: str = "") -> Petition:
    """开始办理: the body names its handler (承办人) and sets to work."""
    _require(petition, actor, "start")
    note = _text(note, "note", required=False, max_length=500)

    def body(p: Petition, step: Step) -> None:
        chosen = handler or p.handler or person_of(actor)
        if chosen is not None and chosen.pk != p.handler_id:
            p.handler = chosen
            step.fields.add("handler")
        step.note = note
        step.details["handler"] = chosen.pk if chosen else None

    return _act(petition, actor, "start", body)


def petition_extend(*, petition: Petition | int, actor, days: Any, reason: str) -> Petition:
    """延期: once, by up to 30 days, approved by the body's head, the reasons told to the
    petitioner (延期告知书)."""
    _require(petition, actor, "extend")
    days = _int(days, "days", 1, MAX_EXTENSION_DAYS)
    reason = _text(reason, "reason", max_length=500)

    def body(p: Petition, step: Step) -> None:
        running = clocks.running_clock(workflow=NAME, record=p, key="petition.handle")
        if running is None:
            raise Conflict(_("The handling time limit is not running."), code="no_clock")
        before = running.due_at
        extended = clocks.extend(workflow=NAME, record=p, key="petition.handle", days=days, reason=reason)
        p.extended_days = days
        p.extension_reason = reason
        step.fields |= {"extended_days", "extension_reason"}
        _issue(p, Document.Kind.EXTENSION, actor, step, **_facts(p), accepted=_day(p.accepted_at),
               due_before=_day(before), days=days, due_after=_day(extended.due_at), reason=reason)
        step.note = reason
        step.details.update(days=days, due_before=before.isoformat(), due=extended.due_at.isoformat())
        notify_people(persons=_unique([*handlers(p), p.leader]), template="extension_decided",
                      params=_params(p, decision="批准", deadline=_fmt(extended.due_at)), event=p.event)

    return _act(petition, actor, "extend", body)


def petition_answer(*, petition: Petition | int, actor, answer: str) -> Petition:
    """出具处理意见: the written answer (处理意见书). Stops the 60 days (and the local 7- and
    14-day rules); the petitioner's 30 days to ask for a review run from now."""
    _require(petition, actor, "answer")
    answer = _text(answer, "answer", max_length=5000)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        outcomes = {}
        for key in ("petition.handle", "petition.village_week", "petition.key_local"):
            stopped = clocks.stop(workflow=NAME, record=p, key=key, at=now)
            if stopped is not None:
                outcomes[key] = stopped.outcome
        window = clocks.start(workflow=NAME, record=p, key="petition.review_apply", at=now)
        p.answer, p.answered_at = answer, now
        step.fields |= {"answer", "answered_at"}
        _issue(p, Document.Kind.ANSWER, actor, step, **_facts(p), accepted=_day(p.accepted_at),
               answered=_day(now), answer=answer, review_by=_upper_of(p), review_days=window.policy.days)
        step.details.update(clocks=outcomes, review_apply_due=window.due_at.isoformat())

    return _act(petition, actor, "answer", body)


def _upper_of(p: Petition) -> str:
    """The body one level up, which reviews (复查): a village's town, a town's or a county
    department's county government."""
    if p.body_region is not None and p.body_region.level == Level.VILLAGE and p.town is not None:
        return body_name_of_region(p.town)
    if p.county is not None:
        return body_name_of_region(p.county)
    return "上一级机关"


def _upper_of_upper(p: Petition) -> str:
    """Who re-reviews (复核): one level above the reviewer."""
    if p.body_region is not None and p.body_region.level == Level.VILLAGE and p.county is not None:
        return body_name_of_region(p.county)
    if p.city is not None:
        return body_name_of_region(p.city)
    return "上一级机关"


def petition_apply_review(*, petition: Petition | int, actor, note: str = "") -> Petition:
    """申请复查: the petitioner asks, within 30 days of the answer; 30 days to answer run."""
    _require(petition, actor, "apply_review")
    note = _text(note, "note", required=False, max_length=1000)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        clocks.stop(workflow=NAME, record=p, key="petition.review_apply", at=now)
        due = clocks.start(workflow=NAME, record=p, key="petition.review_answer", at=now)
        step.note = note
        step.details.update(reviewer=_upper_of(p), review_due=due.due_at.isoformat())

    return _act(petition, actor, "apply_review", body)


def petition_answer_review(*, petition: Petition | int, actor, answer: str) -> Petition:
    """复查意见: answered in writing within 30 days; 30 days to ask for a re-review run."""
    _require(petition, actor, "answer_review")
    answer = _text(answer, "answer", max_length=5000)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        stopped = clocks.stop(workflow=NAME, record=p, key="petition.review_answer", at=now)
        window = clocks.start(workflow=NAME, record=p, key="petition.rereview_apply", at=now)
        p.review_answer = answer
        step.fields.add("review_answer")
        _issue(p, Document.Kind.REVIEW, actor, step, **_facts(p), reviewer=_upper_of(p),
               answered=_day(now), answer=answer, rereview_by=_upper_of_upper(p),
               rereview_days=window.policy.days)
        step.details.update(review_clock=stopped.outcome if stopped else None,
                            rereview_apply_due=window.due_at.isoformat())

    return _act(petition, actor, "answer_review", body)


def petition_apply_rereview(*, petition: Petition | int, actor, note: str = "") -> Petition:
    """申请复核: within 30 days of the review answer; 30 days to answer run."""
    _require(petition, actor, "apply_rereview")
    note = _text(note, "note", required=False, max_length=1000)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        clocks.stop(workflow=NAME, record=p, key="petition.rereview_apply", at=now)
        due = clocks.start(workflow=NAME, record=p, key="petition.rereview_answer", at=now)
        step.note = note
        step.details.update(rereviewer=_upper_of_upper(p), rereview_due=due.due_at.isoformat())

    return _act(petition, actor, "apply_rereview", body)


def petition_answer_rereview(*, petition: Petition | int, actor, answer: str) -> Petition:
    """复核意见: the final answer; the same matter on the same facts is not accepted again."""
    _require(petition, actor, "answer_rereview")
    answer = _text(answer, "answer", max_length=5000)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        stopped = clocks.stop(workflow=NAME, record=p, key="petition.rereview_answer", at=now)
        p.rereview_answer = answer
        step.fields.add("rereview_answer")
        _issue(p, Document.Kind.REREVIEW, actor, step, **_facts(p), rereviewer=_upper_of_upper(p),
               answered=_day(now), answer=answer)
        step.details["rereview_clock"] = stopped.outcome if stopped else None

    return _act(petition, actor, "answer_rereview", body)


def petition_close(*, petition: Petition | int, actor, closing: str = Closing.SETTLED,
                   note: str = "") -> Petition:
    """办结 (the petitioner accepts the answer, or lets the window pass) or 终结 (after the
    re-review). Every limit still running is cancelled."""
    _require(petition, actor, "close")
    if closing not in {Closing.SETTLED, Closing.TERMINATED}:
        raise InvalidInput(_("Closing is settled or terminated."), field="closing")
    note = _text(note, "note", required=False, max_length=1000)

    def body(p: Petition, step: Step) -> None:
        if closing == Closing.TERMINATED and p.status != Status.REREVIEWED:
            raise InvalidInput(_("Only a re-reviewed petition is terminated."), field="closing")
        now = clock.now()
        cancelled = clocks.stop_all(workflow=NAME, record=p, at=now)
        p.closing, p.closed_at = closing, now
        step.fields |= {"closing", "closed_at"}
        step.note = note
        step.details.update(closing=closing, cancelled_clocks=cancelled)

    return _act(petition, actor, "close", body)


# -------------------------------------------------------------------- leader, team, oversight


def petition_assign(*, petition: Petition | int, actor, leader: Person | None = None,
                    team: Iterable[Person] | None = None, handler: Person | None = None,
                    note: str = "") -> Petition:
    """领导包案 and 专班: name the leader in charge, the task team (replaced as a whole when
    given) and the handler. The newly named are texted."""
    _require(petition, actor, "assign")
    members = _unique(team) if team is not None else None
    if members is not None and len(members) > MAX_TEAM:
        raise InvalidInput(_("At most %(n)d people in the task team.") % {"n": MAX_TEAM}, field="team")
    note = _text(note, "note", required=False, max_length=500)

    def body(p: Petition, step: Step) -> None:
        added: list[Person] = []
        if leader is not None and leader.pk != p.leader_id:
            p.leader = leader
            step.fields.add("leader")
            added.append(leader)
        if handler is not None and handler.pk != p.handler_id:
            p.handler = handler
            step.fields.add("handler")
            added.append(handler)
        if members is not None:
            before = set(p.team.values_list("pk", flat=True))
            after = {m.pk for m in members}
            if before != after:
                p.team.set(members)
                added += [m for m in members if m.pk not in before]
                step.details["team"] = sorted(after)
        if not step.fields and "team" not in step.details:
            raise Conflict(_("Nothing changes: name a leader, a handler or the team."), code="no_change")
        step.note = note
        step.details.update(leader=p.leader_id, handler=p.handler_id, added=[x.pk for x in added])
        notify_people(persons=_unique(added), template="assigned", params=_params(p), event=p.event)

    return _act(petition, actor, "assign", body)


def petition_urge(*, petition: Petition | int, actor, note: str = "") -> Petition:
    """催办: texts everyone working on it."""
    _require(petition, actor, "urge")
    note = _text(note, "note", required=False, max_length=500)

    def body(p: Petition, step: Step) -> None:
        people = _unique([*handlers(p), p.leader])
        if not people:
            raise InvalidInput(_("No one is working on this petition yet."), code="no_handlers")
        texts = notify_people(persons=people, template="urged", params=_params(p, note=note), event=p.event)
        p.urge_count += 1
        step.fields.add("urge_count")
        step.note = note
        step.details.update(notified=[x.pk for x in people], texts=texts)

    return _act(petition, actor, "urge", body)


def petition_escalate(*, petition: Petition | int, actor, note: str, leader: Person | None = None) -> Petition:
    """提级 / 督办: a formal order from above; may hand the case to a higher leader in charge."""
    _require(petition, actor, "escalate")
    note = _text(note, "note", max_length=500)

    def body(p: Petition, step: Step) -> None:
        if leader is not None and leader.pk != p.leader_id:
            step.details["leader_before"] = p.leader_id
            p.leader = leader
            step.fields.add("leader")
        p.supervised = True
        step.fields.add("supervised")
        people = _unique([*handlers(p), p.leader])
        texts = notify_people(persons=people, template="supervised", params=_params(p, level="督办"),
                              event=p.event)
        step.note = note
        step.details.update(leader=p.leader_id, notified=[x.pk for x in people], texts=texts)

    return _act(petition, actor, "escalate", body)


def petition_link_event(*, petition: Petition | int, actor, event: Event) -> Petition:
    """The matter is also an event of the closed loop: link it (it stays one event)."""
    _require(petition, actor, "link_event")

    def body(p: Petition, step: Step) -> None:
        if p.event_id == event.pk:
            raise Conflict(_("The petition is already linked to that event."), code="no_change")
        if event.county_id not in (None, p.county_id):
            raise InvalidInput(_("The event belongs to another county."), field="event_id")
        step.details.update(event=event.code, previous=p.event_id)
        p.event = event
        step.fields.add("event")

    return _act(petition, actor, "link_event", body)


# ---------------------------------------------------------------------------- the backlog


def petition_list_backlog(*, petition: Petition | int, actor, first_raised_year: Any, batch: str,
                          leader: Person | None = None, note: str = "") -> Petition:
    """列为信访积案: the year first raised, its batch of 四个一批, its leader."""
    _require(petition, actor, "list_backlog")
    this_year = clock.local_date().year
    year = _int(first_raised_year, "first_raised_year", 1949, this_year)
    if batch not in Batch.values:
        raise InvalidInput(_("Choose one of 四个一批."), field="batch")
    note = _text(note, "note", required=False, max_length=500)

    def body(p: Petition, step: Step) -> None:
        now = clock.now()
        case = BacklogCase.objects.create(petition=p, first_raised_year=year, batch=batch,
                                          leader=leader or p.leader, listed_at=now)
        BacklogSort.objects.create(case=case, from_batch="", to_batch=batch, reason=note, sorted_at=now,
                                   sorted_by=actor if getattr(actor, "pk", None) else None)
        step.note = note
        step.details.update(first_raised_year=year, batch=batch, batch_name=BATCH_CHINESE[Batch(batch)],
                            leader=case.leader_id)
        if case.leader is not None and case.leader.pk != p.leader_id:
            notify_people(persons=[case.leader], template="assigned", params=_params(p), event=p.event)

    return _act(petition, actor, "list_backlog", body)


def petition_resort(*, petition: Petition | int, actor, batch: str, reason: str) -> Petition:
    """四个一批 re-sorted: the case moves to another batch, the reason kept in its history."""
    _require(petition, actor, "resort")
    if batch not in Batch.values:
        raise InvalidInput(_("Choose one of 四个一批."), field="batch")
    reason = _text(reason, "reason", max_length=500)

    def body(p: Petition, step: Step) -> None:
        case = BacklogCase.objects.select_for_update().get(petition=p)
        if case.batch == batch:
            raise Conflict(_("The case is already in that batch."), code="same_batch")
        BacklogSort.objects.create(case=case, from_batch=case.batch, to_batch=batch, reason=reason,
                                   sorted_at=clock.now(),
                                   sorted_by=actor if getattr(actor, "pk", None) else None)
        step.details.update(from_batch=case.batch, batch=batch)
        case.batch = batch
        case.save(update_fields=["batch"])
        step.note = reason

    return _act(petition, actor, "resort", body)


def petition_settle_backlog(*, petition: Petition | int, actor, settlement: str) -> Petition:
    """化解: the backlog case is settled (息诉罢访), with how."""
    _require(petition, actor, "settle_backlog")
    settlement = _text(settlement, "settlement", max_length=5000)

    def body(p: Petition, step: Step) -> None:
        case = BacklogCase.objects.select_for_update().get(petition=p)
        now = clock.now()
        case.settled_at, case.settlement = now, settlement
        case.save(update_fields=["settled_at", "settlement"])
        step.note = settlement
        step.details.update(batch=case.batch, first_raised_year=case.first_raised_year,
                            years=case.age_at(timezone.localtime(now).year))

    return _act(petition, actor, "settle_backlog", body)


# ----------------------------------------------------------------------- one entry point


def _maybe_person(data: dict[str, Any], name: str) -> Person | None:
    value = data.get(name)
    return None if value in (None, "") else _person(value, name)


def perform_action(*, petition: Petition, actor, action: str, data: dict[str, Any]) -> Petition:
    """Run `action` with its fields from `data` (the pages' and the API's single entry). The
    actor's posts are checked before any of `data` is looked at: 403 before 400 or 404."""
    if action not in MACHINE.moves:
        raise InvalidInput(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action", field="action")
    _require(petition, actor, action)
    if action == "route":
        department = office = None
        if data.get("department_code"):
            department = Department.objects.filter(code=str(data["department_code"])).first()
            if department is None:
                raise InvalidInput(_("No department with code %(c)s.") % {"c": data["department_code"]},
                                   field="department_code")
        if data.get("office_code"):
            office = Region.objects.filter(code=str(data["office_code"])).first()
            if office is None:
                raise InvalidInput(_("No region with code %(c)s.") % {"c": data["office_code"]},
                                   field="office_code")
        return petition_route(petition=petition, actor=actor, department=department, office=office,
                              routing=str(data.get("routing") or "transfer"),
                              handler=_maybe_person(data, "handler_id"), note=data.get("note", ""))
    if action == "object":
        return petition_object(petition=petition, actor=actor, reason=data.get("reason", ""))
    if action == "accept":
        return petition_accept(petition=petition, actor=actor, note=data.get("note", ""))
    if action == "not_accept":
        return petition_not_accept(petition=petition, actor=actor, reason=data.get("reason", ""))
    if action == "start":
        return petition_start(petition=petition, actor=actor, handler=_maybe_person(data, "handler_id"),
                              note=data.get("note", ""))
    if action == "extend":
        return petition_extend(petition=petition, actor=actor, days=data.get("days"),
                               reason=data.get("reason", ""))
    if action == "answer":
        return petition_answer(petition=petition, actor=actor, answer=data.get("answer", ""))
    if action == "apply_review":
        return petition_apply_review(petition=petition, actor=actor, note=data.get("note", ""))
    if action == "answer_review":
        return petition_answer_review(petition=petition, actor=actor, answer=data.get("answer", ""))
    if action == "apply_rereview":
        return petition_apply_rereview(petition=petition, actor=actor, note=data.get("note", ""))
    if action == "answer_rereview":
        return petition_answer_rereview(petition=petition, actor=actor, answer=data.get("answer", ""))
    if action == "close":
        return petition_close(petition=petition, actor=actor, closing=str(data.get("closing") or "settled"),
                              note=data.get("note", ""))
    if action == "assign":
        team = data.get("team_ids")
        members = None
        if team is not None:
            if not isinstance(team, list | tuple):
                raise InvalidInput(_("team_ids is a list of person ids."), field="team_ids")
            members = [_person(t, "team_ids") for t in team[:MAX_TEAM + 1]]
        return petition_assign(petition=petition, actor=actor, leader=_maybe_person(data, "leader_id"),
                               team=members, handler=_maybe_person(data, "handler_id"),
                               note=data.get("note", ""))
    if action == "urge":
        return petition_urge(petition=petition, actor=actor, note=data.get("note", ""))
    if action == "escalate":
        return petition_escalate(petition=petition, actor=actor, note=data.get("note", ""),
                                 leader=_maybe_person(data, "leader_id"))
    if action == "link_event":
        from fengqiao.events.scope import access_event_for_user

        code = str(data.get("event_code") or "").strip()
        found = Event.objects.filter(code=code).first() if code else None
        if found is None:
            raise InvalidInput(_("No event with code %(c)s.") % {"c": code}, field="event_code")
        if actor is not None:
            found = access_event_for_user(actor, found.pk)
        return petition_link_event(petition=petition, actor=actor, event=found)
    if action == "list_backlog":
        return petition_list_backlog(petition=petition, actor=actor,
                                     first_raised_year=data.get("first_raised_year"),
                                     batch=str(data.get("batch") or ""),
                                     leader=_maybe_person(data, "leader_id"), note=data.get("note", ""))
    if action == "resort":
        return petition_resort(petition=petition, actor=actor, batch=str(data.get("batch") or ""),
                               reason=data.get("reason", ""))
    if action == "settle_backlog":
        return petition_settle_backlog(petition=petition, actor=actor, settlement=data.get("settlement", ""))
    raise InvalidInput(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action", field="action")

