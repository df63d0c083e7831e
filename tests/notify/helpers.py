"""Build outbox rows for the delivery tests."""

from __future__ import annotations

import uuid

from fengqiao.lib import clock
from fengqiao.notify.models import OutboxMessage

URGED = {"code": "350322-20250301-0001", "title": "柯某工资拖欠", "deadline": "03月05日 17:00", "note": ""}


def make_text(*, phone: str = "13900000005", template: str = "urged", params: dict | None = None,
              max_attempts: int = 8, when=None) -> OutboxMessage:
    """A due text in the outbox, as notify_people writes it (without a person or event)."""
    from fengqiao.notify.templates import render

    params = dict(URGED if params is None else params)
    now = when or clock.now()
    return OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.SMS, idempotency_key=uuid.uuid4().hex, recipient=phone,
        template=template, params=params, body=render(template, params)[1],
        max_attempts=max_attempts, next_attempt_at=now, created_at=now,
    )
