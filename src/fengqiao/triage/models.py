"""Triage (分流): what intake could not route or categorise by itself, and likely duplicates.

A `TriageItem` is opened at intake (`actions.triage_open`) for an event with one or more reasons
left to decide — no village found, an address that fits several villages, no category, or likely
twins from other channels. It closes by itself when nothing is left to decide: the event was
dispatched, its category confirmed, each twin flag merged or dismissed — or the event ended
(refused, merged). `ClassifierModel` holds the trained category suggester (see classify.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    UNROUTED = "unrouted", _("No village found")  # 无法定位
    AMBIGUOUS_ADDRESS = "ambiguous_address", _("Address fits several villages")  # 地址不明确
    UNCATEGORISED = "uncategorised", _("No category")  # 未分类
    DUPLICATE = "duplicate", _("Likely duplicate")  # 疑似重复


REASON_FIELDS = {
    Reason.UNROUTED: "unrouted",
    Reason.AMBIGUOUS_ADDRESS: "ambiguous_address",
    Reason.UNCATEGORISED: "uncategorised",
    Reason.DUPLICATE: "duplicate",
}


class TriageItem(models.Model):
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="triage_items", verbose_name=_("event")
    )
    # What is still to decide; each flag clears when its decision is taken.
    unrouted = models.BooleanField(_("no village found"), default=False)
    ambiguous_address = models.BooleanField(_("address fits several villages"), default=False)
    uncategorised = models.BooleanField(_("no category"), default=False)
    duplicate = models.BooleanField(_("likely duplicate"), default=False)
    # What the item was opened for (kept for the record).
    opened_reasons = models.JSONField(default=list)
    # [{"code", "name", "score"?, …}] as intake's address lookup proposed them.
    region_candidates = models.JSONField(default=list, blank=True)
    # [{"code", "name", "confidence"}] from the classifier, best first.
    category_suggestions = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("closed by"),
    )
    # "dispatched", "categorised", "merged", "refused", "dismissed", … : how it ended.
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    category_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("triage item")
        verbose_name_plural = _("triage items")
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(closed_at__isnull=True), name="triage_one_open_item_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["opened_at"], name="triage_open_items", condition=Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"triage {self.event_id} ({', '.join(self.reasons) or 'closed'})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def reasons(self) -> list[str]:
        """The reasons still open, in a fixed order."""
        return [reason.value for reason, attr in REASON_FIELDS.items() if getattr(self, attr)]

    def reason_labels(self) -> list[str]:
        return [str(Reason(r).label) for r in self.reasons]


class TwinFlag(models.Model):
    """A likely twin of the triaged event: merge one into the other, or say "not a duplicate"."""

    class State(models.TextChoices):
        OPEN = "open", _("To decide")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not a duplicate")
        LAPSED = "lapsed", _("Lapsed")  # the twin ended on its own (refused, merged elsewhere)

    item = models.ForeignKey(TriageItem, on_delete=models.CASCADE, related_name="twin_flags")
    twin = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "twin"], name="triage_twin_once_per_item"),
        ]
        indexes = [
            models.Index(fields=["twin"], name="triage_open_twin", condition=Q(state="open")),
        ]


class ClassifierModel(models.Model):
    """One trained version of the category suggester (naive Bayes over character n-grams).

    The newest row is the one in use; processes cache it and reload when a newer id appears."""

    created_at = models.DateTimeField()
    trained_on = models.PositiveIntegerField(default=0)  # number of events
    categories = models.PositiveIntegerField(default=0)
    features = models.PositiveIntegerField(default=0)
    temperature = models.FloatField(default=1.0)
    metrics = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField()  # zlib-compressed numpy arrays and vocabulary (classify.py)

    class Meta:
        verbose_name = _("category classifier")
        verbose_name_plural = _("category classifiers")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"classifier v{self.pk} ({self.trained_on} events, {self.categories} categories)"
