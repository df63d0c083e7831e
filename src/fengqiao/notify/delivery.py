"""The outbox worker: claim due rows with a compare-and-set update, send them, mark them.

A row is *due* when it is ``pending`` and its ``next_attempt_at`` has come, or ``sending`` and
its lease has run out (the worker that claimed it died). Claiming is one UPDATE filtered on the
row's id *and* the state, lease and attempt count the worker read; only one worker's UPDATE can
match, so only the winner sends. Claiming sets ``lease_until`` and moves ``next_attempt_at`` to
the same moment, so a row whose worker dies comes due again, through the same partial index,
when the lease runs out.

Each row is claimed, sent and marked on its own (autocommit statements, no transaction around
the network call). A failed send is retried with exponential backoff and jitter
(30 s · 2ⁿ, at most an hour) until ``max_attempts``; then the row is ``failed`` and an operator
can send it again from the admin ("retry now", :func:`retry_now`).

Texts go through the backend chosen by ``FENGQIAO_SMS_BACKEND`` (see ``backends.py``), always
with the row's idempotency key. Webhook rows (channel ``webhook``: recipient = URL, body = JSON)
are POSTed with an ``Idempotency-Key`` header and an HMAC-SHA256 signature (see
:func:`webhook_signature`); any 2xx answer counts as delivered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import random
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from fengqiao.lib import clock
from fengqiao.notify.backends import (
    DeliveryError,
    SmsBackend,
    SmsMessage,
    get_backend,
    http_request,
)
from fengqiao.notify.models import OutboxMessage

logger = logging.getLogger(__name__)

State = OutboxMessage.State

LEASE_SECONDS = 60
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
BACKOFF_JITTER = 0.2  # up to 20 % added at random, so failed rows do not retry in lockstep

SIGNATURE_HEADER = "X-Fengqiao-Signature"
TIMESTAMP_HEADER = "X-Fengqiao-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    claimed: int = 0  # rows this worker won
    sent: int = 0
    retried: int = 0  # failed this time, scheduled again
    failed: int = 0  # gave up (permanent error or out of attempts)
    lost: int = 0  # another worker claimed the row first
    expired: int = 0  # our lease ran out before we could mark the row; another worker has it

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Claim:
    """A row this worker owns until `lease_until`."""

    id: int
    lease_until: dt.datetime
    attempts: int
    max_attempts: int


def due_filter(now: dt.datetime) -> Q:
    """Rows to deliver at `now`; the first clause is the `outbox_due` partial index."""
    return Q(state__in=[State.PENDING, State.SENDING], next_attempt_at__lte=now) & (
        Q(state=State.PENDING) | Q(lease_until__lt=now)
    )


def lease_seconds() -> int:
    """Long enough for one provider call (its timeout) with room to spare."""
    return max(LEASE_SECONDS, 3 * int(settings.FENGQIAO_SMS_TIMEOUT))


def retry_delay(attempt: int, *, rng: Callable[[], float] = random.random) -> dt.timedelta:
    """Wait before attempt `attempt + 1`: 30 s, 60 s, 120 s … capped at an hour, plus jitter."""
    base = min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_CAP_SECONDS)
    return dt.timedelta(seconds=base * (1 + BACKOFF_JITTER * rng()))


def due_rows(now: dt.datetime, limit: int) -> list[tuple]:
    """Snapshots (id, state, lease_until, attempts, max_attempts) of rows due at `now`."""
    return list(
        OutboxMessage.objects.filter(due_filter(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", "state", "lease_until", "attempts", "max_attempts")[:limit]
    )


def claim_row(row: tuple, now: dt.datetime) -> Claim | None | str:
    """Compare-and-set one snapshot from `due_rows`: the UPDATE matches only if the row is still
    as read. Returns the Claim, None (another worker changed it first) or "gave_up"."""
    pk, state, lease_until, attempts, max_attempts = row
    same_as_read = OutboxMessage.objects.filter(
        pk=pk, state=state, attempts=attempts,
        **({"lease_until": lease_until} if lease_until is not None else {"lease_until__isnull": True}),
    )
    if attempts >= max_attempts:
        # The worker making the last attempt died; do not exceed max_attempts.
        gave_up = same_as_read.update(
            state=State.FAILED, lease_until=None,
            last_error="the worker making the last attempt stopped before finishing (lease expired)",
        )
        return "gave_up" if gave_up else None
    new_lease = now + dt.timedelta(seconds=lease_seconds())
    won = same_as_read.update(
        state=State.SENDING, lease_until=new_lease, next_attempt_at=new_lease, attempts=attempts + 1
    )
    if not won:
        return None
    return Claim(id=pk, lease_until=new_lease, attempts=attempts + 1, max_attempts=max_attempts)


def claim_due(*, limit: int = 100, now: dt.datetime | None = None) -> list[Claim]:
    """Claim up to `limit` due rows at once (for tools and tests; the worker claims one by one)."""
    now = now or clock.now()
    claims = []
    for row in due_rows(now, limit):
        claim = claim_row(row, now)
        if isinstance(claim, Claim):
            claims.append(claim)
    return claims


def deliver_due(*, limit: int = 100, now: dt.datetime | None = None) -> DeliveryReport:
    """Deliver up to `limit` due rows: claim each, send it, mark it sent or schedule a retry."""
    moment: Callable[[], dt.datetime] = (lambda: now) if now is not None else clock.now
    report = DeliveryReport()
    backend: SmsBackend | DeliveryError | None = None
    for row in due_rows(moment(), limit):
        claim = claim_row(row, moment())
        if claim is None:
            report.lost += 1
            continue
        if claim == "gave_up":
            report.failed += 1
            continue
        assert isinstance(claim, Claim)
        report.claimed += 1
        if backend is None:
            try:
                backend = get_backend()
            except DeliveryError as exc:  # a settings problem: every text fails the same way
                backend = exc
        outcome = _deliver_claimed(claim, backend, moment)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def deliver_all_due(*, batch: int = 100, now: dt.datetime | None = None,
                    max_batches: int = 1000) -> DeliveryReport:
    """Deliver everything due, batch after batch, until a batch finds nothing to claim."""
    total = DeliveryReport()
    for _ in range(max_batches):
        report = deliver_due(limit=batch, now=now)
        total = total + report
        if report.claimed == 0 and report.failed == 0:
            break
    return total


def _deliver_claimed(claim: Claim, backend: SmsBackend | DeliveryError,
                     moment: Callable[[], dt.datetime]) -> str:
    try:
        message = OutboxMessage.objects.get(pk=claim.id)
        if message.channel == OutboxMessage.Channel.WEBHOOK:
            provider_id = send_webhook(message)
        else:
            if isinstance(backend, DeliveryError):
                raise backend
            provider_id = backend.send(
                SmsMessage(
                    phone=message.recipient,
                    body=message.body,
                    template=message.template,
                    params=message.params if isinstance(message.params, dict) else {},
                    idempotency_key=message.idempotency_key,
                )
            )
    except DeliveryError as exc:
        return _mark_failure(claim, str(exc), exc.permanent, moment())
    except Exception as exc:  # e.g. an undecryptable row (wrong FENGQIAO_DATA_KEY) or a bug
        logger.exception("outbox %s: unexpected error while sending", claim.id)
        return _mark_failure(claim, f"{type(exc).__name__}: {exc}", False, moment())
    marked = _owned(claim).update(
        state=State.SENT, provider_id=str(provider_id)[:100], sent_at=moment(), lease_until=None,
        last_error="",
    )
    if not marked:
        logger.warning("outbox %s: sent, but the lease ran out first; another worker has the row "
                       "and will resend it with the same idempotency key", claim.id)
        return "expired"
    logger.info("outbox %s sent (%s, attempt %d)", claim.id, message.channel, claim.attempts)
    return "sent"


def _owned(claim: Claim):
    return OutboxMessage.objects.filter(pk=claim.id, state=State.SENDING, lease_until=claim.lease_until)


def _mark_failure(claim: Claim, error: str, permanent: bool, now: dt.datetime) -> str:
    give_up = permanent or claim.attempts >= claim.max_attempts
    changes: dict = {"lease_until": None, "last_error": error[:2000]}
    if give_up:
        changes["state"] = State.FAILED
    else:
        changes.update(state=State.PENDING, next_attempt_at=now + retry_delay(claim.attempts))
    if not _owned(claim).update(**changes):
        logger.warning("outbox %s: failed, and the lease ran out first: %s", claim.id, error)
        return "expired"
    level = logging.ERROR if give_up else logging.WARNING
    logger.log(level, "outbox %s attempt %d/%d failed%s: %s", claim.id, claim.attempts,
               claim.max_attempts, " (giving up)" if give_up else "", error)
    return "failed" if give_up else "retried"


# ---------------------------------------------------------------------------------- webhooks


def webhook_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``"<timestamp>." + body`` under the shared secret.

    Receivers recompute it from the ``X-Fengqiao-Timestamp`` header and the raw body, compare in
    constant time, reject stale timestamps, and drop repeats of the ``Idempotency-Key``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_webhook_signature(secret: str, timestamp: str, body: bytes, signature: str, *,
                             tolerance: int = 300, now: float | None = None) -> bool:
    """For receivers written in Python (and our own tests of a receiver)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, timestamp, body), signature or "")


# Who else signs webhooks: a kind ("intake_system") → a function from the signer's id to its
# secret (None: unknown or gone). Apps register in their AppConfig.ready().
_WEBHOOK_SIGNERS: dict[str, Callable[[str], str | None]] = {}


def register_webhook_signer(kind: str, secret_of: Callable[[str], str | None]) -> None:
    _WEBHOOK_SIGNERS[kind] = secret_of


def webhook_secret(message: OutboxMessage) -> str:
    """The secret that signs this message: its signer's own, or the platform's."""
    _, _, signer = message.template.partition(":")
    if not signer:
        secret = settings.FENGQIAO_WEBHOOK_SECRET
        if not secret:
            raise DeliveryError("FENGQIAO_WEBHOOK_SECRET is not set; webhooks wait until it is",
                                code="ImproperlyConfigured")
        return secret
    kind, _, ident = signer.partition(":")
    secret_of = _WEBHOOK_SIGNERS.get(kind)
    own = secret_of(ident) if secret_of is not None else None
    if not own:
        raise DeliveryError(f"no signing secret for {signer}", code="NoSigner", permanent=True)
    return own


def send_webhook(message: OutboxMessage) -> str:
    secret = webhook_secret(message)
    url = message.recipient
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise DeliveryError(f"not an http(s) URL: {url!r}", code="BadRecipient", permanent=True)
    body = message.body.encode("utf-8")
    timestamp = str(int(time.time()))  # real time: receivers compare it with their own clock
    result = http_request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "fengqiao-webhook/1",
            IDEMPOTENCY_HEADER: message.idempotency_key,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
        },
        timeout=float(settings.FENGQIAO_SMS_TIMEOUT),
    )
    if 200 <= result.status < 300:
        return f"HTTP {result.status}"
    snippet = result.body[:200].decode("utf-8", "replace")
    raise DeliveryError(f"the receiver answered HTTP {result.status}: {snippet}",
                        code=f"HTTP{result.status}")


# ------------------------------------------------------------------------------- operators


def retry_now(*, ids: Iterable[int], actor) -> int:
    """Send these rows again as soon as the worker runs (the admin's "retry now").

    Failed rows get a fresh set of attempts; pending rows are moved to now; sent rows and rows a
    worker is sending are left alone. Returns how many rows were rescheduled."""
    if actor is None:
        raise ValueError("retry_now needs the acting user")
    ids = list(ids)
    now = clock.now()
    with transaction.atomic():
        waiting = OutboxMessage.objects.filter(pk__in=ids, state=State.PENDING).update(next_attempt_at=now)
        revived = OutboxMessage.objects.filter(pk__in=ids, state=State.FAILED).update(
            state=State.PENDING, attempts=0, next_attempt_at=now, lease_until=None
        )
        if waiting or revived:
            transaction.on_commit(_kick_worker)
    logger.info("%s asked to retry outbox rows %s: %d rescheduled", actor, ids, waiting + revived)
    return waiting + revived


def _kick_worker() -> None:
    try:
        from fengqiao.notify.tasks import deliver_due as enqueue_delivery

        enqueue_delivery()
    except Exception:  # the rows are due; the periodic sweep will deliver them
        logger.warning("could not queue the delivery task", exc_info=True)
