"""Every write on stations, plans and stays. Pages, the API and the demo call these.

Each is one durable transaction through the shared transition function: the row locked, the
actor's posts (403) before the machine (409), one audit row on the record's stream (`station:<id>`,
`stay_plan:<id>`; a stay writes on its plan's), texts through the outbox. A check-in starts the
stay's time limit (`stationing.checkout`, a `ClockPolicy` the admin sets): left open past it the
cadre is told, and a check-out after it no longer counts.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput
from fengqiao.lib.inputs import text
from fengqiao.people.models import Department, Person
from fengqiao.regions.models import Level, Region
from fengqiao.stationing import locate
from fengqiao.stationing import permissions as perms
from fengqiao.stationing.machine import (
    PLAN_MACHINE,
    STATION_MACHINE,
    STAY,
    STAY_MACHINE,
)
from fengqiao.stationing.models import (
    Identity,
    Plan,
    PlanStatus,
    Rule,
    Station,
    Stay,
    StayStatus,
)
from fengqiao.workflow import clocks
from fengqiao.workflow.scope import file_under
from fengqiao.workflow.transition import Step, Workflow, create, perform, register, transition

CHECKOUT_KEY = "stationing.checkout"
MAX_COUNT = 10_000
MAX_ACCURACY = 100_000.0


def _stay_recipients(stay: Stay, running: Any) -> list[Person]:
    return [stay.person] if stay.person.active else []


STATION_WORKFLOW = register(Workflow(
    machine=STATION_MACHINE, model=Station, require=perms.require_station,
    stream=lambda s: f"station:{s.pk}", related=("region", "department"),
))
PLAN_WORKFLOW = register(Workflow(
    machine=PLAN_MACHINE, model=Plan, require=perms.require_plan,
    stream=lambda p: f"stay_plan:{p.pk}", related=("region", "person", "rule", "station"),
))
STAY_WORKFLOW = register(Workflow(
    machine=STAY_MACHINE, model=Stay, require=perms.require_stay,
    stream=lambda s: f"stay_plan:{s.plan_id}",  # the plan's timeline lists its arrivals and departures
    related=("plan", "person", "region"),
    clock_recipients=_stay_recipients,
    clock_params=lambda s, running: {"code": s.region.display_name, "title": f"{s.person.name}的住村签到"},
))


# ----------------------------------------------------------------------------------- inputs


_text = functools.partial(text, max_length=500)  # this app's inputs are short


def _count(value: Any, name: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(_("“%(field)s” must be a whole number.") % {"field": name}, field=name) from None
    if not 0 <= n <= MAX_COUNT:
        raise InvalidInput(_("“%(field)s” must be between %(low)d and %(high)d.")
                           % {"field": name, "low": 0, "high": MAX_COUNT}, field=name)
    return n


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": name}, field=name) from None


def _position(latitude: Any, longitude: Any, accuracy: Any) -> tuple[float | None, float | None, float | None]:
    """The phone's fix, or (None, None, None) when it gave none; a position off the Earth is refused."""
    if latitude in (None, "") or longitude in (None, ""):
        return None, None, None
    try:
        lat, lng = float(latitude), float(longitude)
        acc = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidInput(_("The position is not a number."), field="latitude") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:
        raise InvalidInput(_("The position is not on Earth."), field="latitude")
    if acc is not None and not (0 <= acc <= MAX_ACCURACY):
        raise InvalidInput(_("The position's accuracy is out of range."), field="accuracy")
    return lat, lng, acc


# --------------------------------------------------------------------------------- stations


def station_create(*, actor, department: Department, village: Region, starts_on: dt.date | str | None = None,
                   note: str = "") -> Station:
    """部门驻村: station a county department in a village."""
    if actor is not None:
        perms.require_manage_station(actor, village)
    if village.level != Level.VILLAGE or village.retired_at is not None:
        raise InvalidInput(_("A department is stationed in a village."), field="village_code")
    if not isinstance(department, Department) or department.pk is None:
        raise InvalidInput(_("Choose the department."), field="department_code")
    start = _date(starts_on, "starts_on") if starts_on else clock.local_date()
    note = _text(note, "note", required=False)
    with transaction.atomic(durable=True):
        if Station.objects.select_for_update().filter(department=department, region=village,
                                                      status=PlanStatus.ACTIVE).exists():
            raise Conflict(_("%(d)s is already stationed in %(v)s.") % {"d": department.name, "v": village.name},
                           code="duplicate")
        station = Station(department=department, starts_on=start, note=note, created_at=clock.now(),
                          created_by=actor if getattr(actor, "pk", None) else None)
        file_under(station, village)
        create(STATION_WORKFLOW, station, actor=actor, details={
            "department": department.code, "village": village.code, "starts_on": start.isoformat()})
    return station


def _end_plan_body(ends_on: dt.date, reason: str):
    def body(plan: Plan, step: Step) -> None:
        if ends_on < plan.starts_on:
            raise InvalidInput(_("A plan cannot end before it began."), field="ends_on")
        plan.ends_on = ends_on
        step.fields.add("ends_on")
        if Stay.objects.filter(plan=plan, status=StayStatus.PRESENT).exists():
            raise Conflict(_("The cadre is checked in: they check out first."), code="present")
        step.note = reason
        step.details["ends_on"] = ends_on.isoformat()
    return body


def station_end(*, actor, station: Station | int, reason: str, ends_on: dt.date | str | None = None) -> Station:
    """End a station and its cadres' plans with it."""
    STATION_WORKFLOW.require_first(station, actor, "end")
    reason = _text(reason, "reason")
    end = _date(ends_on, "ends_on") if ends_on else clock.local_date()
    with transaction.atomic(durable=True):
        def body(s: Station, step: Step) -> None:
            if end < s.starts_on:
                raise InvalidInput(_("A station cannot end before it began."), field="ends_on")
            s.ends_on = end
            step.fields.add("ends_on")
            ended = []
            for plan in Plan.objects.filter(station=s, status=PlanStatus.ACTIVE).order_by("id"):
                transition(PLAN_WORKFLOW, plan, actor=actor, action="end",
                           body=_end_plan_body(max(end, plan.starts_on), reason))
                ended.append(plan.pk)
            step.note = reason
            step.details.update(ends_on=end.isoformat(), plans_ended=ended)

        return transition(STATION_WORKFLOW, station, actor=actor, action="end", body=body)


# ------------------------------------------------------------------------------------ plans


def plan_create(*, actor, person: Person, rule: Rule | str, region: Region, identity: str,
                starts_on: dt.date | str | None = None, station: Station | None = None,
                department: Department | None = None) -> Plan:
    """干部住村: a person lives in a village or town under a rule."""
    if actor is not None:
        perms.require_manage_plan(actor, region, station)
    if isinstance(rule, str):
        found = Rule.objects.filter(code=rule, active=True).first()
        if found is None:
            raise InvalidInput(_("No such rule."), field="rule")
        rule = found
    if not rule.active:
        raise InvalidInput(_("No such rule."), field="rule")
    if identity not in Identity.values:
        raise InvalidInput(_("Choose who the cadre is."), field="identity")
    if region.level != rule.level or region.retired_at is not None:
        raise InvalidInput(_("“%(rule)s” is followed in a %(level)s.")
                           % {"rule": rule.name, "level": Level(rule.level).label}, field="region_code")
    if not person.active:
        raise InvalidInput(_("No such person."), field="person_id")
    if station is not None:
        if station.status != PlanStatus.ACTIVE or station.region_id != region.pk:
            raise InvalidInput(_("That station is not active in this village."), field="station_id")
        department = station.department
    start = _date(starts_on, "starts_on") if starts_on else clock.local_date()
    with transaction.atomic(durable=True):
        if Plan.objects.select_for_update().filter(person=person, region=region, status=PlanStatus.ACTIVE).exists():
            raise Conflict(_("%(p)s already has an active plan in %(r)s.") % {"p": person.name, "r": region.name},
                           code="duplicate")
        plan = Plan(person=person, identity=identity, rule=rule, station=station, department=department,
                    starts_on=start, created_at=clock.now(), created_by=actor if getattr(actor, "pk", None) else None)
        file_under(plan, region)
        create(PLAN_WORKFLOW, plan, actor=actor, details={
            "person": person.name, "rule": rule.code, "region": region.code, "identity": identity,
            "station": station.pk if station else None, "department": department.code if department else None,
            "starts_on": start.isoformat()})
    return plan


def plan_end(*, actor, plan: Plan | int, reason: str, ends_on: dt.date | str | None = None) -> Plan:
    PLAN_WORKFLOW.require_first(plan, actor, "end")
    reason = _text(reason, "reason")
    end = _date(ends_on, "ends_on") if ends_on else clock.local_date()
    return perform(PLAN_WORKFLOW, plan, actor=actor, action="end", body=_end_plan_body(end, reason))


# ----------------------------------------------------------------------------------- stays


def check_in(*, actor, plan: Plan | int, latitude: Any = None, longitude: Any = None,
             accuracy: Any = None) -> Stay:
    """到村签到: from the phone, on arrival; the position is checked against the place's outline."""
    PLAN_WORKFLOW.require_first(plan, actor, "check_in")
    lat, lng, acc = _position(latitude, longitude, accuracy)
    made: list[Stay] = []

    def body(p: Plan, step: Step) -> None:
        today = clock.local_date()
        if p.starts_on > today or (p.ends_on is not None and p.ends_on < today):
            raise Conflict(_("This plan does not run today."), code="plan_not_running")
        if Stay.objects.filter(person_id=p.person_id, status=StayStatus.PRESENT).exists():
            raise Conflict(_("You are checked in already: check out first."), code="already_present")
        fix = locate.check_point(p.region, lat, lng)
        stay = Stay(plan=p, person_id=p.person_id, region=p.region, town_id=p.town_id, county_id=p.county_id,
                    arrived_at=clock.now(), arrival_lat=lat, arrival_lng=lng, arrival_accuracy=acc,
                    arrival_check=fix.check, arrival_distance=fix.distance)
        stay.save(force_insert=True)
        clocks.start(workflow=STAY, record=stay, key=CHECKOUT_KEY, at=stay.arrived_at)
        step.details.update(stay=stay.pk, check=fix.check, distance=fix.distance, accuracy=acc,
                            found=fix.found.code if fix.found is not None else None)
        made.append(stay)

    perform(PLAN_WORKFLOW, plan, actor=actor, action="check_in", body=body)
    return made[0]


def _platform_events(stay: Stay, until: dt.datetime) -> int:
    """Events of the place the cadre acted on in the platform during the stay (from the audit)."""
    user_id = stay.person.user_id
    if user_id is None:
        return 0
    place = stay.region
    key, value = next(iter(place.subtree_kwargs(self_field="id").items()))
    return (AuditEntry.objects.filter(actor_id=user_id, created_at__gte=stay.arrived_at, created_at__lte=until,
                                      event__isnull=False, **{f"event__{key}": value})
            .values("event_id").distinct().count())


def check_out(*, actor, stay: Stay | int, latitude: Any = None, longitude: Any = None, accuracy: Any = None,
              households: Any = 0, events_handled: Any = 0, meetings: Any = 0, notes: str = "") -> Stay:
    """离村签退: the position checked again, and what was done."""
    STAY_WORKFLOW.require_first(stay, actor, "check_out")
    lat, lng, acc = _position(latitude, longitude, accuracy)
    counts = {"households": _count(households, "households"), "events_handled": _count(events_handled, "events_handled"),
              "meetings": _count(meetings, "meetings")}
    notes = _text(notes, "notes", required=False, max_length=2000)

    def body(s: Stay, step: Step) -> None:
        now = clock.now()
        fix = locate.check_point(s.region, lat, lng)
        running = clocks.running_clock(workflow=STAY, record=s, key=CHECKOUT_KEY)
        s.late_checkout = running is not None and now > running.due_at
        clocks.stop(workflow=STAY, record=s, key=CHECKOUT_KEY, at=now)
        s.departed_at, s.departure_lat, s.departure_lng, s.departure_accuracy = now, lat, lng, acc
        s.departure_check, s.departure_distance = fix.check, fix.distance
        s.households, s.events_handled, s.meetings = counts["households"], counts["events_handled"], counts["meetings"]
        s.notes = notes
        s.platform_events = _platform_events(s, now)
        step.fields.update({"late_checkout", "departed_at", "departure_lat", "departure_lng", "departure_accuracy",
                            "departure_check", "departure_distance", "households", "events_handled", "meetings",
                            "notes", "platform_events"})
        step.note = notes[:500]
        step.details.update(stay=s.pk, check=fix.check, distance=fix.distance, late=s.late_checkout,
                            platform_events=s.platform_events, **counts)

    return perform(STAY_WORKFLOW, stay, actor=actor, action="check_out", body=body)
