"""`fengqiao deliver_outbox` and a Huey consumer on Redis (`fengqiao serve`: tests/config/test_serve.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.notify.models import OutboxMessage
from tests.notify.helpers import aliyun_env, make_text, subprocess_env, wait_for


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fengqiao.config.cli", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


# -------------------------------------------------------------------------- deliver_outbox


@pytest.mark.django_db
def test_deliver_outbox_sends_everything_due_and_says_so(aliyun):
    rows = [make_text(), make_text(phone="13900000006"), make_text(phone="13900000007")]
    out = StringIO()
    call_command("deliver_outbox", "--batch", "2", stdout=out)
    assert out.getvalue().strip() == "outbox: claimed 3, sent 3, retried 0, failed 0, lost 0, expired 0"
    assert sorted(aliyun.delivered_keys()) == sorted(r.idempotency_key for r in rows)


@pytest.mark.django_db
def test_deliver_outbox_rejects_a_zero_batch():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("deliver_outbox", "--batch", "0")


# ----------------------------------------------------------------------- Huey on Redis


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


@pytest.mark.django_db(transaction=True)
def test_a_huey_consumer_on_redis_delivers_what_the_web_side_enqueued(aliyun):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis at REDIS_URL / 127.0.0.1:6379")
    from huey import RedisHuey

    name = f"fengqiao-test-{uuid.uuid4().hex[:8]}"
    rows = [make_text(), make_text(phone="13900000006")]
    env = subprocess_env(REDIS_URL=url, FENGQIAO_HUEY_NAME=name, FENGQIAO_HUEY_IMMEDIATE="false",
                         **aliyun_env(aliyun))
    consumer = subprocess.Popen(_cli("run_huey", "--workers", "1", "--no-periodic"), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        enqueue = subprocess.run(
            [sys.executable, "-c",
             "import django; django.setup()\n"
             "from huey.contrib.djhuey import HUEY\n"
             "from fengqiao.notify import tasks\n"
             "assert type(HUEY).__name__ == 'RedisHuey', HUEY\n"
             "tasks.deliver_due()\n"],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert enqueue.returncode == 0, enqueue.stderr
        assert wait_for(lambda: len(aliyun.messages) == 2, timeout=30)
        assert sorted(aliyun.delivered_keys()) == sorted(r.idempotency_key for r in rows)
        assert wait_for(lambda: OutboxMessage.objects.filter(state="sent").count() == 2, timeout=10)
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            output, _ = consumer.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            output, _ = consumer.communicate()
        RedisHuey(name, url=url).storage.flush_all()
    assert "fengqiao.notify.tasks.deliver_due" in output
