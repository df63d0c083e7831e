"""Petitions over JSON (`/api/v1/petitions…`): the ledger (bounded pages), registration, one
petition (petitioners masked unless the caller handles it; every unmasked read logged), its
actions (`{"action": …}`), its timeline, the backlog by 四个一批, the figures, the ledger as .xlsx.
Errors are JSON {"code", "message"}: 400 bad input, 403 the posts do not allow it, 404 outside
scope, 409 the state (or a guard) does not allow the move."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fengqiao.events.models import Category
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_INT, MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.petitions import actions, exports, queries
from fengqiao.petitions import permissions as perms
from fengqiao.petitions.machine import MOVES
from fengqiao.petitions.models import BATCH_CHINESE, Batch, Form, Kind, Petition
from fengqiao.petitions.presenters import available_actions, petitioners_for
from fengqiao.regions.models import Region

router = Router(tags=["petitions"])

ID = Field(None, ge=1, le=MAX_INT)


# ------------------------------------------------------------------------------------ schemas


class PetitionPetitionerIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    is_representative: bool = False


class PetitionRegisterIn(Schema):
    form: Literal[tuple(Form.values)]  # type: ignore[valid-type]
    kind: Literal[tuple(Kind.values)]  # type: ignore[valid-type]
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=10000)
    category_code: str = Field(max_length=32)
    region_code: str = Field(max_length=32)
    received_at: dt.datetime | None = None
    joint: bool = False
    headcount: int | None = Field(None, ge=1, le=actions.MAX_HEADCOUNT)
    key_difficult: bool = False
    event_code: str | None = Field(None, max_length=40)
    petitioners: list[PetitionPetitionerIn] = Field(min_length=1, max_length=actions.MAX_PETITIONERS)


class PetitionPetitionerOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool
    masked: bool


class PetitionClockOut(Schema):
    key: str
    name: str
    basis: str
    days: int
    day_kind: str
    started_at: dt.datetime
    due_at: dt.datetime
    stopped_at: dt.datetime | None
    state: str
    extended_days: int
    extension_reason: str
    approximate: bool


class PetitionDocumentOut(Schema):
    id: int
    kind: str
    number: str
    issued_at: dt.datetime
    url: str


class PetitionBacklogOut(Schema):
    first_raised_year: int
    batch: str
    batch_name: str
    leader: str | None
    listed_at: dt.datetime
    settled_at: dt.datetime | None


class PetitionSummary(Schema):
    id: int
    code: str
    title: str
    form: str
    kind: str
    status: str
    joint: bool
    headcount: int
    key_difficult: bool
    region: str
    region_code: str
    body: str
    leader: str | None
    registered_at: dt.datetime
    next_due: dt.datetime | None
    overdue: bool


class PetitionOut(PetitionSummary):
    content: str
    category: str
    received_at: dt.datetime
    routed_at: dt.datetime | None
    accepted_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    answer: str
    review_answer: str
    rereview_answer: str
    refusal_reason: str
    closing: str
    extended_days: int
    supervised: bool
    handler: str | None
    team: list[str]
    event: str | None
    petitioners: list[PetitionPetitionerOut]
    clocks: list[PetitionClockOut]
    documents: list[PetitionDocumentOut]
    backlog: PetitionBacklogOut | None
    available_actions: list[str]


class PetitionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PetitionSummary]


class PetitionActionIn(Schema):
    action: str = Field(max_length=32, description="One of: " + ", ".join(MOVES))
    note: str | None = Field(None, max_length=1000)
    reason: str | None = Field(None, max_length=500)
    answer: str | None = Field(None, max_length=5000)
    settlement: str | None = Field(None, max_length=5000)
    days: int | None = Field(None, ge=-MAX_INT, le=MAX_INT)
    department_code: str | None = Field(None, max_length=32)
    office_code: str | None = Field(None, max_length=32)
    routing: str | None = Field(None, max_length=10)
    handler_id: int | None = ID
    leader_id: int | None = ID
    team_ids: list[int] | None = Field(None, max_length=actions.MAX_TEAM + 1)
    closing: str | None = Field(None, max_length=12)
    event_code: str | None = Field(None, max_length=40)
    first_raised_year: int | None = Field(None, ge=-MAX_INT, le=MAX_INT)
    batch: str | None = Field(None, max_length=12)


class PetitionTimelineEntry(Schema):
    seq: int
    action: str
    actor: str
    from_state: str
    to_state: str
    note: str
    details: dict[str, Any]
    created_at: dt.datetime


class PetitionCountOut(Schema):
    key: str
    label: str
    open: int
    settled: int


class PetitionBacklogCaseOut(Schema):
    petition_id: int
    code: str
    title: str
    town: str
    first_raised_year: int
    age: int
    batch: str
    batch_name: str
    leader: str | None
    settled_at: dt.datetime | None


class PetitionBacklogPage(Schema):
    count: int
    counts: dict[str, list[PetitionCountOut]]
    items: list[PetitionBacklogCaseOut]


class PetitionFiguresOut(Schema):
    region: str
    start: dt.date
    end: dt.date
    first_time: dict[str, Any]
    settled_in_village_week: dict[str, int]
    backlog_settled: dict[str, Any]
    three_sources: dict[str, int]


# ---------------------------------------------------------------------------------- helpers


def _summary(p: Petition) -> dict[str, Any]:
    return {
        "id": p.pk, "code": p.code, "title": p.title, "form": p.form, "kind": p.kind, "status": p.status,
        "joint": p.joint, "headcount": p.headcount, "key_difficult": p.key_difficult,
        "region": p.region.display_name, "region_code": p.region.code, "body": p.body_name,
        "leader": p.leader.name if p.leader else None, "registered_at": p.registered_at,
        "next_due": getattr(p, "next_due", None), "overdue": bool(getattr(p, "overdue", False)),
    }


def petition_out(user, p: Petition) -> PetitionOut:
    state = queries.with_clock_state(Petition.objects.filter(pk=p.pk)).first()
    annotated = {"next_due": getattr(state, "next_due", None), "overdue": getattr(state, "overdue", False)}
    backlog = getattr(p, "backlog", None)
    return PetitionOut(
        **{**_summary(p), "next_due": annotated.get("next_due"), "overdue": bool(annotated.get("overdue"))},
        content=p.content, category=p.category.code, received_at=p.received_at, routed_at=p.routed_at,
        accepted_at=p.accepted_at, answered_at=p.answered_at, closed_at=p.closed_at, answer=p.answer,
        review_answer=p.review_answer, rereview_answer=p.rereview_answer, refusal_reason=p.refusal_reason,
        closing=p.closing, extended_days=p.extended_days, supervised=p.supervised,
        handler=p.handler.name if p.handler else None, team=[m.name for m in p.team.all()],
        event=p.event.code if p.event else None,
        petitioners=[PetitionPetitionerOut(**r) for r in petitioners_for(user, p, via="api")],
        clocks=[PetitionClockOut(**c.__dict__) for c in queries.clock_rows(p)],
        documents=[PetitionDocumentOut(id=d.pk, kind=d.kind, number=d.number, issued_at=d.issued_at,
                               url=f"/petitions/{p.pk}/notices/{d.pk}.docx") for d in p.documents.all()],
        backlog=PetitionBacklogOut(first_raised_year=backlog.first_raised_year, batch=backlog.batch,
                           batch_name=BATCH_CHINESE[Batch(backlog.batch)],
                           leader=backlog.leader.name if backlog.leader else None,
                           listed_at=backlog.listed_at, settled_at=backlog.settled_at) if backlog else None,
        available_actions=available_actions(user, p),
    )


def _require_use(request: Any) -> None:
    if not perms.may_use_petitions(request.auth):
        from fengqiao.lib.errors import NotPermitted

        raise NotPermitted(_("Your posts do not open the petition pages."))


def _filters(status, kind, form, region_code, q, registered_from, registered_to, overdue) -> queries.PetitionFilters:
    return queries.PetitionFilters(status=status, kind=kind, form=form, region_code=region_code, q=q,
                                   registered_from=registered_from, registered_to=registered_to, overdue=overdue)


def _filtered(request, f: queries.PetitionFilters):
    try:
        return queries.filter_petitions(request.auth, f)
    except LookupError as exc:
        field, _sep, value = str(exc.args[0]).partition(":")
        raise InvalidInput(_("Unknown %(f)s: %(v)s") % {"f": field, "v": value}, field=field) from None


# -------------------------------------------------------------------------------- endpoints


@router.get("/petitions", response=PetitionPage)
def list_petitions(
    request,
    status: str | None = Query(None, max_length=200),
    kind: str | None = Query(None, max_length=10),
    form: str | None = Query(None, max_length=10),
    region_code: str | None = Query(None, max_length=32),
    q: str | None = Query(None, max_length=100),
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    overdue: bool | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE, description="1-based; past the last page the list is empty"),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    """The ledger within scope, newest first. Petitioners are not listed (see one petition)."""
    _require_use(request)
    qs = _filtered(request, _filters(status, kind, form, region_code, q, registered_from, registered_to, overdue))
    qs = qs.order_by("-registered_at", "-id")
    start = (page - 1) * page_size
    ids = list(qs.values_list("pk", flat=True)[start:start + page_size])
    rows = queries.with_clock_state(Petition.objects.filter(pk__in=ids).select_related(*queries.LIST_RELATED))
    by_id = {p.pk: p for p in rows}
    return PetitionPage(count=qs.count(), page=page, page_size=page_size,
                        items=[PetitionSummary(**_summary(by_id[i])) for i in ids if i in by_id])


@router.post("/petitions", response={201: PetitionOut})
def register_petition(request, payload: PetitionRegisterIn):
    """登记: the same as the registration page (the caller's posts decide first)."""
    perms.require_register(request.auth)
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise InvalidInput(_("No region with code %(c)s.") % {"c": payload.region_code}, field="region_code")
    perms.require_register(request.auth, region)
    category = Category.objects.filter(code=payload.category_code).first()
    if category is None:
        raise InvalidInput(_("No category with code %(c)s.") % {"c": payload.category_code}, field="category_code")
    event = None
    if payload.event_code:
        from fengqiao.events.scope import access_event_by_code

        try:
            event = access_event_by_code(request.auth, payload.event_code)
        except Http404:
            raise InvalidInput(_("No event with that code in your area."), field="event_code") from None
    received = payload.received_at
    if received is not None and timezone.is_naive(received):
        received = timezone.make_aware(received, timezone.get_current_timezone())
    petition = actions.petition_register(
        actor=request.auth, form=payload.form, kind=payload.kind, title=payload.title, content=payload.content,
        category=category, region=region, received_at=received, joint=payload.joint,
        headcount=payload.headcount, key_difficult=payload.key_difficult, event=event,
        petitioners=[actions.PetitionerInput(**p.dict()) for p in payload.petitioners],
    )
    return Status(201, petition_out(request.auth, queries.access_petition_for_user(request.auth, petition.pk)))


@router.get("/petitions/backlog", response=PetitionBacklogPage)
def list_backlog(
    request,
    batch: str | None = Query(None, max_length=12),
    age: str | None = Query(None, max_length=12),
    town_code: str | None = Query(None, max_length=32),
    leader_id: int | None = Query(None, ge=1, le=MAX_INT),
    settled: bool | None = None,
    limit: int = Query(200, ge=1, le=MAX_PAGE_SIZE),
):
    """信访积案: counts by batch, leader, age and town (of every visible case) and the filtered
    cases."""
    _require_use(request)
    everything = list(queries.backlog_cases(request.auth))
    try:
        cases = list(queries.backlog_cases(request.auth, queries.BacklogFilters(
            batch=batch, age=age, town_code=town_code, leader_id=leader_id, settled=settled)))
    except LookupError as exc:
        field, _sep, value = str(exc.args[0]).partition(":")
        raise InvalidInput(_("Unknown %(f)s: %(v)s") % {"f": field, "v": value}, field=field) from None
    today = clock.local_date()
    counts = {by: [PetitionCountOut(key=r.key, label=r.label, open=r.open, settled=r.settled)
                   for r in queries.backlog_counts_of(everything, by, today)] for by in queries.BACKLOG_GROUPS}
    return PetitionBacklogPage(count=len(cases), counts=counts, items=[
        PetitionBacklogCaseOut(petition_id=c.petition_id, code=c.petition.code, title=c.petition.title,
                       town=c.petition.town.display_name if c.petition.town else "",
                       first_raised_year=c.first_raised_year, age=queries.case_age(c, today), batch=c.batch,
                       batch_name=BATCH_CHINESE[Batch(c.batch)], leader=c.leader.name if c.leader else None,
                       settled_at=c.settled_at)
        for c in cases[:limit]
    ])


@router.get("/petitions/figures", response=PetitionFiguresOut)
def petition_figures(request, region_code: str | None = Query(None, max_length=32),
                     start: dt.date | None = None, end: dt.date | None = None):
    """The counts behind the figures (first-time year on year, settled in the village within a
    week, backlog settled by age, the three sources) under a region of the caller's scope."""
    _require_use(request)
    from fengqiao.people.queries import visible_regions

    region = (visible_regions(request.auth).filter(code=region_code).first() if region_code
              else queries.home_region(request.auth))
    if region is None:
        raise Http404("no such region")
    today = clock.local_date()
    start = start or today.replace(month=1, day=1)
    end = end or today
    if end < start:
        raise InvalidInput(_("end is before start."), field="end")
    if (end - start).days > 3660 or start.year < 1901:
        raise InvalidInput(_("The span is longer than ten years."), field="start")
    first = queries.first_time_petitions(region=region, start=start, end=end)
    week = queries.settled_in_village_week(region=region, start=start, end=end)
    settled = queries.backlog_settled(region=region, start=start, end=end)
    src = queries.three_sources(region=region, start=start, end=end)
    return PetitionFiguresOut(
        region=region.code, start=start, end=end,
        first_time={"current": first.current, "baseline": first.baseline,
                    "baseline_start": first.baseline_start.isoformat(), "baseline_end": first.baseline_end.isoformat()},
        settled_in_village_week={"first_time": week.first_time, "settled": week.settled},
        backlog_settled={"settled": settled.settled, "by_age": settled.by_age, "over_twenty": settled.over_twenty,
                         "open": settled.open},
        three_sources=dict(src.__dict__),
    )


@router.get("/petitions/ledger.xlsx", summary="The ledger as a spreadsheet (petitioners masked unless handled)",
            openapi_extra={"responses": {200: {"description": "An .xlsx workbook", "content": {exports.XLSX: {}}}}})
def export_petitions(
    request,
    status: str | None = Query(None, max_length=200),
    kind: str | None = Query(None, max_length=10),
    form: str | None = Query(None, max_length=10),
    region_code: str | None = Query(None, max_length=32),
    q: str | None = Query(None, max_length=100),
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    overdue: bool | None = None,
):
    _require_use(request)
    qs = _filtered(request, _filters(status, kind, form, region_code, q, registered_from, registered_to, overdue))
    if qs.count() > exports.MAX_ROWS:
        raise InvalidInput(_("More than %(n)d petitions match: narrow the filters to export.") % {"n": exports.MAX_ROWS},
                           code="too_many")
    response = HttpResponse(exports.ledger_workbook(request.auth, qs), content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="petitions-{timezone.localtime(clock.now()):%Y%m%d-%H%M}.xlsx"'
    return response


@router.get("/petitions/{petition_id}", response=PetitionOut)
def get_petition(request, petition_id: int):
    return petition_out(request.auth, queries.access_petition_for_user(request.auth, petition_id))


@router.post("/petitions/{petition_id}/actions", response=PetitionOut)
def act_on_petition(request, petition_id: int, payload: PetitionActionIn):
    petition = queries.access_petition_for_user(request.auth, petition_id)
    data = payload.dict(exclude_none=True)
    action = data.pop("action")
    actions.perform_action(petition=petition, actor=request.auth, action=action, data=data)
    return petition_out(request.auth, queries.access_petition_for_user(request.auth, petition_id))


@router.get("/petitions/{petition_id}/timeline", response=list[PetitionTimelineEntry])
def petition_timeline(request, petition_id: int):
    petition = queries.access_petition_for_user(request.auth, petition_id)
    return [PetitionTimelineEntry(seq=a.seq, action=a.action, actor=a.actor_name, from_state=a.from_state,
                          to_state=a.to_state, note=a.note, details=a.details, created_at=a.created_at)
            for a in queries.timeline(petition)]
