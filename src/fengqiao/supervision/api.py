"""Supervision over JSON: accountability records, pairings (挂钩), village categories and the
bulletin packs — the same actions and scope as the pages (404 outside it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_LIMIT
from fengqiao.people.models import Department, Pairing, Person
from fengqiao.people.queries import visible_regions
from fengqiao.regions.models import VillageCategory
from fengqiao.supervision import actions
from fengqiao.supervision.models import AccountabilityRecord, BulletinRun, RecordKind
from fengqiao.supervision.permissions import require_decide_county, require_record
from fengqiao.supervision.queries import (
    access_bulletin_run,
    access_record_for_user,
    visible_bulletin_runs,
    visible_pairings,
    visible_records,
)

router = Router(tags=["supervision"])


def _region(request: HttpRequest, code: str | None, field: str):
    if not code:
        return None
    region = visible_regions(request.user).filter(code=code).first()
    if region is None:
        raise InvalidInput(f"no region {code} in your area", field=field)
    return region


def _record_out(r: AccountabilityRecord) -> dict[str, Any]:
    return {
        "id": r.pk, "kind": r.kind, "title": r.title, "text": r.text, "decided_on": r.decided_on.isoformat(),
        "score": None if r.score is None else str(r.score),
        "target": {"region": r.target_region.code if r.target_region is not None else None,
                   "department": r.target_department.code if r.target_department is not None else None,
                   "person": r.target_person_id, "label": r.target_label},
        "scope": r.scope_region.code, "events": list(r.events.order_by("pk").values_list("pk", flat=True)),
        "created_by": r.created_by_name, "created_at": r.created_at.isoformat(),
    }


class RecordIn(Schema):
    kind: Literal[tuple(RecordKind.values)]  # type: ignore[valid-type]  # the choices, built at import: pydantic checks them
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20000)
    decided_on: dt.date | None = None
    region_code: str | None = None
    department_code: str | None = None
    person_id: int | None = None
    event_ids: list[int] = Field(default_factory=list, max_length=500)
    score: Decimal | None = None


@router.get("/supervision/records", summary="Bulletins, summons, accountability and evaluations in your area")
def record_list(request: HttpRequest, kind: str | None = None,
                limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    qs = visible_records(request.user)
    if kind:
        if kind not in RecordKind.values:
            raise InvalidInput(f"unknown kind {kind}", field="kind")
        qs = qs.filter(kind=kind)
    return {"items": [_record_out(r) for r in qs[:limit]]}


@router.post("/supervision/records", response={201: dict}, summary="Record a bulletin, summons, accountability or evaluation")
def record_create(request: HttpRequest, payload: RecordIn):
    require_record(request.user)
    department = None
    if payload.department_code:
        department = Department.objects.filter(code=payload.department_code).first()
        if department is None:
            raise InvalidInput(f"no department {payload.department_code}", field="department_code")
    person = None
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id, active=True).first()
        if person is None:
            raise InvalidInput(f"no person {payload.person_id}", field="person_id")
    record = actions.record_create(
        actor=request.user, kind=payload.kind, title=payload.title, text=payload.text,
        decided_on=payload.decided_on, target_region=_region(request, payload.region_code, "region_code"),
        target_department=department, target_person=person, events=payload.event_ids, score=payload.score,
    )
    return Status(201, _record_out(record))


@router.get("/supervision/records/{record_id}", summary="One record")
def record_detail(request: HttpRequest, record_id: int):
    return _record_out(access_record_for_user(request.user, record_id))


class PairingIn(Schema):
    department_code: str
    village_code: str
    note: str = Field("", max_length=500)


def _pairing_out(p: Pairing) -> dict[str, Any]:
    return {"id": p.pk, "department": p.department.code, "village": p.village.code,
            "village_name": p.village.name, "active": p.active, "note": p.note,
            "created_at": p.created_at.isoformat(), "ended_at": p.ended_at.isoformat() if p.ended_at else None}


@router.get("/supervision/pairings", summary="Departments paired with villages (挂钩)")
def pairing_list(request: HttpRequest, active: bool = True):
    return {"items": [_pairing_out(p) for p in visible_pairings(request.user).filter(active=active)]}


@router.post("/supervision/pairings", response={201: dict}, summary="Pair a department with a village")
def pairing_create(request: HttpRequest, payload: PairingIn):
    require_decide_county(request.user)
    department = Department.objects.filter(code=payload.department_code).first()
    if department is None:
        raise InvalidInput(f"no department {payload.department_code}", field="department_code")
    village = _region(request, payload.village_code, "village_code")
    pairing = actions.pairing_create(actor=request.user, department=department, village=village,
                                     note=payload.note)
    return Status(201, _pairing_out(pairing))


@router.post("/supervision/pairings/{pairing_id}/end", summary="End a pairing")
def pairing_end(request: HttpRequest, pairing_id: int):
    pairing = visible_pairings(request.user).filter(pk=pairing_id).first()
    if pairing is None:
        raise Http404("no such pairing")
    return _pairing_out(actions.pairing_end(actor=request.user, pairing=pairing))


class ConfirmIn(Schema):
    category: Literal[tuple(VillageCategory.values)]  # type: ignore[valid-type]  # the choices, built at import
    note: str = Field("", max_length=500)


@router.get("/supervision/categories", summary="Each village's figure, suggested and confirmed category")
def category_list(request: HttpRequest, region: str | None = None):
    from fengqiao.command import queries as cq
    from fengqiao.command.permissions import require_command_view
    from fengqiao.supervision.categories import category_span, suggest
    from fengqiao.supervision.models import CategoryThresholds

    require_command_view(request.user)  # the figures come from the command centre, as on the page
    where = cq.check_region(request.user, region) if region else cq.home_region(request.user)
    if where is None:
        raise Http404("no region")
    t = CategoryThresholds.current()
    start, end = category_span(t)
    rows = cq.ranking(user=request.user, region=where, level="village", measure=t.measure, start=start,
                      end=end, min_denominator=t.min_events) if where.level in ("county", "town") else []
    return {
        "thresholds": {"measure": t.measure, "reassuring_at": str(t.reassuring_at), "good_at": str(t.good_at),
                       "average_at": str(t.average_at), "min_events": t.min_events, "span_days": t.span_days},
        "start": start.isoformat(), "end": end.isoformat(),
        "items": [{**r.as_dict(), "suggested": suggest(r.value, r.denominator, t) or None,
                   "confirmed": r.region.village_category or None} for r in rows],
    }


@router.post("/supervision/categories/{code}/confirm", summary="Confirm a village's category")
def category_confirm(request: HttpRequest, code: str, payload: ConfirmIn):
    from fengqiao.command import queries as cq
    from fengqiao.supervision.categories import category_span, judge
    from fengqiao.supervision.models import CategoryThresholds

    village = cq.check_region(request.user, code)
    t = CategoryThresholds.current()
    start, end = category_span(t)
    judged = judge(request.user, village, t, start, end)
    rating = actions.village_category_confirm(
        actor=request.user, village=village, category=payload.category, suggested=judged["suggested"],
        measure=t.measure, value=judged["value"], events=judged["denominator"], span=(start, end),
        note=payload.note,
    )
    return {"village": village.code, "category": rating.category, "suggested": rating.suggested or None,
            "previous": rating.previous or None}


class BulletinIn(Schema):
    region_code: str
    date_from: dt.date
    date_to: dt.date


def _run_out(run: BulletinRun) -> dict[str, Any]:
    files = {}
    if run.state == BulletinRun.State.DONE:
        files = {kind: reverse("supervision_bulletin_file", args=[run.pk, kind]) for kind in ("docx", "xlsx")}
    return {"id": run.pk, "state": run.state, "progress": run.progress, "step": run.step,
            "region": run.region.code, "date_from": run.date_from.isoformat(), "date_to": run.date_to.isoformat(),
            "error": run.error or None, "files": files, "created_at": run.created_at.isoformat(),
            "requested_by": run.requester_name or None}


@router.post("/supervision/bulletins", response={202: dict}, summary="Ask for a bulletin pack (.docx and .xlsx), built in the background")
def bulletin_create(request: HttpRequest, payload: BulletinIn):
    region = _region(request, payload.region_code, "region_code")
    if region is None:
        raise InvalidInput("say which region", field="region_code")
    run = actions.bulletin_request(actor=request.user, date_from=payload.date_from, date_to=payload.date_to,
                                   region=region)
    run.refresh_from_db()
    return Status(202, _run_out(run))


@router.get("/supervision/bulletins", summary="The bulletin packs in the user's area, newest first (the page's list)")
def bulletin_list(request: HttpRequest, limit: int = Query(50, ge=1, le=MAX_LIMIT)):
    from fengqiao.command.permissions import require_command_view

    require_command_view(request.user)
    return {"items": [_run_out(run) for run in visible_bulletin_runs(request.user)[:limit]]}


@router.get("/supervision/bulletins/{run_id}", summary="A bulletin pack's progress and files")
def bulletin_detail(request: HttpRequest, run_id: int):
    return _run_out(access_bulletin_run(request.user, run_id))
