"""Every write of the incentive scheme: keyword-only functions with a required actor, one
durable transaction each, an audit row on the household's points stream (`points:<account>`)
or the scheme's (`incentives`).

The ledger: an entry and the account's cached balance change together under the account's row
lock (`select_for_update`), and a deduction or a spend that would take the balance below zero is
refused — the database's check constraints refuse it too, should code ever forget. A redemption
locks the account, then the item (always in that order, so two never deadlock), checks the
stock and the balance, writes one spend entry, takes the stock, and is recorded once per request
id (the shop page makes one per form; a repeat answers with the first).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.audit import chain as audit
from fengqiao.grid.models import Appointment, GridRole, Household
from fengqiao.incentives import permissions as perms
from fengqiao.incentives.models import (
    Account,
    Election,
    ElectionKind,
    ElectionStatus,
    Entry,
    EntryKind,
    ListEntry,
    ListKind,
    Nominee,
    PeriodStatus,
    Redemption,
    Rubric,
    RubricItem,
    Rule,
    Score,
    ScoreLine,
    ScoringPeriod,
    Shop,
    ShopItem,
    StarThreshold,
)
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput
from fengqiao.lib.inputs import form_text as _text
from fengqiao.regions.models import Level, Region
from fengqiao.workflow.machine import Machine, Move
from fengqiao.workflow.scope import file_under
from fengqiao.workflow.transition import Step, Workflow, create, perform, register

STREAM = "incentives"
RUBRIC_TOTAL = 100


def _stream(account: Account) -> str:
    return f"points:{account.pk}"




def _int(value: Any, field: str, *, low: int, high: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give a whole number."), field=field) from None
    if not low <= n <= high:
        raise InvalidInput(_("Give a number from %(a)d to %(b)d.") % {"a": low, "b": high}, field=field)
    return n


# ---------------------------------------------------------------------------- workflows

PERIOD_MACHINE = Machine(
    "scoring",
    moves={"close": Move(frozenset({PeriodStatus.OPEN}), PeriodStatus.CLOSED, gettext_lazy("Close and publish"))},
    state_label=lambda s: PeriodStatus(s).label if s in PeriodStatus.values else s,
    record_labels={"register": gettext_lazy("Scoring opened")},
    noun=gettext_lazy("scoring period"),
)
ELECTION_MACHINE = Machine(
    "election",
    moves={"close": Move(frozenset({ElectionStatus.NOMINATING}), ElectionStatus.CLOSED,
                         gettext_lazy("Declare the elected"))},
    state_label=lambda s: ElectionStatus(s).label if s in ElectionStatus.values else s,
    record_labels={"register": gettext_lazy("Election opened")},
    noun=gettext_lazy("election"),
)

PERIOD_WORKFLOW = register(Workflow(
    machine=PERIOD_MACHINE, model=ScoringPeriod,
    require=lambda actor, period, action: perms.require_run_lists(actor, period.region),
    stream=lambda p: f"scoring:{p.pk}",
))
ELECTION_WORKFLOW = register(Workflow(
    machine=ELECTION_MACHINE, model=Election,
    require=lambda actor, election, action: perms.require_run_lists(actor, election.region),
    stream=lambda e: f"election:{e.pk}",
))


# ------------------------------------------------------------------------------ ledger


def _account_locked(household: Household) -> Account:
    """The household's account, locked for this transaction (made on first use)."""
    account = Account.objects.select_for_update().filter(household=household).first()
    if account is None:
        try:
            with transaction.atomic():
                Account.objects.create(household=household)
        except IntegrityError:
            pass  # made by a concurrent first use
        account = Account.objects.select_for_update().get(household=household)
    return account


def _post(account: Account, *, amount: int, kind: str, reason: str, actor, rule: Rule | None = None) -> Entry:
    """One entry on a locked account, its cached totals with it."""
    new_balance = account.balance + amount
    if new_balance < 0:
        raise Conflict(_("%(h)s has %(b)d points; %(n)d cannot be taken.")
                       % {"h": account.household.code, "b": account.balance, "n": -amount},
                       code="insufficient_points")
    now = clock.now()
    entry = Entry.objects.create(account=account, kind=kind, amount=amount, rule=rule, reason=reason,
                                 balance_after=new_balance, by=actor if getattr(actor, "pk", None) else None,
                                 by_name=audit.name_of(actor)[:50], at=now)
    account.balance = new_balance
    if amount > 0:
        account.earned += amount
    elif kind == EntryKind.SPEND:
        account.spent += -amount
    account.updated_at = now
    account.save(update_fields=["balance", "earned", "spent", "updated_at"])
    audit.record(stream=_stream(account), action=f"points_{kind}", actor=actor, note=reason[:200],
                 details={"entry": entry.pk, "amount": amount, "rule": rule.code if rule else None,
                          "balance": new_balance})
    return entry


def points_apply(*, actor, household: Household, rule: Rule, reason: str, times: Any = 1) -> Entry:
    """积分 / 扣分: apply an incentive rule to a household (earn its points, or lose them)."""
    perms.require_give_points(actor, household.region)
    if not rule.active:
        raise InvalidInput(_("The rule “%(r)s” is no longer in force.") % {"r": rule.name}, field="rule")
    n = _int(times, "times", low=1, high=20)
    reason = _text(reason, "reason", max_length=300, required=True)
    with transaction.atomic(durable=True):
        account = _account_locked(household)
        return _post(account, amount=rule.points * n, kind=EntryKind.EARN if rule.points > 0 else EntryKind.DEDUCT,
                     reason=reason, actor=actor, rule=rule)


# ----------------------------------------------------------------------------- the shop


@dataclass
class Redeemed:
    redemption: Redemption
    created: bool


def redeem(*, actor, item: ShopItem, household: Household, quantity: Any, request_uuid: Any) -> Redeemed:
    """兑换: spend points on an item of the shop. Atomic: never a negative balance, never below
    zero stock, never twice for one request."""
    perms.require_keep_shop(actor, item.shop.region)
    try:
        key = uuidlib.UUID(str(request_uuid))
    except (TypeError, ValueError, AttributeError):
        raise InvalidInput(_("The request id is not a UUID."), field="request_uuid") from None
    n = _int(quantity, "quantity", low=1, high=100)
    earlier = Redemption.objects.filter(request_uuid=key).select_related("item", "account").first()
    if earlier is not None:
        if earlier.item_id != item.pk or earlier.account.household_id != household.pk:
            raise Conflict(_("This request id was used for another exchange."), code="uuid_taken")
        return Redeemed(earlier, created=False)
    shop_region = item.shop.region
    if not shop_region.is_ancestor_of(household.region):
        raise InvalidInput(_("%(h)s is not served by %(s)s.") % {"h": household.code, "s": item.shop.name},
                           field="household")
    try:
        with transaction.atomic(durable=True):
            account = _account_locked(household)  # account first, then the item: one order
            locked = ShopItem.objects.select_for_update().get(pk=item.pk)
            if not locked.active:
                raise Conflict(_("“%(i)s” is no longer offered.") % {"i": locked.name}, code="not_offered")
            if locked.stock < n:
                raise Conflict(_("Only %(s)d of “%(i)s” left.") % {"s": locked.stock, "i": locked.name},
                               code="out_of_stock")
            cost = locked.points * n
            entry = _post(account, amount=-cost, kind=EntryKind.SPEND, actor=actor,
                          reason=_("Exchanged %(n)d × %(i)s") % {"n": n, "i": locked.name})
            ShopItem.objects.filter(pk=locked.pk).update(stock=F("stock") - n)
            redemption = Redemption.objects.create(
                request_uuid=key, account=account, item=locked, quantity=n, points=cost,
                value=locked.value * n, entry=entry, by=actor if getattr(actor, "pk", None) else None,
                at=clock.now())
    except IntegrityError:
        winner = Redemption.objects.filter(request_uuid=key).first()
        if winner is None:
            raise
        return Redeemed(winner, created=False)
    return Redeemed(redemption, created=True)


def shop_create(*, actor, region: Region, name: str) -> Shop:
    if region.level not in (Level.TOWN, Level.VILLAGE):
        raise InvalidInput(_("A shop belongs to a town or a village."), field="region")
    perms.require_keep_shop(actor, region)
    with transaction.atomic(durable=True):
        shop = Shop(name=_text(name, "name", max_length=60, required=True))
        file_under(shop, region)
        shop.save()
        audit.record(stream=STREAM, action="shop_create", actor=actor, note=shop.name, details={"shop": shop.pk})
    return shop


def item_save(*, actor, shop: Shop, item: ShopItem | None, name: str, points: Any, value: Any,
              add_stock: Any = 0, active: bool = True) -> ShopItem:
    """Offer an item or change it; `add_stock` is stock received (never set over the count)."""
    perms.require_keep_shop(actor, shop.region)
    cost = _int(points, "points", low=1, high=100_000)
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give the value in yuan."), field="value") from None
    if not Decimal(0) <= price <= Decimal(100_000):
        raise InvalidInput(_("Give the value in yuan."), field="value")
    received = _int(add_stock or 0, "add_stock", low=0, high=100_000)
    with transaction.atomic(durable=True):
        if item is None:
            item = ShopItem.objects.create(shop=shop, name=_text(name, "name", max_length=60, required=True),
                                           points=cost, value=price, stock=received, active=active)
        else:
            item = ShopItem.objects.select_for_update().get(pk=item.pk, shop=shop)
            item.name = _text(name, "name", max_length=60, required=True)
            item.points, item.value, item.active = cost, price, active
            item.save(update_fields=["name", "points", "value", "active"])
            if received:
                ShopItem.objects.filter(pk=item.pk).update(stock=F("stock") + received)
                item.refresh_from_db(fields=["stock"])
        audit.record(stream=STREAM, action="shop_item", actor=actor, note=item.name,
                     details={"item": item.pk, "points": cost, "received": received})
    return item


# ----------------------------------------------------------------------- rules, rubric


def rule_save(*, actor, rule: Rule | None, code: str, name: str, points: Any, description: str = "",
              order: Any = 0, active: bool = True) -> Rule:
    perms.require_keep_rules(actor)
    value = _int(points, "points", low=-1000, high=1000)
    if value == 0:
        raise InvalidInput(_("A rule gives or takes at least one point."), field="points")
    code = _text(code, "code", max_length=32, required=True)
    with transaction.atomic(durable=True):
        taken = Rule.objects.filter(code=code)
        if rule is not None:
            taken = taken.exclude(pk=rule.pk)
        if taken.exists():
            raise InvalidInput(_("Rule %(c)s exists already.") % {"c": code}, code="duplicate", field="code")
        rule = rule or Rule()
        rule.code, rule.name, rule.points = code, _text(name, "name", max_length=100, required=True), value
        rule.description = _text(description, "description", max_length=300)
        rule.order, rule.active = _int(order or 0, "order", low=0, high=999), active
        rule.save()
        audit.record(stream=STREAM, action="rule", actor=actor, note=rule.name,
                     details={"rule": rule.code, "points": value, "active": active})
    return rule


def rubric_save(*, actor, rubric: Rubric | None, name: str, items: Sequence[tuple[str, str, Any]]) -> Rubric:
    """The 六好六无 rubric: (group, text, points) items adding up to 100. Items of a rubric
    already used for scoring are kept (scores name them); a changed rubric is a new one."""
    perms.require_keep_rules(actor)
    clean = []
    for group, text, points in items:
        if group not in ("good", "none"):
            raise InvalidInput(_("Each item is one of the six goods or the six nones."), field="items")
        clean.append((group, _text(text, "items", max_length=100, required=True),
                      _int(points, "items", low=1, high=100)))
    total = sum(p for _g, _t, p in clean)
    if total != RUBRIC_TOTAL:
        raise InvalidInput(_("The items add up to %(t)d points, not %(n)d.") % {"t": total, "n": RUBRIC_TOTAL},
                           field="items")
    with transaction.atomic(durable=True):
        if rubric is not None and ScoringPeriod.objects.filter(rubric=rubric).exists():
            raise Conflict(_("This rubric has been used for scoring: make a new one."), code="rubric_used")
        if rubric is None:
            rubric = Rubric.objects.create(name=_text(name, "name", max_length=60, required=True))
        else:
            rubric.name = _text(name, "name", max_length=60, required=True)
            rubric.save(update_fields=["name"])
            rubric.items.all().delete()
        RubricItem.objects.bulk_create([RubricItem(rubric=rubric, group=g, text=t, points=p, order=i)
                                        for i, (g, t, p) in enumerate(clean)])
        audit.record(stream=STREAM, action="rubric", actor=actor, note=rubric.name,
                     details={"rubric": rubric.pk, "items": len(clean)})
    return rubric


def thresholds_save(*, actor, thresholds: Mapping[Any, Any]) -> list[StarThreshold]:
    """Stars by score: {stars: lowest score}; more stars need a higher score."""
    perms.require_keep_rules(actor)
    pairs = sorted((_int(s, "stars", low=1, high=5), _int(m, "min_score", low=0, high=100))
                   for s, m in thresholds.items())
    for (_s1, m1), (_s2, m2) in zip(pairs, pairs[1:], strict=False):
        if m2 <= m1:
            raise InvalidInput(_("More stars need a higher score."), field="min_score")
    with transaction.atomic(durable=True):
        StarThreshold.objects.all().delete()
        rows = StarThreshold.objects.bulk_create([StarThreshold(stars=s, min_score=m) for s, m in pairs])
        audit.record(stream=STREAM, action="stars", actor=actor, details={"thresholds": dict(pairs)})
    return rows


def stars_for(total: int, thresholds: Sequence[StarThreshold] | None = None) -> int:
    rows = list(thresholds if thresholds is not None else StarThreshold.objects.all())
    reached = [t.stars for t in rows if total >= t.min_score]
    return max(reached) if reached else 0


# ------------------------------------------------------------------------------ scoring


def period_open(*, actor, region: Region, rubric: Rubric, name: str, starts_on: dt.date,
                ends_on: dt.date) -> ScoringPeriod:
    if region.level not in (Level.COUNTY, Level.TOWN, Level.VILLAGE):
        raise InvalidInput(_("Scoring is held by a county, a town or a village."), field="region")
    perms.require_run_lists(actor, region)
    if ends_on < starts_on:
        raise InvalidInput(_("The period ends before it starts."), field="ends_on")
    if not rubric.active or sum(rubric.items.values_list("points", flat=True)) != RUBRIC_TOTAL:
        raise InvalidInput(_("Choose a rubric of 100 points."), field="rubric")
    now = clock.now()
    with transaction.atomic(durable=True):
        period = ScoringPeriod(name=_text(name, "name", max_length=60, required=True), rubric=rubric,
                               starts_on=starts_on, ends_on=ends_on, created_at=now, updated_at=now)
        file_under(period, region)
        return create(PERIOD_WORKFLOW, period, actor=actor, note=period.name)


def household_score(*, actor, period: ScoringPeriod, household: Household, points: Mapping[Any, Any]) -> Score:
    """Score a household on the period's rubric (every item, 0 to its points); the stars follow
    from the thresholds. Scoring again while the period is open replaces the score."""
    perms.require_score(actor, household.region)
    if not period.region.is_ancestor_of(household.region):
        raise InvalidInput(_("%(h)s is not scored in %(p)s.") % {"h": household.code, "p": period.name},
                           field="household")
    items = list(period.rubric.items.all())
    given: dict[int, int] = {}
    for k, v in points.items():
        # Whole numbers only: 7.5 is not cut to 7, nor true taken for 1.
        whole = (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and v.strip().isdigit())
        try:
            if not whole:
                raise ValueError(v)
            given[int(k)] = int(v)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput(_("Give whole points for each item."), field="points") from None
    if set(given) != {i.pk for i in items}:
        raise InvalidInput(_("Score every item of the rubric."), field="points")
    for item in items:
        if not 0 <= given[item.pk] <= item.points:
            raise InvalidInput(_("“%(i)s” takes 0 to %(n)d points.") % {"i": item.text, "n": item.points},
                               field="points")
    total = sum(given.values())
    with transaction.atomic(durable=True):
        locked = ScoringPeriod.objects.select_for_update().get(pk=period.pk)
        if locked.status != PeriodStatus.OPEN:
            raise Conflict(_("%(p)s is closed.") % {"p": locked.name}, code="period_closed")
        stars = stars_for(total)
        score, made = Score.objects.update_or_create(
            period=locked, household=household,
            defaults={"total": total, "stars": stars, "by": actor if getattr(actor, "pk", None) else None,
                      "at": clock.now()})
        if not made:
            score.lines.all().delete()
        ScoreLine.objects.bulk_create([ScoreLine(score=score, item=i, points=given[i.pk]) for i in items])
        audit.record(stream=f"scoring:{locked.pk}", action="score", actor=actor, note=household.code,
                     details={"household": household.pk, "total": total, "stars": stars})
    return score


def period_close(*, actor, period: ScoringPeriod) -> ScoringPeriod:
    def body(locked: ScoringPeriod, step: Step) -> None:
        locked.updated_at = clock.now()
        step.fields.add("updated_at")
        step.details = {"scores": locked.scores.count(), "stars": locked.scores.filter(stars__gt=0).count()}

    return perform(PERIOD_WORKFLOW, period, actor=actor, action="close", body=body)


# ------------------------------------------------------------------------ red/black lists


def list_add(*, actor, village: Region, period: str, kind: str, household: Household, reason: str) -> ListEntry:
    """Put a household on the village's red or black list (红黑榜) for a period."""
    if village.level != Level.VILLAGE:
        raise InvalidInput(_("Lists are published by a village."), field="village")
    perms.require_run_lists(actor, village)
    if kind not in ListKind.values:
        raise InvalidInput(_("Choose the red or the black list."), field="kind")
    if household.village_id != village.pk:
        raise InvalidInput(_("%(h)s is not a household of %(v)s.") % {"h": household.code, "v": village.name},
                           field="household")
    period = _text(period, "period", max_length=20, required=True)
    reason = _text(reason, "reason", max_length=200, required=True)
    with transaction.atomic(durable=True):
        entry = ListEntry(period=period, kind=kind, household=household, reason=reason,
                          by=actor if getattr(actor, "pk", None) else None, at=clock.now())
        file_under(entry, village)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            raise InvalidInput(_("%(h)s is on this period's list already.") % {"h": household.code},
                               code="duplicate", field="household") from None
        audit.record(stream=STREAM, action=f"list_{kind}", actor=actor, note=reason,
                     details={"entry": entry.pk, "household": household.pk, "period": period})
    return entry


# ---------------------------------------------------------------------------- elections

ELECTION_ROLE = {
    ElectionKind.GRID_HEAD: GridRole.GRID_HEAD,
    ElectionKind.UNIT_HEAD: GridRole.UNIT_HEAD,
    ElectionKind.HOUSEHOLD_HEAD: GridRole.HOUSEHOLD_HEAD,
}


def election_open(*, actor, region: Region, kind: str, name: str, starts_on: dt.date, ends_on: dt.date,
                  seats: Any) -> Election:
    if region.level not in (Level.COUNTY, Level.TOWN):
        raise InvalidInput(_("Elections are held by the county or a town."), field="region")
    perms.require_run_lists(actor, region)
    if kind not in ElectionKind.values:
        raise InvalidInput(_("Choose what is elected."), field="kind")
    if ends_on < starts_on:
        raise InvalidInput(_("The period ends before it starts."), field="ends_on")
    now = clock.now()
    with transaction.atomic(durable=True):
        election = Election(name=_text(name, "name", max_length=80, required=True), kind=kind, starts_on=starts_on,
                            ends_on=ends_on, seats=_int(seats, "seats", low=1, high=10_000),
                            created_at=now, updated_at=now)
        file_under(election, region)
        return create(ELECTION_WORKFLOW, election, actor=actor, note=election.name)


def nominee_figures(election: Election, appointment: Appointment) -> dict[str, Any]:
    """The figures behind a nominee over the election's period: for a grid or unit head, the
    visits, households, demands raised and solved and hazards found in their grid; for a
    household head, the household's points earned and its latest score and stars."""
    from django.db.models import Sum
    from django.utils import timezone

    from fengqiao.grid import queries as grid_queries

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(election.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(election.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    if election.kind == ElectionKind.HOUSEHOLD_HEAD:
        household = appointment.household
        earned = Entry.objects.filter(account__household=household, amount__gt=0, at__gte=start, at__lt=end
                                      ).aggregate(s=Sum("amount"))["s"] or 0
        score = Score.objects.filter(household=household).order_by("-period__starts_on").first()
        return {"points_earned": int(earned), "score": score.total if score else None,
                "stars": score.stars if score else 0}
    figures = grid_queries.area_figures(appointment.region, start=start, end=end)
    figures.update(grid_queries.worker_figures(appointment.person, start=start, end=end))
    return figures


def nominate(*, actor, election: Election, appointment: Appointment) -> Nominee:
    perms.require_run_lists(actor, election.region)
    if election.status != ElectionStatus.NOMINATING:
        raise Conflict(_("Nominations are closed."), code="closed")
    if appointment.role != ELECTION_ROLE[ElectionKind(election.kind)] or not appointment.active:
        raise InvalidInput(_("%(p)s does not hold the post this election is for.") % {"p": appointment.person.name},
                           field="appointment")
    if not election.region.is_ancestor_of(appointment.region):
        raise InvalidInput(_("%(p)s works outside %(r)s.") % {"p": appointment.person.name,
                                                              "r": election.region.name}, field="appointment")
    figures = nominee_figures(election, appointment)
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                nominee = Nominee.objects.create(election=election, person=appointment.person,
                                                 appointment=appointment, figures=figures, nominated_at=clock.now())
        except IntegrityError:
            raise InvalidInput(_("%(p)s is nominated already.") % {"p": appointment.person.name},
                               code="duplicate", field="appointment") from None
        audit.record(stream=f"election:{election.pk}", action="nominate", actor=actor,
                     note=appointment.person.name, details={"nominee": nominee.pk, "figures": figures})
    return nominee


def votes_record(*, actor, nominee: Nominee, votes: Any) -> Nominee:
    election = nominee.election
    perms.require_run_lists(actor, election.region)
    n = _int(votes, "votes", low=0, high=1_000_000)
    with transaction.atomic(durable=True):
        locked = Election.objects.select_for_update().get(pk=election.pk)
        if locked.status != ElectionStatus.NOMINATING:
            raise Conflict(_("The election is closed."), code="closed")
        Nominee.objects.filter(pk=nominee.pk).update(votes=n)
        audit.record(stream=f"election:{election.pk}", action="votes", actor=actor, note=nominee.person.name,
                     details={"nominee": nominee.pk, "votes": n})
    nominee.votes = n
    return nominee


def election_close(*, actor, election: Election) -> Election:
    """Declare the elected: the most votes, up to the seats (ties at the last seat all in)."""

    def body(locked: Election, step: Step) -> None:
        nominees = list(locked.nominees.order_by("-votes", "id"))
        chosen = nominees[: locked.seats]
        if chosen:
            last = chosen[-1].votes
            chosen += [n for n in nominees[locked.seats:] if n.votes == last]
        chosen = [n for n in chosen if n.votes > 0]
        Nominee.objects.filter(pk__in=[n.pk for n in chosen]).update(elected=True)
        locked.updated_at = clock.now()
        step.fields.add("updated_at")
        step.details = {"elected": [n.person_id for n in chosen]}

    return perform(ELECTION_WORKFLOW, election, actor=actor, action="close", body=body)
