"""Supervision (督查考核): village categories and their thresholds, department pairing (挂钩),
accountability records (通报 / 约谈 / 问责 / 考评) and the bulletin packs for the dispatch meetings.

Writes go through `supervision.actions`; each writes one audit row in the "supervision" stream.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.regions.models import VillageCategory

AUDIT_STREAM = "supervision"


class CategoryThresholds(models.Model):
    """The cut-offs by which a village's category (放心/较好/一般/滞后) is suggested.

    One row (the admin edits it). The measure is one of `fengqiao.command.measures`; for a
    measure where higher is better a village is 放心 at or above `reassuring_at`, 较好 at or above
    `good_at`, 一般 at or above `average_at`, else 滞后 — reversed for a measure where lower is
    better (the overdue rate). Villages with fewer than `min_events` events in the look-back span
    get no suggestion (too few to judge)."""

    measure = models.CharField(_("measure"), max_length=40, default="score")
    reassuring_at = models.DecimalField(_("reassuring (放心) from"), max_digits=7, decimal_places=2, default=90)
    good_at = models.DecimalField(_("good (较好) from"), max_digits=7, decimal_places=2, default=80)
    average_at = models.DecimalField(_("average (一般) from"), max_digits=7, decimal_places=2, default=60)
    min_events = models.PositiveIntegerField(_("fewest events to judge"), default=5)
    span_days = models.PositiveIntegerField(_("look-back span (days)"), default=90)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("village category thresholds")
        verbose_name_plural = _("village category thresholds")

    def __str__(self) -> str:
        return f"{self.measure}: {self.reassuring_at} / {self.good_at} / {self.average_at}"

    @classmethod
    def current(cls) -> CategoryThresholds:
        """The one row (the shipped defaults until the admin saves their own)."""
        row = cls.objects.order_by("id").first()
        return row if row is not None else cls()


class VillageRating(models.Model):
    """A confirmed category for a village: what was suggested, what was decided, on which figures."""

    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("village")
    )
    suggested = models.CharField(_("suggested"), max_length=12, choices=VillageCategory.choices, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=VillageCategory.choices)
    previous = models.CharField(_("previous"), max_length=12, choices=VillageCategory.choices, blank=True)
    measure = models.CharField(_("measure"), max_length=40, blank=True)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2, null=True, blank=True)
    events = models.PositiveIntegerField(_("events"), default=0)
    span_start = models.DateField(_("from"), null=True, blank=True)
    span_end = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("village rating")
        verbose_name_plural = _("village ratings")
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.category}"


class RecordKind(models.TextChoices):
    BULLETIN = "bulletin", _("Bulletin")  # 通报
    SUMMONS = "summons", _("Summons")  # 约谈
    ACCOUNTABILITY = "accountability", _("Accountability")  # 问责
    EVALUATION = "evaluation", _("Evaluation")  # 考评


class AccountabilityRecord(models.Model):
    """A bulletin, summons, accountability or evaluation against a unit (a region or a
    department) or a person, linked to the events behind it. Visible to users whose posts cover
    `scope_region` (the target region, the person's post, or the department's region)."""

    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    decided_on = models.DateField(_("date"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    target_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("region"),
    )
    target_department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("department"),
    )
    target_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("person"),
    )
    scope_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("scope")
    )
    # Ancestor columns of scope_region, so "records under X" is one equality like events.
    county = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    events = models.ManyToManyField(
        "events.Event", blank=True, related_name="accountability_records", verbose_name=_("events")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="record_has_one_target",
                condition=(
                    Q(target_region__isnull=False, target_department__isnull=True, target_person__isnull=True)
                    | Q(target_region__isnull=True, target_department__isnull=False, target_person__isnull=True)
                    | Q(target_region__isnull=True, target_department__isnull=True, target_person__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    @property
    def target(self):
        return self.target_region or self.target_department or self.target_person

    @property
    def target_label(self) -> str:
        if self.target_region is not None:
            return self.target_region.name
        if self.target_department is not None:
            return self.target_department.name
        return self.target_person.name if self.target_person is not None else ""


STALE_AFTER = dt.timedelta(minutes=5)


class BulletinRun(models.Model):
    """One bulletin pack (the .docx 通报 and the .xlsx ledger) asked for from the dashboard."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    docx = models.FileField(upload_to="bulletins/", blank=True)
    xlsx = models.FileField(upload_to="bulletins/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulletin pack")
        verbose_name_plural = _("bulletin packs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.date_from}–{self.date_to} ({self.state})"

    @property
    def busy(self) -> bool:
        """Queued or being built: the page polls it."""
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def stale(self) -> bool:
        """Still busy five minutes after it was asked for: the background worker may be down."""
        from fengqiao.lib import clock

        return self.busy and clock.now() - self.created_at > STALE_AFTER

    @property
    def requester_name(self) -> str:
        """Who asked for it (their person's name), or "" for the platform (`fengqiao bulletin`)."""
        user = self.created_by
        if user is None:
            return ""
        person = getattr(user, "person", None)
        return person.name if person is not None else user.get_username()
