"""Events over JSON: list, read, act, timeline, worklist, categories, regions. Registering
(`POST /events`) goes through the one door: it lives in `fengqiao.intake.desk_api`, on this router."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fengqiao.events import actions
from fengqiao.events.models import Category, Event, Source
from fengqiao.events.presenters import actions_for, assignees_for, is_overdue, parties_for
from fengqiao.events.queries import (
    BUCKET_KEYS,
    EventFilters,
    filter_events,
    timeline,
    worklist,
    worklist_counts,
)
from fengqiao.events.scope import access_event_for_user
from fengqiao.events.statemachine import MOVES
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_LIMIT, MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.people.queries import visible_regions
from fengqiao.regions.models import Region

router = Router(tags=["events"])


# ------------------------------------------------------------------------------------ schemas


class PartyIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    is_reporter: bool = False


class EventIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    category_code: str
    source: Literal[tuple(Source.values)]  # type: ignore[valid-type]
    region_code: str | None = None
    address: str = Field("", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    dispute_source: Literal["", "police", "litigation", "petition"] = ""
    high_risk: bool = False
    parties: list[PartyIn] = Field(default_factory=list, max_length=20)


class RegionOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    level: str


class CategoryOut(Schema):
    code: str
    name: str
    parent_code: str | None
    active: bool


class EventSummary(Schema):
    id: int
    code: str
    title: str
    status: str
    tier: str
    category: str
    category_name: str
    source: str
    region: RegionOut | None
    deadline: dt.datetime | None
    overdue: bool
    high_risk: bool
    supervision: str
    created_at: dt.datetime


class EventOut(EventSummary):
    description: str
    dispute_source: str
    address: str
    latitude: float | None
    longitude: float | None
    deadline_approximate: bool
    department: str | None
    dispatched_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: str
    satisfaction: str
    reopen_count: int
    escalation_count: int
    extension_count: int
    merged_into: str | None
    assignees: list[dict[str, Any]]
    parties: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    available_actions: list[str]


class EventPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EventSummary]


class ActionIn(Schema):
    action: str = Field(description="One of: " + ", ".join(MOVES))
    reason: str | None = Field(None, max_length=500)
    result: str | None = Field(None, max_length=5000)
    satisfaction: str | None = None
    days: int | None = None
    person_id: int | None = None
    party_id: int | None = None
    role: str | None = None
    level: str | None = None
    text: str | None = Field(None, max_length=5000)
    note: str | None = Field(None, max_length=2000)
    consultation: bool = False
    region_code: str | None = None
    into_id: int | None = None
    category_code: str | None = Field(None, max_length=32)


class ActionOut(Schema):
    event: EventOut
    # A call: the `tel:` link for those who may see the number, else the call-back request sent.
    tel: str | None = None
    call_request: str | None = None


class TimelineEntry(Schema):
    seq: int
    action: str
    actor: str
    from_state: str
    to_state: str
    note: str
    details: dict[str, Any]
    created_at: dt.datetime


# ---------------------------------------------------------------------------------- helpers


def _region_out(r: Region | None) -> RegionOut | None:
    if r is None:
        return None
    return RegionOut(id=r.id, code=r.code, name=r.name, short_name=r.short_name, level=r.level)


def _summary_fields(e: Event) -> dict[str, Any]:
    return {
        "id": e.id, "code": e.code, "title": e.title, "status": e.status, "tier": e.tier,
        "category": e.category.code, "category_name": e.category.name, "source": e.source,
        "region": _region_out(e.region), "deadline": e.deadline, "overdue": is_overdue(e),
        "high_risk": e.high_risk, "supervision": e.supervision, "created_at": e.created_at,
    }


def event_out(request_user, e: Event, *, via: str = "api") -> EventOut:
    return EventOut(
        **_summary_fields(e),
        description=e.description, dispute_source=e.dispute_source, address=e.address,
        latitude=e.latitude, longitude=e.longitude, deadline_approximate=e.deadline_approximate,
        department=e.department.name if e.department is not None else None,
        dispatched_at=e.dispatched_at, acknowledged_at=e.acknowledged_at,
        resolved_at=e.resolved_at, closed_at=e.closed_at, result=e.result,
        satisfaction=e.satisfaction, reopen_count=e.reopen_count,
        escalation_count=e.escalation_count, extension_count=e.extension_count,
        merged_into=e.merged_into.code if e.merged_into is not None else None,
        assignees=assignees_for(request_user, e),
        parties=parties_for(request_user, e, via=via),
        attachments=[
            {"id": a.id, "name": a.name, "size": a.size, "content_type": a.content_type,
             "url": f"/events/{e.id}/attachments/{a.id}"}
            for a in e.attachments.all()
        ],
        available_actions=actions_for(request_user, e),
    )


def _get_event(request, event_id: int) -> Event:
    return access_event_for_user(request.auth, event_id)


# -------------------------------------------------------------------------------- endpoints


@router.get("/categories", response=list[CategoryOut])
def list_categories(request):
    return [
        CategoryOut(code=c.code, name=c.name, parent_code=c.parent.code if c.parent_id else None, active=c.active)
        for c in Category.objects.select_related("parent").order_by("sort", "code")
    ]


@router.get("/regions", response=list[RegionOut])
def list_regions(request, parent_code: str | None = None, q: str | None = None,
                 limit: int = Query(200, ge=1, le=MAX_LIMIT)):
    """Regions the user may pick: the children of `parent_code` (or the tops of their scope)."""
    qs = visible_regions(request.auth).filter(retired_at=None)
    if parent_code:
        parent = qs.filter(code=parent_code).first()
        if parent is None:
            raise InvalidInput(_("No region with code %(c)s in your scope.") % {"c": parent_code}, field="parent_code")
        qs = qs.filter(parent=parent)
    elif q:
        qs = qs.filter(name__contains=q)
    else:
        from fengqiao.people.queries import posts_of, sees_everything

        if sees_everything(request.auth):
            qs = qs.filter(parent=None)
        else:
            qs = qs.filter(pk__in=[p.region_id for p in posts_of(request.auth)])
    return [_region_out(r) for r in qs.order_by("code")[:limit]]


@router.get("/events", response=EventPage)
def list_events(
    request,
    status: str | None = None,
    region_code: str | None = None,
    category_code: str | None = None,
    source: str | None = None,
    overdue: bool | None = None,
    high_risk: bool | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    q: str | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE, description="1-based; past the last page the list is empty"),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    try:
        qs = filter_events(request.auth, EventFilters(
            status=status, region_code=region_code, category_code=category_code, source=source,
            overdue=overdue, high_risk=high_risk, created_from=created_from, created_to=created_to, q=q,
        ))
    except LookupError as exc:
        field, _sep, value = str(exc.args[0]).partition(":")
        raise InvalidInput(_("Unknown %(f)s: %(v)s") % {"f": field, "v": value}, field=field) from None
    qs = qs.select_related("category", "region").order_by("-created_at", "-id")
    start = (page - 1) * page_size
    items = list(qs[start:start + page_size])
    return EventPage(
        count=qs.count(), page=page, page_size=page_size,
        items=[EventSummary(**_summary_fields(e)) for e in items],
    )


@router.get("/events/{event_id}", response=EventOut)
def get_event(request, event_id: int):
    return event_out(request.auth, _get_event(request, event_id))


@router.post("/events/{event_id}/actions", response=ActionOut)
def act_on_event(request, event_id: int, payload: ActionIn):
    event = _get_event(request, event_id)
    data = payload.dict(exclude_none=True)
    action = data.pop("action")
    extra = actions.perform(event=event, actor=request.auth, action=action, data=data)
    event = Event.objects.select_related("category", "region").get(pk=event.pk)
    return ActionOut(event=event_out(request.auth, event), tel=extra.get("tel"),
                     call_request=extra.get("call_request"))


@router.post("/events/{event_id}/attachments", response={201: dict})
def upload_attachment(request, event_id: int, file: File[UploadedFile]):
    event = _get_event(request, event_id)
    att = actions.event_attach(event=event, actor=request.auth, upload=file)
    return Status(201, {"id": att.id, "name": att.name, "size": att.size})


@router.get("/events/{event_id}/timeline", response=list[TimelineEntry])
def get_timeline(request, event_id: int):
    event = _get_event(request, event_id)
    return [
        TimelineEntry(
            seq=a.seq, action=a.action, actor=a.actor_name, from_state=a.from_state,
            to_state=a.to_state, note=a.note, details=a.details, created_at=a.created_at,
        )
        for a in timeline(event)
    ]


class WorklistOut(Schema):
    counts: dict[str, int]
    bucket: str | None
    items: list[EventSummary]


@router.get("/me/worklist", response=WorklistOut)
def my_worklist(request, bucket: str | None = None, limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    """Counts for every tab (待分拨 … 我督办的) and the events of one tab (default: the first
    non-empty one)."""
    if bucket is not None and bucket not in BUCKET_KEYS:
        raise InvalidInput(_("bucket must be one of: %(b)s") % {"b": ", ".join(BUCKET_KEYS)}, field="bucket")
    counts = worklist_counts(request.auth)
    chosen = bucket or next((k for k in BUCKET_KEYS if counts[k]), None)
    items = []
    if chosen:
        qs = worklist(request.auth, chosen).select_related("category", "region")
        items = [EventSummary(**_summary_fields(e)) for e in qs[:limit]]
    return WorklistOut(counts=counts, bucket=chosen, items=items)


