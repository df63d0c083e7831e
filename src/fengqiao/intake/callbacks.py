"""Calling the sender back (回告): when a fed matter is resolved, closed, merged or refused, the
platform posts a signed JSON notice to the sending system's callback URL; and when a citizen
called back was dissatisfied and the matter reopened, it says so (`event.reopened`).

The listener runs inside the event action's transaction and writes an outbox row
(`notify.actions.queue_webhook`), so the notice exists exactly when the action committed; the
outbox worker delivers it with retries and exponential backoff, signed with HMAC-SHA256
(`X-Fengqiao-Signature: sha256=<hex>` over `"<X-Fengqiao-Timestamp>." + body`) and with an
`Idempotency-Key` header the receiver uses to drop repeats (see `notify/delivery.py`).

Body (UTF-8 JSON):

    {"type": "event.resolved",            # event.resolved | event.closed | event.merged | event.refused
                                          # | event.reopened
     "system": "仙游县12345平台", "ticket_id": "XY12345-20261126-0001",
     "event_code": "350322-20261126-0001", "status": "resolved",
     "at": "2026-11-26T09:30:00+08:00",
     "region_code": "350322103208", "region_name": "洋坂村",
     "result": "…",                        # resolve / close
     "satisfaction": "satisfied",          # close
     "merged_into": "350322-20261125-0007", # merge
     "refuse_reason": "…"}                 # refuse
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fengqiao.events.hooks import EventChange
from fengqiao.events.models import Status
from fengqiao.intake.models import ExternalTicket
from fengqiao.notify.actions import queue_webhook

NOTICE_TYPES = {
    "resolve": "event.resolved",
    "close": "event.closed",
    "merge": "event.merged",
    "refuse": "event.refused",
}


def on_event_change(change: EventChange) -> None:
    """Queue a callback for every sending system whose ticket became this event."""
    kind = NOTICE_TYPES.get(change.action)
    if change.action == "call_back" and change.event.status == Status.IN_PROGRESS:
        kind = "event.reopened"  # the citizen was not satisfied: the resolution the sender heard of is undone
    if kind is None:
        return
    tickets = list(
        ExternalTicket.objects.filter(event_id=change.event.pk, system__isnull=False)
        .exclude(system__callback_url="")
        .filter(system__active=True)
        .select_related("system")
    )
    for ticket in tickets:
        assert ticket.system is not None
        queue_webhook(url=ticket.system.callback_url, payload=notice(change, ticket, kind),
                      event=change.event, signer=f"intake_system:{ticket.system.pk}")


def secret_of(system_id: str) -> str | None:
    """The secret that signs a system's callbacks (notify asks at delivery time, so a rotated
    secret signs what is still waiting). Systems without one use the platform's secret."""
    from django.conf import settings

    from fengqiao.intake.models import IntakeSystem

    try:
        row = IntakeSystem.objects.filter(pk=int(system_id)).values_list("callback_secret", flat=True).first()
    except ValueError:
        return None
    if row is None:
        return None
    return row or settings.FENGQIAO_WEBHOOK_SECRET or None


def notice(change: EventChange, ticket: ExternalTicket, kind: str) -> dict[str, Any]:
    event = change.event
    region = event.region
    body: dict[str, Any] = {
        "type": kind,
        "system": ticket.system.name if ticket.system else "",
        "ticket_id": ticket.external_id,
        "event_code": event.code,
        "status": event.status,
        "at": timezone.localtime(change.at).isoformat(),
        "region_code": region.code if region else None,
        "region_name": region.display_name if region else None,
    }
    if change.action in {"resolve", "close"}:
        body["result"] = event.result
    if change.action in {"close", "call_back"}:
        body["satisfaction"] = event.satisfaction
    if change.action == "merge":
        body["merged_into"] = event.merged_into.code if event.merged_into_id and event.merged_into else None
    if change.action == "refuse":
        body["refuse_reason"] = event.refuse_reason
    return body
