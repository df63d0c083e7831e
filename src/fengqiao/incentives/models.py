"""The incentive scheme (共建共享激励评价, seed 004): a points ledger per household (信用积分)
under the admin's rules, the "六好六无" 100-point rubric scored each period with star ratings
(星级户), exchange shops (积分兑换超市) with stock and redemptions, red and black lists (红黑榜),
and elections of excellent grid heads, unit heads and household heads.

The ledger is the truth: a household's balance is the sum of its entries. `Account.balance` is
a cache kept in the same transaction as each entry and checked against the sum
(`queries.reconcile`); a database constraint keeps it from going below zero, and another keeps
every item's stock from going below zero.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.lib import clock


def _ancestor():
    return models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_index=True)


class Filed(models.Model):
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()

    class Meta:
        abstract = True


class Rule(models.Model):
    """An incentive measure (seed 004: 14 of them): points earned (positive) or deducted
    (negative) when it applies."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    points = models.IntegerField(_("points"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("incentive rule")
        verbose_name_plural = _("incentive rules")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0) & Q(points__gte=-1000, points__lte=1000),
                                   name="incentive_rule_points_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"


class Account(models.Model):
    """A household's points account. `balance`, `earned` and `spent` are caches of the entries."""

    household = models.OneToOneField("grid.Household", on_delete=models.PROTECT, related_name="points_account",
                                     verbose_name=_("household"))
    balance = models.IntegerField(_("balance"), default=0)
    earned = models.IntegerField(_("earned"), default=0)
    spent = models.IntegerField(_("spent"), default=0)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="incentive_balance_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")  # 积分
    DEDUCT = "deduct", _("Deducted")  # 扣分
    SPEND = "spend", _("Spent in the shop")  # 兑换


class Entry(models.Model):
    """One line of the ledger: who gave or took how many points, by which rule, why, when."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    amount = models.IntegerField(_("points"))  # signed: + earned, − deducted or spent
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                             verbose_name=pgettext_lazy("incentive", "rule"))
    reason = models.CharField(_("reason"), max_length=300)
    balance_after = models.IntegerField(_("balance after"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(_("by"), max_length=50)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="incentive_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="incentive_entry_balance_after"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason}"


# ------------------------------------------------------------------------ rubric, stars


class Rubric(models.Model):
    """The "六好六无" standard: items with their points, 100 in all."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return self.name


class ItemGroup(models.TextChoices):
    GOOD = "good", _("Six goods")  # 六好
    NONE = "none", _("Six nones")  # 六无


class RubricItem(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    group = models.CharField(_("group"), max_length=4, choices=ItemGroup.choices)
    text = models.CharField(_("item"), max_length=100)
    points = models.PositiveSmallIntegerField(_("points"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["rubric_id", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gte=1, points__lte=100),
                                              name="incentive_rubric_item_points")]

    def __str__(self) -> str:
        return f"{self.text} ({self.points})"


class StarThreshold(models.Model):
    """A star rating from a score: the highest threshold a household's score reaches."""

    stars = models.PositiveSmallIntegerField(_("stars"), unique=True)
    min_score = models.PositiveSmallIntegerField(_("from score"))

    class Meta:
        verbose_name = _("star threshold")
        verbose_name_plural = _("star thresholds")
        ordering = ["stars"]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5, min_score__lte=100),
                                              name="incentive_star_bounds")]

    def __str__(self) -> str:
        return f"{self.stars}★ ≥ {self.min_score}"


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Scoring")  # 评分中
    CLOSED = "closed", _("Closed")  # 已公布


class ScoringPeriod(Filed):
    """A round of scoring (a quarter, a year) of the households under a region."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scoring period")
        verbose_name_plural = _("scoring periods")
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    period = models.ForeignKey(ScoringPeriod, on_delete=models.PROTECT, related_name="scores")
    household = models.ForeignKey("grid.Household", on_delete=models.PROTECT, related_name="scores")
    total = models.PositiveSmallIntegerField(_("score"))
    stars = models.PositiveSmallIntegerField(_("stars"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["period", "household"], name="incentive_one_score_per_period"),
            models.CheckConstraint(condition=Q(total__lte=100, stars__lte=5), name="incentive_score_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.total}"


class ScoreLine(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["score", "item"], name="incentive_one_line_per_item")]


# ----------------------------------------------------------------------------- the shop


class Shop(Filed):
    """积分兑换超市 of a town or a village."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("exchange shop")
        verbose_name_plural = _("exchange shops")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class ShopItem(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    points = models.PositiveIntegerField(_("points"))
    value = models.DecimalField(_("value (yuan)"), max_digits=10, decimal_places=2)
    stock = models.IntegerField(_("in stock"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shop item")
        verbose_name_plural = _("shop items")
        ordering = ["shop_id", "points", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="incentive_stock_never_negative"),
            models.CheckConstraint(condition=Q(points__gte=1), name="incentive_item_costs_points"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class Redemption(models.Model):
    """An exchange: points spent (one ledger entry), stock taken, once per request id."""

    request_uuid = models.UUIDField(unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    value = models.DecimalField(_("value (yuan)"), max_digits=12, decimal_places=2)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="redemption")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-at"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="incentive_redeem_at_least_one")]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


# ----------------------------------------------------------------- lists and elections


class ListKind(models.TextChoices):
    RED = "red", _("Red list")  # 红榜
    BLACK = "black", _("Black list")  # 黑榜


class ListEntry(Filed):
    """A household on a village's red or black list (红黑榜) for a period ("2026年11月")."""

    period = models.CharField(_("period"), max_length=20, db_index=True)
    kind = models.CharField(_("list"), max_length=5, choices=ListKind.choices)
    household = models.ForeignKey("grid.Household", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("red or black list entry")
        verbose_name_plural = _("red and black lists")
        ordering = ["period", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "village", "household"],
                                               name="incentive_one_list_per_household")]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} {self.household}"


class ElectionKind(models.TextChoices):
    GRID_HEAD = "grid_head", _("Excellent grid head")  # 优秀网格长
    UNIT_HEAD = "unit_head", _("Excellent unit head")  # 优秀单元长
    HOUSEHOLD_HEAD = "household_head", _("Excellent household head")  # 优秀户长


class ElectionStatus(models.TextChoices):
    NOMINATING = "nominating", _("Nominating")
    CLOSED = "closed", _("Elected")


class Election(Filed):
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=ElectionKind.choices)
    starts_on = models.DateField(_("work from"))
    ends_on = models.DateField(_("work to"))
    seats = models.PositiveSmallIntegerField(pgettext_lazy("election", "seats"))
    status = models.CharField(_("status"), max_length=12, choices=ElectionStatus.choices,
                              default=ElectionStatus.NOMINATING)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-starts_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="incentive_election_seats")]

    def __str__(self) -> str:
        return self.name


class Nominee(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominees")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey("grid.Appointment", on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(_("figures"), default=dict)  # as they stood when nominated
    votes = models.PositiveIntegerField(_("votes"), default=0)
    elected = models.BooleanField(_("elected"), default=False)
    nominated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["-elected", "-votes", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="incentive_nominated_once")]

    def __str__(self) -> str:
        return str(self.person)
