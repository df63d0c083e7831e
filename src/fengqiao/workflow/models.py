"""The shared machinery's tables: the working-day calendar, clock policies and running clocks.

`CalendarDay` was born in the events app and keeps its table (`events_calendarday`); workflow
0001 took it over without touching the database. `ClockPolicy` is a named limit the admin edits
(信访工作条例's 15 days to accept, 人民调解法 §33's 30 days to apply for judicial confirmation, …);
`Clock` is one such limit running on one record of one workflow (a mediation case, a petition):
started at the step the rule names, due at the end of its last (working) day, warned before,
noticed when it passes, stopped when the step it waits for is taken.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


class CalendarDay(models.Model):
    """An admin's correction to the working-day calendar: an extra holiday or make-up workday."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        db_table = "events_calendarday"
        verbose_name = _("holiday or workday")
        verbose_name_plural = _("holidays and workdays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ClockPolicy(models.Model):
    """A named time limit: how many (working) days, warned how long before, on what basis."""

    key = models.CharField(_("key"), max_length=40, unique=True)  # "petition.accept"
    workflow = models.CharField(_("workflow"), max_length=20)  # the machine it belongs to
    name = models.CharField(_("name"), max_length=100)
    days = models.PositiveIntegerField(_("days"))
    day_kind = models.CharField(_("counted in"), max_length=10, choices=DayKind.choices)
    # Warn this many calendar days before the limit (0: only the notice when it passes).
    warn_days = models.PositiveIntegerField(_("warn days before"), default=3)
    basis = models.CharField(_("basis"), max_length=200, blank=True)  # 信访工作条例 第三十二条
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("clock policy")
        verbose_name_plural = _("clock policies")
        ordering = ["workflow", "key"]

    def __str__(self) -> str:
        return f"{self.name}: {self.days} {self.get_day_kind_display()}"


class Clock(models.Model):
    """One limit running on one record of a workflow."""

    class Outcome(models.TextChoices):
        RUNNING = "", _("Running")
        MET = "met", _("Met in time")
        LATE = "late", _("Met late")
        CANCELLED = "cancelled", _("No longer needed")

    workflow = models.CharField(max_length=20)
    record_id = models.PositiveBigIntegerField()
    policy = models.ForeignKey(ClockPolicy, on_delete=models.PROTECT, related_name="clocks")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    approximate = models.BooleanField(default=False)  # a day fell in a year no calendar covers
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    extended_days = models.PositiveIntegerField(default=0)
    extension_reason = models.CharField(max_length=500, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default="", blank=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        indexes = [
            models.Index(fields=["workflow", "record_id"], name="clock_record"),
            # The scanner's two reads: running clocks by their warning and by their limit.
            models.Index(fields=["warn_at", "id"], name="clock_running_warn",
                         condition=models.Q(stopped_at__isnull=True)),
            models.Index(fields=["due_at", "id"], name="clock_running_due",
                         condition=models.Q(stopped_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.workflow}:{self.record_id} {self.policy.key} → {self.due_at:%Y-%m-%d}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    def overdue_at(self, moment) -> bool:
        """Past its limit at `moment`: running past the limit, or stopped after it."""
        end = self.stopped_at or moment
        return end > self.due_at
