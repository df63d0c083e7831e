"""Every write of the grid network: keyword-only functions with a required actor, one
transaction each, an audit row on the grid's stream (`grid:<grid id>`).

Field work sent from the phone is idempotent on the UUID the phone made when the draft was
opened: the same UUID again (a retry after a lost answer, a second tab, a reload) finds the
record the first delivery made and answers with it; a concurrent delivery of the same UUID loses
on the unique constraint and answers with the winner's record. Demands raised on a visit and
failed checklist items become events through the one door (`intake_submit_nested`, channels
`grid:visit` and `grid:hazard` with the same UUID as the ticket id, so the door is idempotent
too).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid as uuidlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.citizen.validation import clean_photos, clean_point
from fengqiao.events.models import Category, Source
from fengqiao.grid import permissions as perms
from fengqiao.grid.machine import MACHINE
from fengqiao.grid.models import (
    Appointment,
    Checklist,
    ChecklistItem,
    ChecklistKind,
    DutyShift,
    Finding,
    Firm,
    FirmKind,
    FirmSize,
    GridRole,
    GridSettings,
    HazardCheck,
    Household,
    HouseholdLevel,
    Member,
    Patrol,
    Photo,
    Publicity,
    RentedRoom,
    Team,
    TeamKind,
    TeamMember,
    Visit,
    Zone,
)
from fengqiao.grid.rules import current_settings
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput, NotPermitted
from fengqiao.lib.inputs import form_text as _text
from fengqiao.people.models import Person, Post, Role
from fengqiao.people.queries import person_of
from fengqiao.regions.models import Level, Region, RegionShape
from fengqiao.workflow.scope import file_under
from fengqiao.workflow.transition import Step, Workflow, create, perform, register


def _require_finding(actor, finding: Finding, action: str) -> None:
    perms.require_recheck(actor, finding.region)


WORKFLOW = register(Workflow(
    machine=MACHINE,
    model=Finding,
    require=_require_finding,
    stream=lambda f: f"hazard:{f.pk}",
    # The finding names its event (`Finding.event`); its own record is not the event's, whose
    # first entry is always the registration.
    related=("region", "check_record"),
))

# Categories of the events a failed item raises, by checklist kind.
HAZARD_CATEGORY = {
    ChecklistKind.FIRE: "hazard.fire",
    ChecklistKind.RENTED_ROOM: "hazard.rental",
    ChecklistKind.PRODUCTION: "hazard.production",
}
MAX_PHONE_AGE = dt.timedelta(days=60)  # a record kept on the phone longer than this is refused
MAX_CLOCK_SKEW = dt.timedelta(minutes=10)


def _stream(region: Region) -> str:
    return f"grid:{region.grid_id or region.village_id or region.pk}"




def _count(value: Any, field_name: str, *, high: int = 1_000_000) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give a whole number."), field=field_name) from None
    if n < 0 or n > high:
        raise InvalidInput(_("Give a number from 0 to %(n)d.") % {"n": high}, field=field_name)
    return n


def _person(actor) -> Person:
    person = person_of(actor)
    if person is None:
        raise NotPermitted(_("Your login is not linked to a person of the platform."))
    return person


def _uuid(value: Any) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise InvalidInput(_("The record's id is not a UUID."), field="client_uuid") from None


def _moment(value: Any, field_name: str) -> dt.datetime:
    """When the phone says the work was done: not in the future, not older than MAX_PHONE_AGE."""
    now = clock.now()
    if value in (None, ""):
        return now
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(_("Not a date and time."), field=field_name) from None
    if not isinstance(value, dt.datetime):
        raise InvalidInput(_("Not a date and time."), field=field_name)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + MAX_CLOCK_SKEW:
        raise InvalidInput(_("The time lies in the future: check the phone's clock."), field=field_name)
    if value < now - MAX_PHONE_AGE:
        raise InvalidInput(_("The record is older than %(d)d days.") % {"d": MAX_PHONE_AGE.days},
                           field=field_name)
    return value


# ------------------------------------------------------------------------------- the map


def _metres(shape_geom, lat: float, lng: float) -> float:
    """How far (metres) the point lies outside the shape; 0 inside. A local equirectangular
    projection is exact enough at the scale of a grid."""
    import shapely

    kx = 111_320.0 * math.cos(math.radians(lat))
    ky = 110_540.0
    projected = shapely.transform(shape_geom, lambda c: c * [kx, ky])
    return float(projected.distance(shapely.Point(lng * kx, lat * ky)))


def place_check(region: Region, latitude: float | None, longitude: float | None) -> tuple[bool | None, int | None]:
    """Is the phone's point inside the grid (its outline, within the admin's tolerance)?
    (None, None) without a point or an outline."""
    if latitude is None or longitude is None:
        return None, None
    shape = (RegionShape.objects.filter(region_id=region.pk).first()
             or (RegionShape.objects.filter(region_id=region.grid_id).first() if region.grid_id else None))
    if shape is None:
        return None, None
    metres = _metres(shape.geometry(), latitude, longitude)
    tolerance = current_settings().location_tolerance_m
    return metres <= tolerance, int(round(metres))


# -------------------------------------------------------------------------- settings, zones


def grid_settings_update(*, actor, household_level: str, grid_name: str, unit_name: str,
                         visit_interval_days: Any, worker_days_per_week: Any,
                         location_tolerance_m: Any) -> GridSettings:
    perms.require_keep_rules(actor)
    if household_level not in HouseholdLevel.values:
        raise InvalidInput(_("Choose where the households sit."), field="household_level")
    interval = _count(visit_interval_days, "visit_interval_days", high=366)
    days = _count(worker_days_per_week, "worker_days_per_week", high=7)
    tolerance = _count(location_tolerance_m, "location_tolerance_m", high=5000)
    if interval < 1:
        raise InvalidInput(_("Give a number from 1 to %(n)d.") % {"n": 366}, field="visit_interval_days")
    with transaction.atomic(durable=True):
        row, _created = GridSettings.objects.select_for_update().get_or_create(pk=1)
        row.household_level = household_level
        row.grid_name = _text(grid_name, "grid_name", max_length=20, required=True)
        row.unit_name = _text(unit_name, "unit_name", max_length=20, required=True)
        row.visit_interval_days = interval
        row.worker_days_per_week = days
        row.location_tolerance_m = tolerance
        row.updated_at = clock.now()
        row.save()
        audit.record(stream="grid:rules", action="rules", actor=actor, details={
            "household_level": household_level, "visit_interval_days": interval,
            "worker_days_per_week": days, "location_tolerance_m": tolerance})
    return row


def zone_save(*, actor, zone: Zone | None, code: str, name: str, county: Region,
              villages: Sequence[Region], note: str = "") -> Zone:
    """Create or change a zone (片区): a named group of villages of one county."""
    perms.require_keep_zones(actor)
    code = _text(code, "code", max_length=32, required=True)
    name = _text(name, "name", max_length=60, required=True)
    if county.level != Level.COUNTY:
        raise InvalidInput(_("Choose a county."), field="county")
    villages = list(villages)
    if not villages:
        raise InvalidInput(_("Choose the zone's villages."), field="villages")
    for v in villages:
        if v.level != Level.VILLAGE or v.county_id != county.pk:
            raise InvalidInput(_("%(v)s is not a village of %(c)s.") % {"v": v.name, "c": county.name},
                               field="villages")
    with transaction.atomic(durable=True):
        if zone is None:
            if Zone.objects.filter(code=code).exists():
                raise InvalidInput(_("Zone %(c)s exists already.") % {"c": code}, code="duplicate", field="code")
            zone = Zone.objects.create(code=code, name=name, county=county, note=note[:300],
                                       created_at=clock.now())
            action = "zone_create"
        else:
            zone = Zone.objects.select_for_update().get(pk=zone.pk)
            zone.name, zone.note = name, note[:300]
            zone.save(update_fields=["name", "note"])
            action = "zone_update"
        zone.villages.set(villages)
        audit.record(stream="grid:zones", action=action, actor=actor, note=name,
                     details={"zone": zone.pk, "villages": sorted(v.pk for v in villages)})
    return zone


# -------------------------------------------------------------------------------- posts


# The people post each grid role holds (scope follows posts, like everyone's).
POST_ROLE = {
    GridRole.GRID_HEAD: Role.GRID_HEAD,
    GridRole.GRID_MANAGER: Role.GRID_WORKER,
    GridRole.ASSISTANT: Role.GRID_WORKER,
    GridRole.RED_GRID_WORKER: Role.GRID_WORKER,
    GridRole.UNIT_HEAD: Role.GRID_WORKER,
}


def appoint(*, actor, person: Person, role: str, region: Region, household: Household | None = None,
            party_member: bool = False) -> Appointment:
    """Give a person a post in the grid network (网格长, 网格员, 协管员, 红色网格员 at a grid; 单元长 at
    a unit; 户长 of a household)."""
    region = _appointment_region(role, region, household)
    if actor is not None:
        perms.require_appoint(actor, region)
    with transaction.atomic(durable=True):
        return _appoint(actor=actor, person=person, role=role, region=region, household=household,
                        party_member=party_member)


def _appointment_region(role: str, region: Region | None, household: Household | None) -> Region:
    if role not in GridRole.values:
        raise InvalidInput(_("Choose a grid role."), field="role")
    if role == GridRole.HOUSEHOLD_HEAD:
        if household is None:
            raise InvalidInput(_("Choose the household."), field="household")
        return household.region
    if region is None:
        raise InvalidInput(_("Choose the grid or unit."), field="region")
    if role == GridRole.UNIT_HEAD:
        if region.level != Level.UNIT:
            raise InvalidInput(_("A unit head is appointed to a unit."), field="region")
    elif region.level != Level.GRID:
        raise InvalidInput(_("Grid posts are held at a grid."), field="region")
    return region


def _appoint(*, actor, person: Person, role: str, region: Region, household: Household | None,
             party_member: bool) -> Appointment:
    now = clock.now()
    # One household head per household, one unit head per unit: the household's (or the unit's)
    # row is locked so two appointments at once cannot both pass.
    if role == GridRole.HOUSEHOLD_HEAD:
        assert household is not None
        Household.objects.select_for_update().filter(pk=household.pk).first()
        held = Appointment.objects.filter(role=role, household=household, active=True).select_related("person").first()
        if held is not None:
            raise InvalidInput(_("%(h)s has a household head already (%(p)s): revoke that post first.")
                               % {"h": household.code, "p": held.person.name}, code="duplicate", field="household")
    elif role == GridRole.UNIT_HEAD:
        Region.objects.select_for_update().filter(pk=region.pk).first()
        held = Appointment.objects.filter(role=role, region=region, active=True).select_related("person").first()
        if held is not None:
            raise InvalidInput(_("%(u)s has a unit head already (%(p)s): revoke that post first.")
                               % {"u": region.display_name, "p": held.person.name}, code="duplicate", field="region")
    post = None
    post_role = POST_ROLE.get(GridRole(role))
    if post_role is not None:
        post, made = Post.objects.get_or_create(person=person, role=post_role, region=region,
                                                defaults={"active": True})
        if not made and not post.active:
            post.active = True
            post.save(update_fields=["active"])
    appointment = Appointment(person=person, role=role, post=post, household=household,
                              party_member=party_member or role == GridRole.RED_GRID_WORKER,
                              started_at=now)
    file_under(appointment, region)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise InvalidInput(_("%(p)s holds this post already.") % {"p": person.name},
                           code="duplicate", field="person") from None
    audit.record(stream=_stream(region), action="appoint", actor=actor, note=person.name,
                 details={"appointment": appointment.pk, "role": role, "region": region.pk,
                          "household": household.pk if household else None,
                          "post": post.pk if post else None})
    return appointment


def household_head_appoint(*, actor, household: Household, name: str, phone: str = "",
                           party_member: bool = False) -> Appointment:
    """户长: a household's head (often a neighbour leading ten households) is a person of the
    platform without a sign-in — found by name and phone, else registered — holding the post of
    the household (in scope like every post: the household's region)."""
    from fengqiao.people.importer import find_person

    name = _text(name, "name", max_length=50, required=True)
    phone = _clean_phone(phone)
    region = _appointment_region(GridRole.HOUSEHOLD_HEAD, None, household)
    perms.require_appoint(actor, region)
    if not household.active:
        raise InvalidInput(_("%(s)s is no longer in the registry.") % {"s": household}, field="household")
    with transaction.atomic(durable=True):
        person = find_person(name, phone) if phone else None
        if person is None:
            person = Person(name=name)
            person.set_phone(phone)
            person.save()
        return _appoint(actor=actor, person=person, role=GridRole.HOUSEHOLD_HEAD, region=region,
                        household=household, party_member=party_member)


def appointment_end(*, actor, appointment: Appointment) -> Appointment:
    if actor is not None:
        perms.require_appoint(actor, appointment.region)
    with transaction.atomic(durable=True):
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not locked.active:
            return locked
        locked.active = False
        locked.ended_at = clock.now()
        locked.save(update_fields=["active", "ended_at"])
        # The people post goes when no other grid post of the person rests on it.
        if locked.post_id and not Appointment.objects.filter(post_id=locked.post_id, active=True).exists():
            Post.objects.filter(pk=locked.post_id).update(active=False)
        audit.record(stream=_stream(locked.region), action="appoint_end", actor=actor,
                     note=locked.person.name, details={"appointment": locked.pk})
    return locked


# --------------------------------------------------------------------------- registries


def household_region_ok(region: Region) -> None:
    """Where the admin's depth puts a household: in a grid (`household_level` grid) or in a
    unit of a grid (unit) — never in both, so a registry counts each level once."""
    level = current_settings().household_level
    if region.retired_at is not None:
        raise InvalidInput(_("%(r)s no longer exists.") % {"r": region.name}, field="region")
    if level == HouseholdLevel.UNIT and region.level != Level.UNIT:
        raise InvalidInput(_("Households sit in a unit of a grid: choose the unit."), field="region")
    if level == HouseholdLevel.GRID and region.level != Level.GRID:
        raise InvalidInput(_("Households sit in a grid: choose the grid."), field="region")


@dataclass
class HouseholdValues:
    code: str
    head_name: str
    address: str
    region: Region
    phone: str = ""
    members_count: Any = 1
    elderly_alone: bool = False
    disabled: bool = False
    left_behind_children: bool = False
    note: str = ""
    latitude: Any = None
    longitude: Any = None


def _clean_phone(value: Any, field_name: str = "phone") -> str:
    from fengqiao.imports.checking import normalise_phone

    phone = normalise_phone(_text(value, field_name, max_length=30))
    if phone and not all(c.isdigit() or c == "-" for c in phone):
        raise InvalidInput(_("Not a phone number."), field=field_name)
    return phone


def clean_household(values: HouseholdValues) -> dict[str, Any]:
    household_region_ok(values.region)
    lat, lng = clean_point(values.latitude, values.longitude)
    members = _count(values.members_count, "members_count", high=99)
    return {
        "code": _text(values.code, "code", max_length=40, required=True),
        "head_name": _text(values.head_name, "head_name", max_length=50, required=True),
        "address": _text(values.address, "address", max_length=200, required=True),
        "phone": _clean_phone(values.phone),
        "members_count": max(members, 1),
        "elderly_alone": bool(values.elderly_alone),
        "disabled": bool(values.disabled),
        "left_behind_children": bool(values.left_behind_children),
        "note": _text(values.note, "note", max_length=300),
        "latitude": lat, "longitude": lng,
        "region": values.region,
    }


def _apply_household(household: Household, clean: dict[str, Any]) -> None:
    for key in ("code", "head_name", "address", "members_count", "elderly_alone", "disabled",
                "left_behind_children", "note", "latitude", "longitude"):
        setattr(household, key, clean[key])
    household.set_phone(clean["phone"])
    file_under(household, clean["region"])


def household_save(*, actor, household: Household | None, values: HouseholdValues) -> Household:
    """Register a household or change it."""
    perms.require_keep(actor, values.region)
    if household is not None:
        perms.require_keep(actor, household.region)
    clean = clean_household(values)
    now = clock.now()
    with transaction.atomic(durable=True):
        if household is None:
            if Household.objects.filter(code=clean["code"]).exists():
                raise InvalidInput(_("Household %(c)s is registered already.") % {"c": clean["code"]},
                                   code="duplicate", field="code")
            household = Household(created_at=now, updated_at=now)
            action = "household_create"
        else:
            household = Household.objects.select_for_update().get(pk=household.pk)
            if clean["code"] != household.code and Household.objects.filter(code=clean["code"]).exists():
                raise InvalidInput(_("Household %(c)s is registered already.") % {"c": clean["code"]},
                                   code="duplicate", field="code")
            household.updated_at = now
            action = "household_update"
        _apply_household(household, clean)
        household.save()
        audit.record(stream=_stream(household.region), action=action, actor=actor, note=household.code,
                     details={"household": household.pk})
    return household


def member_add(*, actor, household: Household, name: str, relation: str = "", id_number: str = "",
               phone: str = "", birth_year: Any = None) -> Member:
    perms.require_keep(actor, household.region)
    id_number = _text(id_number, "id_number", max_length=18).upper()
    if id_number and not (len(id_number) == 18 and id_number[:17].isdigit()
                          and (id_number[17].isdigit() or id_number[17] == "X")):
        raise InvalidInput(_("An ID number has 18 characters: 17 digits and a digit or X."), field="id_number")
    year = None
    if birth_year not in (None, ""):
        year = _count(birth_year, "birth_year", high=2100)
        if year < 1900:
            raise InvalidInput(_("Give a year from 1900."), field="birth_year")
    with transaction.atomic(durable=True):
        member = Member(household=household, name=_text(name, "name", max_length=50, required=True),
                        relation=_text(relation, "relation", max_length=20), birth_year=year)
        member.set_id_number(id_number)
        member.set_phone(_clean_phone(phone))
        member.save()
        Household.objects.filter(pk=household.pk, members_count__lt=household.members.count()).update(
            members_count=household.members.count())
        audit.record(stream=_stream(household.region), action="member_add", actor=actor,
                     details={"household": household.pk, "member": member.pk})
    return member


@dataclass
class FirmValues:
    code: str
    name: str
    kind: str
    size: str
    address: str
    region: Region
    employees: Any = 0
    migrant_workers: Any = 0
    contact_name: str = ""
    phone: str = ""


def clean_firm(values: FirmValues) -> dict[str, Any]:
    if values.region.level not in (Level.GRID, Level.UNIT) or values.region.retired_at is not None:
        raise InvalidInput(_("Firms are registered in a grid: choose the grid."), field="region")
    if values.kind not in FirmKind.values:
        raise InvalidInput(_("Choose the kind of firm."), field="kind")
    if values.size not in FirmSize.values:
        raise InvalidInput(_("Choose the firm's size."), field="size")
    employees = _count(values.employees, "employees")
    migrants = _count(values.migrant_workers, "migrant_workers")
    if migrants > employees:
        raise InvalidInput(_("More migrant workers than workers."), field="migrant_workers")
    return {
        "code": _text(values.code, "code", max_length=40, required=True),
        "name": _text(values.name, "name", max_length=100, required=True),
        "kind": values.kind, "size": values.size,
        "address": _text(values.address, "address", max_length=200, required=True),
        "employees": employees, "migrant_workers": migrants,
        "contact_name": _text(values.contact_name, "contact_name", max_length=50),
        "phone": _clean_phone(values.phone), "region": values.region,
    }


def _apply_firm(firm: Firm, clean: dict[str, Any]) -> None:
    for key in ("code", "name", "kind", "size", "address", "employees", "migrant_workers", "contact_name"):
        setattr(firm, key, clean[key])
    firm.set_phone(clean["phone"])
    file_under(firm, clean["region"])


def firm_save(*, actor, firm: Firm | None, values: FirmValues) -> Firm:
    perms.require_keep(actor, values.region)
    if firm is not None:
        perms.require_keep(actor, firm.region)
    clean = clean_firm(values)
    now = clock.now()
    with transaction.atomic(durable=True):
        taken = Firm.objects.filter(code=clean["code"])
        if firm is not None:
            taken = taken.exclude(pk=firm.pk)
            firm = Firm.objects.select_for_update().get(pk=firm.pk)
            firm.updated_at = now
        else:
            firm = Firm(created_at=now, updated_at=now)
        if taken.exists():
            raise InvalidInput(_("Firm %(c)s is registered already.") % {"c": clean["code"]},
                               code="duplicate", field="code")
        _apply_firm(firm, clean)
        firm.save()
        audit.record(stream=_stream(firm.region), action="firm_save", actor=actor, note=firm.name,
                     details={"firm": firm.pk})
    return firm


@dataclass
class RoomValues:
    """出租房: what the form, the import and the demo give for a rented room."""

    code: str
    address: str
    region: Region
    landlord_name: str
    phone: str = ""
    rooms: Any = 1
    tenants: Any = 0
    household: Household | None = None  # the landlord's household, in the room's grid


def clean_room(values: RoomValues) -> dict[str, Any]:
    region = values.region
    if region.level not in (Level.GRID, Level.UNIT) or region.retired_at is not None:
        raise InvalidInput(_("Rented rooms are registered in a grid: choose the grid."), field="region")
    household = values.household
    if household is not None:
        grid_of = region.grid_id or region.pk
        if not household.active or (household.grid_id or household.region_id) != grid_of:
            raise InvalidInput(_("Household %(c)s is not in this grid.") % {"c": household.code},
                               field="household")
    rooms = _count(values.rooms, "rooms", high=999)
    if rooms < 1:
        raise InvalidInput(_("Give a number from 1 to %(n)d.") % {"n": 999}, field="rooms")
    return {
        "code": _text(values.code, "code", max_length=40, required=True),
        "address": _text(values.address, "address", max_length=200, required=True),
        "landlord_name": _text(values.landlord_name, "landlord_name", max_length=50, required=True),
        "phone": _clean_phone(values.phone),
        "rooms": rooms, "tenants": _count(values.tenants, "tenants", high=9999),
        "household": household, "region": region,
    }


def _apply_room(room: RentedRoom, clean: dict[str, Any]) -> None:
    for key in ("code", "address", "landlord_name", "rooms", "tenants", "household"):
        setattr(room, key, clean[key])
    room.set_phone(clean["phone"])
    file_under(room, clean["region"])


def room_save(*, actor, room: RentedRoom | None, code: str, address: str, region: Region,
              landlord_name: str, phone: str = "", rooms: Any = 1, tenants: Any = 0,
              household: Household | None = None) -> RentedRoom:
    """Register a rented room (出租房) or change it."""
    perms.require_keep(actor, region)
    if room is not None:
        perms.require_keep(actor, room.region)
    clean = clean_room(RoomValues(code=code, address=address, region=region, landlord_name=landlord_name,
                                  phone=phone, rooms=rooms, tenants=tenants, household=household))
    now = clock.now()
    with transaction.atomic(durable=True):
        taken = RentedRoom.objects.filter(code=clean["code"])
        if room is not None:
            taken = taken.exclude(pk=room.pk)
            room = RentedRoom.objects.select_for_update().get(pk=room.pk)
            room.updated_at = now
            action = "room_update"
        else:
            room = RentedRoom(created_at=now, updated_at=now)
            action = "room_create"
        if taken.exists():
            raise InvalidInput(_("Rented room %(c)s is registered already.") % {"c": clean["code"]},
                               code="duplicate", field="code")
        _apply_room(room, clean)
        room.save()
        audit.record(stream=_stream(region), action=action, actor=actor, note=room.code,
                     details={"room": room.pk, "household": room.household_id})
    return room


def room_deactivate(*, actor, room: RentedRoom) -> RentedRoom:
    """A room no longer let (退租, 拆除): it leaves the registry and the phone's lists; its checks
    and findings stay."""
    perms.require_keep(actor, room.region)
    with transaction.atomic(durable=True):
        locked = RentedRoom.objects.select_for_update().get(pk=room.pk)
        if not locked.active:
            return locked
        locked.active = False
        locked.updated_at = clock.now()
        locked.save(update_fields=["active", "updated_at"])
        audit.record(stream=_stream(locked.region), action="room_deactivate", actor=actor, note=locked.code,
                     details={"room": locked.pk})
    return locked


# ------------------------------------------------------------------------------- visits


@dataclass
class VisitInput:
    client_uuid: Any
    household_id: Any = None
    firm_id: Any = None
    visited_at: Any = None
    latitude: Any = None
    longitude: Any = None
    notes: str = ""
    demand: str = ""
    photos: Sequence[Any] = ()
    offline: bool = False


@dataclass
class Logged:
    record: Any
    created: bool  # False: the same UUID was sent before; `record` is what it made
    events: list[Any] = field(default_factory=list)


def _earlier(model, key: uuidlib.UUID, person: Person, owner: str = "worker_id"):
    row = model.objects.filter(client_uuid=key).first()
    if row is not None and getattr(row, owner) != person.pk:
        raise Conflict(_("This record id belongs to someone else's record."), code="uuid_taken")
    return row


def _once(model, key: uuidlib.UUID | None, write: Callable[[], Logged]) -> Logged:
    """Run `write` (its own durable transaction). When a concurrent delivery of the same draft
    (a second tab, a retry) committed first, the UUID's unique index refuses this one: answer
    with the record that won, as if this delivery had found it."""
    try:
        return write()
    except IntegrityError:
        winner = model.objects.filter(client_uuid=key).first() if key is not None else None
        if winner is None:
            raise
        return Logged(winner, created=False)


def _subject(actor, *, household_id: Any, firm_id: Any, room_id: Any = None):
    """The household, firm or room named, in a grid the actor works in (404 otherwise)."""
    from fengqiao.grid import queries

    named = [x for x in (household_id, firm_id, room_id) if x not in (None, "")]
    if len(named) != 1:
        raise InvalidInput(_("Name one household, firm or rented room."), field="household")
    if household_id not in (None, ""):
        subject: Any = queries.access_household(actor, household_id)
    elif firm_id not in (None, ""):
        subject = queries.access_firm(actor, firm_id)
    else:
        subject = queries.access_room(actor, room_id)
    perms.require_work_in(actor, subject.region)
    if not subject.active:
        raise InvalidInput(_("%(s)s is no longer in the registry.") % {"s": subject}, field="household")
    return subject


def _store_photos(photos: Sequence[Any], **owner: Any) -> None:
    now = clock.now()
    for upload in photos:
        upload.seek(0)
        data = upload.read()
        suffix = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
                  "image/heic": ".heic"}.get(upload.content_type, "")
        photo = Photo(content_type=upload.content_type, size=len(data), created_at=now, **owner)
        photo.file.save(f"{uuidlib.uuid4().hex}{suffix}", ContentFile(data), save=False)
        photo.save()


def visit_log(*, actor, submission: VisitInput) -> Logged:
    """走访: log a visit (from the page or the phone's outbox)."""
    s = submission
    person = _person(actor)
    key = _uuid(s.client_uuid)
    earlier = _earlier(Visit, key, person)
    if earlier is not None:
        return Logged(earlier, created=False)
    subject = _subject(actor, household_id=s.household_id, firm_id=s.firm_id)
    visited_at = _moment(s.visited_at, "visited_at")
    lat, lng = clean_point(s.latitude, s.longitude)
    notes = _text(s.notes, "notes", max_length=2000)
    demand = _text(s.demand, "demand", max_length=1000)
    photos = clean_photos(list(s.photos))
    in_grid, distance = place_check(subject.region, lat, lng)

    def write() -> Logged:
        with transaction.atomic(durable=True):
            visit = Visit(client_uuid=key, worker=person, visited_at=visited_at,
                          visited_on=timezone.localtime(visited_at).date(), latitude=lat, longitude=lng,
                          in_grid=in_grid, distance_m=distance, notes=notes, demand=demand,
                          offline=bool(s.offline), received_at=clock.now())
            if isinstance(subject, Household):
                visit.household = subject
            else:
                visit.firm = subject
            file_under(visit, subject.region)
            visit.save(force_insert=True)
            _store_photos(photos, visit=visit)
            events = []
            if demand:
                result = _raise_event(actor, region=subject.region, source=Source.GRID,
                                      title=_("Visit demand: %(t)s") % {"t": demand[:40]},
                                      description=f"{demand}\n\n{_('Visited')}: {subject}",
                                      category=None, lat=lat, lng=lng, channel="grid:visit",
                                      ticket=str(key), photos=photos)
                visit.event = result.event
                visit.save(update_fields=["event"])
                events.append(result.event)
            audit.record(stream=_stream(subject.region), action="visit", actor=actor,
                         details={"visit": visit.pk, "uuid": str(key), "in_grid": in_grid,
                                  "event": visit.event_id})
        return Logged(visit, created=True, events=events)

    return _once(Visit, key, write)


def _raise_event(actor, *, region: Region, source: str, title: str, description: str,
                 category: Category | None, lat: float | None, lng: float | None, channel: str,
                 ticket: str, photos: Sequence[Any] = ()):
    from fengqiao.intake.actions import Report, intake_submit_nested

    for upload in photos:
        upload.seek(0)
    return intake_submit_nested(report=Report(
        source=source, title=title[:100], description=description[:2000], region=region,
        category=category, category_hint=title[:100], latitude=lat, longitude=lng,
        attachments=list(photos), channel=channel, external_id=ticket,
    ), actor=actor)


# ------------------------------------------------------------------------ hazard checks


@dataclass
class CheckInput:
    client_uuid: Any
    checklist_id: Any
    results: dict[Any, Any]  # item id → {"passed": bool, "note": str} (or a bool)
    household_id: Any = None
    firm_id: Any = None
    room_id: Any = None
    checked_at: Any = None
    latitude: Any = None
    longitude: Any = None
    notes: str = ""
    photos: Sequence[Any] = ()
    offline: bool = False


def _results(checklist: Checklist, raw: dict[Any, Any]) -> list[tuple[ChecklistItem, bool, str]]:
    if not isinstance(raw, dict):
        raise InvalidInput(_("Answer every item of the checklist."), field="results")
    answers: dict[int, Any] = {}
    for k, v in raw.items():
        try:
            answers[int(k)] = v
        except (TypeError, ValueError):
            raise InvalidInput(_("Unknown checklist item."), field="results") from None
    items = list(checklist.items.filter(active=True))
    known = {i.pk for i in items}
    if set(answers) - known:
        raise InvalidInput(_("Unknown checklist item."), field="results")
    out = []
    for item in items:
        if item.pk not in answers:
            raise InvalidInput(_("Answer “%(i)s”.") % {"i": item.text}, field="results")
        answer = answers[item.pk]
        if isinstance(answer, dict):
            passed, note = answer.get("passed"), answer.get("note") or ""
        else:
            passed, note = answer, ""
        if not isinstance(passed, bool):
            raise InvalidInput(_("Answer “%(i)s” with passed or failed.") % {"i": item.text}, field="results")
        out.append((item, passed, _text(note, "results", max_length=500)))
    return out


def hazard_check_log(*, actor, submission: CheckInput) -> Logged:
    """隐患排查: a check against a checklist; each failed item opens a finding with its event."""
    s = submission
    person = _person(actor)
    key = _uuid(s.client_uuid)
    earlier = _earlier(HazardCheck, key, person)
    if earlier is not None:
        return Logged(earlier, created=False)
    subject = _subject(actor, household_id=s.household_id, firm_id=s.firm_id, room_id=s.room_id)
    try:
        checklist = Checklist.objects.get(pk=int(s.checklist_id), active=True)
    except (Checklist.DoesNotExist, TypeError, ValueError):
        raise InvalidInput(_("Choose a checklist."), field="checklist") from None
    results = _results(checklist, s.results)
    checked_at = _moment(s.checked_at, "checked_at")
    lat, lng = clean_point(s.latitude, s.longitude)
    notes = _text(s.notes, "notes", max_length=2000)
    photos = clean_photos(list(s.photos))
    in_grid, _distance = place_check(subject.region, lat, lng)
    category = Category.objects.filter(code=HAZARD_CATEGORY.get(ChecklistKind(checklist.kind), "")).first()

    def write() -> Logged:
        with transaction.atomic(durable=True):
            check = HazardCheck(client_uuid=key, checklist=checklist, worker=person, checked_at=checked_at,
                                latitude=lat, longitude=lng, in_grid=in_grid, notes=notes,
                                offline=bool(s.offline), received_at=clock.now())
            setattr(check, {Household: "household", Firm: "firm", RentedRoom: "room"}[type(subject)], subject)
            file_under(check, subject.region)
            check.save(force_insert=True)
            _store_photos(photos, check_record=check)
            events = []
            for item, passed, note in results:
                if passed:
                    continue
                result = _raise_event(
                    actor, region=subject.region, source=Source.HAZARD_CHECK,
                    title=_("Hazard: %(i)s") % {"i": item.text},
                    description=f"{checklist.name} · {item.text}\n{subject}\n{note or notes}".strip(),
                    category=category, lat=lat, lng=lng, channel="grid:hazard",
                    ticket=f"{key}:{item.pk}", photos=photos)
                finding = Finding(check_record=check, item=item, item_text=item.text, note=note,
                                  event=result.event, found_at=checked_at, updated_at=clock.now())
                file_under(finding, subject.region)
                create(WORKFLOW, finding, actor=actor, action="register", note=item.text,
                       details={"check": check.pk, "item": item.pk, "event": result.event.pk})
                events.append(result.event)
            audit.record(stream=_stream(subject.region), action="hazard_check", actor=actor,
                         details={"check": check.pk, "uuid": str(key), "failed": len(events)})
        return Logged(check, created=True, events=events)

    return _once(HazardCheck, key, write)


def finding_recheck(*, actor, finding: Finding, fixed: bool, note: str = "") -> Finding:
    """复查: a re-check of a hazard found; fixed closes it."""
    WORKFLOW.require_first(finding, actor, "recheck")
    note = _text(note, "note", max_length=500)
    person = person_of(actor)

    def body(locked: Finding, step: Step) -> None:
        locked.rechecks += 1
        locked.updated_at = clock.now()
        step.fields |= {"rechecks", "updated_at"}
        step.outcome = "fixed" if fixed else "not_fixed"
        step.note = note
        step.details = {"fixed": fixed}
        if fixed:
            locked.closed_at = clock.now()
            locked.closed_by = person
            step.fields |= {"closed_at", "closed_by"}

    return perform(WORKFLOW, finding, actor=actor, action="recheck", body=body)


# ---------------------------------------------------------------------- publicity, teams


def publicity_log(*, actor, region: Region, day: dt.date, theme: str, firms_visited: Any = 0,
                  households_visited: Any = 0, leaflets: Any = 0, online_pushes: Any = 0,
                  sessions: Any = 0, note: str = "") -> Publicity:
    """宣传 logged on the page."""
    return _publicity(actor=actor, region=region, day=day, theme=theme, firms_visited=firms_visited,
                      households_visited=households_visited, leaflets=leaflets, online_pushes=online_pushes,
                      sessions=sessions, note=note).record


@dataclass
class PublicityInput:
    client_uuid: Any
    grid_id: Any
    day: Any
    theme: str
    firms_visited: Any = 0
    households_visited: Any = 0
    leaflets: Any = 0
    online_pushes: Any = 0
    sessions: Any = 0
    note: str = ""
    offline: bool = False


def publicity_sync(*, actor, submission: PublicityInput) -> Logged:
    """宣传 from the phone's outbox, idempotent on the draft's UUID like visits and checks."""
    s = submission
    person = _person(actor)
    key = _uuid(s.client_uuid)
    earlier = _earlier(Publicity, key, person)
    if earlier is not None:
        return Logged(earlier, created=False)
    try:
        grid = Region.objects.get(pk=int(s.grid_id))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise InvalidInput(_("Choose your grid."), field="grid") from None
    day = s.day
    if not isinstance(day, dt.date):
        try:
            day = dt.date.fromisoformat(str(day or "")[:10])
        except ValueError:
            raise InvalidInput(_("Not a date."), field="day") from None
    return _publicity(actor=actor, region=grid, day=day, theme=s.theme, firms_visited=s.firms_visited,
                      households_visited=s.households_visited, leaflets=s.leaflets,
                      online_pushes=s.online_pushes, sessions=s.sessions, note=s.note, client_uuid=key,
                      offline=bool(s.offline))


def _publicity(*, actor, region: Region, day: dt.date, theme: str, firms_visited: Any, households_visited: Any,
               leaflets: Any, online_pushes: Any, sessions: Any, note: str, client_uuid: uuidlib.UUID | None = None,
               offline: bool = False) -> Logged:
    perms.require_work_in(actor, region)
    person = _person(actor)
    if day > clock.local_date() or day < clock.local_date() - MAX_PHONE_AGE:
        raise InvalidInput(_("Give a day of the last %(d)d days.") % {"d": MAX_PHONE_AGE.days}, field="day")
    row = Publicity(worker=person, day=day, theme=_text(theme, "theme", max_length=100, required=True),
                    firms_visited=_count(firms_visited, "firms_visited", high=100_000),
                    households_visited=_count(households_visited, "households_visited", high=100_000),
                    leaflets=_count(leaflets, "leaflets", high=1_000_000),
                    online_pushes=_count(online_pushes, "online_pushes", high=1_000_000),
                    sessions=_count(sessions, "sessions", high=10_000),
                    note=_text(note, "note", max_length=300), client_uuid=client_uuid, offline=offline,
                    created_at=clock.now())
    file_under(row, region)

    def write() -> Logged:
        with transaction.atomic(durable=True):
            row.save(force_insert=True)
            audit.record(stream=_stream(region), action="publicity", actor=actor,
                         details={"publicity": row.pk, "uuid": str(client_uuid) if client_uuid else None})
        return Logged(row, created=True)

    return _once(Publicity, client_uuid, write)


def team_create(*, actor, region: Region, name: str, kind: str, leader: Person | None = None) -> Team:
    perms.require_keep(actor, region)
    if kind not in TeamKind.values:
        raise InvalidInput(_("Choose the kind of team."), field="kind")
    if region.level not in (Level.TOWN, Level.VILLAGE, Level.GRID):
        raise InvalidInput(_("A team belongs to a town, a village or a grid."), field="region")
    with transaction.atomic(durable=True):
        team = Team(name=_text(name, "name", max_length=80, required=True), kind=kind, leader=leader,
                    created_at=clock.now())
        file_under(team, region)
        team.save()
        audit.record(stream=_stream(region), action="team_create", actor=actor, note=team.name,
                     details={"team": team.pk})
    return team


def team_member_add(*, actor, team: Team, name: str, phone: str = "", person: Person | None = None) -> TeamMember:
    perms.require_keep(actor, team.region)
    with transaction.atomic(durable=True):
        member = TeamMember(team=team, name=_text(name, "name", max_length=50, required=True), person=person,
                            joined_at=clock.now())
        member.set_phone(_clean_phone(phone))
        member.save()
        audit.record(stream=_stream(team.region), action="team_member", actor=actor,
                     details={"team": team.pk, "member": member.pk})
    return member


def shift_create(*, actor, team: Team, starts_at: dt.datetime, ends_at: dt.datetime,
                 members: Sequence[TeamMember], note: str = "") -> DutyShift:
    perms.require_keep(actor, team.region)
    if ends_at <= starts_at or ends_at - starts_at > dt.timedelta(hours=24):
        raise InvalidInput(_("A shift ends after it starts, within a day."), field="ends_at")
    members = list(members)
    if not members or any(m.team_id != team.pk for m in members):
        raise InvalidInput(_("Choose the team's members on duty."), field="members")
    with transaction.atomic(durable=True):
        shift = DutyShift.objects.create(team=team, starts_at=starts_at, ends_at=ends_at,
                                         note=_text(note, "note", max_length=200))
        shift.members.set(members)
        audit.record(stream=_stream(team.region), action="shift", actor=actor,
                     details={"team": team.pk, "shift": shift.pk})
    return shift


def _route(raw: Any) -> tuple[list[list[float]], int]:
    if not isinstance(raw, list) or len(raw) > 2000:
        raise InvalidInput(_("A route is a list of at most 2,000 points."), field="route")
    points: list[list[float]] = []
    for p in raw:
        if not isinstance(p, list | tuple) or len(p) != 2:
            raise InvalidInput(_("Each point of the route is [latitude, longitude]."), field="route")
        lat, lng = clean_point(p[0], p[1])
        assert lat is not None and lng is not None
        points.append([lat, lng])
    metres = 0.0
    for (a_lat, a_lng), (b_lat, b_lng) in zip(points, points[1:], strict=False):
        kx = 111_320.0 * math.cos(math.radians((a_lat + b_lat) / 2))
        metres += math.hypot((b_lng - a_lng) * kx, (b_lat - a_lat) * 110_540.0)
    return points, int(round(metres))


def may_log_patrol(actor, team: Team) -> bool:
    """The team's leader and its members with a sign-in, the grid's workers there, its keepers."""
    me = person_of(actor)
    if perms.may_keep(actor, team.region) or perms.may_work_in(actor, team.region):
        return True
    if me is None:
        return False
    return team.leader_id == me.pk or team.members.filter(person=me, active=True).exists()


def patrol_log(*, actor, team: Team, started_at: dt.datetime, ended_at: dt.datetime, route: Any,
               members_count: Any = 1, findings: str = "", shift: DutyShift | None = None) -> Patrol:
    """巡防: a patrol with its route, logged on the page."""
    return _patrol(actor=actor, team=team, started_at=started_at, ended_at=ended_at, route=route,
                   members_count=members_count, findings=findings, shift=shift).record


@dataclass
class PatrolInput:
    client_uuid: Any
    team_id: Any
    started_at: Any
    ended_at: Any
    route: Any  # [[latitude, longitude], …] as the phone's watchPosition recorded them
    members_count: Any = 1
    findings: str = ""
    offline: bool = False


def patrol_sync(*, actor, submission: PatrolInput) -> Logged:
    """巡防 from the phone's outbox with the route it kept, idempotent on the draft's UUID."""
    from fengqiao.grid import queries

    s = submission
    person = _person(actor)
    key = _uuid(s.client_uuid)
    earlier = _earlier(Patrol, key, person, owner="logged_by_id")
    if earlier is not None:
        return Logged(earlier, created=False)
    team = queries.access_team(actor, s.team_id)
    if not team.active:
        raise InvalidInput(_("The team is no longer active."), field="team")
    return _patrol(actor=actor, team=team, started_at=_moment(s.started_at, "started_at"),
                   ended_at=_moment(s.ended_at, "ended_at"), route=s.route, members_count=s.members_count,
                   findings=s.findings, client_uuid=key, offline=bool(s.offline))


def _patrol(*, actor, team: Team, started_at: dt.datetime, ended_at: dt.datetime, route: Any,
            members_count: Any, findings: str, shift: DutyShift | None = None,
            client_uuid: uuidlib.UUID | None = None, offline: bool = False) -> Logged:
    if not may_log_patrol(actor, team):
        raise NotPermitted(_("Only the team's leader and the grid's people log its patrols."))
    if ended_at <= started_at or ended_at - started_at > dt.timedelta(hours=24):
        raise InvalidInput(_("A patrol ends after it starts, within a day."), field="ended_at")
    if ended_at > clock.now() + MAX_CLOCK_SKEW:
        raise InvalidInput(_("The time lies in the future: check the phone's clock."), field="ended_at")
    if shift is not None and shift.team_id != team.pk:
        raise InvalidInput(_("The shift is another team's."), field="shift")
    points, metres = _route(route)
    patrol = Patrol(team=team, shift=shift, started_at=started_at, ended_at=ended_at, route=points,
                    distance_m=metres, members_count=max(_count(members_count, "members_count", high=500), 1),
                    findings=_text(findings, "findings", max_length=500), logged_by=person_of(actor),
                    client_uuid=client_uuid, offline=offline, created_at=clock.now())
    file_under(patrol, team.region)

    def write() -> Logged:
        with transaction.atomic(durable=True):
            patrol.save(force_insert=True)
            audit.record(stream=_stream(team.region), action="patrol", actor=actor,
                         details={"team": team.pk, "patrol": patrol.pk, "metres": metres,
                                  "uuid": str(client_uuid) if client_uuid else None})
        return Logged(patrol, created=True)

    return _once(Patrol, client_uuid, write)


# -------------------------------------------------------------------------- checklists


def checklist_save(*, actor, checklist: Checklist | None, kind: str, name: str,
                   items: Sequence[str], active: bool = True) -> Checklist:
    """The admin's checklist: its items in order (items no longer listed are retired, never
    deleted: findings keep naming them)."""
    perms.require_keep_rules(actor)
    if kind not in ChecklistKind.values:
        raise InvalidInput(_("Choose the kind of checklist."), field="kind")
    texts = [_text(t, "items", max_length=200) for t in items]
    texts = [t for t in texts if t]
    if not texts or len(texts) > 100:
        raise InvalidInput(_("List from 1 to 100 items, one a line."), field="items")
    with transaction.atomic(durable=True):
        if checklist is None:
            checklist = Checklist.objects.create(kind=kind, name=_text(name, "name", max_length=60, required=True),
                                                 active=active)
        else:
            checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
            checklist.kind, checklist.name, checklist.active = kind, _text(name, "name", max_length=60,
                                                                          required=True), active
            checklist.save()
        current = {i.text: i for i in checklist.items.all()}
        for order, text in enumerate(texts):
            item = current.pop(text, None)
            if item is None:
                ChecklistItem.objects.create(checklist=checklist, text=text, order=order)
            else:
                item.order, item.active = order, True
                item.save(update_fields=["order", "active"])
        for item in current.values():
            if item.active:
                item.active = False
                item.save(update_fields=["active"])
        audit.record(stream="grid:rules", action="checklist", actor=actor, note=checklist.name,
                     details={"checklist": checklist.pk, "items": texts})
    return checklist



# ------------------------------------------------------------------ field reports (app)


@dataclass
class ReportInput:
    client_uuid: Any
    grid_id: Any
    description: str
    category_code: str = ""
    address: str = ""
    latitude: Any = None
    longitude: Any = None
    photos: Sequence[Any] = ()


def report_log(*, actor, submission: ReportInput):
    """网格采集 from the offline app: through the one door with the phone's UUID as the ticket
    (channel `grid:report`), so a second delivery answers with the first event."""
    from fengqiao.citizen.validation import clean_address, clean_description
    from fengqiao.intake.actions import Report, intake_submit

    s = submission
    key = _uuid(s.client_uuid)
    try:
        grid = Region.objects.get(pk=int(s.grid_id))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise InvalidInput(_("Choose your grid."), field="grid") from None
    perms.require_work_in(actor, grid)
    description = clean_description(s.description)
    category = None
    if s.category_code:
        category = Category.objects.filter(code=str(s.category_code)[:60], active=True).first()
        if category is None:
            raise InvalidInput(_("Choose a category from the list."), field="category")
    lat, lng = clean_point(s.latitude, s.longitude)
    photos = clean_photos(list(s.photos))
    return intake_submit(report=Report(
        source=Source.GRID, title=description[:40], description=description, address=clean_address(s.address),
        latitude=lat, longitude=lng, category=category, category_hint=description[:100], region=grid,
        attachments=photos, channel="grid:report", external_id=str(key)), actor=actor)
