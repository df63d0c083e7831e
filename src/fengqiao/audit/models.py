"""The audit record's two tables: the stream heads and the chained rows.

They were born in the events app and keep its table names (`events_auditstream`,
`events_auditentry`); migration audit 0001 took them over without touching the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditStream(models.Model):
    """The head of one hash chain (one per event, plus named streams such as `people`)."""

    key = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveIntegerField(default=0)
    head = models.CharField(max_length=64, default="")

    class Meta:
        db_table = "events_auditstream"


class AuditEntry(models.Model):
    """One row per action: who, when, what, from which state to which. Chained by hash."""

    stream = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    # A lazy reference: the audit app sits below events and never imports it.
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "events_auditentry"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="uniq_audit_stream_seq")
        ]
        indexes = [models.Index(fields=["event", "seq"], name="audit_event_seq")]


class AuditCheckpoint(models.Model):
    """Where one stream stood when it was last verified, signed with a key the database does not
    hold (FENGQIAO_AUDIT_KEY, or one derived from SECRET_KEY): `verify_audit --incremental` walks
    only the rows written since, and a stream rewritten wholesale — rows, hashes and head made to
    agree — no longer agrees with its signature."""

    stream = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveIntegerField()
    head = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        db_table = "audit_checkpoint"
