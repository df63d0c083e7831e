"""The outbox worker: claim, send, mark; retry with backoff; survive a worker that dies."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import subprocess
import sys
import time

import pytest

from fengqiao.lib import clock
from fengqiao.notify import delivery
from fengqiao.notify.actions import queue_webhook
from fengqiao.notify.models import OutboxMessage
from tests.notify.helpers import aliyun_env, make_text, subprocess_env, wait_for

State = OutboxMessage.State
pytestmark = pytest.mark.django_db


def _fresh(row: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=row.pk)


# --------------------------------------------------------------------------------- success


def test_a_due_text_is_sent_once_and_marked_with_the_providers_id(aliyun):
    row = make_text()
    report = delivery.deliver_due()
    assert report.as_dict() == {"claimed": 1, "sent": 1, "retried": 0, "failed": 0, "lost": 0, "expired": 0}
    row = _fresh(row)
    assert row.state == State.SENT and row.attempts == 1
    assert row.sent_at is not None and row.lease_until is None and row.last_error == ""
    assert aliyun.delivered_keys() == [row.idempotency_key]
    assert row.provider_id.endswith("^0")
    assert delivery.deliver_due().claimed == 0  # nothing left; nothing sent twice
    assert aliyun.requests == 1


def test_a_text_whose_time_has_not_come_waits(aliyun):
    make_text(when=clock.now() + dt.timedelta(minutes=5))
    assert delivery.deliver_due().claimed == 0
    assert aliyun.requests == 0


def test_deliver_due_takes_at_most_limit_rows_and_the_oldest_first(aliyun):
    start = clock.now() - dt.timedelta(minutes=10)
    rows = [make_text(when=start + dt.timedelta(minutes=i)) for i in range(5)]
    assert delivery.deliver_due(limit=2).sent == 2
    assert aliyun.delivered_keys() == [rows[0].idempotency_key, rows[1].idempotency_key]
    assert delivery.deliver_all_due(batch=2).sent == 3
    assert sorted(aliyun.delivered_keys()) == sorted(r.idempotency_key for r in rows)


# --------------------------------------------------------------------------------- retries


def test_failures_retry_with_exponential_backoff_and_jitter_then_give_up(aliyun):
    aliyun.fail_next(100)
    row = make_text(max_attempts=8)
    now = row.next_attempt_at
    for attempt in range(1, 9):
        report = delivery.deliver_due(now=now)
        row = _fresh(row)
        assert row.attempts == attempt
        assert "isv.BUSINESS_LIMIT_CONTROL" in row.last_error and "流控" in row.last_error
        if attempt < 8:
            assert report.retried == 1 and row.state == State.PENDING and row.lease_until is None
            base = min(30 * 2 ** (attempt - 1), 3600)
            wait = (row.next_attempt_at - now).total_seconds()
            assert base <= wait <= base * 1.2 + 0.001, (attempt, wait)
            # Not a moment before its time.
            assert delivery.deliver_due(now=row.next_attempt_at - dt.timedelta(seconds=1)).claimed == 0
            now = row.next_attempt_at
        else:
            assert report.failed == 1 and row.state == State.FAILED
    assert aliyun.requests == 8 and aliyun.messages == []
    assert delivery.deliver_due(now=now + dt.timedelta(days=1)).claimed == 0


def test_retry_delays_are_capped_at_an_hour_plus_jitter():
    assert delivery.retry_delay(1, rng=lambda: 0.0) == dt.timedelta(seconds=30)
    assert delivery.retry_delay(3, rng=lambda: 0.0) == dt.timedelta(seconds=120)
    assert delivery.retry_delay(20, rng=lambda: 0.0) == dt.timedelta(hours=1)
    assert delivery.retry_delay(20, rng=lambda: 1.0) == dt.timedelta(hours=1.2)


def test_a_text_goes_out_once_the_provider_recovers(aliyun):
    aliyun.fail_next(2)
    row = make_text()
    now = row.next_attempt_at
    for _ in range(3):
        delivery.deliver_due(now=now)
        now = _fresh(row).next_attempt_at
    row = _fresh(row)
    assert row.state == State.SENT and row.attempts == 3 and row.last_error == ""
    assert aliyun.delivered_keys() == [row.idempotency_key]


def test_a_permanent_refusal_fails_the_text_at_once(aliyun):
    row = make_text(phone="12345")
    assert delivery.deliver_due().failed == 1
    row = _fresh(row)
    assert row.state == State.FAILED and row.attempts == 1
    assert row.last_error == "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"


def test_missing_provider_settings_keep_texts_waiting_instead_of_losing_them(settings):
    settings.FENGQIAO_SMS_BACKEND = "aliyun"
    settings.FENGQIAO_ALIYUN_ACCESS_KEY_ID = ""
    row = make_text()
    assert delivery.deliver_due().retried == 1
    row = _fresh(row)
    assert row.state == State.PENDING and "FENGQIAO_ALIYUN_ACCESS_KEY_ID" in row.last_error


def test_a_timeout_is_retried_and_the_provider_gets_the_same_key(aliyun, settings):
    settings.FENGQIAO_SMS_TIMEOUT = 1
    aliyun.slow_next(1, seconds=3)
    row = make_text()
    assert delivery.deliver_due().retried == 1
    assert "Timeout" in _fresh(row).last_error
    delivery.deliver_due(now=_fresh(row).next_attempt_at)
    assert _fresh(row).state == State.SENT
    # The slow call reached the provider; the retry carried the same OutId.
    assert aliyun.delivered_keys() == [row.idempotency_key] and aliyun.duplicates == 1


def test_a_row_that_cannot_be_read_is_kept_for_a_retry_not_stuck_sending(aliyun):
    from django.db import connection

    row = make_text()
    with connection.cursor() as cursor:  # as if FENGQIAO_DATA_KEY changed under the row
        cursor.execute("UPDATE notify_outboxmessage SET recipient = %s WHERE id = %s",
                       ["enc1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", row.pk])
    assert delivery.deliver_due().retried == 1
    state, lease, error = OutboxMessage.objects.filter(pk=row.pk).values_list(
        "state", "lease_until", "last_error").get()
    assert state == State.PENDING and lease is None and error
    assert aliyun.requests == 0


# ------------------------------------------------------------------------ claims and leases


def test_only_one_of_two_claims_on_the_same_snapshot_wins():
    row = make_text()
    now = clock.now()
    [snapshot] = delivery.due_rows(now, 10)
    first = delivery.claim_row(snapshot, now)
    second = delivery.claim_row(snapshot, now)
    assert isinstance(first, delivery.Claim) and second is None
    row = _fresh(row)
    assert row.state == State.SENDING and row.attempts == 1 and row.lease_until == first.lease_until


def test_a_row_another_worker_holds_is_left_alone_until_its_lease_runs_out(aliyun):
    row = make_text()
    [claim] = delivery.claim_due()  # another worker, still within its lease
    assert delivery.deliver_due().claimed == 0
    assert delivery.deliver_due(now=claim.lease_until - dt.timedelta(seconds=1)).claimed == 0
    assert aliyun.requests == 0
    report = delivery.deliver_due(now=claim.lease_until + dt.timedelta(seconds=1))
    assert report.sent == 1
    row = _fresh(row)
    assert row.state == State.SENT and row.attempts == 2
    assert aliyun.delivered_keys() == [row.idempotency_key]


def test_a_lease_that_runs_out_on_the_last_attempt_fails_the_row_without_sending(aliyun):
    row = make_text(max_attempts=1)
    [claim] = delivery.claim_due()
    report = delivery.deliver_due(now=claim.lease_until + dt.timedelta(seconds=1))
    assert report.failed == 1 and aliyun.requests == 0
    row = _fresh(row)
    assert row.state == State.FAILED and "lease expired" in row.last_error


def test_the_lease_outlasts_the_provider_timeout(settings):
    settings.FENGQIAO_SMS_TIMEOUT = 10
    assert delivery.lease_seconds() == 60
    settings.FENGQIAO_SMS_TIMEOUT = 45
    assert delivery.lease_seconds() == 135


# -------------------------------------------------------------------------------- webhooks


def test_a_webhook_is_posted_with_an_hmac_signature_and_the_idempotency_key(receiver, settings):
    row = queue_webhook(url=receiver.url + "hooks/fengqiao", payload={"event": "overdue", "code": "350322-1", "title": "柯某工资拖欠"})
    assert delivery.deliver_due().sent == 1
    [got] = receiver.messages
    assert got["path"] == "/hooks/fengqiao"
    assert got["payload"] == {"event": "overdue", "code": "350322-1", "title": "柯某工资拖欠"}
    headers = got["headers"]
    assert headers["Idempotency-Key"] == row.idempotency_key
    assert headers["Content-Type"].startswith("application/json")
    expected = hmac.new(settings.FENGQIAO_WEBHOOK_SECRET.encode(),
                        headers["X-Fengqiao-Timestamp"].encode() + b"." + got["raw"], hashlib.sha256).hexdigest()
    assert headers["X-Fengqiao-Signature"] == "sha256=" + expected
    assert abs(int(headers["X-Fengqiao-Timestamp"]) - time.time()) < 60
    row = _fresh(row)
    assert row.state == State.SENT and row.provider_id == "HTTP 200"


def test_verify_webhook_signature_rejects_tampering_and_stale_timestamps():
    body = b'{"event":"overdue"}'
    ts = str(int(time.time()))
    good = delivery.webhook_signature("s3cret", ts, body)
    assert delivery.verify_webhook_signature("s3cret", ts, body, good)
    assert not delivery.verify_webhook_signature("s3cret", ts, b'{"event":"closed"}', good)
    assert not delivery.verify_webhook_signature("other", ts, body, good)
    old = str(int(time.time()) - 3600)
    assert not delivery.verify_webhook_signature("s3cret", old, body, delivery.webhook_signature("s3cret", old, body))
    assert not delivery.verify_webhook_signature("s3cret", "yesterday", body, good)


def test_a_receiver_that_rejects_the_signature_gets_retried_not_lost(receiver, settings):
    settings.FENGQIAO_WEBHOOK_SECRET = "a-different-secret"
    row = queue_webhook(url=receiver.url, payload={"event": "overdue"})
    assert delivery.deliver_due().retried == 1
    assert receiver.messages == [] and receiver.rejected[0]["status"] == 401
    assert "HTTP 401" in _fresh(row).last_error


def test_a_webhook_receiver_outage_is_retried_with_the_same_key(receiver):
    receiver.fail_next(1, status=503)
    row = queue_webhook(url=receiver.url, payload={"event": "dispatched"})
    assert delivery.deliver_due().retried == 1
    delivery.deliver_due(now=_fresh(row).next_attempt_at)
    assert _fresh(row).state == State.SENT
    assert receiver.delivered_keys() == [row.idempotency_key]


def test_webhooks_wait_while_no_secret_is_set(receiver, settings):
    settings.FENGQIAO_WEBHOOK_SECRET = ""
    row = queue_webhook(url=receiver.url, payload={"event": "dispatched"})
    assert delivery.deliver_due().retried == 1
    assert "FENGQIAO_WEBHOOK_SECRET" in _fresh(row).last_error and receiver.requests == 0


def test_a_webhook_to_something_not_http_fails_at_once(receiver):
    row = queue_webhook(url="file:///etc/passwd", payload={"event": "dispatched"})
    assert delivery.deliver_due().failed == 1
    assert _fresh(row).state == State.FAILED and "BadRecipient" in _fresh(row).last_error


# ------------------------------------------------------------------------------ retry now


def test_retry_now_gives_a_failed_text_a_fresh_start(aliyun, django_user_model):
    admin = django_user_model.objects.create_user("ops", password="x")
    aliyun.fail_next(1)
    failed = make_text(max_attempts=1)
    sent = make_text()
    delivery.deliver_due()
    assert _fresh(failed).state == State.FAILED and _fresh(sent).state == State.SENT
    assert delivery.retry_now(ids=[failed.pk, sent.pk], actor=admin) == 1
    failed = _fresh(failed)
    assert failed.state == State.PENDING and failed.attempts == 0 and failed.next_attempt_at <= clock.now()
    assert _fresh(sent).state == State.SENT
    delivery.deliver_due()
    assert _fresh(failed).state == State.SENT
    assert sorted(aliyun.delivered_keys()) == sorted([failed.idempotency_key, sent.idempotency_key])


def test_retry_now_needs_an_actor():
    with pytest.raises(ValueError):
        delivery.retry_now(ids=[1], actor=None)


# ------------------------------------------------------------- a worker that dies mid-way


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fengqiao.config.cli", *args]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_the_provider_holds_its_call_is_replaced_and_the_text_goes_out_once(aliyun):
    row = make_text()
    aliyun.slow_next(1, seconds=60)  # the provider takes the text and sits on the answer
    worker = subprocess.Popen(_cli("deliver_outbox"), env=subprocess_env(**aliyun_env(aliyun)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: aliyun.requests == 1, timeout=30), worker.stderr.read1().decode()
    finally:
        worker.kill()  # SIGKILL: no cleanup, no marking
        worker.wait(timeout=10)
    row = _fresh(row)
    assert row.state == State.SENDING and row.attempts == 1 and row.sent_at is None

    assert delivery.deliver_due().claimed == 0  # its lease still holds
    report = delivery.deliver_due(now=row.lease_until + dt.timedelta(seconds=1))
    assert report.sent == 1
    row = _fresh(row)
    assert row.state == State.SENT and row.attempts == 2
    # One message per idempotency key at the provider: the repeat carried the same OutId.
    assert aliyun.delivered_keys() == [row.idempotency_key]
    assert aliyun.requests == 2 and aliyun.duplicates == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_after_claiming_leaves_the_text_for_the_next_one(aliyun):
    row = make_text()
    claim_and_die = (
        "import os, django; django.setup()\n"
        "from fengqiao.notify.delivery import claim_due\n"
        "claims = claim_due()\n"
        "print(len(claims), flush=True)\n"
        "os._exit(0 if claims else 3)\n"
    )
    done = subprocess.run([sys.executable, "-c", claim_and_die], env=subprocess_env(**aliyun_env(aliyun)),
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    row = _fresh(row)
    assert row.state == State.SENDING and row.attempts == 1
    assert aliyun.requests == 0

    assert delivery.deliver_due().claimed == 0
    assert delivery.deliver_due(now=row.lease_until + dt.timedelta(seconds=1)).sent == 1
    assert _fresh(row).state == State.SENT
    assert aliyun.delivered_keys() == [row.idempotency_key] and aliyun.requests == 1


# ------------------------------------------------------------------ concurrent workers (PG)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_both_claim_a_row(aliyun):
    import threading

    from django.db import connection as thread_connection

    rows = [make_text(phone=f"139{i:08d}") for i in range(60)]
    barrier = threading.Barrier(4)
    reports: list[delivery.DeliveryReport] = []
    claims: list[list[int]] = []
    lock = threading.Lock()

    def worker(mode: str) -> None:
        try:
            barrier.wait(timeout=10)
            if mode == "claim":
                got = [c.id for c in delivery.claim_due(limit=60)]
                with lock:
                    claims.append(got)
            else:
                report = delivery.deliver_all_due(batch=7)
                with lock:
                    reports.append(report)
        finally:
            thread_connection.close()

    # Round 1: four workers claim at once; every row is claimed exactly once.
    threads = [threading.Thread(target=worker, args=("claim",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    flat = [pk for got in claims for pk in got]
    assert sorted(flat) == sorted(r.pk for r in rows) and len(flat) == len(set(flat))

    # Round 2: the leases run out; four workers deliver at once; each text is sent once.
    OutboxMessage.objects.update(lease_until=clock.now() - dt.timedelta(seconds=1),
                                 next_attempt_at=clock.now() - dt.timedelta(seconds=1))
    threads = [threading.Thread(target=worker, args=("deliver",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    total = sum(reports, delivery.DeliveryReport())
    assert total.sent == 60 and total.claimed == 60
    assert aliyun.requests == 60 and aliyun.duplicates == 0
    assert sorted(aliyun.delivered_keys()) == sorted(r.idempotency_key for r in rows)
    assert OutboxMessage.objects.exclude(state=State.SENT).count() == 0
