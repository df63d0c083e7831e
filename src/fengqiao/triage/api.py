"""Triage over JSON: the queue, one item, and the operator's decisions; category suggestions.

    GET  /api/v1/triage/items?reason=&page=&page_size=
    GET  /api/v1/triage/items/{id}
    POST /api/v1/triage/items/{id}/dispatch   {"region_code"}
    POST /api/v1/triage/items/{id}/category   {"category_code", "note"?}
    POST /api/v1/triage/items/{id}/merge      {"twin_id", "keep": "twin" | "this"}
    POST /api/v1/triage/items/{id}/dismiss    {"twin_id", "note"?}
    POST /api/v1/triage/suggest-category      {"text", "limit"?}
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from fengqiao.events.models import Category
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.people.queries import visible_regions
from fengqiao.triage import actions
from fengqiao.triage.classify import suggest_categories, suggestion_dicts
from fengqiao.triage.models import TriageItem
from fengqiao.triage.permissions import require_triage
from fengqiao.triage.queries import access_item_for_user, twins_of, visible_items

router = Router(tags=["triage"])


class TwinOut(Schema):
    id: int
    code: str
    title: str
    status: str
    source: str
    region_code: str | None
    created_at: dt.datetime
    score: float
    state: str


class ItemOut(Schema):
    id: int
    event_id: int
    event_code: str
    title: str
    description: str
    status: str
    source: str
    category: str
    region_code: str | None
    reasons: list[str]
    opened_reasons: list[str]
    region_candidates: list[dict]
    category_suggestions: list[dict]
    twins: list[TwinOut]
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    outcome: str


class ItemPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ItemOut]


class DispatchIn(Schema):
    region_code: str = Field(min_length=1, max_length=32)


class CategoryIn(Schema):
    category_code: str = Field(min_length=1, max_length=32)
    note: str = Field("", max_length=500)


class MergeIn(Schema):
    twin_id: int
    keep: Literal["twin", "this"] = "twin"


class DismissIn(Schema):
    twin_id: int
    note: str = Field("", max_length=500)


class SuggestIn(Schema):
    text: str = Field(min_length=1, max_length=10000)
    limit: int = Field(3, ge=1, le=10)


class SuggestionOut(Schema):
    code: str
    name: str
    confidence: float


def item_out(item: TriageItem) -> ItemOut:
    e = item.event
    return ItemOut(
        id=item.pk, event_id=e.pk, event_code=e.code, title=e.title, description=e.description,
        status=e.status, source=e.source, category=e.category.code,
        region_code=e.region.code if e.region is not None else None, reasons=item.reasons,
        opened_reasons=item.opened_reasons, region_candidates=item.region_candidates,
        category_suggestions=item.category_suggestions,
        twins=[
            TwinOut(id=f.twin.pk, code=f.twin.code, title=f.twin.title, status=f.twin.status,
                    source=f.twin.source, region_code=f.twin.region.code if f.twin.region is not None else None,
                    created_at=f.twin.created_at, score=f.score, state=f.state)
            for f in twins_of(item)
        ],
        opened_at=item.opened_at, closed_at=item.closed_at, outcome=item.outcome,
    )


def _item(request, item_id: int) -> TriageItem:
    require_triage(request.auth)
    return access_item_for_user(request.auth, item_id)


def _fresh(item: TriageItem) -> ItemOut:
    return item_out(TriageItem.objects.select_related("event", "event__category", "event__region").get(pk=item.pk))


@router.get("/triage/items", response=ItemPage)
def list_items(request, reason: str | None = None,
               page: int = Query(1, ge=1, le=MAX_PAGE, description="1-based; past the last page the list is empty"),
               page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    """Open items in the user's area (operators: their county; town cadres: their towns)."""
    require_triage(request.auth)
    try:
        qs = visible_items(request.auth, reason=reason)
    except LookupError:
        raise InvalidInput(_("Unknown reason: %(r)s") % {"r": reason}, field="reason") from None
    qs = qs.select_related("event", "event__category", "event__region").order_by("opened_at", "id")
    start = (page - 1) * page_size
    return ItemPage(count=qs.count(), page=page, page_size=page_size,
                    items=[item_out(i) for i in qs[start:start + page_size]])


@router.get("/triage/items/{item_id}", response=ItemOut)
def get_item(request, item_id: int):
    return item_out(_item(request, item_id))


@router.post("/triage/items/{item_id}/dispatch", response=ItemOut)
def dispatch_item(request, item_id: int, payload: DispatchIn):
    item = _item(request, item_id)
    region = visible_regions(request.auth).filter(code=payload.region_code, retired_at=None).first()
    if region is None:
        raise InvalidInput(_("No region with code %(c)s in your scope.") % {"c": payload.region_code},
                           field="region_code")
    actions.triage_dispatch(item=item, actor=request.auth, region=region)
    return _fresh(item)


@router.post("/triage/items/{item_id}/category", response=ItemOut)
def categorise_item(request, item_id: int, payload: CategoryIn):
    item = _item(request, item_id)
    category = Category.objects.filter(code=payload.category_code).first()
    if category is None:
        raise InvalidInput(_("No category with code %(c)s.") % {"c": payload.category_code}, field="category_code")
    actions.triage_set_category(item=item, actor=request.auth, category=category, note=payload.note)
    return _fresh(item)


@router.post("/triage/items/{item_id}/merge", response=ItemOut)
def merge_item(request, item_id: int, payload: MergeIn):
    item = _item(request, item_id)
    actions.triage_merge(item=item, actor=request.auth, twin_id=payload.twin_id, keep=payload.keep)
    return _fresh(item)


@router.post("/triage/items/{item_id}/dismiss", response=ItemOut)
def dismiss_twin(request, item_id: int, payload: DismissIn):
    item = _item(request, item_id)
    actions.triage_dismiss_twin(item=item, actor=request.auth, twin_id=payload.twin_id, note=payload.note)
    return _fresh(item)


@router.post("/triage/suggest-category", response=list[SuggestionOut])
def suggest(request, payload: SuggestIn):
    """The likeliest categories for a text (empty until the classifier has been trained)."""
    return [SuggestionOut(**d) for d in suggestion_dicts(suggest_categories(payload.text, limit=payload.limit))]
