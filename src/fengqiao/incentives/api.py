"""The incentive scheme in the JSON API (/api/v1/incentives/…): a household's ledger and
applying a rule, exchanges (idempotent on the request id), the lists, an election's nominees with
their figures, and the figures for the command centre."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import UUID4, Field

from fengqiao.grid import queries as grid_queries
from fengqiao.incentives import actions, permissions, queries
from fengqiao.incentives.models import Rule
from fengqiao.people.queries import visible_regions

router = Router(tags=["incentives"])


def _entry(e) -> dict:
    return {"id": e.pk, "at": e.at.isoformat(), "kind": e.kind, "amount": e.amount, "rule": e.rule.code if e.rule_id else None,
            "reason": e.reason, "by": e.by_name, "balance_after": e.balance_after}


@router.get("/incentives/households/{household_id}/ledger", summary="A household's points ledger")
def ledger(request: HttpRequest, household_id: int):
    permissions.require_view(request.user)
    household = queries.access_household(request.user, household_id)
    return {"household": household.code, "balance": queries.balance_of(household),
            "entries": [_entry(e) for e in queries.ledger(household)[:500]]}


class PointsIn(Schema):
    rule: str = Field(..., max_length=32)
    reason: str = Field(..., min_length=1, max_length=300)
    times: int = Field(1, ge=1, le=20)


@router.post("/incentives/households/{household_id}/points", response={201: dict},
             summary="Apply an incentive rule to a household", openapi_extra={"x-fengqiao-errors": [409]})
def apply_rule(request: HttpRequest, household_id: int, payload: PointsIn):
    permissions.require_view(request.user)
    household = queries.access_household(request.user, household_id)
    rule = Rule.objects.filter(code=payload.rule).first()
    if rule is None:
        from fengqiao.lib.errors import InvalidInput

        raise InvalidInput("unknown rule", field="rule")
    return Status(201, _entry(actions.points_apply(actor=request.user, household=household, rule=rule,
                                                   reason=payload.reason, times=payload.times)))


class RedeemIn(Schema):
    item: int = Field(..., ge=1, le=2**62)
    household: int = Field(..., ge=1, le=2**62)
    quantity: int = Field(1, ge=1, le=100)
    request_uuid: UUID4


@router.post("/incentives/redemptions", response={200: dict, 201: dict},
             summary="Exchange points for an item (idempotent on request_uuid)",
             openapi_extra={"x-fengqiao-errors": [409]})
def redeem(request: HttpRequest, payload: RedeemIn):
    permissions.require_view(request.user)
    item = queries.access_item(request.user, payload.item)
    household = queries.access_household(request.user, payload.household)
    done = actions.redeem(actor=request.user, item=item, household=household, quantity=payload.quantity,
                          request_uuid=payload.request_uuid)
    r = done.redemption
    return Status(201 if done.created else 200, {
        "id": r.pk, "request_uuid": str(r.request_uuid), "item": r.item_id, "quantity": r.quantity,
        "points": r.points, "value": str(r.value), "balance": queries.balance_of(household)})


class ListsQuery(Schema):
    village: str = Field(..., max_length=32)
    period: str = Field(..., min_length=1, max_length=20)


@router.get("/incentives/lists", summary="A village's red and black lists for a period")
def lists(request: HttpRequest, q: Query[ListsQuery]):
    permissions.require_view(request.user)
    village = visible_regions(request.user).filter(code=q.village, level="village").first()
    if village is None:
        raise Http404("no such village")
    rows = queries.lists_of(request.user, village=village, period=q.period)
    return {kind: [{"household": e.household.code, "reason": e.reason} for e in entries]
            for kind, entries in rows.items()}


@router.get("/incentives/elections/{election_id}", summary="An election with the figures behind each nominee")
def election(request: HttpRequest, election_id: int):
    permissions.require_view(request.user)
    e = queries.access_election(request.user, election_id)
    return {"name": e.name, "kind": e.kind, "status": e.status, "seats": e.seats,
            "nominees": [{"person": n.person.name, "figures": n.figures, "votes": n.votes, "elected": n.elected}
                         for n in queries.nominees_of(e)]}


class FiguresQuery(Schema):
    area: str = Field("", max_length=32)
    zone: int | None = Field(None, ge=1, le=2**31)
    part: Literal["all"] = "all"


@router.get("/incentives/figures", summary="Star households, exchanges, value of rewards, the elected")
def figures(request: HttpRequest, q: Query[FiguresQuery]):
    permissions.require_view(request.user)
    area = None
    if q.zone:
        area = grid_queries.Area(zone=grid_queries.access_zone(request.user, q.zone))
    elif q.area:
        region = visible_regions(request.user).filter(code=q.area).first()
        if region is None:
            raise Http404("no such region")
        area = grid_queries.Area(region=region)
    r = queries.redemptions(request.user, area)
    return {"stars": queries.star_households(request.user, area),
            "redemptions": {**r, "value": str(r["value"])}, "points": queries.points_totals(request.user, area),
            "elected": queries.elected_counts(request.user)}
