"""Stationed cadres (部门驻村、干部住村, seed 004): which department is stationed in which village,
which cadre lives in which village or town under which rule, and their check-ins.

- `Rule` (住村规则): what a plan's person must do — seed 004's three, shipped by migration 0002
  and edited by the admin: county leaders 两周一住镇 (a night in the town every two weeks),
  department cadres 每周一住村 (a night in the village every week), town and village cadres and
  community police 每周一、五住村 (the nights of Monday and Friday in the village).
- `Station` (部门驻村): a county department stationed in a village.
- `Plan` (干部住村): a person, the village or town they live in, the rule they follow, and the
  department's station they belong to (if any).
- `Stay`: one check-in — arrival and departure from a phone, each location checked against the
  outline of the plan's place, and what was done (households visited, events handled,
  meetings held).

How stays count towards a rule, week by week across holidays, is `stationing/compliance.py`.
States and moves are data (`stationing/machine.py`) performed by the shared transition function.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HolidayRule(models.TextChoices):
    """What becomes of a named weekday (周一、周五) that falls on a statutory rest day."""

    DEFER = "defer", _("Moves to the next working day of the same week")  # 顺延至当周下一个工作日
    EXCUSE = "excuse", _("Excused")  # 免除


class Rule(models.Model):
    """住村规则: so many nights (or days) per period in the plan's town or village, or named weekdays."""

    class Level(models.TextChoices):
        TOWN = "town", pgettext_lazy("stay level", "Town")  # 住镇
        VILLAGE = "village", pgettext_lazy("stay level", "Village")  # 住村

    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=50)  # 每周一、五住村
    level = models.CharField(_("where"), max_length=8, choices=Level.choices)
    period_weeks = models.PositiveSmallIntegerField(_("period in weeks"), default=1)
    stays = models.PositiveSmallIntegerField(_("stays per period"), default=1)  # without named weekdays
    weekdays = models.JSONField(_("named weekdays"), default=list, blank=True)  # 0 = Monday … 6 = Sunday
    holiday = models.CharField(_("named weekday on a holiday"), max_length=8, choices=HolidayRule.choices,
                               default=HolidayRule.DEFER)
    overnight = models.BooleanField(_("a night's stay"), default=True)  # 住: the night in the place
    min_hours = models.PositiveSmallIntegerField(_("hours for a day's stay"), default=4)  # when not overnight
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stay rule")
        verbose_name_plural = _("stay rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def _region_fk():
    return models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("stationing status", "Active")
    ENDED = "ended", pgettext_lazy("stationing status", "Ended")


class Station(models.Model):
    """部门驻村: a county department stationed in a village (its cadres' plans point here)."""

    department = models.ForeignKey("people.Department", on_delete=models.PROTECT, related_name="stations",
                                   verbose_name=_("department"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="stations",
                               verbose_name=_("village"))
    province = _region_fk()
    city = _region_fk()
    county = _region_fk()
    town = _region_fk()
    village = _region_fk()
    grid = _region_fk()
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("department station")
        verbose_name_plural = _("department stations")
        ordering = ["region__code", "department__code"]
        constraints = [models.UniqueConstraint(fields=["department", "region"], condition=Q(status="active"),
                                               name="uniq_active_station")]

    def __str__(self) -> str:
        return f"{self.department} → {self.region}"


class Identity(models.TextChoices):
    """Who lives in the place (seed 004's three groups, the police apart)."""

    COUNTY_LEADER = "county_leader", pgettext_lazy("stationed identity", "County leader")  # 县挂钩领导
    DEPARTMENT_CADRE = "dept_cadre", pgettext_lazy("stationed identity", "Department cadre")  # 县直部门干部
    TOWN_CADRE = "town_cadre", pgettext_lazy("stationed identity", "Town cadre")  # 镇干部
    VILLAGE_CADRE = "village_cadre", pgettext_lazy("stationed identity", "Village cadre")  # 村干部
    POLICE = "police", pgettext_lazy("stationed identity", "Community police")  # 社区民警


class Plan(models.Model):
    """干部住村: a person living in a village or town under a rule."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="stay_plans",
                               verbose_name=_("person"))
    identity = models.CharField(_("identity"), max_length=16, choices=Identity.choices)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="plans", verbose_name=_("rule"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="stay_plans",
                               verbose_name=_("place"))
    province = _region_fk()
    city = _region_fk()
    county = _region_fk()
    town = _region_fk()
    village = _region_fk()
    grid = _region_fk()
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.PROTECT, related_name="plans",
                                verbose_name=_("department station"))
    department = models.ForeignKey("people.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="stay_plans", verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("stay plan")
        verbose_name_plural = _("stay plans")
        ordering = ["region__code", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "region"], condition=Q(status="active"),
                                               name="uniq_active_stay_plan")]
        indexes = [
            models.Index(fields=["town", "status"], name="stay_plan_town"),
            models.Index(fields=["department", "status"], name="stay_plan_department"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.region} · {self.rule}"


class Check(models.TextChoices):
    """Where the phone said it was, against the place's outline."""

    INSIDE = "inside", pgettext_lazy("location check", "Inside the outline")
    OUTSIDE = "outside", pgettext_lazy("location check", "Outside the outline")
    NO_FIX = "no_fix", pgettext_lazy("location check", "No location")
    NO_OUTLINE = "no_outline", pgettext_lazy("location check", "No outline to check against")


class StayStatus(models.TextChoices):
    PRESENT = "present", pgettext_lazy("stay status", "Present")  # 在村
    LEFT = "left", pgettext_lazy("stay status", "Left")  # 已签退


class Stay(models.Model):
    """One stay: checked in on arrival, checked out on departure."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="stays")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="stays")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    town = _region_fk()
    county = _region_fk()
    status = models.CharField(_("status"), max_length=12, choices=StayStatus.choices, default=StayStatus.PRESENT)

    arrived_at = models.DateTimeField(_("arrived at"))
    arrival_lat = models.FloatField(null=True, blank=True)
    arrival_lng = models.FloatField(null=True, blank=True)
    arrival_accuracy = models.FloatField(null=True, blank=True)  # metres, as the phone reports
    arrival_check = models.CharField(_("arrival location"), max_length=12, choices=Check.choices)
    arrival_distance = models.PositiveIntegerField(null=True, blank=True)  # metres outside the outline

    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    departure_lat = models.FloatField(null=True, blank=True)
    departure_lng = models.FloatField(null=True, blank=True)
    departure_accuracy = models.FloatField(null=True, blank=True)
    departure_check = models.CharField(_("departure location"), max_length=12, choices=Check.choices, blank=True)
    departure_distance = models.PositiveIntegerField(null=True, blank=True)
    late_checkout = models.BooleanField(_("checked out late"), default=False)  # after the time limit

    households = models.PositiveIntegerField(_("households visited"), default=0)  # 走访农户
    events_handled = models.PositiveIntegerField(_("events handled"), default=0)  # 化解矛盾、处置事项
    meetings = models.PositiveIntegerField(_("meetings held"), default=0)  # 召开会议
    platform_events = models.PositiveIntegerField(_("events acted on in the platform"), default=0)
    notes = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-arrived_at", "-id"]
        indexes = [
            models.Index(fields=["plan", "arrived_at"], name="stay_plan_time"),
            models.Index(fields=["town", "arrived_at"], name="stay_town_time"),
        ]
        constraints = [models.UniqueConstraint(fields=["person"], condition=Q(status="present"),
                                               name="one_open_stay_per_person")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.region} {self.arrived_at:%Y-%m-%d %H:%M}"

    @property
    def verified(self) -> bool:
        """Both ends checked inside the outline, checked out in time."""
        return (self.status == StayStatus.LEFT and self.arrival_check == Check.INSIDE
                and self.departure_check == Check.INSIDE and not self.late_checkout)
