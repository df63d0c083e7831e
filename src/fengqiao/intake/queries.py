"""Intake channels: reads."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fengqiao.intake.models import KEY_PREFIX, ExternalTicket, IntakeSystem

# Touch `last_used_at` at most this often per system (one write a minute, not one per request).
LAST_USED_EVERY = dt.timedelta(seconds=60)


def system_for_key(raw: str | None) -> IntakeSystem | None:
    """The active sending system holding this API key, or None. Open311 reuses these keys."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    system = (
        IntakeSystem.objects.select_related("within")
        .filter(key_digest=IntakeSystem.digest_of(raw), active=True)
        .first()
    )
    if system is None:
        return None
    now = timezone.now()
    if system.last_used_at is None or now - system.last_used_at > LAST_USED_EVERY:
        IntakeSystem.objects.filter(pk=system.pk).update(last_used_at=now)
        system.last_used_at = now
    return system


def ticket_for(*, channel: str, external_id: str, likely_new: bool = False) -> ExternalTicket | None:
    """The ticket the sender delivered before, with its event. `likely_new` (the rows of an
    import): look first with one small indexed query, and load the ticket with its event only
    when there is one — a redelivery then costs one query more, a new ticket much less."""
    tickets = ExternalTicket.objects.filter(channel=channel, external_id=external_id)
    if likely_new and not tickets.exists():
        return None
    return tickets.select_related("event__region", "event__category", "system").first()
