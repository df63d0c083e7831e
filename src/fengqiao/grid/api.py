"""The grid network in the JSON API (/api/v1/grid/…): the registries (masked by role, reads
logged), the views of the rules, the map, the figures, hazards and re-checks, and the offline
app's endpoints — `POST /grid/sync/{visit,check,report}`, idempotent on the phone's UUID: the
first delivery answers 201, a repeat 200 with the same body."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fengqiao.citizen.web import too_large
from fengqiao.events.models import Category
from fengqiao.grid import actions, permissions, presenters, queries
from fengqiao.grid.models import Checklist, Finding, Firm, Household, RentedRoom, Team
from fengqiao.grid.queries import Area
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput, TooLarge
from fengqiao.people.queries import visible_regions

router = Router(tags=["grid"])


class AreaQuery(Schema):
    area: str = Field("", max_length=32, description="a region code in the caller's scope")
    zone: int | None = Field(None, ge=1, le=2**31, description="a zone (片区) id")


def _area(request: HttpRequest, q: AreaQuery) -> Area | None:
    permissions.require_view_grid(request.user)
    if q.zone:
        return Area(zone=queries.access_zone(request.user, q.zone))
    if q.area:
        region = visible_regions(request.user).filter(code=q.area).first()
        if region is None:
            from django.http import Http404

            raise Http404("no such region")
        return Area(region=region)
    return None


class PageQuery(AreaQuery):
    q: str = Field("", max_length=50)
    care: Literal["", "elderly_alone", "disabled", "left_behind_children"] = ""
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


@router.get("/grid/households", summary="Households of the grid registries (masked by role)")
def list_households(request: HttpRequest, q: Query[PageQuery]):
    area = _area(request, q)
    qs = queries.registry(request.user, Household, area, text=q.q, care=q.care)
    total = qs.count()
    rows = presenters.household_rows(request.user, qs[q.offset:q.offset + q.limit], via="api")
    return {"total": total, "items": rows}


@router.get("/grid/households/{household_id}", summary="One household with its members (masked by role)")
def get_household(request: HttpRequest, household_id: int):
    permissions.require_view_grid(request.user)
    household = queries.access_household(request.user, household_id)
    (row,) = presenters.household_rows(request.user, [household], via="api", members=True)
    last = queries.latest_visit_of(household)
    row["last_visit"] = last.isoformat() if last else None
    return row


@router.get("/grid/firms", summary="Firms of the grid registries")
def list_firms(request: HttpRequest, q: Query[PageQuery]):
    area = _area(request, q)
    qs = queries.registry(request.user, Firm, area, text=q.q)
    return {"total": qs.count(), "items": presenters.firm_rows(request.user, qs[q.offset:q.offset + q.limit], via="api")}


class RoomQuery(AreaQuery):
    q: str = Field("", max_length=50, description="part of the number, the landlord's name or the address")
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


@router.get("/grid/rooms", summary="Rented rooms (出租房) of the grid registries (masked by role)")
def list_rooms(request: HttpRequest, q: Query[RoomQuery]):
    area = _area(request, q)
    qs = queries.registry(request.user, RentedRoom, area, text=q.q)
    total = qs.count()
    rows = presenters.room_rows(request.user, qs[q.offset:q.offset + q.limit], via="api")
    return {"total": total, "items": rows}


@router.get("/grid/rooms/{room_id}", summary="One rented room with its hazard checks (masked by role)")
def get_room(request: HttpRequest, room_id: int):
    permissions.require_view_grid(request.user)
    room = queries.access_room(request.user, room_id)
    (row,) = presenters.room_rows(request.user, [room], via="api")
    row["checks"] = [{"id": c.pk, "checklist": c.checklist.name, "at": c.checked_at.isoformat(),
                      "failed": c.n_failed}
                     for c in room.hazard_checks.select_related("checklist").annotate(
                         n_failed=Count("findings")).order_by("-checked_at")[:20]]
    return row


class SpanQuery(AreaQuery):
    start: dt.date | None = None
    end: dt.date | None = None


def _dates(q: SpanQuery, days: int = 28) -> tuple[dt.date, dt.date]:
    today = clock.local_date()
    start = q.start or today - dt.timedelta(days=days - 1)
    end = q.end or today
    if end < start or (end - start).days > 400:
        raise InvalidInput(_("Choose a span of at most 400 days, ending after it starts."), field="end")
    return start, end


@router.get("/grid/compliance", summary="Each grid worker's weeks against the rule")
def get_compliance(request: HttpRequest, q: Query[SpanQuery]):
    area = _area(request, q)
    start, end = _dates(q)
    rows = queries.compliance(request.user, area, start=start, end=end)
    return {"rule_days": actions.current_settings().worker_days_per_week, "workers": [{
        "person": r.person.name, "grid": r.grid.code, "weeks_ok": r.weeks_ok, "rate": r.rate,
        "weeks": [{"start": w.start.isoformat(), "working_days": w.working_days, "required": w.required,
                   "days_out": w.days_out, "visits": w.visits, "ok": w.ok} for w in r.weeks]} for r in rows]}


class OverdueQuery(AreaQuery):
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


@router.get("/grid/overdue", summary="Households overdue for a visit")
def get_overdue(request: HttpRequest, q: Query[OverdueQuery]):
    area = _area(request, q)
    qs = queries.overdue_households(request.user, area)
    page = list(qs[q.offset:q.offset + q.limit])
    rows = presenters.household_rows(request.user, page, via="api")
    for row, h in zip(rows, page, strict=True):
        last = getattr(h, "last_visit", None)  # annotated by the query
        row["last_visit"] = last.isoformat() if last else None
    return {"interval_days": actions.current_settings().visit_interval_days, "total": qs.count(), "items": rows}


class CoverageQuery(AreaQuery):
    by: Literal["grid", "village", "town", "zone"] = "village"


@router.get("/grid/coverage", summary="Visit coverage by grid, village, town or zone")
def get_coverage(request: HttpRequest, q: Query[CoverageQuery]):
    area = _area(request, q)
    return [{"code": c.code, "name": c.name, "households": c.households, "households_covered": c.households_covered,
             "firms": c.firms, "firms_covered": c.firms_covered, "rate": c.rate}
            for c in queries.coverage(request.user, by=q.by, area=area)]


@router.get("/grid/map", url_name="grid_map", summary="Visits and patrol routes as GeoJSON")
def get_map(request: HttpRequest, q: Query[SpanQuery]):
    area = _area(request, q)
    start, end = _dates(q, days=14)
    tz = timezone.get_current_timezone()
    return queries.visits_geojson(request.user, area, since=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
                                  until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


@router.get("/grid/figures", summary="The grid's figures for the command centre")
def get_figures(request: HttpRequest, q: Query[AreaQuery]):
    area = _area(request, q)
    return {"registries": queries.registry_totals(request.user, area),
            "coverage": queries.visit_coverage(request.user, area),
            "demands": queries.demands(request.user, area), "hazards": queries.hazards(request.user, area),
            "publicity": queries.publicity_totals(request.user, area), "teams": queries.teams_totals(request.user, area)}


class FindingsQuery(AreaQuery):
    status: Literal["", "open", "closed"] = ""
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


def _finding_out(f: Finding) -> dict[str, Any]:
    event = f.event
    return {"id": f.pk, "item": f.item_text, "status": f.status, "note": f.note, "rechecks": f.rechecks,
            "found_at": f.found_at.isoformat(), "closed_at": f.closed_at.isoformat() if f.closed_at else None,
            "grid": f.region.code, "event": event.code if event is not None else None}


@router.get("/grid/findings", summary="Hazards found on checks")
def list_findings(request: HttpRequest, q: Query[FindingsQuery]):
    area = _area(request, q)
    qs = queries.in_area(request.user, Finding.objects.all(), area).select_related("region", "event").order_by("-found_at")
    if q.status:
        qs = qs.filter(status=q.status)
    return {"total": qs.count(), "items": [_finding_out(f) for f in qs[q.offset:q.offset + q.limit]]}


class RecheckIn(Schema):
    fixed: bool
    note: str = Field("", max_length=500)


@router.post("/grid/findings/{finding_id}/recheck", summary="Re-check a hazard (fixed closes it)",
             openapi_extra={"x-fengqiao-errors": [409]})
def recheck(request: HttpRequest, finding_id: int, payload: RecheckIn):
    permissions.require_view_grid(request.user)
    finding = queries.access_finding(request.user, finding_id)
    return _finding_out(actions.finding_recheck(actor=request.user, finding=finding, fixed=payload.fixed,
                                                note=payload.note))


# ------------------------------------------------------------------------ the offline app


@router.get("/grid/app/bootstrap", url_name="grid_bootstrap", summary="What the offline app keeps on the phone")
def bootstrap(request: HttpRequest):
    """The worker's grids, their households, firms and rented rooms (numbers, masked names and
    addresses only: the phone keeps no phone or ID numbers), the teams whose patrols they log,
    the active checklists and the categories of field reports."""
    grids = permissions.field_regions(request.user)
    if not grids:
        permissions.require_work_in(request.user, None)
    from django.db.models import Q

    under = Q(pk__in=[])
    for g in grids:
        under |= Q(**g.subtree_kwargs(self_field="region_id"))

    def subjects(model, label):
        return [{"id": r.pk, "code": r.code, "label": label(r), "grid": r.grid_id or r.region_id}
                for r in model.objects.filter(under, active=True).order_by("code")[:3000]]

    return {
        "at": clock.now().isoformat(),
        "grids": [{"id": g.pk, "code": g.code, "name": g.display_name} for g in grids],
        "households": subjects(Household, lambda h: f"{h.code} {h.masked_head_name} · {h.address}"),
        "firms": subjects(Firm, lambda f: f"{f.code} {f.name}"),
        "rooms": subjects(RentedRoom, lambda r: f"{r.code} {r.address}"),
        "teams": [{"id": t.pk, "name": t.name, "region": t.region.display_name}
                  for t in queries.scoped(request.user, Team.objects.filter(active=True)).select_related("region")
                  .order_by("region__code", "name")[:200] if actions.may_log_patrol(request.user, t)],
        "checklists": [{"id": c.pk, "name": c.name, "kind": c.kind,
                        "items": [{"id": i.pk, "text": i.text} for i in c.items.all() if i.active]}
                       for c in Checklist.objects.filter(active=True).prefetch_related("items")],
        "categories": [{"code": c.code, "name": c.name}
                       for c in Category.objects.filter(active=True, parent__isnull=False).order_by("code")],
    }


class SyncOut(Schema):
    uuid: str
    kind: str
    id: int
    at: str
    in_grid: bool | None = None
    events: list[str] = []


def _answer(kind: str, record, created: bool, events) -> Status:
    at = getattr(record, "received_at", None) or getattr(record, "created_at", None)
    body = {"uuid": str(record.client_uuid) if getattr(record, "client_uuid", None) else "", "kind": kind,
            "id": record.pk, "at": timezone.localtime(at).isoformat() if at else "",
            "in_grid": getattr(record, "in_grid", None), "events": events}
    return Status(201 if created else 200, body)


def _guard(request: HttpRequest) -> None:
    if too_large(request):
        raise TooLarge(_("The photos are too large together: send fewer or smaller photos."), field="photos")
    if not permissions.may_do_field_work(request.user):
        permissions.require_work_in(request.user, None)


@router.post("/grid/sync/visit", url_name="grid_sync_visit", response={200: SyncOut, 201: SyncOut}, summary="A visit from the phone (idempotent)",
             openapi_extra={"x-fengqiao-errors": [409, 413]})
def sync_visit(request: HttpRequest, uuid: Form[str], household: Form[str] = "", firm: Form[str] = "",
               visited_at: Form[str] = "", latitude: Form[str] = "", longitude: Form[str] = "",
               notes: Form[str] = "", demand: Form[str] = "", offline: Form[str] = "",
               photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    _guard(request)
    logged = actions.visit_log(actor=request.user, submission=actions.VisitInput(
        client_uuid=uuid[:64], household_id=household[:20] or None, firm_id=firm[:20] or None,
        visited_at=visited_at[:40] or None, latitude=latitude[:30] or None, longitude=longitude[:30] or None,
        notes=notes, demand=demand, photos=list(photos or []), offline=offline == "1"))
    visit = logged.record
    return _answer("visit", visit, logged.created, [visit.event.code] if visit.event_id else [])


@router.post("/grid/sync/check", url_name="grid_sync_check", response={200: SyncOut, 201: SyncOut},
             summary="A hazard check from the phone (idempotent)", openapi_extra={"x-fengqiao-errors": [409, 413]})
def sync_check(request: HttpRequest, uuid: Form[str], checklist: Form[str], results: Form[str],
               household: Form[str] = "", firm: Form[str] = "", room: Form[str] = "", checked_at: Form[str] = "",
               latitude: Form[str] = "", longitude: Form[str] = "", notes: Form[str] = "", offline: Form[str] = "",
               photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    _guard(request)
    from fengqiao.lib.inputs import loads_json

    try:
        parsed = loads_json(results[:100_000], max_depth=4)
    except (ValueError, InvalidInput):
        raise InvalidInput(_("Answer every item of the checklist."), field="results") from None
    logged = actions.hazard_check_log(actor=request.user, submission=actions.CheckInput(
        client_uuid=uuid[:64], checklist_id=checklist[:20], results=parsed if isinstance(parsed, dict) else {},
        household_id=household[:20] or None, firm_id=firm[:20] or None, room_id=room[:20] or None,
        checked_at=checked_at[:40] or None, latitude=latitude[:30] or None, longitude=longitude[:30] or None,
        notes=notes, photos=list(photos or []), offline=offline == "1"))
    check = logged.record
    codes = [f.event.code for f in check.findings.select_related("event") if f.event_id]
    return _answer("check", check, logged.created, codes)


@router.post("/grid/sync/report", url_name="grid_sync_report", response={200: SyncOut, 201: SyncOut},
             summary="A field report from the phone (idempotent)", openapi_extra={"x-fengqiao-errors": [409, 413]})
def sync_report(request: HttpRequest, uuid: Form[str], grid: Form[str], description: Form[str],
                category: Form[str] = "", address: Form[str] = "", latitude: Form[str] = "",
                longitude: Form[str] = "", photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    _guard(request)
    result = actions.report_log(actor=request.user, submission=actions.ReportInput(
        client_uuid=uuid[:64], grid_id=grid[:20], description=description, category_code=category[:60],
        address=address, latitude=latitude[:30] or None, longitude=longitude[:30] or None,
        photos=list(photos or [])))
    event = result.event
    body = {"uuid": uuid[:64], "kind": "report", "id": event.pk, "at": timezone.localtime(event.created_at).isoformat(),
            "in_grid": None, "events": [event.code]}
    return Status(201 if result.created else 200, body)


@router.post("/grid/sync/publicity", url_name="grid_sync_publicity", response={200: SyncOut, 201: SyncOut},
             summary="A publicity log (宣传) from the phone (idempotent)", openapi_extra={"x-fengqiao-errors": [409]})
def sync_publicity(request: HttpRequest, uuid: Form[str], grid: Form[str], day: Form[str], theme: Form[str],
                   firms_visited: Form[str] = "", households_visited: Form[str] = "", leaflets: Form[str] = "",
                   online_pushes: Form[str] = "", sessions: Form[str] = "", note: Form[str] = "",
                   offline: Form[str] = ""):
    _guard(request)
    logged = actions.publicity_sync(actor=request.user, submission=actions.PublicityInput(
        client_uuid=uuid[:64], grid_id=grid[:20], day=day[:20], theme=theme[:200],
        firms_visited=firms_visited[:12], households_visited=households_visited[:12], leaflets=leaflets[:12],
        online_pushes=online_pushes[:12], sessions=sessions[:12], note=note[:600], offline=offline == "1"))
    return _answer("publicity", logged.record, logged.created, [])


@router.post("/grid/sync/patrol", url_name="grid_sync_patrol", response={200: SyncOut, 201: SyncOut},
             summary="A patrol (巡防) with the route the phone recorded (idempotent)",
             openapi_extra={"x-fengqiao-errors": [409, 413]})
def sync_patrol(request: HttpRequest, uuid: Form[str], team: Form[str], started_at: Form[str], ended_at: Form[str],
                route: Form[str] = "[]", members_count: Form[str] = "", findings: Form[str] = "",
                offline: Form[str] = ""):
    _guard(request)
    from fengqiao.lib.inputs import loads_json

    try:
        points = loads_json(route[:200_000], max_depth=3)
    except (ValueError, InvalidInput):
        raise InvalidInput(_("A route is a list of at most 2,000 points."), field="route") from None
    logged = actions.patrol_sync(actor=request.user, submission=actions.PatrolInput(
        client_uuid=uuid[:64], team_id=team[:20], started_at=started_at[:40], ended_at=ended_at[:40], route=points,
        members_count=members_count[:6] or 1, findings=findings[:1000], offline=offline == "1"))
    return _answer("patrol", logged.record, logged.created, [])
