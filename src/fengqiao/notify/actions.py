"""Writes for notifications: queue texts in the outbox and drop notes in users' inboxes.

Called inside an action's transaction, so a message exists exactly when the action committed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from django.db import transaction

from fengqiao.lib import clock
from fengqiao.notify.models import Notification, OutboxMessage
from fengqiao.notify.templates import render, render_sms


def notify_people(*, persons: Iterable, template: str, params: dict, event=None) -> int:
    """Text each person (who has a phone) and note it in their inbox (who has a login).

    Returns how many texts were queued."""
    now = clock.now()
    seen: set[int] = set()
    texts: list[OutboxMessage] = []
    notes: list[Notification] = []
    title, body = render(template, params)  # the same words for everyone it goes to (the inbox: whole)
    sms_params, sms_body = render_sms(template, params)  # the text: one SMS where it can be
    for person in persons:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        if person.phone:
            texts.append(
                OutboxMessage(
                    channel=OutboxMessage.Channel.SMS,
                    idempotency_key=uuid.uuid4().hex,
                    recipient=person.phone,
                    person=person,
                    event=event,
                    template=template,
                    params=sms_params,
                    body=sms_body,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        if person.user_id:
            notes.append(
                Notification(
                    user_id=person.user_id, event=event, kind=template, title=title, body=body,
                    created_at=now,
                )
            )
    OutboxMessage.objects.bulk_create(texts)
    Notification.objects.bulk_create(notes)
    if texts:
        _kick_worker_on_commit()
    return len(texts)


def text_phone(*, phone: str, template: str, params: dict, event=None) -> OutboxMessage:
    """Text one number that belongs to no person on the platform (a party to an event)."""
    now = clock.now()
    params, body = render_sms(template, params)
    message = OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.SMS, idempotency_key=uuid.uuid4().hex, recipient=phone,
        event=event, template=template, params=params, body=body, next_attempt_at=now, created_at=now,
    )
    _kick_worker_on_commit()
    return message


def _kick_worker_on_commit() -> None:
    """One kick per transaction, however many texts it queues (an import queues 100,000s)."""
    connection = transaction.get_connection()
    if not any(entry[1] is _kick_worker for entry in connection.run_on_commit):
        transaction.on_commit(_kick_worker)


def queue_webhook(
    *, url: str, payload: dict, event=None, key: str | None = None, signer: str = ""
) -> OutboxMessage:
    """Queue a signed JSON post. `signer` names whose secret signs it ("intake_system:12", see
    `notify.delivery.register_webhook_signer`); empty: the platform's FENGQIAO_WEBHOOK_SECRET."""
    now = clock.now()
    return OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.WEBHOOK,
        idempotency_key=key or uuid.uuid4().hex,
        recipient=url,
        event=event,
        template=f"webhook:{signer}" if signer else "webhook",
        params=payload,
        body=json.dumps(payload, ensure_ascii=False, default=str),
        next_attempt_at=now,
        created_at=now,
    )


def _kick_worker() -> None:
    """Ask the worker to deliver soon; the periodic sweep catches anything this misses."""
    try:
        from fengqiao.notify.tasks import deliver_due

        deliver_due()
    except Exception:  # the outbox row is safe; the periodic task will pick it up
        import logging

        logging.getLogger(__name__).warning("could not queue the delivery task", exc_info=True)
