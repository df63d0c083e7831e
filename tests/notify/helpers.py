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


def database_url() -> str:
    """DATABASE_URL of the test database, for a subprocess (transactional tests only)."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    raise RuntimeError(f"no DATABASE_URL for {connection.vendor}")


def subprocess_env(**settings: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("FENGQIAO_SMS")}
    env.update(DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="fengqiao.config.settings",
               PYTHONUNBUFFERED="1")
    env.update(settings)
    return env


def aliyun_env(fake) -> dict[str, str]:
    """Environment that points a subprocess's aliyun backend at `fake`."""
    return {
        "FENGQIAO_SMS_BACKEND": "aliyun",
        "FENGQIAO_SMS_SIGN_NAME": "枫桥平台",
        "FENGQIAO_ALIYUN_ACCESS_KEY_ID": fake.access_key_id,
        "FENGQIAO_ALIYUN_ACCESS_KEY_SECRET": fake.access_key_secret,
        "FENGQIAO_ALIYUN_ENDPOINT": fake.url,
        "FENGQIAO_ALIYUN_TEMPLATE_CODE": "SMS_465000001",
        "FENGQIAO_SMS_TIMEOUT": "20",
    }


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
