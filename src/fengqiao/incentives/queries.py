"""Reads of the incentive scheme: scope (the households, shops, lists and elections under the
user's posts; 404 outside), the ledger and its reconciliation, the lists, and the figures the
command centre shows (star households, redemptions, value of rewards).

Accounts and scores are scoped through their household (`grid.queries.scoped`); shops, lists,
periods and elections carry the ancestor columns of their region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404

from fengqiao.grid import queries as grid_queries
from fengqiao.grid.models import Household
from fengqiao.incentives.models import (
    Account,
    Election,
    Entry,
    ListEntry,
    Nominee,
    PeriodStatus,
    Redemption,
    Score,
    ScoringPeriod,
    Shop,
    ShopItem,
)
from fengqiao.people.queries import REGIONAL_ROLES, posts_of
from fengqiao.regions.models import Region
from fengqiao.workflow.scope import record_id as _pk
from fengqiao.workflow.scope import region_scope_q


def scoped(user, queryset: QuerySet) -> QuerySet:
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    q = region_scope_q(user, roles=set(REGIONAL_ROLES))
    return queryset if q is None else queryset.filter(q)




def _get(qs: QuerySet, pk: Any):
    row = qs.filter(pk=_pk(pk)).first()
    if row is None:
        raise Http404("not found")
    return row


def visible_households(user) -> QuerySet[Household]:
    return grid_queries.scoped(user, Household.objects.all())


def access_household(user, pk: Any) -> Household:
    return grid_queries.access_household(user, pk)


def access_shop(user, pk: Any) -> Shop:
    return _get(scoped(user, Shop.objects.select_related("region")), pk)


def access_item(user, pk: Any) -> ShopItem:
    return _get(ShopItem.objects.filter(shop__in=scoped(user, Shop.objects.all())).select_related("shop__region"), pk)


def _periods_scoped(user, queryset: QuerySet[ScoringPeriod]) -> QuerySet[ScoringPeriod]:
    """Scoring periods under the user's posts, and those held over them: a village's round of
    scoring is the grid's too (its workers score their households in it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    q = region_scope_q(user, roles=set(REGIONAL_ROLES))
    if q is None:
        return queryset
    above: set[int] = set()
    for post in posts_of(user):
        if post.role in REGIONAL_ROLES:
            above |= {pk for pk in post.region.ancestor_ids().values() if pk}
    return queryset.filter(q | Q(region_id__in=sorted(above)))


def access_period(user, pk: Any) -> ScoringPeriod:
    return _get(_periods_scoped(user, ScoringPeriod.objects.select_related("region", "rubric")), pk)


def access_election(user, pk: Any) -> Election:
    return _get(scoped(user, Election.objects.select_related("region")), pk)


def access_nominee(user, pk: Any) -> Nominee:
    return _get(Nominee.objects.filter(election__in=scoped(user, Election.objects.all()))
                .select_related("election__region", "person"), pk)


def shops_for(user) -> QuerySet[Shop]:
    return scoped(user, Shop.objects.filter(active=True)).select_related("region")


def periods_for(user) -> QuerySet[ScoringPeriod]:
    return _periods_scoped(user, ScoringPeriod.objects.all()).select_related("region", "rubric")


def elections_for(user) -> QuerySet[Election]:
    return scoped(user, Election.objects.all()).select_related("region")


# ---------------------------------------------------------------------------- ledger


def balance_of(household: Household) -> int:
    """The balance as the ledger says (the sum of the entries), never the cache alone."""
    return int(Entry.objects.filter(account__household=household).aggregate(s=Sum("amount"))["s"] or 0)


def ledger(household: Household) -> QuerySet[Entry]:
    return Entry.objects.filter(account__household=household).select_related("rule").order_by("-at", "-id")


@dataclass
class Mismatch:
    account: Account
    cached: int
    summed: int


def reconcile(accounts: QuerySet[Account] | None = None) -> list[Mismatch]:
    """Accounts whose cached balance differs from the sum of their entries (none, unless a
    write went round the actions), and entries whose running balance does not follow."""
    qs = (accounts if accounts is not None else Account.objects.all()).annotate(summed=Sum("entries__amount"))
    out = []
    for account in qs.select_related("household"):
        summed = int(account.summed or 0)
        if summed != account.balance:
            out.append(Mismatch(account=account, cached=account.balance, summed=summed))
    return out


def running_balance_ok(account: Account) -> bool:
    """Every entry's `balance_after` is the sum of the entries up to it."""
    total = 0
    for amount, after in account.entries.order_by("id").values_list("amount", "balance_after"):
        total += amount
        if total != after:
            return False
    return True


# -------------------------------------------------------------------------- lists


def lists_of(user, *, village: Region, period: str) -> dict[str, list[ListEntry]]:
    rows = (scoped(user, ListEntry.objects.filter(village=village, period=period))
            .select_related("household").order_by("kind", "id"))
    out: dict[str, list[ListEntry]] = {"red": [], "black": []}
    for r in rows:
        out[r.kind].append(r)
    return out


def list_periods(user, village: Region) -> list[str]:
    return list(scoped(user, ListEntry.objects.filter(village=village)).values_list("period", flat=True)
                .distinct().order_by("-period"))


# -------------------------------------------------------------------------- figures


def latest_closed_scores(user, area: grid_queries.Area | None = None) -> QuerySet[Score]:
    """Each household's score in the latest closed period holding it (in scope, in the area)."""
    latest = (Score.objects.filter(household=OuterRef("household"), period__status=PeriodStatus.CLOSED)
              .order_by("-period__starts_on", "-period_id").values("pk")[:1])
    return (Score.objects.filter(period__status=PeriodStatus.CLOSED,
                                 household__in=grid_queries.in_area(user, Household.objects.all(), area))
            .annotate(latest=Subquery(latest)).filter(pk=F("latest")))


def star_household_scores(user, area: grid_queries.Area | None = None, *, stars: int | None = None
                          ) -> QuerySet[Score]:
    """星级户 one by one: the households the figure counts, most stars first."""
    qs = latest_closed_scores(user, area).filter(stars__gt=0)
    if stars is not None:
        qs = qs.filter(stars=stars)
    return qs.select_related("household__region", "period").order_by("-stars", "-total", "household__code")


def redemptions_for(user, *, shop: Shop | None = None, household: Household | None = None,
                    start: dt.datetime | None = None, end: dt.datetime | None = None) -> QuerySet[Redemption]:
    """Exchanges of the households in the user's scope, newest first; by shop, household, span."""
    qs = Redemption.objects.filter(account__household__in=visible_households(user))
    if shop is not None:
        qs = qs.filter(item__shop=shop)
    if household is not None:
        qs = qs.filter(account__household=household)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    return qs.select_related("item__shop", "account__household").order_by("-at", "-id")


def star_households(user, area: grid_queries.Area | None = None) -> dict[str, Any]:
    """星级户: households whose score in the latest closed period holding them has a star
    (seed 004: 9,701), by stars."""
    scores = Score.objects.filter(period__status=PeriodStatus.CLOSED,
                                  household__in=grid_queries.in_area(user, Household.objects.all(), area))
    latest: dict[int, tuple[dt.date, int]] = {}
    for household_id, starts_on, stars in scores.values_list("household_id", "period__starts_on", "stars"):
        if household_id not in latest or starts_on > latest[household_id][0]:
            latest[household_id] = (starts_on, stars)
    by_stars: dict[int, int] = {}
    for _start, stars in latest.values():
        if stars:
            by_stars[stars] = by_stars.get(stars, 0) + 1
    return {"star_households": sum(by_stars.values()), "by_stars": dict(sorted(by_stars.items())),
            "scored": len(latest)}


def redemptions(user, area: grid_queries.Area | None = None, *, start: dt.datetime | None = None,
                end: dt.datetime | None = None) -> dict[str, Any]:
    """Redemptions in the shops, the points spent and the value of the rewards handed out
    (seed 004: ¥3,520,900)."""
    qs = Redemption.objects.filter(account__household__in=grid_queries.in_area(user, Household.objects.all(), area))
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    row = qs.aggregate(n=Count("pk"), items=Sum("quantity"), points=Sum("points"), value=Sum("value"))
    return {"redemptions": row["n"], "items": int(row["items"] or 0), "points": int(row["points"] or 0),
            "value": Decimal(row["value"] or 0).quantize(Decimal("0.01"))}


def elected_counts(user) -> dict[str, int]:
    """Excellent grid heads, unit heads and household heads elected (seed 004: 288 / 1,198 / 2,802)."""
    rows = (Nominee.objects.filter(elected=True, election__in=scoped(user, Election.objects.all()))
            .values("election__kind").annotate(n=Count("person", distinct=True)))
    return {r["election__kind"]: r["n"] for r in rows}


def points_totals(user, area: grid_queries.Area | None = None) -> dict[str, int]:
    accounts = Account.objects.filter(household__in=grid_queries.in_area(user, Household.objects.all(), area))
    row = accounts.aggregate(balance=Sum("balance"), earned=Sum("earned"), spent=Sum("spent"), n=Count("pk"))
    return {k: int(v or 0) for k, v in row.items()}


def nominees_of(election: Election) -> QuerySet[Nominee]:
    return election.nominees.select_related("person", "appointment__region").order_by("-elected", "-votes", "id")


def households_with_stars(user, period: ScoringPeriod) -> QuerySet[Score]:
    return (Score.objects.filter(period=period, household__in=grid_queries.scoped(user, Household.objects.all()))
            .select_related("household").order_by("-total", "household__code"))


