"""Command centre: the admin's settings (score weights, rounding), campaigns, and the rollups that
keep the dashboard's counts current with the events (see rollups.py and measures.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.command.measures import DEFAULT_ROUNDING, DEFAULT_WEIGHTS, HALF_UP, STORED, TRUNCATE
from fengqiao.events.models import Source


class CommandSettings(models.Model):
    """One row: the composite score's weights (综合指标值) and how rates are rounded."""

    class Rounding(models.TextChoices):
        HALF_UP_ = HALF_UP, _("Half up (91.55% → 91.6%)")
        TRUNCATE_ = TRUNCATE, _("Truncate (51.489% → 51.48%)")

    weight_handling = models.PositiveIntegerField(_("weight: handling rate"), default=DEFAULT_WEIGHTS["handling_rate"])
    weight_resolution = models.PositiveIntegerField(_("weight: resolution rate"), default=DEFAULT_WEIGHTS["resolution_rate"])
    weight_on_time = models.PositiveIntegerField(_("weight: on-time rate"), default=DEFAULT_WEIGHTS["on_time_rate"])
    weight_overdue = models.PositiveIntegerField(_("weight: overdue rate (lower is better)"), default=DEFAULT_WEIGHTS["overdue_rate"])
    weight_extension = models.PositiveIntegerField(_("weight: extension rate (lower is better)"), default=DEFAULT_WEIGHTS["extension_rate"])
    weight_rework = models.PositiveIntegerField(_("weight: rework rate (lower is better)"), default=DEFAULT_WEIGHTS["rework_rate"])
    weight_satisfaction = models.PositiveIntegerField(_("weight: satisfaction rate"), default=DEFAULT_WEIGHTS["satisfaction_rate"])
    rounding = models.CharField(
        _("rate rounding"), max_length=10, choices=Rounding.choices, default=DEFAULT_ROUNDING,
        help_text=_("Truncate reproduces every published figure (11,854 of 23,022 shows 51.48%); "
                    "half up would show 51.49%."),
    )
    min_denominator = models.PositiveIntegerField(
        _("small denominator below"), default=10,
        help_text=_("Rankings mark a rate whose denominator is below this as unreliable."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    WEIGHT_FIELDS = {
        "handling_rate": "weight_handling", "resolution_rate": "weight_resolution",
        "on_time_rate": "weight_on_time", "overdue_rate": "weight_overdue",
        "extension_rate": "weight_extension", "rework_rate": "weight_rework",
        "satisfaction_rate": "weight_satisfaction",
    }

    class Meta:
        verbose_name = _("command-centre settings")
        verbose_name_plural = _("command-centre settings")

    def __str__(self) -> str:
        return str(_("Command-centre settings"))

    def clean(self) -> None:
        if not any(getattr(self, f) for f in self.WEIGHT_FIELDS.values()):
            raise ValidationError(_("At least one weight must be above zero."))

    def weights(self) -> dict[str, int]:
        return {rate: getattr(self, f) for rate, f in self.WEIGHT_FIELDS.items()}

    @classmethod
    def current(cls) -> CommandSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls()


class Campaign(models.Model):
    """专项行动 (e.g. 百日攻坚): a span of registration days, a region, optional category and source."""

    name = models.CharField(_("name"), max_length=100)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    category = models.ForeignKey("events.Category", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("category"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="campaign_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end cannot be before the start.")})


# ------------------------------------------------------------------------------------ rollups

REGION_COLUMNS = ("province_id", "city_id", "county_id", "town_id", "village_id")


class _Rollup(models.Model):
    """Counters per registration day and most specific region (village, else town, else county …).

    `region_key` is that region's id (0: no region); the ancestor columns are copies so that
    "under region X" is one equality, as on events. Rows are only ever changed by `rollups.py`
    with atomic upserts (`ON CONFLICT … DO UPDATE SET n = n + delta`)."""

    day = models.DateField()
    region_key = models.BigIntegerField()
    province_id = models.BigIntegerField(null=True)
    city_id = models.BigIntegerField(null=True)
    county_id = models.BigIntegerField(null=True)
    town_id = models.BigIntegerField(null=True)
    village_id = models.BigIntegerField(null=True)

    KEY: tuple[str, ...] = ("day", "region_key")
    COUNTERS: tuple[str, ...] = ()

    class Meta:
        abstract = True


class _StoredCounters(models.Model):
    """The stored counters of measures.STORED (each event adds 0 or 1 to each)."""

    registered = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    called_back = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)

    class Meta:
        abstract = True


def _region_indexes(prefix: str) -> list[models.Index]:
    return [models.Index(fields=[level, "day"], name=f"{prefix}_{level.removesuffix('_id')}_day")
            for level in ("county_id", "town_id", "village_id")]


class DailyRegionCounts(_Rollup, _StoredCounters):
    """Per day × region: every stored counter (measures.STORED). The unfiltered dashboards."""

    COUNTERS = STORED

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "region_key"], name="cmd_drc_key")]
        indexes = _region_indexes("cmd_drc")


class DailyCounts(_Rollup, _StoredCounters):
    """Per day × region × category × source: every stored counter. Filtered views."""

    category_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    KEY = ("day", "region_key", "category_id", "source")
    COUNTERS = STORED

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "region_key", "category_id", "source"],
                                               name="cmd_dc_key")]
        indexes = _region_indexes("cmd_dc")


class OpenDeadlineRegionCounts(_Rollup):
    """Open events with a deadline per day × region × local deadline day: "overdue now" is the sum
    over deadline days before today plus a live count of today's deadlines already passed."""

    deadline_day = models.DateField()
    open = models.IntegerField(default=0)
    KEY = ("day", "region_key", "deadline_day")
    COUNTERS = ("open",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "region_key", "deadline_day"],
                                               name="cmd_odrc_key")]
        indexes = _region_indexes("cmd_odrc")


class OpenDeadlineCounts(_Rollup):
    """As OpenDeadlineRegionCounts, per category and source too."""

    category_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    deadline_day = models.DateField()
    open = models.IntegerField(default=0)
    KEY = ("day", "region_key", "category_id", "source", "deadline_day")
    COUNTERS = ("open",)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "region_key", "category_id", "source", "deadline_day"], name="cmd_odc_key")]
        indexes = _region_indexes("cmd_odc")


ROLLUPS = (DailyRegionCounts, DailyCounts, OpenDeadlineRegionCounts, OpenDeadlineCounts)
