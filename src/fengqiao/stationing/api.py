"""Stationed cadres over JSON: stations, plans, check-ins and check-outs from a phone, and
compliance week by week — the same actions and scope as the pages (404 outside)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fengqiao.lib.errors import InvalidInput, NotPermitted
from fengqiao.lib.inputs import MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.people.models import Department, Person
from fengqiao.people.queries import visible_regions
from fengqiao.stationing import actions, permissions, queries
from fengqiao.stationing.compliance import Period, Tally
from fengqiao.stationing.models import Identity, Plan, PlanStatus, Station, Stay

router = Router(tags=["stationing"])
ID = 2**62


class TallyOut(Schema):
    required: int = Field(description="nights due and decided (met or missed)")
    met: int
    pending: int = Field(description="nights due today or later")
    excused: int = Field(description="named weekdays (or periods) excused for holidays")
    nights: int = Field(description="verified nights stayed")
    rate: str | None
    text: str


class RequirementOut(Schema):
    due: dt.date
    named: dt.date | None = Field(description="the named weekday it stands for (a holiday Monday moved on)")
    met: bool
    decided: bool


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    status: str = Field(description="met, partial, missed, pending, excused, not_due")
    requirements: list[RequirementOut]
    excused: list[dt.date]
    nights: list[dt.date]


class PlanOut(Schema):
    id: int
    person_id: int
    person_name: str
    identity: str
    rule: str
    rule_name: str
    region: str
    region_name: str
    town: str | None
    department: str | None
    station_id: int | None
    status: str
    starts_on: dt.date
    ends_on: dt.date | None


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PlanOut]


class PlanDetail(PlanOut):
    weeks: list[dt.date]
    tally: TallyOut
    periods: list[PeriodOut]


class StationOut(Schema):
    id: int
    department: str
    department_name: str
    village: str
    village_name: str
    status: str
    starts_on: dt.date
    ends_on: dt.date | None
    note: str


class StayOut(Schema):
    id: int
    plan_id: int
    status: str
    arrived_at: dt.datetime
    arrival_check: str = Field(description="inside, outside, no_fix, no_outline")
    arrival_distance: int | None = Field(description="metres outside the outline")
    departed_at: dt.datetime | None
    departure_check: str
    departure_distance: int | None
    late_checkout: bool
    households: int
    events_handled: int
    meetings: int
    platform_events: int
    notes: str
    verified: bool = Field(description="counts towards the rule")


class RankRowOut(Schema):
    rank: int | None
    key: str
    label: str
    sub: str
    plans: int
    tally: TallyOut
    weeks: list[TallyOut]


class RankingOut(Schema):
    by: str
    weeks: list[dt.date]
    total: TallyOut
    rows: list[RankRowOut]


class PlanIn(Schema):
    person_id: int = Field(ge=1, le=ID)
    identity: str = Field(max_length=20, description=", ".join(Identity.values))
    rule: str = Field(max_length=24, description="town_biweekly, village_weekly, village_mon_fri")
    region_code: str = Field(max_length=32)
    station_id: int | None = Field(None, ge=1, le=ID)
    starts_on: dt.date | None = None


class StationIn(Schema):
    department_code: str = Field(max_length=32)
    village_code: str = Field(max_length=32)
    starts_on: dt.date | None = None
    note: str = Field("", max_length=500)


class EndIn(Schema):
    action: str = Field("end", max_length=10, description="end")
    reason: str = Field(max_length=500)
    ends_on: dt.date | None = None


class CheckInIn(Schema):
    plan_id: int = Field(ge=1, le=ID)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100000)


class CheckOutIn(Schema):
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100000)
    households: int = Field(0, ge=0, le=10000)
    events_handled: int = Field(0, ge=0, le=10000)
    meetings: int = Field(0, ge=0, le=10000)
    notes: str = Field("", max_length=2000)


def _tally(t: Tally) -> TallyOut:
    value = t.rate()
    return TallyOut(required=t.required, met=t.met, pending=t.pending, excused=t.excused, nights=t.nights,
                    rate=None if value is None else str(value), text=t.rate_text())


def _period(p: Period) -> PeriodOut:
    return PeriodOut(start=p.start, end=p.end, status=p.status, excused=p.excused, nights=p.nights,
                     requirements=[RequirementOut(due=r.due, named=r.named, met=r.met, decided=r.decided)
                                   for r in p.requirements])


def _plan(p: Plan) -> dict:
    return {"id": p.pk, "person_id": p.person_id, "person_name": p.person.name, "identity": p.identity,
            "rule": p.rule.code, "rule_name": p.rule.name, "region": p.region.code, "region_name": p.region.name,
            "town": p.town.code if p.town else None, "department": p.department.code if p.department else None,
            "station_id": p.station_id, "status": p.status, "starts_on": p.starts_on, "ends_on": p.ends_on}


def _station(s: Station) -> StationOut:
    return StationOut(id=s.pk, department=s.department.code, department_name=s.department.name, village=s.region.code,
                      village_name=s.region.name, status=s.status, starts_on=s.starts_on, ends_on=s.ends_on,
                      note=s.note)


def _stay(s: Stay) -> StayOut:
    return StayOut(id=s.pk, plan_id=s.plan_id, status=s.status, arrived_at=s.arrived_at, arrival_check=s.arrival_check,
                   arrival_distance=s.arrival_distance, departed_at=s.departed_at,
                   departure_check=s.departure_check, departure_distance=s.departure_distance,
                   late_checkout=s.late_checkout, households=s.households, events_handled=s.events_handled,
                   meetings=s.meetings, platform_events=s.platform_events, notes=s.notes, verified=s.verified)


def _detail(plan: Plan, weeks: int) -> PlanDetail:
    win = queries.window(weeks)
    result = queries.plan_results(Plan.objects.filter(pk=plan.pk), win)[0]
    return PlanDetail(**_plan(plan), weeks=win.weeks, tally=_tally(result.tally),
                      periods=[_period(p) for p in result.periods])


@router.get("/stationing/plans", response=PlanPage, summary="Stay plans (干部住村) in your area")
def plan_list(request, status: str | None = Query(None, max_length=10),
              rule: str | None = Query(None, max_length=24), identity: str | None = Query(None, max_length=20),
              region: str | None = Query(None, max_length=32),
              page: int = Query(1, ge=1, le=MAX_PAGE), page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    qs = queries.visible_plans(request.auth).select_related(*queries.PLAN_RELATED)
    if status:
        if status not in PlanStatus.values:
            raise InvalidInput(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule__code=rule)
    if identity:
        qs = qs.filter(identity=identity)
    if region:
        found = visible_regions(request.auth).filter(code=region).first()
        if found is None:
            raise InvalidInput(_("No region %(c)s in your area.") % {"c": region}, field="region")
        qs = qs.filter(**found.subtree_kwargs(self_field="region_id"))
    qs = qs.order_by("region__code", "person__name", "id")
    start = (page - 1) * page_size
    return PlanPage(count=qs.count(), page=page, page_size=page_size,
                    items=[PlanOut(**_plan(p)) for p in qs[start:start + page_size]])


@router.post("/stationing/plans", response={201: PlanDetail}, summary="Plan a cadre's stay in a village or town",
             openapi_extra={"x-fengqiao-errors": [409]})
def plan_create(request, payload: PlanIn):
    user = request.auth
    if not permissions.may_plan_anything(user):
        raise NotPermitted(_("Your posts do not allow planning stays."))
    region = visible_regions(user).filter(code=payload.region_code, retired_at=None).first()
    if region is None:
        raise InvalidInput(_("No region %(c)s in your area.") % {"c": payload.region_code}, field="region_code")
    person = Person.objects.filter(pk=payload.person_id, active=True).first()
    if person is None:
        raise InvalidInput(_("No such person."), field="person_id")
    station = None
    if payload.station_id is not None:
        station = queries.visible_stations(user).filter(pk=payload.station_id).first()
        if station is None:
            raise InvalidInput(_("No such station."), field="station_id")
    plan = actions.plan_create(actor=user, person=person, rule=payload.rule, region=region,
                               identity=payload.identity, starts_on=payload.starts_on, station=station)
    return Status(201, _detail(queries.access_plan_for_user(user, plan.pk), 4))


@router.get("/stationing/plans/{plan_id}", response=PlanDetail, summary="One plan, its periods week by week")
def plan_get(request, plan_id: int, weeks: int = Query(8, ge=1, le=queries.MAX_WEEKS)):
    return _detail(queries.access_plan_for_user(request.auth, plan_id), weeks)


@router.post("/stationing/plans/{plan_id}/actions", response=PlanDetail, summary="End a plan",
             openapi_extra={"x-fengqiao-errors": [409]})
def plan_act(request, plan_id: int, payload: EndIn):
    plan = queries.access_plan_for_user(request.auth, plan_id)
    actions.PLAN_WORKFLOW.require_first(plan, request.auth, "end")
    if payload.action != "end":
        raise InvalidInput(_("Unknown action “%(action)s”.") % {"action": payload.action}, field="action",
                           code="unknown_action")
    actions.plan_end(actor=request.auth, plan=plan, reason=payload.reason, ends_on=payload.ends_on)
    return _detail(queries.access_plan_for_user(request.auth, plan_id), 4)


@router.get("/stationing/stations", response=list[StationOut], summary="Departments stationed in villages (部门驻村)")
def station_list(request, status: str = Query("active", max_length=10),
                 limit: int = Query(200, ge=1, le=1000)):
    qs = queries.visible_stations(request.auth).select_related("department", "region")
    if status not in PlanStatus.values:
        raise InvalidInput(_("Unknown status %(s)s.") % {"s": status}, field="status")
    return [_station(s) for s in qs.filter(status=status).order_by("region__code", "department__code")[:limit]]


@router.post("/stationing/stations", response={201: StationOut}, summary="Station a department in a village",
             openapi_extra={"x-fengqiao-errors": [409]})
def station_create(request, payload: StationIn):
    user = request.auth
    if not permissions.may_station_anything(user):
        raise NotPermitted(_("Your posts do not allow stationing departments."))
    village = visible_regions(user).filter(code=payload.village_code, retired_at=None).first()
    if village is None:
        raise InvalidInput(_("No region %(c)s in your area.") % {"c": payload.village_code}, field="village_code")
    department = Department.objects.filter(code=payload.department_code).first()
    if department is None:
        raise InvalidInput(_("No department %(c)s.") % {"c": payload.department_code}, field="department_code")
    station = actions.station_create(actor=user, department=department, village=village,
                                     starts_on=payload.starts_on, note=payload.note)
    return Status(201, _station(station))


@router.post("/stationing/stations/{station_id}/actions", response=StationOut,
             summary="End a station (and its cadres' plans)", openapi_extra={"x-fengqiao-errors": [409]})
def station_act(request, station_id: int, payload: EndIn):
    station = queries.access_station_for_user(request.auth, station_id)
    actions.STATION_WORKFLOW.require_first(station, request.auth, "end")
    if payload.action != "end":
        raise InvalidInput(_("Unknown action “%(action)s”.") % {"action": payload.action}, field="action",
                           code="unknown_action")
    actions.station_end(actor=request.auth, station=station, reason=payload.reason, ends_on=payload.ends_on)
    return _station(queries.access_station_for_user(request.auth, station_id))


@router.post("/stationing/checkins", response={201: StayOut},
             summary="Check in on arrival, with the phone's position (checked against the outline)",
             openapi_extra={"x-fengqiao-errors": [409]})
def check_in(request, payload: CheckInIn):
    plan = queries.access_plan_for_user(request.auth, payload.plan_id)
    stay = actions.check_in(actor=request.auth, plan=plan, latitude=payload.latitude, longitude=payload.longitude,
                            accuracy=payload.accuracy)
    return Status(201, _stay(stay))


@router.post("/stationing/stays/{stay_id}/checkout", response=StayOut,
             summary="Check out on leaving: the position again, and what was done",
             openapi_extra={"x-fengqiao-errors": [409]})
def check_out(request, stay_id: int, payload: CheckOutIn):
    stay = queries.access_stay_for_user(request.auth, stay_id)
    stay = actions.check_out(actor=request.auth, stay=stay, latitude=payload.latitude, longitude=payload.longitude,
                             accuracy=payload.accuracy, households=payload.households,
                             events_handled=payload.events_handled, meetings=payload.meetings, notes=payload.notes)
    return _stay(stay)


@router.get("/stationing/compliance", response=RankingOut,
            summary="Compliance week by week per person, department or town")
def compliance(request, by: str = Query("person", description="person, department, town"),
               weeks: int = Query(8, ge=1, le=queries.MAX_WEEKS), rule: str | None = Query(None, max_length=24)):
    if not permissions.may_view_ranking(request.auth):
        raise NotPermitted(_("Your posts do not open the compliance ranking."))
    if by not in queries.BY:
        raise InvalidInput(_("Rank by person, department or town."), field="by")
    win = queries.window(weeks)
    plans = queries.visible_plans(request.auth)
    if rule:
        plans = plans.filter(rule__code=rule)
    results = queries.plan_results(plans, win)
    rows = queries.ranking(results, by, win)
    return RankingOut(by=by, weeks=win.weeks, total=_tally(queries.totals(results)), rows=[
        RankRowOut(rank=r.rank, key=r.key, label=r.label, sub=r.sub, plans=r.plans, tally=_tally(r.tally),
                   weeks=[_tally(r.by_week[w]) for w in win.weeks]) for r in rows])
