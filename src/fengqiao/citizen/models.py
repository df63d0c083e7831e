"""Citizen reports: the tracking code a self-report hands back, the citizen's rating of each
resolution, and the counters that rate-limit the public door.

The tracking code is stored twice: as a SHA-256 digest (the unique, indexed lookup key) and
encrypted (so the platform can text it again, e.g. with the outcome). Neither column reveals it
to someone reading the database without the data key.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import Satisfaction
from fengqiao.lib.masking import mask_phone
from fengqiao.lib.protect import EncryptedTextField


class CitizenReport(models.Model):
    """群众自主上报: one event reported by a citizen, followed with a tracking code."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Web page")
        API = "api", _("JSON API")
        PROXY = "proxy", _("Proxy agent")

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="citizen_report",
        verbose_name=_("event"),
    )
    tracking_digest = models.CharField(max_length=64, unique=True, editable=False)
    tracking_code = EncryptedTextField(_("tracking code"), editable=False)
    reporter_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"))
    phone_index = models.CharField(max_length=32, db_index=True, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("citizen report")
        verbose_name_plural = _("citizen reports")

    def __str__(self) -> str:
        return f"{self.event_id} · {mask_phone(self.phone)}"


class CitizenRating(models.Model):
    """The citizen's rating of one resolution (it becomes the event's call-back). One per
    resolution: a reopened and resolved-again event can be rated again."""

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="ratings")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    resolved_at = models.DateTimeField()  # which resolution this rates
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("citizen rating")
        verbose_name_plural = _("citizen ratings")
        constraints = [
            models.UniqueConstraint(fields=["event", "resolved_at"], name="uniq_rating_per_resolution")
        ]


class RateCounter(models.Model):
    """Accepted public submissions per key (a hashed IP or phone) per fixed window. Kept in the
    database so every web process shares the count."""

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="uniq_rate_counter_window")
        ]
