"""The incentive scheme in the JSON API (/api/v1/incentives/…): the rules (seed 004's fourteen
measures), the 六好六无 rubric and the star thresholds, a household's ledger and applying a rule,
scoring periods with each household's score (and scoring one, through the page's action),
star households, the shops with their items and stock, exchanges (idempotent on the request id)
and their list, the red and black lists, elections with the figures behind each nominee, and
the figures for the command centre.

Every list is paged (`page` 1…100,000, `page_size` 1…200) and in the caller's scope
(`incentives.queries`: 404 outside); every write is an action of `incentives.actions` — the
posts are checked before the input, the input before the state (403, 400, then 409). Nothing
here names a household's head: the codes are what the pages show too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import UUID4, Field

from fengqiao.grid import queries as grid_queries
from fengqiao.incentives import actions, permissions, queries
from fengqiao.incentives.models import (
    Election,
    ElectionKind,
    Redemption,
    Rubric,
    Rule,
    Score,
    ScoringPeriod,
    Shop,
    StarThreshold,
)
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.people.queries import visible_regions

router = Router(tags=["incentives"])
ID = 2**62


# ---------------------------------------------------------------------------------- paging


class IncentivePageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based; past the last page the list is empty")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class IncentiveAreaQuery(Schema):
    area: str = Field("", max_length=32, description="a region code in the caller's scope")
    zone: int | None = Field(None, ge=1, le=2**31, description="a zone (片区) id")


def _page(qs: QuerySet, q: IncentivePageQuery) -> tuple[int, list[Any]]:
    start = (q.page - 1) * q.page_size
    return qs.count(), list(qs[start:start + q.page_size])


def _area(request: HttpRequest, q: IncentiveAreaQuery) -> grid_queries.Area | None:
    if q.zone:
        return grid_queries.Area(zone=grid_queries.access_zone(request.user, q.zone))
    if q.area:
        region = visible_regions(request.user).filter(code=q.area).first()
        if region is None:
            raise Http404("no such region")
        return grid_queries.Area(region=region)
    return None


def _day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    if start is not None and end is not None and end < start:
        raise InvalidInput(_("end: the span ends before it starts."), field="end")
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if end else None
    return lo, hi


# ----------------------------------------------------------------------- rules, rubric, stars


class RuleOut(Schema):
    id: int
    code: str
    name: str
    points: int = Field(description="earned when positive, deducted when negative")
    description: str
    order: int
    active: bool


class RulePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RuleOut]


class RulesQuery(IncentivePageQuery):
    active: bool | None = None


def _rule(r: Rule) -> RuleOut:
    return RuleOut(id=r.pk, code=r.code, name=r.name, points=r.points, description=r.description, order=r.order,
                   active=r.active)


@router.get("/incentives/rules", response=RulePage, summary="The incentive rules (seed 004: 14 measures)")
def rules(request: HttpRequest, q: Query[RulesQuery]):
    permissions.require_view(request.user)
    qs = Rule.objects.all().order_by("order", "code")
    if q.active is not None:
        qs = qs.filter(active=q.active)
    count, rows = _page(qs, q)
    return RulePage(count=count, page=q.page, page_size=q.page_size, items=[_rule(r) for r in rows])


class RubricItemOut(Schema):
    id: int
    group: str = Field(description="good (六好) or none (六无)")
    group_label: str
    text: str
    points: int


class ThresholdOut(Schema):
    stars: int
    min_score: int


class RubricOut(Schema):
    id: int
    name: str
    total: int
    items: list[RubricItemOut]
    thresholds: list[ThresholdOut] = Field(description="stars by score: the highest threshold a score reaches")


def _rubric(rubric: Rubric) -> RubricOut:
    items = list(rubric.items.all())
    return RubricOut(id=rubric.pk, name=rubric.name, total=sum(i.points for i in items), items=[
        RubricItemOut(id=i.pk, group=i.group, group_label=str(i.get_group_display()), text=i.text, points=i.points)
        for i in items], thresholds=[ThresholdOut(stars=t.stars, min_score=t.min_score)
                                     for t in StarThreshold.objects.order_by("stars")])


@router.get("/incentives/rubric", response=RubricOut,
            summary="The 六好六无 rubric in force, its items and the star thresholds")
def rubric(request: HttpRequest):
    permissions.require_view(request.user)
    row = Rubric.objects.filter(active=True).order_by("-pk").first()
    if row is None:
        raise Http404("no rubric")
    return _rubric(row)


# ------------------------------------------------------------------------------- the ledger


class LedgerEntryOut(Schema):
    id: int
    at: dt.datetime
    kind: Literal["earn", "deduct", "spend"]
    amount: int
    rule: str | None
    reason: str
    by: str
    balance_after: int


class LedgerOut(Schema):
    household: str
    balance: int = Field(description="the sum of the entries (the ledger, not a stored total)")
    count: int
    page: int
    page_size: int
    entries: list[LedgerEntryOut]


def _entry(e) -> LedgerEntryOut:
    return LedgerEntryOut(id=e.pk, at=e.at, kind=e.kind, amount=e.amount, rule=e.rule.code if e.rule_id else None,
                    reason=e.reason, by=e.by_name, balance_after=e.balance_after)


@router.get("/incentives/households/{household_id}/ledger", response=LedgerOut, summary="A household's points ledger")
def ledger(request: HttpRequest, household_id: int, q: Query[IncentivePageQuery]):
    permissions.require_view(request.user)
    household = queries.access_household(request.user, household_id)
    count, rows = _page(queries.ledger(household), q)
    return LedgerOut(household=household.code, balance=queries.balance_of(household), count=count, page=q.page,
                     page_size=q.page_size, entries=[_entry(e) for e in rows])


class PointsIn(Schema):
    rule: str = Field(..., max_length=32)
    reason: str = Field(..., min_length=1, max_length=300)
    times: int = Field(1, ge=1, le=20)


@router.post("/incentives/households/{household_id}/points", response={201: LedgerEntryOut},
             summary="Apply an incentive rule to a household", openapi_extra={"x-fengqiao-errors": [409]})
def apply_rule(request: HttpRequest, household_id: int, payload: PointsIn):
    permissions.require_view(request.user)
    household = queries.access_household(request.user, household_id)
    permissions.require_give_points(request.user, household.region)  # the posts before the input
    rule = Rule.objects.filter(code=payload.rule).first()
    if rule is None:
        raise InvalidInput(_("rule: no rule %(c)s.") % {"c": payload.rule}, field="rule")
    return Status(201, _entry(actions.points_apply(actor=request.user, household=household, rule=rule,
                                                   reason=payload.reason, times=payload.times)))


# ------------------------------------------------------------------------------- scoring


class ScoringPeriodOut(Schema):
    id: int
    name: str
    region: str
    region_name: str
    rubric: int
    starts_on: dt.date
    ends_on: dt.date
    status: str = Field(description="open or closed")
    scored: int
    star_households: int


class PeriodPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ScoringPeriodOut]


class PeriodsQuery(IncentivePageQuery):
    status: Literal["", "open", "closed"] = ""


def _period(p: ScoringPeriod) -> ScoringPeriodOut:
    return ScoringPeriodOut(id=p.pk, name=p.name, region=p.region.code, region_name=p.region.display_name,
                     rubric=p.rubric_id, starts_on=p.starts_on, ends_on=p.ends_on, status=p.status,
                     scored=getattr(p, "n_scored", 0), star_households=getattr(p, "n_stars", 0))


@router.get("/incentives/periods", response=PeriodPage, summary="Rounds of 六好六无 scoring in your area")
def periods(request: HttpRequest, q: Query[PeriodsQuery]):
    permissions.require_view(request.user)
    qs = queries.periods_for(request.user)
    if q.status:
        qs = qs.filter(status=q.status)
    # The counts cover the whole round (its figures), not only the caller's households.
    qs = qs.annotate(n_scored=Count("scores"), n_stars=Count("scores", filter=Q(scores__stars__gt=0)))
    count, rows = _page(qs.order_by("-starts_on", "name", "id"), q)
    return PeriodPage(count=count, page=q.page, page_size=q.page_size, items=[_period(p) for p in rows])


class ScoreLineOut(Schema):
    item: int
    text: str
    group: str = Field(description="good (六好) or none (六无)")
    points: int
    of: int


class ScoreOut(Schema):
    household: int
    household_code: str
    address: str
    total: int
    stars: int
    at: dt.datetime


class ScoreDetail(ScoreOut):
    period: int
    lines: list[ScoreLineOut]


class ScorePage(Schema):
    period: ScoringPeriodOut
    count: int
    page: int
    page_size: int
    items: list[ScoreOut]


class ScoresQuery(IncentivePageQuery):
    stars: int | None = Field(None, ge=0, le=5, description="only scores with this many stars")


def _score(s: Score) -> dict[str, Any]:
    h = s.household
    return {"household": h.pk, "household_code": h.code, "address": h.address, "total": s.total, "stars": s.stars,
            "at": s.at}


def _score_detail(s: Score) -> ScoreDetail:
    lines = [ScoreLineOut(item=ln.item_id, text=ln.item.text, group=ln.item.group, points=ln.points, of=ln.item.points)
             for ln in s.lines.select_related("item").order_by("item__order", "item_id")]
    return ScoreDetail(period=s.period_id, lines=lines, **_score(s))


@router.get("/incentives/periods/{period_id}/scores", response=ScorePage,
            summary="Each household's score and stars in a round (the households in your area)")
def period_scores(request: HttpRequest, period_id: int, q: Query[ScoresQuery]):
    permissions.require_view(request.user)
    period = queries.access_period(request.user, period_id)
    qs = queries.households_with_stars(request.user, period)
    if q.stars is not None:
        qs = qs.filter(stars=q.stars)
    count, rows = _page(qs, q)
    summary = (ScoringPeriod.objects.filter(pk=period.pk)
               .annotate(n_scored=Count("scores"), n_stars=Count("scores", filter=Q(scores__stars__gt=0)))
               .select_related("region").get())
    return ScorePage(period=_period(summary), count=count, page=q.page, page_size=q.page_size,
                     items=[ScoreOut(**_score(s)) for s in rows])


def _scored(request: HttpRequest, period: ScoringPeriod, household_id: int) -> Score:
    household = queries.access_household(request.user, household_id)
    score = Score.objects.filter(period=period, household=household).select_related("household").first()
    if score is None:
        raise Http404("not scored")
    return score


@router.get("/incentives/periods/{period_id}/scores/{household_id}", response=ScoreDetail,
            summary="One household's score in a round, item by item")
def household_score(request: HttpRequest, period_id: int, household_id: int):
    permissions.require_view(request.user)
    period = queries.access_period(request.user, period_id)
    return _score_detail(_scored(request, period, household_id))


class ScoreIn(Schema):
    points: dict[str, Any] = Field(default_factory=dict, description="rubric item id → whole points, 0 to the "
                                   "item's points; every item of the round's rubric", max_length=100)


@router.put("/incentives/periods/{period_id}/scores/{household_id}", response=ScoreDetail,
            summary="Score a household in an open round (scoring again replaces the score)",
            openapi_extra={"x-fengqiao-errors": [409]})
def score_household(request: HttpRequest, period_id: int, household_id: int, payload: ScoreIn):
    permissions.require_view(request.user)
    period = queries.access_period(request.user, period_id)
    household = queries.access_household(request.user, household_id)
    # The action asks the posts, then checks the points, then the round's state (403, 400, 409).
    score = actions.household_score(actor=request.user, period=period, household=household, points=payload.points)
    return _score_detail(Score.objects.select_related("household").get(pk=score.pk))


class StarHouseholdOut(Schema):
    household: int
    household_code: str
    region: str
    stars: int
    total: int
    period: int
    period_name: str


class StarPage(Schema):
    count: int
    page: int
    page_size: int
    by_stars: dict[str, int]
    items: list[StarHouseholdOut]


class StarsQuery(IncentivePageQuery, IncentiveAreaQuery):
    stars: int | None = Field(None, ge=1, le=5)


@router.get("/incentives/star-households", response=StarPage,
            summary="星级户: households with stars in the latest closed round holding them")
def star_households(request: HttpRequest, q: Query[StarsQuery]):
    permissions.require_view(request.user)
    area = _area(request, q)
    figures = queries.star_households(request.user, area)
    count, rows = _page(queries.star_household_scores(request.user, area, stars=q.stars), q)
    return StarPage(count=count, page=q.page, page_size=q.page_size,
                    by_stars={str(k): v for k, v in figures["by_stars"].items()},
                    items=[StarHouseholdOut(household=s.household_id, household_code=s.household.code,
                                            region=s.household.region.code, stars=s.stars, total=s.total,
                                            period=s.period_id, period_name=s.period.name) for s in rows])


# ------------------------------------------------------------------------------- the shops


class ShopItemOut(Schema):
    id: int
    name: str
    points: int
    value: Decimal = Field(description="yuan")
    stock: int
    active: bool


class ShopOut(Schema):
    id: int
    name: str
    region: str
    region_name: str
    items: list[ShopItemOut]


class ShopPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ShopOut]


def _shop(s: Shop) -> ShopOut:
    return ShopOut(id=s.pk, name=s.name, region=s.region.code, region_name=s.region.display_name, items=[
        ShopItemOut(id=i.pk, name=i.name, points=i.points, value=i.value, stock=i.stock, active=i.active)
        for i in s.items.all()])


@router.get("/incentives/shops", response=ShopPage, summary="Exchange shops in your area with their items and stock")
def shops(request: HttpRequest, q: Query[IncentivePageQuery]):
    permissions.require_view(request.user)
    count, rows = _page(queries.shops_for(request.user).prefetch_related("items").order_by("region__code", "name", "id"),
                        q)
    return ShopPage(count=count, page=q.page, page_size=q.page_size, items=[_shop(s) for s in rows])


@router.get("/incentives/shops/{shop_id}", response=ShopOut, summary="One exchange shop, its items and stock")
def shop(request: HttpRequest, shop_id: int):
    permissions.require_view(request.user)
    return _shop(queries.access_shop(request.user, shop_id))


class RedemptionOut(Schema):
    id: int
    request_uuid: str
    at: dt.datetime
    shop: int
    item: int
    item_name: str
    household: int
    household_code: str
    quantity: int
    points: int
    value: Decimal


class RedeemedOut(Schema):
    id: int
    request_uuid: str
    item: int
    quantity: int
    points: int
    value: Decimal
    balance: int


class RedemptionPage(Schema):
    count: int
    page: int
    page_size: int
    points: int
    value: Decimal
    items: list[RedemptionOut]


class RedemptionsQuery(IncentivePageQuery):
    shop: int | None = Field(None, ge=1, le=ID)
    household: int | None = Field(None, ge=1, le=ID)
    start: dt.date | None = Field(None, description="from this day (Beijing time)")
    end: dt.date | None = Field(None, description="to this day, included")


def _redemption(r: Redemption) -> RedemptionOut:
    return RedemptionOut(id=r.pk, request_uuid=str(r.request_uuid), at=r.at, shop=r.item.shop_id, item=r.item_id,
                         item_name=r.item.name, household=r.account.household_id,
                         household_code=r.account.household.code, quantity=r.quantity, points=r.points,
                         value=r.value)


@router.get("/incentives/redemptions", response=RedemptionPage,
            summary="Exchanges in your area, by shop, household and span")
def redemptions(request: HttpRequest, q: Query[RedemptionsQuery]):
    from django.db.models import Sum

    permissions.require_view(request.user)
    shop = queries.access_shop(request.user, q.shop) if q.shop else None
    household = queries.access_household(request.user, q.household) if q.household else None
    start, end = _day_bounds(q.start, q.end)
    qs = queries.redemptions_for(request.user, shop=shop, household=household, start=start, end=end)
    sums = qs.aggregate(points=Sum("points"), value=Sum("value"))
    count, rows = _page(qs, q)
    return RedemptionPage(count=count, page=q.page, page_size=q.page_size, points=int(sums["points"] or 0),
                          value=Decimal(sums["value"] or 0).quantize(Decimal("0.01")),
                          items=[_redemption(r) for r in rows])


class RedeemIn(Schema):
    item: int = Field(..., ge=1, le=ID)
    household: int = Field(..., ge=1, le=ID)
    quantity: int = Field(1, ge=1, le=100)
    request_uuid: UUID4


@router.post("/incentives/redemptions", response={200: RedeemedOut, 201: RedeemedOut},
             summary="Exchange points for an item (idempotent on request_uuid)",
             openapi_extra={"x-fengqiao-errors": [409]})
def redeem(request: HttpRequest, payload: RedeemIn):
    permissions.require_view(request.user)
    item = queries.access_item(request.user, payload.item)
    household = queries.access_household(request.user, payload.household)
    done = actions.redeem(actor=request.user, item=item, household=household, quantity=payload.quantity,
                          request_uuid=payload.request_uuid)
    r = done.redemption
    return Status(201 if done.created else 200, RedeemedOut(
        id=r.pk, request_uuid=str(r.request_uuid), item=r.item_id, quantity=r.quantity, points=r.points,
        value=r.value, balance=queries.balance_of(household)))


# ------------------------------------------------------------------------ lists, elections


class ListsQuery(Schema):
    village: str = Field(..., max_length=32)
    period: str = Field(..., min_length=1, max_length=20)


class ListRowOut(Schema):
    household: str
    reason: str


class ListsOut(Schema):
    red: list[ListRowOut]
    black: list[ListRowOut]


@router.get("/incentives/lists", response=ListsOut, summary="A village's red and black lists for a period")
def lists(request: HttpRequest, q: Query[ListsQuery]):
    permissions.require_view(request.user)
    village = visible_regions(request.user).filter(code=q.village, level="village").first()
    if village is None:
        raise Http404("no such village")
    rows = queries.lists_of(request.user, village=village, period=q.period)
    return ListsOut(**{kind: [ListRowOut(household=e.household.code, reason=e.reason) for e in entries]
                       for kind, entries in rows.items()})


class ElectionOut(Schema):
    id: int
    name: str
    kind: str = Field(description="grid_head, unit_head or household_head")
    kind_label: str
    region: str
    region_name: str
    starts_on: dt.date
    ends_on: dt.date
    seats: int
    status: str = Field(description="nominating or closed")
    nominees: int
    elected: int


class ElectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ElectionOut]


class ElectionsQuery(IncentivePageQuery):
    kind: Literal["", "grid_head", "unit_head", "household_head"] = ""
    status: Literal["", "nominating", "closed"] = ""


def _election(e: Election) -> ElectionOut:
    return ElectionOut(id=e.pk, name=e.name, kind=e.kind, kind_label=str(ElectionKind(e.kind).label),
                       region=e.region.code, region_name=e.region.display_name, starts_on=e.starts_on,
                       ends_on=e.ends_on, seats=e.seats, status=e.status, nominees=getattr(e, "n_nominees", 0),
                       elected=getattr(e, "n_elected", 0))


@router.get("/incentives/elections", response=ElectionPage,
            summary="Elections of excellent grid heads, unit heads and household heads in your area")
def elections(request: HttpRequest, q: Query[ElectionsQuery]):
    permissions.require_view(request.user)
    qs = queries.elections_for(request.user).annotate(
        n_nominees=Count("nominees"), n_elected=Count("nominees", filter=Q(nominees__elected=True)))
    if q.kind:
        qs = qs.filter(kind=q.kind)
    if q.status:
        qs = qs.filter(status=q.status)
    count, rows = _page(qs.order_by("-starts_on", "name", "id"), q)
    return ElectionPage(count=count, page=q.page, page_size=q.page_size, items=[_election(e) for e in rows])


class NomineeOut(Schema):
    person: str
    figures: dict[str, Any]
    votes: int
    elected: bool


class ElectionDetail(Schema):
    name: str
    kind: str
    status: str
    seats: int
    nominees: list[NomineeOut]


@router.get("/incentives/elections/{election_id}", response=ElectionDetail,
            summary="An election with the figures behind each nominee")
def election(request: HttpRequest, election_id: int):
    permissions.require_view(request.user)
    e = queries.access_election(request.user, election_id)
    return ElectionDetail(name=e.name, kind=e.kind, status=e.status, seats=e.seats, nominees=[
        NomineeOut(person=n.person.name, figures=n.figures, votes=n.votes, elected=n.elected)
        for n in queries.nominees_of(e)])


# --------------------------------------------------------------------------------- figures


class FiguresQuery(IncentiveAreaQuery):
    part: Literal["all"] = "all"


@router.get("/incentives/figures", summary="Star households, exchanges, value of rewards, the elected")
def figures(request: HttpRequest, q: Query[FiguresQuery]):
    permissions.require_view(request.user)
    area = _area(request, q)
    r = queries.redemptions(request.user, area)
    return {"stars": queries.star_households(request.user, area),
            "redemptions": {**r, "value": str(r["value"])}, "points": queries.points_totals(request.user, area),
            "elected": queries.elected_counts(request.user)}

