"""Intake channels: the systems that send the platform matters (12345, 110, online opinion, video
alerts …) and the sender's tickets already turned into events (so a redelivery makes no second
event)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import Source
from fengqiao.lib.protect import EncryptedTextField

KEY_PREFIX = "fqi_"
SECRET_PREFIX = "fqs_"


class IntakeSystem(models.Model):
    """A sending system (一个对接系统): the county's 12345 platform, the 110 desk's non-police calls,
    an online-opinion monitor, a video-analytics box. It authenticates with an API key of which
    only the digest is kept (the key is shown once, at creation)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    key_prefix = models.CharField(_("key prefix"), max_length=12, db_index=True, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    within = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("serves"),
        help_text=_("The region the system serves (usually its county): addresses are matched inside it "
                    "and unrouted matters are filed under it."),
    )
    callback_url = models.URLField(
        _("callback URL"), max_length=500, blank=True,
        help_text=_("Where the platform posts a signed notice when a fed matter is resolved, "
                    "closed, merged or refused. Empty: no callbacks."),
    )
    # Signs the callbacks to this system (HMAC-SHA256), so one sender cannot forge notices to
    # another. Shown once with the key; encrypted at rest. Empty (systems made before it
    # existed): the platform's FENGQIAO_WEBHOOK_SECRET signs.
    callback_secret = EncryptedTextField(_("callback signing secret"), blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sending system")
        verbose_name_plural = _("sending systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_source_display()})"

    @property
    def channel(self) -> str:
        """The idempotency namespace of this system's ticket ids."""
        return f"system:{self.pk}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @staticmethod
    def new_key() -> str:
        return KEY_PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def new_secret() -> str:
        return SECRET_PREFIX + secrets.token_urlsafe(32)


class ExternalTicket(models.Model):
    """A sender's ticket (工单) that became an event: (channel, external id) is unique, so the same
    ticket delivered twice — or twice at the same moment — makes one event."""

    channel = models.CharField(_("channel"), max_length=60)
    external_id = models.CharField(_("ticket id"), max_length=100)
    system = models.ForeignKey(
        IntakeSystem, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("sending system"),
    )
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="external_tickets",
        verbose_name=_("event"),
    )
    category_hint = models.CharField(_("sender's category"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    routed = models.BooleanField(_("routed"), default=False)
    triage_reasons = models.JSONField(_("triage reasons"), default=list, blank=True)
    received_at = models.DateTimeField(_("received at"))
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)

    class Meta:
        verbose_name = _("external ticket")
        verbose_name_plural = _("external tickets")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="uniq_intake_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.external_id}"
