"""Every write of the mediation centre. Pages, the API, the demo and commands call these.

Each action is keyword-only with a required `actor` (None: the platform itself) and runs in one
durable transaction through the shared machinery (`workflow.transition`): the row is locked, the
actor's posts are checked (403) before the state machine (409), the body changes fields, starts
and stops the case's clocks and queues texts, one audit row goes on the stream `mediation:<id>`
(a 群英 task: `mediation_task:<id>`). Registry writes (organisations, mediators, pools, the
duty roster) are audited on the stream `mediation_registry`.

The dispute stays one event (`Case.event`). A case opened at the single window or from a court's
referral registers its event through the one door (`intake.actions.intake_submit_nested`) in the
same transaction. The case's audit rows are not linked to the event (`event_of` is None): the
event's own timeline is ordered by its stream's sequence, and a second stream in it would
scramble it; the event hears of the case through its own actions instead:

- **Assigning a mediator binds them to the event** (`events.actions.event_bind_nested`, role
  mediator, in the case's transaction): from then on they are among the event's bound people —
  they see it, its parties, and may acknowledge and resolve it like any bound handler.
- **On agreement**, the event is resolved by the one who recorded the agreement, if the events'
  own rules let *them* resolve it now (`events.permissions.may(actor, event, "resolve")`: a bound
  mediator does; a dispatched event is acknowledged first by the same person). The platform
  never resolves on anyone's behalf: when the recorder may not (an operator not bound to it, the
  platform itself), the outcome is written on the event as a comment and its bound people are
  texted to resolve it and call the citizen back — the closed loop stays theirs.
- **No agreement, withdrawn, referred**: a comment on the event (it goes on for its handlers)
  and a text to its bound people.

`event_resolve` and `event_comment` are durable actions of the events workflow, so they run just
after the case's transaction has committed; should one be refused (the event moved meanwhile), a
comment is written instead, and a failure there is logged — the case's outcome stands either way
and its audit row says what was intended for the event (`details["event"]`).

A case arriving out of office hours (`queries.is_office_hours`) texts whoever is on the duty
roster of the nearest centre (`queries.on_duty`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.events.models import Category, Event
from fengqiao.events.models import Status as EventStatus
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, DomainError, IllegalTransition, InvalidInput
from fengqiao.lib.filetypes import sniff_attachment
from fengqiao.lib.inputs import text as _text
from fengqiao.lib.masking import mask_phone
from fengqiao.lib.protect import blind_index
from fengqiao.mediation import machine, queries
from fengqiao.mediation import permissions as perms
from fengqiao.mediation.models import (
    KIND_CHINESE,
    SPECIALTY_OF_CATEGORY,
    Agreement,
    Case,
    CaseAttachment,
    CaseCodeCounter,
    CaseMediator,
    CaseParty,
    Channel,
    Confirmation,
    DutyRole,
    DutyShift,
    FollowUp,
    Host,
    Investigation,
    Kind,
    MediationOrg,
    Mediator,
    MediatorLevel,
    OrgKind,
    Outcome,
    Performance,
    Pool,
    PoolMember,
    PoolSource,
    Retention,
    SeatKind,
    Session,
    SessionMode,
    SessionSeat,
    Side,
    Specialty,
    Status,
    Task,
    TaskStatus,
    Term,
)
from fengqiao.notify.actions import notify_people, text_phone
from fengqiao.people.models import Department, Person, Role
from fengqiao.people.queries import person_of
from fengqiao.regions.models import Region
from fengqiao.workflow import clocks
from fengqiao.workflow.scope import file_under
from fengqiao.workflow.transition import (
    Step,
    Workflow,
    create,
    perform,
    record_entry,
    register,
    transition,
)

log = logging.getLogger(__name__)

REGISTRY_STREAM = "mediation_registry"
MAX_EXTENSION_DAYS = 30
MAX_TERMS = 30
MAX_SEATS = 20
MAX_PARTIES = 20
OUTCOME_CHINESE = {
    Outcome.WRITTEN: "达成书面调解协议", Outcome.ORAL: "达成口头调解协议", Outcome.NO_AGREEMENT: "调解不成",
    Outcome.WITHDRAWN: "当事人撤回调解申请", Outcome.LITIGATION: "调解不成,已引导诉讼",
    Outcome.ARBITRATION: "调解不成,已引导仲裁",
}
CHANNEL_CHINESE = {Channel.EVENT: "事项转调解", Channel.WINDOW: "一窗受理", Channel.COURT: "法院委派"}
MODE_CHINESE = {SessionMode.FACE_TO_FACE: "面对面", SessionMode.BACK_TO_BACK: "背对背"}


# ------------------------------------------------------------------------- the workflows


def _case_people(case: Case) -> list[Person]:
    """Who is told of a case's clock: its active mediators; with none yet, whoever is on duty at
    the nearest centre, else the mediators of the case's organisation."""
    people = [cm.mediator.person for cm in
              CaseMediator.objects.filter(case=case, active=True).select_related("mediator__person")]
    if people:
        return people
    now = clock.now()
    for org in queries.duty_orgs_for(case.region):
        people = [s.person for s in queries.on_duty(now, org)]
        if people:
            return people
    return [m.person for m in Mediator.objects.filter(org_id=case.org_id, active=True).select_related("person")]


def _case_params(case: Case, running: Any = None) -> dict[str, Any]:
    return {"code": case.code, "title": case.title}


def _task_people(task: Task, running: Any = None) -> list[Person]:
    return [task.member.person, task.dispatcher]


def _task_params(task: Task, running: Any = None) -> dict[str, Any]:
    return {"code": task.event.code, "title": task.event.title}


WORKFLOW = register(Workflow(
    machine=machine.MACHINE,
    model=Case,
    require=perms.require,
    stream=lambda case: f"mediation:{case.pk}",
    related=("region", "org"),
    clock_recipients=lambda case, running: _case_people(case),
    clock_params=_case_params,
))

TASK_WORKFLOW = register(Workflow(
    machine=machine.TASK_MACHINE,
    model=Task,
    require=perms.require_task,
    stream=lambda task: f"mediation_task:{task.pk}",
    related=("event", "member__person", "dispatcher", "region"),
    clock_recipients=_task_people,
    clock_params=_task_params,
))

WF = WORKFLOW.name
TASK_WF = TASK_WORKFLOW.name


# ------------------------------------------------------------------------------ inputs




def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("“%(f)s” must be a number.") % {"f": name}, field=name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(f)s” must be a number.") % {"f": name}, field=name) from None
    if not -(2**63) <= number < 2**63:
        raise InvalidInput(_("“%(f)s” is out of range.") % {"f": name}, field=name)
    return number


def _choice(value: Any, choices: Iterable[str], name: str) -> str:
    allowed = list(choices)
    text = "" if value is None else str(value)
    if text not in allowed:
        raise InvalidInput(_("“%(f)s” must be one of: %(v)s.") % {"f": name, "v": ", ".join(a for a in allowed if a)},
                           field=name)
    return text


EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _moment(value: Any, name: str, *, required: bool = True, not_after_now: bool = False) -> dt.datetime | None:
    """A point in time: a datetime or an ISO 8601 text; a naive one is local (Asia/Shanghai)."""
    if value in (None, ""):
        if required:
            raise InvalidInput(_("“%(field)s” is required.") % {"field": name}, field=name)
        return None
    moment: dt.datetime
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9, 0))
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(_("“%(f)s” is not a date and time (2025-03-01T14:30).") % {"f": name},
                               field=name) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if not EARLIEST <= moment < LATEST:
        raise InvalidInput(_("“%(f)s” must lie between 2000 and 2100.") % {"f": name}, field=name)
    if not_after_now and moment > clock.now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("“%(f)s” cannot be in the future.") % {"f": name}, field=name)
    return moment


def _day(value: Any, name: str, *, required: bool = False, earliest_year: int = 2000) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("“%(field)s” is required.") % {"field": name}, field=name)
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(_("“%(f)s” is not a date (2025-03-01).") % {"f": name}, field=name) from None
    if not earliest_year <= day.year < 2100:
        raise InvalidInput(_("“%(f)s” must lie between %(a)d and 2100.") % {"f": name, "a": earliest_year},
                           field=name)
    return day


def _names(values: Any, name: str, *, max_items: int = 50) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [v for v in values.replace(",", "、").replace(",", "、").split("、")]
    if not isinstance(values, list | tuple):
        raise InvalidInput(_("“%(f)s” must be a list of names.") % {"f": name}, field=name)
    out = [_text(v, f"{name}[{i}]", max_length=50) for i, v in enumerate(values) if str(v or "").strip()]
    if len(out) > max_items:
        raise InvalidInput(_("“%(f)s” has more than %(n)d entries.") % {"f": name, "n": max_items}, field=name)
    return out


def valid_id_number(value: str) -> bool:
    """A mainland resident ID (18 characters with the ISO 7064 MOD 11-2 check digit, or the old
    15 digits), or an 18-character unified social credit code (统一社会信用代码) for a firm."""
    if len(value) == 15:
        return value.isdigit()
    if len(value) != 18:
        return False
    if value[:17].isdigit():
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
        if "10X98765432"[total % 11] == value[17]:
            return True
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if any(ch not in alphabet for ch in value):
        return False
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(ch) * w for ch, w in zip(value[:17], weights, strict=True))
    return alphabet[(31 - total % 31) % 31] == value[17]


def _phone(value: Any, name: str) -> str:
    phone = "" if value is None else str(value).strip().replace(" ", "")
    if phone and not (phone.replace("-", "").isdigit() and 5 <= len(phone) <= 20):
        raise InvalidInput(_("Phone “%(p)s” is not a phone number.") % {"p": mask_phone(phone)}, field=name)
    if phone.startswith("1") and len(phone.replace("-", "")) == 11:
        phone = phone.replace("-", "")
    return phone


@dataclass
class PartyInput:
    side: str
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    is_organisation: bool = False
    sex: str = ""
    occupation: str = ""
    agent: str = ""
    ethnicity: str = ""
    birth_date: dt.date | str | None = None
    representative: str = ""


@dataclass
class SeatInput:
    kind: str
    representative: str
    unit_name: str = ""
    department: Department | None = None
    person: Person | None = None


@dataclass
class TermInput:
    content: str
    due_on: dt.date | str | None = None
    obligor_id: int | None = None
    amount: Decimal | str | None = None  # 元
    manner: str = ""  # 履行方式
    place: str = ""  # 履行地点


def _party_rows(parties: Sequence[PartyInput | dict]) -> list[CaseParty]:
    items = list(parties)
    if len(items) > MAX_PARTIES:
        raise InvalidInput(_("A case has at most %(n)d parties.") % {"n": MAX_PARTIES}, field="parties")
    rows = []
    for i, p in enumerate(items):
        data = p if isinstance(p, dict) else p.__dict__
        where = f"parties[{i}]"
        side = _choice(data.get("side", Side.APPLICANT), Side.values, f"{where}.side")
        name = _text(data.get("name"), f"{where}.name", max_length=100)
        phone = _phone(data.get("phone"), f"{where}.phone")
        id_number = _text(data.get("id_number"), f"{where}.id_number", required=False, max_length=18).upper()
        if id_number and not valid_id_number(id_number):
            raise InvalidInput(_("ID number is not valid."), field=f"{where}.id_number")
        sex = _text(data.get("sex"), f"{where}.sex", required=False, max_length=2)
        if sex and sex not in ("男", "女"):
            raise InvalidInput(_("Sex is 男 or 女."), field=f"{where}.sex")
        born = _day(data.get("birth_date"), f"{where}.birth_date", earliest_year=1900)
        if born is not None and born > timezone.localtime(clock.now()).date():
            raise InvalidInput(_("“%(f)s” cannot be in the future.") % {"f": f"{where}.birth_date"},
                               field=f"{where}.birth_date")
        rows.append(CaseParty(
            side=side, name=name, phone=phone, phone_index=blind_index(phone) if phone else "",
            id_number=id_number, id_number_index=blind_index(id_number) if id_number else "",
            address=_text(data.get("address"), f"{where}.address", required=False, max_length=200),
            is_organisation=bool(data.get("is_organisation")), sex=sex,
            occupation=_text(data.get("occupation"), f"{where}.occupation", required=False, max_length=100),
            agent=_text(data.get("agent"), f"{where}.agent", required=False, max_length=100),
            ethnicity=_text(data.get("ethnicity"), f"{where}.ethnicity", required=False, max_length=20),
            birth_date=born,
            representative=_text(data.get("representative"), f"{where}.representative", required=False,
                                 max_length=50),
        ))
    if rows and not any(r.side == Side.APPLICANT for r in rows):
        raise InvalidInput(_("Name the applicant among the parties."), field="parties")
    return rows


def _seats(seats: Sequence[SeatInput | dict] | None) -> list[SessionSeat]:
    items = list(seats or [])
    if len(items) > MAX_SEATS:
        raise InvalidInput(_("At most %(n)d departments can be seated.") % {"n": MAX_SEATS}, field="seats")
    rows = []
    for i, s in enumerate(items):
        data = s if isinstance(s, dict) else s.__dict__
        where = f"seats[{i}]"
        department = data.get("department")
        if department is None and data.get("department_id") not in (None, ""):
            department = Department.objects.filter(pk=_int(data["department_id"], f"{where}.department_id")).first()
            if department is None:
                raise InvalidInput(_("No such department."), field=f"{where}.department_id")
        person = data.get("person")
        if person is None and data.get("person_id") not in (None, ""):
            person = Person.objects.filter(pk=_int(data["person_id"], f"{where}.person_id"), active=True).first()
            if person is None:
                raise InvalidInput(_("No such person."), field=f"{where}.person_id")
        rows.append(SessionSeat(
            kind=_choice(data.get("kind"), SeatKind.values, f"{where}.kind"),
            representative=_text(data.get("representative") or (person.name if person else ""),
                                 f"{where}.representative", max_length=50),
            unit_name=_text(data.get("unit_name"), f"{where}.unit_name", required=False, max_length=100),
            department=department, person=person,
        ))
    return rows


def _first(workflow: Workflow, record: Any, actor, action: str) -> None:
    """Before any input is read: the actor's posts (403), then the move from the record's status
    — both on the row as it stands in the database, not on the caller's copy — (409) — so bad input to a move not allowed now is a 409, and to
    a move not permitted a 403. `transition` checks both again under the row's lock."""
    pk = record.pk if hasattr(record, "pk") else record
    current = workflow.model._default_manager.filter(pk=pk).first()  # the row as it is now, not as passed
    if current is None:
        return
    workflow.require_first(current, actor, action)
    workflow.machine.check(workflow.machine.status_of(current), action)


def _name_of(actor) -> str:
    person = person_of(actor)
    return person.name if person is not None else ""


def _user(actor) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


# --------------------------------------------------------------------------- registry


def _registry_record(actor, action: str, **details: Any) -> None:
    audit.record(stream=REGISTRY_STREAM, action=action, actor=actor, details=details)


def org_create(*, actor, name: str, kind: str, region: Region, host: str = "", lead: Mediator | None = None,
               department: Department | None = None, address: str = "", phone: str = "") -> MediationOrg:
    """A committee (its level is its region's), the centre, a stationed room (its host) or a
    brand room (its mediator)."""
    perms.require_registry(actor, region)
    name = _text(name, "name", max_length=100)
    kind = _choice(kind, OrgKind.values, "kind")
    host = _choice(host or "", Host.values, "host")
    if (kind == OrgKind.STATIONED) != bool(host):
        raise InvalidInput(_("A stationed room names where it sits (court, procuratorate, police, petition "
                             "office); no other organisation does."), field="host")
    if region.retired_at is not None:
        raise InvalidInput(_("Region %(c)s has been retired.") % {"c": region.code}, field="region_code")
    with transaction.atomic(durable=True):
        if MediationOrg.objects.filter(region=region, name=name).exists():
            raise Conflict(_("“%(n)s” already exists there.") % {"n": name}, code="duplicate")
        org = MediationOrg(name=name, kind=kind, host=host, lead=lead, department=department,
                           address=_text(address, "address", required=False, max_length=200),
                           phone=_text(phone, "phone", required=False, max_length=30), created_at=clock.now())
        file_under(org, region)
        org.save()
        _registry_record(actor, "org_create", org=org.pk, name=name, kind=kind, host=host, region=region.code)
        return org


def _specialties(values: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for i, value in enumerate(values or []):
        code = _choice(value, Specialty.values, f"specialties[{i}]")
        if code not in out:
            out.append(code)
    return out


def mediator_create(*, actor, person: Person, level: str, specialties: Iterable[str], region: Region,
                    org: MediationOrg | None = None, title: str = "") -> Mediator:
    perms.require_registry(actor, region)
    level = _choice(level, MediatorLevel.values, "level")
    chosen = _specialties(specialties)
    title = _text(title, "title", required=False, max_length=100)
    with transaction.atomic(durable=True):
        if Mediator.objects.filter(person=person).exists():
            raise Conflict(_("%(p)s is already a mediator.") % {"p": person.name}, code="duplicate")
        mediator = Mediator(person=person, level=level, specialties=chosen, org=org, title=title,
                            created_at=clock.now())
        file_under(mediator, region)
        mediator.save()
        _registry_record(actor, "mediator_create", mediator=mediator.pk, person=person.pk, level=level,
                         specialties=chosen, region=region.code, org=org.pk if org else None)
        return mediator


def mediator_update(*, actor, mediator: Mediator, level: str | None = None, specialties: Iterable[str] | None = None,
                    region: Region | None = None, org: MediationOrg | None = None,
                    active: bool | None = None) -> Mediator:
    perms.require_registry(actor, region or mediator.region)
    if region is not None:
        perms.require_registry(actor, mediator.region)
    with transaction.atomic(durable=True):
        locked = Mediator.objects.select_for_update().get(pk=mediator.pk)
        changed: dict[str, Any] = {}
        if level is not None:
            locked.level = changed["level"] = _choice(level, MediatorLevel.values, "level")
        if specialties is not None:
            locked.specialties = changed["specialties"] = _specialties(specialties)
        if region is not None:
            file_under(locked, region)
            changed["region"] = region.code
        if org is not None:
            locked.org = org
            changed["org"] = org.pk
        if active is not None:
            locked.active = changed["active"] = bool(active)
        locked.save()
        _registry_record(actor, "mediator_update", mediator=locked.pk, **changed)
        return locked


def pool_create(*, actor, name: str, region: Region) -> Pool:
    """A village's or town's 群英 pool (群英断事会)."""
    perms.require_registry(actor, region)
    name = _text(name, "name", max_length=100)
    if region.level not in ("town", "village"):
        raise InvalidInput(_("A 群英 pool belongs to a town or a village."), field="region_code")
    with transaction.atomic(durable=True):
        if Pool.objects.filter(region=region, name=name).exists():
            raise Conflict(_("“%(n)s” already exists there.") % {"n": name}, code="duplicate")
        pool = Pool(name=name, created_at=clock.now())
        file_under(pool, region)
        pool.save()
        _registry_record(actor, "pool_create", pool=pool.pk, name=name, region=region.code)
        return pool


def pool_member_add(*, actor, pool: Pool, person: Person, source: str, specialties: Iterable[str] = (),
                    joined_on: dt.date | None = None) -> PoolMember:
    perms.require_registry(actor, pool.region)
    source = _choice(source, PoolSource.values, "source")
    chosen = _specialties(specialties)
    with transaction.atomic(durable=True):
        member, created = PoolMember.objects.get_or_create(
            pool=pool, person=person,
            defaults={"source": source, "specialties": chosen,
                      "joined_on": joined_on or timezone.localtime(clock.now()).date()})
        if not created:
            if member.active:
                raise Conflict(_("%(p)s is already in %(pool)s.") % {"p": person.name, "pool": pool.name},
                               code="duplicate")
            member.active, member.source, member.specialties = True, source, chosen
            member.save(update_fields=["active", "source", "specialties"])
        _registry_record(actor, "pool_member_add", pool=pool.pk, member=member.pk, person=person.pk, source=source)
        return member


def duty_shift_add(*, actor, org: MediationOrg, person: Person, role: str, starts_at: Any, ends_at: Any,
                   note: str = "") -> DutyShift:
    """One person on the centre's roster for a span (seed 000: police and full-time mediators
    round the clock)."""
    perms.require_registry(actor, org.region)
    role = _choice(role, DutyRole.values, "role")
    start = _moment(starts_at, "starts_at")
    end = _moment(ends_at, "ends_at")
    assert start is not None and end is not None
    if end <= start:
        raise InvalidInput(_("A shift ends after it starts."), field="ends_at")
    if end - start > dt.timedelta(days=7):
        raise InvalidInput(_("A shift is at most seven days long."), field="ends_at")
    with transaction.atomic(durable=True):
        shift = DutyShift.objects.create(org=org, person=person, role=role, starts_at=start, ends_at=end,
                                         note=_text(note, "note", required=False, max_length=200))
        _registry_record(actor, "duty_shift_add", shift=shift.pk, org=org.pk, person=person.pk, role=role,
                         starts_at=start.isoformat(), ends_at=end.isoformat())
        return shift


# ------------------------------------------------------------------------- opening


def _next_code(region: Region, moment: dt.datetime) -> str:
    county = region.county.code if region.county_id and region.county else region.code[:6]
    year = timezone.localtime(moment).year
    key = f"{county}-{year}"
    CaseCodeCounter.objects.get_or_create(key=key)
    counter = CaseCodeCounter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"TJ-{key}-{counter.last:05d}"


def _specialty_for(event: Event | None, specialty: str) -> str:
    if specialty:
        return _choice(specialty, Specialty.values, "specialty")
    if event is not None:
        return SPECIALTY_OF_CATEGORY.get(event.category.code, Specialty.OTHER)
    return Specialty.OTHER


def _arrival(case: Case, step_details: dict[str, Any]) -> None:
    """Out of office hours: text whoever is on duty at the nearest centre."""
    now = case.applied_at
    if queries.is_office_hours(now):
        return
    case.received_out_of_hours = True
    people: list[Person] = []
    orgs = queries.duty_orgs_for(case.region)
    if case.org.kind == OrgKind.CENTRE and case.org not in orgs:
        orgs = [case.org, *orgs]
    for org in orgs:
        people = [s.person for s in queries.on_duty(now, org)]
        if people:
            break
    texts = notify_people(persons=people, template="mediation_arrived",
                          params={"code": case.code, "title": case.title,
                                  "channel": CHANNEL_CHINESE[Channel(case.channel)]},
                          event=case.event)
    step_details.update(out_of_hours=True, on_duty=[p.pk for p in people], texts=texts)


def _open_nested(*, actor, event: Event, org: MediationOrg, kind: str, channel: str, title: str, specialty: str,
                 facts: str, claims: str, parties: list[CaseParty], region: Region | None,
                 court: dict[str, Any] | None = None, mediator: Mediator | None = None,
                 mediator_reason: str = "") -> Case:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_open_nested needs the action's transaction")
    if event.status in (EventStatus.REFUSED, EventStatus.MERGED):
        raise IllegalTransition(_("The event was %(s)s; open the case on the event it stands for.")
                                % {"s": EventStatus(event.status).label}, code="event_not_open")
    if not org.active:
        raise InvalidInput(_("%(o)s is no longer active.") % {"o": org.name}, field="org_id")
    where = region or event.region or org.region
    if where is None:
        raise InvalidInput(_("Say where the dispute is."), field="region_code")
    if where.retired_at is not None:
        raise InvalidInput(_("Region %(c)s has been retired.") % {"c": where.code}, field="region_code")
    if where.county_id and org.county_id and where.county_id != org.county_id:
        raise InvalidInput(_("%(o)s is in another county.") % {"o": org.name}, field="org_id")
    now = clock.now()
    case = Case(
        code=_next_code(where, now), title=title or event.title, kind=kind,
        specialty=_specialty_for(event, specialty), channel=channel, event=event, org=org,
        facts=facts or event.description, claims=claims, applied_at=now, created_by=_user(actor),
        **(court or {}),
    )
    file_under(case, where)
    details: dict[str, Any] = {"channel": channel, "kind": kind, "event": event.pk, "event_code": event.code,
                               "org": org.pk, "parties": len(parties)}
    _arrival(case, details)
    create(WORKFLOW, case, actor=actor, action="open", details=details)
    for party in parties:
        party.case = case
    CaseParty.objects.bulk_create(parties)
    clocks.start(workflow=WF, record=case, key="mediation.accept", at=now)
    if channel == Channel.COURT:
        clocks.start(workflow=WF, record=case, key="mediation.court", at=now, due=case.court_deadline)
    if mediator is not None:  # the opening form's chosen suggestion, in the same transaction
        transition(WORKFLOW, case, actor=actor, action="assign", fresh=True,
                   body=_assign_body(mediator, CaseMediator.Role.LEAD, mediator_reason, actor))
    return case


def _event_parties(parties: list[CaseParty]):
    from fengqiao.events.actions import PartyInput as EventParty

    return [EventParty(name=p.name[:50], phone=p.phone, id_number=p.id_number if len(p.id_number) in (15, 18)
                       and p.id_number[:17].isdigit() else "", is_reporter=p.side == Side.APPLICANT and i == 0)
            for i, p in enumerate(parties)]


def case_open(*, actor, event: Event, org: MediationOrg, kind: str, title: str = "", specialty: str = "",
              facts: str = "", claims: str = "", parties: Sequence[PartyInput | dict] = (),
              region: Region | None = None, mediator: Mediator | int | None = None,
              mediator_reason: str = "") -> Case:
    """Open a case on a dispute event (事项转调解): the event stays the one record of the matter.
    With no parties given, the event's parties are copied (its reporter first, as the applicant).
    `mediator`: assign the lead in the same transaction (an officer's move: 403 for anyone else)."""
    perms.require_open(actor, region or event.region or org.region, event)
    lead = _mediator(mediator) if mediator not in (None, "") else None
    mediator_reason = _text(mediator_reason, "mediator_reason", required=False, max_length=200)
    kind = _choice(kind, Kind.values, "kind")
    title = _text(title, "title", required=False, max_length=200)
    facts = _text(facts, "facts", required=False, max_length=10000)
    claims = _text(claims, "claims", required=False, max_length=5000)
    rows = _party_rows(parties)
    if not rows:
        rows = [CaseParty(side=Side.APPLICANT if p.is_reporter or i == 0 else Side.RESPONDENT, name=p.name,
                          phone=p.phone, phone_index=p.phone_index, id_number=p.id_number,
                          id_number_index=blind_index(p.id_number) if p.id_number else "")
                for i, p in enumerate(event.parties.order_by("-is_reporter", "id"))]
    with transaction.atomic(durable=True):
        locked = Event.objects.select_for_update(of=("self",)).select_related("category", "region").get(pk=event.pk)
        if Case.objects.filter(event=locked).exclude(status__in=[Status.REFUSED, Status.CLOSED]).exists():
            raise Conflict(_("This dispute already has a mediation case under way."), code="case_exists")
        return _open_nested(actor=actor, event=locked, org=org, kind=kind, channel=Channel.EVENT, title=title,
                            specialty=specialty, facts=facts, claims=claims, parties=rows, region=region,
                            mediator=lead, mediator_reason=mediator_reason)


def _category_for(category: Category | None, specialty: str) -> Category:
    if category is not None:
        return category
    reverse = {v: k for k, v in SPECIALTY_OF_CATEGORY.items()}
    code = reverse.get(Specialty(specialty), "dispute.other") if specialty else "dispute.other"
    found = Category.objects.filter(code=code, active=True).first() or Category.objects.filter(
        code="dispute.other").first()
    if found is None:
        raise InvalidInput(_("Choose the dispute's category."), field="category_code")
    return found


def _register_dispute(*, actor, title: str, description: str, region: Region, category: Category,
                      parties: list[CaseParty], address: str = "", dispute_source: str = "",
                      channel: str = "", external_id: str = "") -> Event:
    from fengqiao.events.models import Source
    from fengqiao.intake.actions import Report, intake_submit_nested

    result = intake_submit_nested(report=Report(
        source=Source.WALK_IN, title=title, description=description, address=address, region=region,
        category=category, parties=_event_parties(parties), dispute_source=dispute_source,
        channel=channel, external_id=external_id,
    ), actor=actor)
    if not result.created:
        raise Conflict(_("This referral was received before (event %(c)s).") % {"c": result.event.code},
                       code="already_received")
    return Event.objects.select_related("category", "region").get(pk=result.event.pk)


def case_open_from_window(*, actor, org: MediationOrg, kind: str, title: str, description: str, region: Region,
                          parties: Sequence[PartyInput | dict], category: Category | None = None,
                          specialty: str = "", facts: str = "", claims: str = "", address: str = "",
                          mediator: Mediator | int | None = None, mediator_reason: str = "") -> Case:
    """一窗受理: register the dispute through the one door and open its case, one transaction."""
    perms.require_open(actor, region)
    lead = _mediator(mediator) if mediator not in (None, "") else None
    mediator_reason = _text(mediator_reason, "mediator_reason", required=False, max_length=200)
    kind = _choice(kind, Kind.values, "kind")
    title = _text(title, "title", max_length=200)
    description = _text(description, "description", required=False, max_length=10000)
    if specialty:
        specialty = _choice(specialty, Specialty.values, "specialty")
    rows = _party_rows(parties)
    if not rows:
        raise InvalidInput(_("Name the applicant among the parties."), field="parties")
    chosen = _category_for(category, specialty)
    with transaction.atomic(durable=True):
        event = _register_dispute(actor=actor, title=title, description=description, region=region,
                                  category=chosen, parties=rows,
                                  address=_text(address, "address", required=False, max_length=300))
        return _open_nested(actor=actor, event=event, org=org, kind=kind, channel=Channel.WINDOW, title=title,
                            specialty=specialty, facts=_text(facts, "facts", required=False, max_length=10000)
                            or description, claims=_text(claims, "claims", required=False, max_length=5000),
                            parties=rows, region=region, mediator=lead, mediator_reason=mediator_reason)


def case_open_from_court(*, actor, org: MediationOrg, court_name: str, court_case_number: str, title: str,
                         description: str, region: Region, parties: Sequence[PartyInput | dict],
                         court_deadline: Any = None, kind: str = Kind.PRE_LITIGATION,
                         category: Category | None = None, specialty: str = "", facts: str = "",
                         claims: str = "", mediator: Mediator | int | None = None,
                         mediator_reason: str = "") -> Case:
    """诉调对接: a court's referral — its case number, its deadline (a running clock), the
    dispute registered as one event with the litigation source (诉源)."""
    perms.require_open(actor, region)
    lead = _mediator(mediator) if mediator not in (None, "") else None
    mediator_reason = _text(mediator_reason, "mediator_reason", required=False, max_length=200)
    kind = _choice(kind, Kind.values, "kind")
    court_name = _text(court_name, "court_name", max_length=100)
    number = _text(court_case_number, "court_case_number", max_length=60)
    title = _text(title, "title", max_length=200)
    description = _text(description, "description", required=False, max_length=10000)
    deadline = _moment(court_deadline, "court_deadline", required=False)
    if deadline is not None and deadline <= clock.now():
        raise InvalidInput(_("The court's deadline has already passed."), field="court_deadline")
    if specialty:
        specialty = _choice(specialty, Specialty.values, "specialty")
    rows = _party_rows(parties)
    if not rows:
        raise InvalidInput(_("Name the applicant among the parties."), field="parties")
    chosen = _category_for(category, specialty)
    with transaction.atomic(durable=True):
        if Case.objects.filter(court_name=court_name, court_case_number=number).exists():
            raise Conflict(_("The referral %(n)s was received before.") % {"n": number}, code="already_received")
        event = _register_dispute(actor=actor, title=title, description=description, region=region,
                                  category=chosen, parties=rows, dispute_source="litigation",
                                  channel="court_referral", external_id=f"{court_name}:{number}"[:100])
        if deadline is None:
            deadline = clocks.compute(start=clock.now(), days=clocks.policy("mediation.court").days,
                                      day_kind=clocks.policy("mediation.court").day_kind).at
        return _open_nested(actor=actor, event=event, org=org, kind=kind, channel=Channel.COURT, title=title,
                            specialty=specialty, facts=_text(facts, "facts", required=False, max_length=10000)
                            or description, claims=_text(claims, "claims", required=False, max_length=5000),
                            parties=rows, region=region,
                            court={"court_name": court_name, "court_case_number": number, "court_deadline": deadline},
                            mediator=lead, mediator_reason=mediator_reason)


# ------------------------------------------------------------------------ the case's moves


def _act(case: Case | int, actor, action: str, body) -> Case:
    return perform(WORKFLOW, case, actor=actor, action=action, body=body)


def _lock_related(model, case: Case, pk: Any, name: str):
    row = model.objects.select_for_update().filter(case=case, pk=_int(pk, name)).first() if pk not in (None, "") \
        else None
    if row is None:
        raise InvalidInput(_("No such %(what)s on this case.") % {"what": name.removesuffix("_id")}, field=name)
    return row


def case_accept(*, case: Case | int, actor, note: str = "") -> Case:
    """受理: the handling limit starts (mediation.handle, from acceptance)."""
    _first(WORKFLOW, case, actor, "accept")
    note = _text(note, "note", required=False, max_length=500)

    def body(c: Case, step: Step) -> None:
        now = clock.now()
        c.accepted_at = now
        step.fields.add("accepted_at")
        clocks.stop(workflow=WF, record=c, key="mediation.accept", at=now)
        running = clocks.start(workflow=WF, record=c, key="mediation.handle", at=now)
        step.note = note
        step.details["handle_due"] = running.due_at.isoformat()

    return _act(case, actor, "accept", body)


def case_refuse(*, case: Case | int, actor, reason: str) -> Case:
    """不予受理, with the reason (the applicant is told where to go instead)."""
    _first(WORKFLOW, case, actor, "refuse")
    reason = _text(reason, "reason", max_length=500)

    def body(c: Case, step: Step) -> None:
        c.refuse_reason = reason
        step.fields.add("refuse_reason")
        clocks.stop(workflow=WF, record=c, key="mediation.accept")
        clocks.stop_all(workflow=WF, record=c)
        step.note = reason

    return _act(case, actor, "refuse", body)


def _mediator(value: Any, name: str = "mediator_id") -> Mediator:
    if isinstance(value, Mediator):
        return value
    found = Mediator.objects.filter(pk=_int(value, name), active=True).select_related("person").first()
    if found is None:
        raise InvalidInput(_("No such mediator."), field=name)
    return found


def _assign_body(chosen: Mediator, role: str, reason: str, actor):
    """The assignment itself (shared by `case_assign` and an opening that names its mediator)."""

    def body(c: Case, step: Step) -> None:
        from fengqiao.events.actions import event_bind_nested

        if not chosen.active or not chosen.person.active:
            raise InvalidInput(_("%(p)s is no longer active.") % {"p": chosen.person.name}, field="mediator_id")
        now = clock.now()
        if role == CaseMediator.Role.LEAD:
            CaseMediator.objects.filter(case=c, role=CaseMediator.Role.LEAD, active=True).exclude(
                mediator=chosen).update(role=CaseMediator.Role.ASSISTANT)
        row, created = CaseMediator.objects.get_or_create(
            case=c, mediator=chosen, defaults={"role": role, "reason": reason, "assigned_at": now})
        if not created:
            if row.active and row.role == role:
                raise Conflict(_("%(p)s is already on this case.") % {"p": chosen.person.name}, code="already_assigned")
            row.active, row.role, row.released_at, row.assigned_at = True, role, None, now
            row.reason = reason or row.reason
            row.save(update_fields=["active", "role", "released_at", "assigned_at", "reason"])
        event = Event.objects.select_for_update().get(pk=c.event_id)
        bound = False
        if event.status not in (EventStatus.CLOSED, EventStatus.REFUSED, EventStatus.MERGED):
            bound = event_bind_nested(event=event, person=chosen.person, role=Role.MEDIATOR, actor=actor,
                                      mediation_case=c.code)
        step.details.update(mediator=chosen.pk, person=chosen.person.pk, name=chosen.person.name, role=role,
                            reason=reason, bound_to_event=bound)
        notify_people(persons=[chosen.person], template="mediation_assigned",
                      params={"code": c.code, "title": c.title,
                              "role": "主持调解员" if role == CaseMediator.Role.LEAD else "调解员"},
                      event=event)

    return body


def case_assign(*, case: Case | int, actor, mediator: Mediator | int | None, role: str = CaseMediator.Role.LEAD,
                reason: str = "") -> Case:
    """指派: put a mediator on the case (the lead replaces the lead) and bind them to the dispute
    event, so they handle it with its bound people."""
    _first(WORKFLOW, case, actor, "assign")
    chosen = _mediator(mediator)
    role = _choice(role, CaseMediator.Role.values, "role")
    reason = _text(reason, "reason", required=False, max_length=200)
    return _act(case, actor, "assign", _assign_body(chosen, role, reason, actor))



def case_release(*, case: Case | int, actor, mediator: Mediator | int | None, reason: str = "") -> Case:
    _first(WORKFLOW, case, actor, "release")
    chosen = _mediator(mediator)
    reason = _text(reason, "reason", required=False, max_length=200)

    def body(c: Case, step: Step) -> None:
        row = CaseMediator.objects.filter(case=c, mediator=chosen, active=True).first()
        if row is None:
            raise InvalidInput(_("%(p)s is not on this case.") % {"p": chosen.person.name}, field="mediator_id")
        row.active = False
        row.released_at = clock.now()
        row.save(update_fields=["active", "released_at"])
        step.note = reason
        step.details.update(mediator=chosen.pk, name=chosen.person.name)

    return _act(case, actor, "release", body)


def _mode(value: Any) -> str:
    return _choice(value or SessionMode.FACE_TO_FACE, SessionMode.values, "mode")


def case_schedule_session(*, case: Case | int, actor, scheduled_for: Any, place: str,
                          mode: str = SessionMode.FACE_TO_FACE, seats: Sequence[SeatInput | dict] = (),
                          notes: str = "") -> Session:
    """安排调解: a session's time, place and mode, with the departments to be seated (联合调解).
    The mediators, the seated people on the platform and the parties (by text) are told."""
    _first(WORKFLOW, case, actor, "schedule_session")
    when = _moment(scheduled_for, "scheduled_for")
    assert when is not None
    place = _text(place, "place", max_length=200)
    mode = _mode(mode)
    seat_rows = _seats(seats)
    notes = _text(notes, "notes", required=False, max_length=10000)
    made: list[Session] = []

    def body(c: Case, step: Step) -> None:
        session = Session.objects.create(case=c, scheduled_for=when, place=place, mode=mode, notes=notes,
                                         created_at=clock.now())
        for seat in seat_rows:
            seat.session = session
        SessionSeat.objects.bulk_create(seat_rows)
        if seat_rows and not c.joint:
            c.joint = True
            step.fields.add("joint")
        params = {"code": c.code, "title": c.title, "time": _fmt(when), "place": place,
                  "mode": MODE_CHINESE[SessionMode(mode)]}
        people = [cm.mediator.person for cm in c.mediators.filter(active=True).select_related("mediator__person")]
        people += [s.person for s in seat_rows if s.person is not None]
        texts = notify_people(persons=people, template="mediation_session", params=params, event=c.event)
        for party in c.parties.exclude(phone=""):
            text_phone(phone=party.phone, template="mediation_session_party", params=params, event=c.event)
            texts += 1
        step.details.update(session=session.pk, scheduled_for=when.isoformat(), place=place, mode=mode,
                            seats=[s.kind for s in seat_rows], texts=texts)
        made.append(session)

    _act(case, actor, "schedule_session", body)
    return made[0]


def case_hold_session(*, case: Case | int, actor, session: Session | int | None = None, held_at: Any = None,
                      place: str | None = None, mode: str | None = None, attendees: Any = (),
                      parties_present: Iterable[int] = (), seats: Sequence[SeatInput | dict] | None = None,
                      notes: str = "", ended_at: Any = None, result: str = "", recorder: str = "") -> Session:
    """调解记录: a session held — a scheduled one, or one recorded afterwards — with who came,
    the departments seated, the mode and the notes. The case is then being mediated."""
    _first(WORKFLOW, case, actor, "hold_session")
    when = _moment(held_at, "held_at", required=False, not_after_now=True)
    until = _moment(ended_at, "ended_at", required=False, not_after_now=True)
    names = _names(attendees, "attendees")
    notes = _text(notes, "notes", max_length=20000)
    result = _text(result, "result", required=False, max_length=5000)
    recorder = _text(recorder, "recorder", required=False, max_length=50)
    seat_rows = _seats(seats) if seats is not None else None
    chosen_mode = _mode(mode) if mode else None
    where = _text(place, "place", required=False, max_length=200) if place is not None else None
    present_ids = [_int(p, f"parties_present[{i}]") for i, p in enumerate(parties_present or [])]
    held: list[Session] = []

    def body(c: Case, step: Step) -> None:
        now = clock.now()
        if session is not None:
            row = _lock_related(Session, c, session.pk if isinstance(session, Session) else session, "session_id")
            if row.state != Session.State.SCHEDULED:
                raise IllegalTransition(_("That session was already %(s)s.") % {"s": row.get_state_display()},
                                        code="session_not_scheduled")
        else:
            if not where:
                raise InvalidInput(_("“%(field)s” is required.") % {"field": "place"}, field="place")
            row = Session(case=c, scheduled_for=when or now, place=where, created_at=now)
        row.state = Session.State.HELD
        row.held_at = when or now
        row.ended_at = until
        if until is not None and until < row.held_at:
            raise InvalidInput(_("A session ends after it begins."), field="ended_at")
        if where:
            row.place = where
        if chosen_mode:
            row.mode = chosen_mode
        row.attendees = names
        row.notes = notes
        row.result = result
        row.recorder = recorder or _name_of(actor)
        row.save()
        present = list(CaseParty.objects.filter(case=c, pk__in=present_ids))
        if len(present) != len(set(present_ids)):
            raise InvalidInput(_("A party named as present is not a party to this case."), field="parties_present")
        row.parties_present.set(present)
        if seat_rows is not None:
            row.seats.all().delete()
            for seat in seat_rows:
                seat.session = row
            SessionSeat.objects.bulk_create(seat_rows)
        seated = list(row.seats.values_list("kind", flat=True))
        if seated and not c.joint:
            c.joint = True
            step.fields.add("joint")
        step.note = notes[:500]
        step.details.update(session=row.pk, held_at=row.held_at.isoformat(), mode=row.mode, seats=seated,
                            attendees=len(names), parties_present=[p.pk for p in present])
        held.append(row)

    _act(case, actor, "hold_session", body)
    return held[0]


def case_cancel_session(*, case: Case | int, actor, session: Session | int | None, reason: str) -> Case:
    _first(WORKFLOW, case, actor, "cancel_session")
    reason = _text(reason, "reason", max_length=500)

    def body(c: Case, step: Step) -> None:
        row = _lock_related(Session, c, session.pk if isinstance(session, Session) else session, "session_id")
        if row.state != Session.State.SCHEDULED:
            raise IllegalTransition(_("That session was already %(s)s.") % {"s": row.get_state_display()},
                                    code="session_not_scheduled")
        row.state = Session.State.CANCELLED
        row.save(update_fields=["state"])
        step.note = reason
        step.details["session"] = row.pk

    return _act(case, actor, "cancel_session", body)


def case_investigate(*, case: Case | int, actor, held_at: Any, place: str, subject: str, content: str,
                     investigators: Any = (), recorder: str = "") -> Investigation:
    """调查记录."""
    _first(WORKFLOW, case, actor, "investigate")
    when = _moment(held_at, "held_at", not_after_now=True)
    place = _text(place, "place", max_length=200)
    subject = _text(subject, "subject", max_length=100)
    content = _text(content, "content", max_length=20000)
    names = _names(investigators, "investigators", max_items=10)
    recorder = _text(recorder, "recorder", required=False, max_length=50)
    assert when is not None
    made: list[Investigation] = []

    def body(c: Case, step: Step) -> None:
        row = Investigation.objects.create(case=c, held_at=when, place=place, subject=subject, content=content,
                                           investigators=names, recorder=recorder or _name_of(actor),
                                           created_at=clock.now())
        step.details.update(investigation=row.pk, subject=subject)
        made.append(row)

    _act(case, actor, "investigate", body)
    return made[0]


def case_note(*, case: Case | int, actor, text: str) -> Case:
    _first(WORKFLOW, case, actor, "note")
    text = _text(text, "text", max_length=5000)

    def body(c: Case, step: Step) -> None:
        step.note = text

    return _act(case, actor, "note", body)


def case_extend(*, case: Case | int, actor, days: Any, reason: str) -> Case:
    """延长调解期限 (with the parties' consent): the handling limit moves on by `days`."""
    _first(WORKFLOW, case, actor, "extend")
    days = _int(days, "days")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(_("Days must be between 1 and %(n)d.") % {"n": MAX_EXTENSION_DAYS}, field="days")
    reason = _text(reason, "reason", max_length=500)

    def body(c: Case, step: Step) -> None:
        running = clocks.extend(workflow=WF, record=c, key="mediation.handle", days=days, reason=reason)
        step.note = reason
        step.details.update(days=days, handle_due=running.due_at.isoformat())

    return _act(case, actor, "extend", body)


def _terms(terms: Sequence[TermInput | dict], parties: dict[int, CaseParty]) -> list[Term]:
    items = list(terms)
    if not items:
        raise InvalidInput(_("An agreement has at least one term."), field="terms")
    if len(items) > MAX_TERMS:
        raise InvalidInput(_("An agreement has at most %(n)d terms.") % {"n": MAX_TERMS}, field="terms")
    rows = []
    for i, t in enumerate(items, start=1):
        data = t if isinstance(t, dict) else t.__dict__
        where = f"terms[{i - 1}]"
        obligor = None
        if data.get("obligor_id") not in (None, ""):
            obligor = parties.get(_int(data["obligor_id"], f"{where}.obligor_id"))
            if obligor is None:
                raise InvalidInput(_("The obligor is not a party to this case."), field=f"{where}.obligor_id")
        rows.append(Term(seq=i, content=_text(data.get("content"), f"{where}.content", max_length=2000),
                         due_on=_day(data.get("due_on"), f"{where}.due_on"), obligor=obligor,
                         amount=_amount(data.get("amount"), f"{where}.amount"),
                         manner=_text(data.get("manner"), f"{where}.manner", required=False, max_length=100),
                         place=_text(data.get("place"), f"{where}.place", required=False, max_length=100)))
    return rows


def _amount(value: Any, name: str) -> Decimal | None:
    """A sum of money in yuan: 0 to 9,999,999,999.99, two decimals."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise InvalidInput(_("“%(f)s” must be a sum of money.") % {"f": name}, field=name)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput(_("“%(f)s” must be a sum of money.") % {"f": name}, field=name) from None
    if not amount.is_finite() or not Decimal(0) <= amount < Decimal(10) ** 10:
        raise InvalidInput(_("“%(f)s” must be a sum of money.") % {"f": name}, field=name)
    return amount.quantize(Decimal("0.01"))


def _event_plan(c: Case, actor, *, resolve: bool) -> str:
    """What the dispute event should hear after this outcome (decided inside the case's
    transaction, done after it): 'resolve', 'comment' or 'none'."""
    from fengqiao.events import permissions as event_perms

    event = c.event
    if event.status in (EventStatus.CLOSED, EventStatus.REFUSED, EventStatus.MERGED, EventStatus.RESOLVED):
        return "none"
    if resolve and actor is not None and event.status in (EventStatus.DISPATCHED, EventStatus.IN_PROGRESS) \
            and event_perms.may(actor, event, "resolve") and (
            event.status == EventStatus.IN_PROGRESS or event_perms.may(actor, event, "acknowledge")):
        return "resolve"
    return "comment"


def _tell_bound(c: Case, outcome_text: str, plan: str) -> int:
    """Text the event's bound people what the mediation came to (unless the recorder resolves it)."""
    from fengqiao.events.models import Assignment

    if plan != "comment":
        return 0
    people = [a.person for a in Assignment.objects.filter(event=c.event, active=True)
              .exclude(role=Role.PROXY_AGENT).select_related("person")]
    return notify_people(persons=people, template="mediation_outcome",
                         params={"code": c.code, "title": c.event.title, "event_code": c.event.code,
                                 "outcome": outcome_text}, event=c.event)


def _follow_on_event(case: Case, actor, plan: str, text: str) -> str:
    """Carry the outcome to the dispute event in the events' own durable actions (see the
    module). Returns what was done: resolved, commented, none, failed."""
    from fengqiao.events import actions as event_actions

    if plan == "none":
        return "none"
    event = Event.objects.get(pk=case.event_id)
    if plan == "resolve":
        try:
            if event.status == EventStatus.DISPATCHED:
                event_actions.event_acknowledge(event=event, actor=actor)
            event_actions.event_resolve(event=event, actor=actor, result=text)
            return "resolved"
        except DomainError:
            log.info("mediation %s: the event %s could not be resolved now; commenting", case.code, event.code)
    try:
        event_actions.event_comment(event=event, actor=actor, text=text)
        return "commented"
    except DomainError:
        log.warning("mediation %s: no comment could be written on event %s", case.code, event.code, exc_info=True)
        return "failed"


def _outcome_text(c: Case, outcome: str, note: str = "") -> str:
    org = c.org.name
    text = f"经{org}{KIND_CHINESE[Kind(c.kind)]}(案号{c.code}),{OUTCOME_CHINESE[Outcome(outcome)]}。"
    return text + (note if note else "")


def case_agree(*, case: Case | int, actor, form: str, terms: Sequence[TermInput | dict], facts: str = "",
               disputes: str = "", responsibility: str = "", performance_manner: str = "",
               signed_at: Any = None, effective_at: Any = None) -> Case:
    """达成调解协议 (written: 人民调解法 §29; oral: §30). The handling limit stops; a written
    agreement a court may confirm starts §33's 30 days from its taking effect; the dispute event
    is resolved by the recorder if its rules let them, else told (see the module)."""
    _first(WORKFLOW, case, actor, "agree")
    form = _choice(form, [Outcome.WRITTEN, Outcome.ORAL], "form")
    facts = _text(facts, "facts", required=False, max_length=10000)
    disputes = _text(disputes, "disputes", required=False, max_length=5000)
    responsibility = _text(responsibility, "responsibility", required=False, max_length=5000)
    manner = _text(performance_manner, "performance_manner", required=False, max_length=300)
    signed = _moment(signed_at, "signed_at", required=False, not_after_now=True)
    effective = _moment(effective_at, "effective_at", required=False)
    plan_box: list[tuple[str, str]] = []

    def body(c: Case, step: Step) -> None:
        now = clock.now()
        signed_moment = signed or now
        effective_moment = effective or signed_moment
        if effective_moment < signed_moment:
            raise InvalidInput(_("An agreement cannot take effect before it was signed."), field="effective_at")
        if Agreement.objects.filter(case=c).exists():
            raise Conflict(_("This case already has an agreement."), code="agreement_exists")
        parties = {p.pk: p for p in CaseParty.objects.filter(case=c)}
        term_rows = _terms(terms, parties)
        agreement = Agreement.objects.create(
            case=c, number="XY-" + c.code.removeprefix("TJ-"), kind=form, facts=facts or c.facts, disputes=disputes, responsibility=responsibility,
            performance_manner=manner, signed_at=signed_moment, effective_at=effective_moment, created_at=now)
        for t in term_rows:
            t.agreement = agreement
        Term.objects.bulk_create(term_rows)
        c.outcome, c.outcome_at = form, now
        step.fields |= {"outcome", "outcome_at"}
        clocks.stop(workflow=WF, record=c, key="mediation.handle", at=now)
        clocks.stop(workflow=WF, record=c, key="mediation.accept", at=now)
        confirm_due = None
        if form == Outcome.WRITTEN and c.kind in machine.CONFIRMABLE_KINDS:
            confirm_due = clocks.start(workflow=WF, record=c, key="mediation.confirm", at=effective_moment).due_at
        text = _outcome_text(c, form, "协议条款:" + ";".join(t.content for t in term_rows))[:5000]
        plan = _event_plan(c, actor, resolve=True)
        texts = _tell_bound(c, OUTCOME_CHINESE[Outcome(form)], plan)
        step.details.update(form=form, terms=len(term_rows), agreement=agreement.pk, event=plan, texts=texts,
                            effective_at=effective_moment.isoformat(),
                            confirm_due=confirm_due.isoformat() if confirm_due else None)
        plan_box.append((plan, text))

    done = _act(case, actor, "agree", body)
    _follow_on_event(done, actor, *plan_box[0])
    return done


def _ending(case: Case | int, actor, action: str, outcome: str, note: str) -> Case:
    plan_box: list[tuple[str, str]] = []

    def body(c: Case, step: Step) -> None:
        now = clock.now()
        c.outcome, c.outcome_at, c.outcome_note = outcome, now, note
        step.fields |= {"outcome", "outcome_at", "outcome_note"}
        clocks.stop(workflow=WF, record=c, key="mediation.handle", at=now)
        clocks.stop(workflow=WF, record=c, key="mediation.accept", at=now, cancelled=True)
        plan = _event_plan(c, actor, resolve=False)
        texts = _tell_bound(c, OUTCOME_CHINESE[Outcome(outcome)], plan)
        step.note = note
        step.details.update(outcome=outcome, event=plan, texts=texts)
        plan_box.append((plan, _outcome_text(c, outcome, note)[:5000]))

    done = _act(case, actor, action, body)
    _follow_on_event(done, actor, *plan_box[0])
    return done


def case_fail(*, case: Case | int, actor, reason: str) -> Case:
    """调解不成: the dispute goes on for its handlers (and the parties to court, arbitration or a
    department)."""
    _first(WORKFLOW, case, actor, "fail")
    return _ending(case, actor, "fail", Outcome.NO_AGREEMENT, _text(reason, "reason", max_length=2000))


def case_withdraw(*, case: Case | int, actor, reason: str) -> Case:
    """撤回: the applicant withdraws (before or during the mediation)."""
    _first(WORKFLOW, case, actor, "withdraw")
    return _ending(case, actor, "withdraw", Outcome.WITHDRAWN, _text(reason, "reason", max_length=2000))


def case_refer(*, case: Case | int, actor, to: str, note: str) -> Case:
    """引导诉讼 / 仲裁: mediation could not settle it; the parties are referred."""
    _first(WORKFLOW, case, actor, "refer")
    to = _choice(to, [Outcome.LITIGATION, Outcome.ARBITRATION], "to")
    return _ending(case, actor, "refer", to, _text(note, "note", max_length=2000))


def case_report_to_court(*, case: Case | int, actor, report: str) -> Case:
    """诉调对接: the result goes back to the referring court; its deadline stops."""
    _first(WORKFLOW, case, actor, "report_to_court")
    report = _text(report, "report", max_length=5000)

    def body(c: Case, step: Step) -> None:
        now = clock.now()
        c.court_reported_at, c.court_report = now, report
        step.fields |= {"court_reported_at", "court_report"}
        stopped = clocks.stop(workflow=WF, record=c, key="mediation.court", at=now)
        step.note = report
        step.details.update(court=c.court_name, court_case_number=c.court_case_number, outcome=c.outcome,
                            on_time=stopped is not None and stopped.outcome == "met")

    return _act(case, actor, "report_to_court", body)


def _agreement_performance(agreement: Agreement) -> str:
    statuses = list(agreement.terms.values_list("status", flat=True))
    if not statuses or Performance.PENDING in statuses:
        return Performance.PENDING
    if all(s == Performance.PERFORMED for s in statuses):
        return Performance.PERFORMED
    if all(s == Performance.NOT for s in statuses):
        return Performance.NOT
    return Performance.PARTLY


def case_check_term(*, case: Case | int, actor, term: Term | int | None, status: str, note: str = "") -> Case:
    """履行情况: a term performed, partly or not (checked by follow-up); the agreement's
    performance follows its terms (all performed → performed)."""
    _first(WORKFLOW, case, actor, "check_term")
    status = _choice(status, Performance.values, "status")
    note = _text(note, "note", required=False, max_length=500)

    def body(c: Case, step: Step) -> None:
        pk = term.pk if isinstance(term, Term) else term
        row = Term.objects.select_for_update().filter(agreement__case=c, pk=_int(pk, "term_id")).first() \
            if pk not in (None, "") else None
        if row is None:
            raise InvalidInput(_("No such term on this case."), field="term_id")
        previous = row.status
        now = clock.now()
        row.status, row.checked_at, row.check_note = status, now, note
        row.save(update_fields=["status", "checked_at", "check_note"])
        agreement = row.agreement
        agreement.performance = _agreement_performance(agreement)
        agreement.performance_checked_at = now
        agreement.save(update_fields=["performance", "performance_checked_at"])
        step.note = note
        step.details.update(term=row.pk, seq=row.seq, status=status, previous=previous,
                            agreement_performance=agreement.performance,
                            late=bool(row.due_on and timezone.localtime(now).date() > row.due_on
                                      and status != Performance.PERFORMED))

    return _act(case, actor, "check_term", body)


def case_follow_up(*, case: Case | int, actor, method: str, note: str, visited_at: Any = None,
                   dispute_settled: bool = True) -> FollowUp:
    """回访."""
    _first(WORKFLOW, case, actor, "follow_up")
    method = _choice(method, FollowUp.Method.values, "method")
    note = _text(note, "note", max_length=5000)
    when = _moment(visited_at, "visited_at", required=False, not_after_now=True)
    made: list[FollowUp] = []

    def body(c: Case, step: Step) -> None:
        person = person_of(actor)
        row = FollowUp.objects.create(case=c, visited_at=when or clock.now(), method=method, visitor=person,
                                      visitor_name=person.name if person else _("Platform"), note=note,
                                      dispute_settled=bool(dispute_settled), created_at=clock.now())
        step.note = note[:500]
        step.details.update(follow_up=row.pk, method=method, dispute_settled=row.dispute_settled)
        made.append(row)

    _act(case, actor, "follow_up", body)
    return made[0]


def case_apply_confirmation(*, case: Case | int, actor, court_name: str, applied_at: Any = None,
                            court_case_number: str = "") -> Case:
    """司法确认申请: both parties apply together to the court within §33's 30 days of the
    agreement taking effect — after that the window is closed (409)."""
    _first(WORKFLOW, case, actor, "apply_confirmation")
    court_name = _text(court_name, "court_name", max_length=100)
    number = _text(court_case_number, "court_case_number", required=False, max_length=60)
    when = _moment(applied_at, "applied_at", required=False, not_after_now=True)

    def body(c: Case, step: Step) -> None:
        moment = when or clock.now()
        agreement = Agreement.objects.select_for_update().get(case=c)
        window = clocks.compute(start=agreement.effective_at, days=clocks.policy("mediation.confirm").days,
                                day_kind=clocks.policy("mediation.confirm").day_kind).at
        running = clocks.running_clock(workflow=WF, record=c, key="mediation.confirm")
        limit = running.due_at if running is not None else window
        if moment > limit:
            raise IllegalTransition(
                _("The 30 days of 人民调解法 §33 ended on %(d)s; the court no longer takes the application.")
                % {"d": _fmt(limit)}, code="confirmation_window_closed")
        if moment < agreement.effective_at:
            raise InvalidInput(_("The application cannot come before the agreement took effect."), field="applied_at")
        Confirmation.objects.create(agreement=agreement, applied_at=moment, court_name=court_name,
                                    court_case_number=number)
        clocks.stop(workflow=WF, record=c, key="mediation.confirm", at=moment)
        step.details.update(court=court_name, court_case_number=number, applied_at=moment.isoformat(),
                            window_ends=limit.isoformat())

    return _act(case, actor, "apply_confirmation", body)


def case_record_confirmation(*, case: Case | int, actor, decision: str, note: str = "", decided_at: Any = None,
                             court_case_number: str = "") -> Case:
    """The court's decision on the application: confirmed (确认有效: enforceable) or not."""
    _first(WORKFLOW, case, actor, "record_confirmation")
    decision = _choice(decision, [Confirmation.Decision.CONFIRMED, Confirmation.Decision.REJECTED], "decision")
    note = _text(note, "note", required=False, max_length=500)
    number = _text(court_case_number, "court_case_number", required=False, max_length=60)
    when = _moment(decided_at, "decided_at", required=False, not_after_now=True)

    def body(c: Case, step: Step) -> None:
        row = Confirmation.objects.select_for_update().get(agreement__case=c)
        moment = when or clock.now()
        if moment < row.applied_at:
            raise InvalidInput(_("The court decides after the application."), field="decided_at")
        row.decision, row.decided_at, row.decision_note = decision, moment, note
        if number:
            row.court_case_number = number
        row.save(update_fields=["decision", "decided_at", "decision_note", "court_case_number"])
        step.note = note
        step.details.update(decision=decision, court_case_number=row.court_case_number)

    return _act(case, actor, "record_confirmation", body)


def case_close(*, case: Case | int, actor, note: str = "", retention: str = "") -> Case:
    """结案归档. A court's referral reports back first (the machine's guard). The §33 window
    keeps running after the file is closed (the parties may still apply)."""
    _first(WORKFLOW, case, actor, "close")
    note = _text(note, "note", required=False, max_length=500)
    if retention:
        retention = _choice(retention, [r for r in Retention.values if r], "retention")

    def body(c: Case, step: Step) -> None:
        now = clock.now()
        c.closed_at = now
        # 立卷: by whoever closes it; kept long when there are agreed terms to perform.
        c.filed_by = _name_of(actor)
        written_terms = c.outcome == Outcome.WRITTEN and Term.objects.filter(agreement__case=c).exists()
        c.retention = retention or (Retention.LONG if written_terms else Retention.SHORT)
        step.fields |= {"closed_at", "filed_by", "retention"}
        step.details["retention"] = c.retention
        for key in ("mediation.accept", "mediation.handle", "mediation.court"):
            clocks.stop(workflow=WF, record=c, key=key, at=now, cancelled=True)
        step.note = note

    return _act(case, actor, "close", body)


def case_attach(*, case: Case | int, actor, upload, session: Session | int | None = None,
                document: str = "") -> CaseAttachment:
    """A photo of a session, a signed scan of a document, evidence: sniffed by its bytes."""
    # The handlers' right (on the row as it is now); attaching needs no move.
    WORKFLOW.require_first(case.pk if isinstance(case, Case) else case, actor, "note")
    document = _text(document, "document", required=False, max_length=30)
    size = getattr(upload, "size", 0) or 0
    if size > settings.FENGQIAO_MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("Attachment “%(n)s” is larger than %(m)d MB.")
                           % {"n": str(upload.name)[:80], "m": settings.FENGQIAO_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
                           field="file")
    content_type = sniff_attachment(upload)
    if content_type is None:
        raise InvalidInput(_("“%(n)s” is not a picture, PDF, Office document, audio, video or plain text file; "
                             "only those can be attached.") % {"n": str(upload.name)[:80]}, field="file")
    made: list[CaseAttachment] = []

    with transaction.atomic(durable=True):
        def body(c: Case, step: Step) -> None:
            row = None
            if session not in (None, ""):
                row = _lock_related(Session, c, session.pk if isinstance(session, Session) else session, "session_id")
            if c.status in (Status.REFUSED,):
                raise IllegalTransition(_("Cannot attach files to a refused application."))
            name = str(upload.name or "file")[-200:]
            att = CaseAttachment(case=c, session=row, document=document, name=name, content_type=content_type,
                                 size=size, uploaded_by=_user(actor), created_at=clock.now())
            att.file.save(name, upload, save=False)
            att.save()
            step.details.update(attachment=att.pk, name=name, size=size, content_type=content_type,
                                session=row.pk if row else None, document=document)
            made.append(att)

        transition(WORKFLOW, case, actor=actor, action="attach", body=body, record_only=True)
    return made[0]


# ------------------------------------------------------------------------- one entry


def perform_case(*, case: Case | int, actor, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run `action` with its fields from `data` (the API's and the pages' single entry). The
    actor's posts are checked before any of `data` is read: 403 before 400."""
    if action not in machine.MOVES:
        raise InvalidInput(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action", field="action")
    _first(WORKFLOW, case, actor, action)
    out: dict[str, Any] = {}
    d = data
    if action == "accept":
        case_accept(case=case, actor=actor, note=d.get("note", ""))
    elif action == "refuse":
        case_refuse(case=case, actor=actor, reason=d.get("reason", ""))
    elif action == "assign":
        case_assign(case=case, actor=actor, mediator=d.get("mediator_id"), role=d.get("role") or "lead",
                    reason=d.get("reason", ""))
    elif action == "release":
        case_release(case=case, actor=actor, mediator=d.get("mediator_id"), reason=d.get("reason", ""))
    elif action == "schedule_session":
        out["session_id"] = case_schedule_session(
            case=case, actor=actor, scheduled_for=d.get("scheduled_for"), place=d.get("place", ""),
            mode=d.get("mode") or SessionMode.FACE_TO_FACE, seats=d.get("seats") or [], notes=d.get("notes", "")).pk
    elif action == "hold_session":
        out["session_id"] = case_hold_session(
            case=case, actor=actor, session=d.get("session_id"), held_at=d.get("held_at"), place=d.get("place"),
            mode=d.get("mode"), attendees=d.get("attendees") or [], parties_present=d.get("parties_present") or [],
            seats=d.get("seats"), notes=d.get("notes", ""), ended_at=d.get("ended_at"),
            result=d.get("result", ""), recorder=d.get("recorder", "")).pk
    elif action == "cancel_session":
        case_cancel_session(case=case, actor=actor, session=d.get("session_id"), reason=d.get("reason", ""))
    elif action == "investigate":
        out["investigation_id"] = case_investigate(
            case=case, actor=actor, held_at=d.get("held_at"), place=d.get("place", ""), subject=d.get("subject", ""),
            content=d.get("content", ""), investigators=d.get("investigators") or [],
            recorder=d.get("recorder", "")).pk
    elif action == "note":
        case_note(case=case, actor=actor, text=d.get("text", ""))
    elif action == "extend":
        case_extend(case=case, actor=actor, days=d.get("days"), reason=d.get("reason", ""))
    elif action == "agree":
        case_agree(case=case, actor=actor, form=d.get("form", ""), terms=d.get("terms") or [],
                   facts=d.get("facts", ""), disputes=d.get("disputes", ""),
                   responsibility=d.get("responsibility", ""), performance_manner=d.get("performance_manner", ""),
                   signed_at=d.get("signed_at"), effective_at=d.get("effective_at"))
    elif action == "fail":
        case_fail(case=case, actor=actor, reason=d.get("reason", ""))
    elif action == "withdraw":
        case_withdraw(case=case, actor=actor, reason=d.get("reason", ""))
    elif action == "refer":
        case_refer(case=case, actor=actor, to=d.get("to", ""), note=d.get("note", ""))
    elif action == "report_to_court":
        case_report_to_court(case=case, actor=actor, report=d.get("report", ""))
    elif action == "check_term":
        case_check_term(case=case, actor=actor, term=d.get("term_id"), status=d.get("status", ""),
                        note=d.get("note", ""))
    elif action == "follow_up":
        out["follow_up_id"] = case_follow_up(
            case=case, actor=actor, method=d.get("method", ""), note=d.get("note", ""),
            visited_at=d.get("visited_at"), dispute_settled=d.get("dispute_settled", True) is not False).pk
    elif action == "apply_confirmation":
        case_apply_confirmation(case=case, actor=actor, court_name=d.get("court_name", ""),
                                applied_at=d.get("applied_at"), court_case_number=d.get("court_case_number", ""))
    elif action == "record_confirmation":
        case_record_confirmation(case=case, actor=actor, decision=d.get("decision", ""), note=d.get("note", ""),
                                 decided_at=d.get("decided_at"), court_case_number=d.get("court_case_number", ""))
    elif action == "close":
        case_close(case=case, actor=actor, note=d.get("note", ""), retention=d.get("retention", ""))
    return out


# ------------------------------------------------------------------------ 群英 tasks


def _member(value: Any) -> PoolMember:
    if isinstance(value, PoolMember):
        return value
    found = PoolMember.objects.filter(pk=_int(value, "member_id"), active=True).select_related(
        "person", "pool").first()
    if found is None:
        raise InvalidInput(_("No such 群英 member."), field="member_id")
    return found


def _task_due(task: Task) -> str:
    running = clocks.running_clock(workflow=TASK_WF, record=task, key="mediation.task")
    return _fmt(running.due_at) if running is not None else "—"


def _hand_to(task: Task, member: PoolMember, dispatcher: Person, details: dict[str, Any]) -> None:
    now = clock.now()
    running = clocks.start(workflow=TASK_WF, record=task, key="mediation.task", at=now)
    region = task.event.region
    texts = notify_people(persons=[member.person], template="mediation_task",
                          params={"title": task.event.title, "code": task.event.code, "dispatcher": dispatcher.name,
                                  "region": region.display_name if region else "", "due": _fmt(running.due_at)},
                          event=task.event)
    details.update(member=member.pk, person=member.person.pk, name=member.person.name,
                   due=running.due_at.isoformat(), texts=texts)


def _check_member_area(member: PoolMember, event: Event) -> None:
    """A 群英 member mediates in their own pool's village or town."""
    region = event.region
    pool_region = member.pool.region
    if region is None or not pool_region.is_ancestor_of(region) and not (
            region.town_id and pool_region.town_id == region.town_id):
        raise InvalidInput(_("%(p)s's pool (%(pool)s) is not where the dispute is.")
                           % {"p": member.person.name, "pool": member.pool.name}, field="member_id")


def task_dispatch(*, actor, event: Event, member: PoolMember | int, instructions: str = "",
                  case: Case | None = None) -> Task:
    """派单: a person bound to the event hands a mediation task to a 群英 member of the place;
    the member is texted and the task's limit (mediation.task) starts."""
    perms.require_dispatch(actor, event)
    chosen = _member(member)
    instructions = _text(instructions, "instructions", required=False, max_length=2000)
    dispatcher = person_of(actor)
    if dispatcher is None:
        raise InvalidInput(_("Only a person on the platform dispatches a task."), field="actor")
    with transaction.atomic(durable=True):
        locked = Event.objects.select_for_update(of=("self",)).select_related("region", "category").get(pk=event.pk)
        if locked.status not in (EventStatus.REGISTERED, EventStatus.DISPATCHED, EventStatus.IN_PROGRESS):
            raise IllegalTransition(_("The event is %(s)s: there is nothing left to mediate.")
                                    % {"s": EventStatus(locked.status).label}, code="event_not_open")
        _check_member_area(chosen, locked)
        if case is not None and case.event_id != locked.pk:
            raise InvalidInput(_("That case is about another event."), field="case_id")
        if Task.objects.filter(event=locked, member=chosen,
                               status__in=[TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.REPORTED]).exists():
            raise Conflict(_("%(p)s already holds a task on this event.") % {"p": chosen.person.name},
                           code="task_exists")
        task = Task(event=locked, case=case, member=chosen, dispatcher=dispatcher, instructions=instructions,
                    dispatched_at=clock.now())
        file_under(task, locked.region or chosen.pool.region)
        task.save(force_insert=True)
        details: dict[str, Any] = {"event": locked.pk, "event_code": locked.code}
        _hand_to(task, chosen, dispatcher, details)
        record_entry(TASK_WORKFLOW, task, actor=actor, action="dispatch", from_state="", note=instructions[:500],
                     details=details, new_stream=True)
        TASK_WORKFLOW.hooks.fire(TASK_WORKFLOW.make_change(record=task, action="dispatch", from_state="",
                                                           before=None, actor=actor, at=clock.now(), fresh=True))
        return task


def _task_act(task: Task | int, actor, action: str, body) -> Task:
    return perform(TASK_WORKFLOW, task, actor=actor, action=action, body=body)


def task_accept(*, task: Task | int, actor) -> Task:
    """接单."""

    def body(t: Task, step: Step) -> None:
        t.accepted_at = clock.now()
        step.fields.add("accepted_at")

    return _task_act(task, actor, "accept", body)


def task_decline(*, task: Task | int, actor, reason: str) -> Task:
    """拒单, with the reason: back to the dispatcher, who hands it to another member."""
    _first(TASK_WORKFLOW, task, actor, "decline")
    reason = _text(reason, "reason", max_length=500)

    def body(t: Task, step: Step) -> None:
        t.decline_reason = reason
        step.fields.add("decline_reason")
        clocks.stop(workflow=TASK_WF, record=t, key="mediation.task", cancelled=True)
        step.note = reason
        step.details["texts"] = notify_people(
            persons=[t.dispatcher], template="mediation_task_declined",
            params={"title": t.event.title, "code": t.event.code, "member": t.member.person.name, "reason": reason},
            event=t.event)

    return _task_act(task, actor, "decline", body)


def task_report(*, task: Task | int, actor, report: str, settled: Any) -> Task:
    """反馈: the member reports what came of it; the dispatcher confirms."""
    _first(TASK_WORKFLOW, task, actor, "report")
    report = _text(report, "report", max_length=5000)
    if not isinstance(settled, bool):
        raise InvalidInput(_("Say whether the dispute was settled (true or false)."), field="settled")

    def body(t: Task, step: Step) -> None:
        now = clock.now()
        t.report, t.settled, t.reported_at = report, settled, now
        step.fields |= {"report", "settled", "reported_at"}
        clocks.stop(workflow=TASK_WF, record=t, key="mediation.task", at=now)
        step.note = report[:500]
        step.details.update(settled=settled, texts=notify_people(
            persons=[t.dispatcher], template="mediation_task_reported",
            params={"title": t.event.title, "code": t.event.code, "member": t.member.person.name,
                    "result": "已化解" if settled else "未化解"}, event=t.event))

    return _task_act(task, actor, "report", body)


def task_close(*, task: Task | int, actor, note: str = "") -> Task:
    """确认办结: the dispatcher accepts the report."""
    _first(TASK_WORKFLOW, task, actor, "close")
    note = _text(note, "note", required=False, max_length=500)

    def body(t: Task, step: Step) -> None:
        t.closed_at, t.close_note = clock.now(), note
        step.fields |= {"closed_at", "close_note"}
        step.note = note
        step.details["settled"] = t.settled

    return _task_act(task, actor, "close", body)


def task_send_back(*, task: Task | int, actor, reason: str) -> Task:
    """退回重办: the report is not enough; the member works on, on a fresh limit."""
    _first(TASK_WORKFLOW, task, actor, "send_back")
    reason = _text(reason, "reason", max_length=500)

    def body(t: Task, step: Step) -> None:
        running = clocks.start(workflow=TASK_WF, record=t, key="mediation.task")
        step.note = reason
        step.details.update(due=running.due_at.isoformat(), texts=notify_people(
            persons=[t.member.person], template="mediation_task_back",
            params={"title": t.event.title, "code": t.event.code, "reason": reason}, event=t.event))

    return _task_act(task, actor, "send_back", body)


def task_reassign(*, task: Task | int, actor, member: PoolMember | int | None) -> Task:
    """After a decline: hand the task to another member of the place."""
    _first(TASK_WORKFLOW, task, actor, "reassign")
    chosen = _member(member)

    def body(t: Task, step: Step) -> None:
        if chosen.pk == t.member_id:
            raise InvalidInput(_("%(p)s declined this task; choose someone else.") % {"p": chosen.person.name},
                               field="member_id")
        _check_member_area(chosen, t.event)
        previous = t.member
        t.member = chosen
        t.decline_reason = ""
        t.accepted_at = None
        step.fields |= {"member", "decline_reason", "accepted_at"}
        step.details["previous"] = previous.pk
        _hand_to(t, chosen, t.dispatcher, step.details)

    return _task_act(task, actor, "reassign", body)


def task_cancel(*, task: Task | int, actor, reason: str) -> Task:
    _first(TASK_WORKFLOW, task, actor, "cancel")
    reason = _text(reason, "reason", max_length=500)

    def body(t: Task, step: Step) -> None:
        clocks.stop_all(workflow=TASK_WF, record=t)
        step.note = reason

    return _task_act(task, actor, "cancel", body)


def perform_task(*, task: Task | int, actor, action: str, data: dict[str, Any]) -> dict[str, Any]:
    if action not in machine.TASK_MOVES:
        raise InvalidInput(_("Unknown action “%(a)s”.") % {"a": action}, code="unknown_action", field="action")
    _first(TASK_WORKFLOW, task, actor, action)
    d = data
    if action == "accept":
        task_accept(task=task, actor=actor)
    elif action == "decline":
        task_decline(task=task, actor=actor, reason=d.get("reason", ""))
    elif action == "report":
        task_report(task=task, actor=actor, report=d.get("report", ""), settled=d.get("settled"))
    elif action == "close":
        task_close(task=task, actor=actor, note=d.get("note", ""))
    elif action == "send_back":
        task_send_back(task=task, actor=actor, reason=d.get("reason", ""))
    elif action == "reassign":
        task_reassign(task=task, actor=actor, member=d.get("member_id"))
    elif action == "cancel":
        task_cancel(task=task, actor=actor, reason=d.get("reason", ""))
    return {}
