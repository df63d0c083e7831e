"""The tamper-evident record. Every action writes one row here, in its own transaction.

The one audit module of the platform: people, events, intake, triage, imports, supervision (and
every app to come) write through `record()`. It sits below all of them and imports none.

Rows form hash chains, one per stream (`event:<id>` for an event, or a named stream such as
`people`). Each row's hash covers its content and the previous row's hash; the stream's head row
holds the last sequence number and hash, so a removed tail row is noticed too. The chain is
computed here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from fengqiao.audit.models import AuditCheckpoint, AuditEntry, AuditStream
from fengqiao.lib import clock

GENESIS = "0" * 64


def event_stream(event: models.Model | int) -> str:
    return f"event:{event if isinstance(event, int) else event.pk}"


def _canonical(entry: AuditEntry) -> str:
    payload = {
        "stream": entry.stream,
        "seq": entry.seq,
        "event": entry.event_id,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "from": entry.from_state,
        "to": entry.to_state,
        "note": entry.note,
        "details": entry.details,
        # In UTC: the database hands times back in UTC whatever zone they were written in.
        "at": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "prev": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry).encode()).hexdigest()


def _normalise(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hash sees exactly what the database will return.
    return json.loads(json.dumps(details, cls=DjangoJSONEncoder, ensure_ascii=False))


def record(
    *,
    stream: str,
    action: str,
    actor=None,
    actor_name: str = "",
    event: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
    new_stream: bool = False,
) -> AuditEntry:
    """Append one row to `stream`. Must run inside the action's transaction.

    `new_stream`: the caller knows the stream cannot exist yet (`event:<id>` of the event it has
    just inserted), so its head row is inserted with the first entry instead of being looked up,
    created and locked (two queries instead of eight). Should the stream exist after all, the
    head's primary key refuses the insert and the transaction fails: nothing is overwritten."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the action's transaction")
    head: AuditStream | None
    if new_stream:
        head = AuditStream(key=stream)
    else:
        head = _locked_head(stream)
        if head is None:  # the stream's first row (get_or_create survives a racing creator)
            AuditStream.objects.get_or_create(key=stream)
            head = _locked_head(stream)
            assert head is not None
    created_at = clock.now()
    entry = AuditEntry(
        stream=stream,
        seq=head.seq + 1,
        event_id=event.pk if event is not None else None,  # audit sits below events: any model's id
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_name=actor_name or name_of(actor),
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        details=_normalise(details or {}),
        created_at=created_at,
        prev_hash=head.head or GENESIS,
    )
    entry.hash = compute_hash(entry)
    entry.save()
    head.seq = entry.seq
    head.head = entry.hash
    if new_stream:
        head.save(force_insert=True)
    else:
        _move_head(head)
    return entry


# Every action of the platform reads and moves one head: plain SQL on the primary key, without
# the ORM's query compilation, which costs more than these primary-key queries themselves.
_TABLE = AuditStream._meta.db_table


def _locked_head(stream: str) -> AuditStream | None:
    connection = transaction.get_connection()
    q = connection.ops.quote_name
    sql = f"SELECT {q('seq')}, {q('head')} FROM {q(_TABLE)} WHERE {q('key')} = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"  # SQLite: the action's transaction is BEGIN IMMEDIATE already
    with connection.cursor() as cursor:
        cursor.execute(sql, [stream])
        row = cursor.fetchone()
    return None if row is None else AuditStream(key=stream, seq=row[0], head=row[1])


def _move_head(head: AuditStream) -> None:
    connection = transaction.get_connection()
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {q(_TABLE)} SET {q('seq')} = %s, {q('head')} = %s WHERE {q('key')} = %s",
                       [head.seq, head.head, head.key])


def name_of(actor) -> str:
    if actor is None:
        return "system"
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    if person is not None:
        return person.name
    return getattr(actor, "username", "") or "system"


@dataclass
class Problem:
    stream: str
    seq: int | None
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"row id={self.entry_id} (stream {self.stream}, seq {self.seq})"
        return f"{where}: {self.reason}"


def verify(batch: int = 5000) -> Problem | None:
    """Walk every chain; return the first bad row, or None when the record is intact."""
    heads = dict(AuditStream.objects.values_list("key", "head"))
    seqs = dict(AuditStream.objects.values_list("key", "seq"))
    current: str | None = None
    expected_seq = 0
    prev = GENESIS
    seen: set[str] = set()
    last_id = None

    def close_stream(stream: str) -> Problem | None:
        if stream not in heads:
            return Problem(stream, expected_seq, last_id, "stream has no head row")
        if seqs[stream] != expected_seq or heads[stream] != prev:
            return Problem(
                stream, expected_seq + 1, None,
                f"rows after seq {expected_seq} were removed (head says seq {seqs[stream]})",
            )
        return None

    qs = AuditEntry.objects.order_by("stream", "seq").values_list(
        "id", "stream", "seq", "event_id", "actor_id", "actor_name", "action",
        "from_state", "to_state", "note", "details", "created_at", "prev_hash", "hash",
    )
    for row in qs.iterator(chunk_size=batch):
        (rid, stream, seq, event_id, actor_id, actor_name, action, f, t, note, details,
         created_at, prev_hash, hash_) = row
        if stream != current:
            if current is not None and (problem := close_stream(current)):
                return problem
            current, expected_seq, prev = stream, 0, GENESIS
            seen.add(stream)
        if seq != expected_seq + 1:
            return Problem(stream, expected_seq + 1, rid, f"row seq {expected_seq + 1} is missing")
        entry = AuditEntry(
            stream=stream, seq=seq, event_id=event_id, actor_id=actor_id, actor_name=actor_name,
            action=action, from_state=f, to_state=t, note=note, details=details,
            created_at=created_at, prev_hash=prev_hash,
        )
        if prev_hash != prev:
            return Problem(stream, seq, rid, "previous-hash link is broken")
        if compute_hash(entry) != hash_:
            return Problem(stream, seq, rid, "content does not match its hash (row was altered)")
        expected_seq, prev, last_id = seq, hash_, rid
    if current is not None and (problem := close_stream(current)):
        return problem
    for stream, seq in seqs.items():
        if stream not in seen and seq > 0:
            return Problem(stream, 1, None, "every row of this stream was removed")
    return None


# --------------------------------------------------------------------------- signed checkpoints


def _checkpoint_key() -> bytes:
    from django.conf import settings

    material = getattr(settings, "FENGQIAO_AUDIT_KEY", "") or ("fengqiao-audit-checkpoint:" + settings.SECRET_KEY)
    return hashlib.sha256(material.encode()).digest()


def sign(stream: str, seq: int, head: str, key: bytes | None = None) -> str:
    import hmac

    return hmac.new(key or _checkpoint_key(), f"{stream}\n{seq}\n{head}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Incremental:
    problem: Problem | None
    streams: int = 0  # streams that changed since their checkpoint (or had none)
    rows: int = 0  # rows walked
    checkpoints: int = 0  # checkpoints written (0 when a problem was found)


def _entry_from(row) -> tuple[int, str, int, str, str, AuditEntry]:
    (rid, stream, seq, event_id, actor_id, actor_name, action, f, t, note, details,
     created_at, prev_hash, hash_) = row
    entry = AuditEntry(stream=stream, seq=seq, event_id=event_id, actor_id=actor_id, actor_name=actor_name,
                       action=action, from_state=f, to_state=t, note=note, details=details,
                       created_at=created_at, prev_hash=prev_hash)
    return rid, stream, seq, prev_hash, hash_, entry


_ROW_FIELDS = ("id", "stream", "seq", "event_id", "actor_id", "actor_name", "action",
               "from_state", "to_state", "note", "details", "created_at", "prev_hash", "hash")


def verify_incremental(*, batch: int = 200) -> Incremental:
    """Walk only what changed since each stream's signed checkpoint, then move the checkpoints.

    In one snapshot (a repeatable-read transaction on PostgreSQL): the streams whose head differs
    from their checkpoint (one join over the heads), each one's rows after the checkpoint linked
    onto the checkpoint's hash, and the checkpoint's signature. The cost follows what was written
    since the last run, not the size of the record; `verify()` still walks everything (monthly)."""
    from django.db import connection

    key = _checkpoint_key()
    result = Incremental(problem=None)
    outermost = not connection.in_atomic_block  # inside a caller's transaction, its snapshot holds
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.{qn('stream')} FROM {qn('audit_checkpoint')} c LEFT JOIN {qn('events_auditstream')} s "
                f"ON s.{qn('key')} = c.{qn('stream')} WHERE s.{qn('key')} IS NULL")
            if (gone := cursor.fetchone()) is not None:
                result.problem = Problem(gone[0], None, None, "the stream's head row was removed")
                return result
            cursor.execute(
                f"SELECT s.{qn('key')}, s.{qn('seq')}, s.{qn('head')}, c.{qn('seq')}, c.{qn('head')}, "
                f"c.{qn('signature')} FROM {qn('events_auditstream')} s LEFT JOIN {qn('audit_checkpoint')} c "
                f"ON c.{qn('stream')} = s.{qn('key')} WHERE c.{qn('stream')} IS NULL OR c.{qn('seq')} <> s.{qn('seq')} "
                f"OR c.{qn('head')} <> s.{qn('head')} ORDER BY s.{qn('key')}")
            changed = cursor.fetchall()
        result.streams = len(changed)
        moved: list[AuditCheckpoint] = []
        now = clock.now()
        for start in range(0, len(changed), batch):
            chunk = changed[start:start + batch]
            where = models.Q()
            for stream, _seq, _head, cp_seq, _cp_head, _sig in chunk:
                where |= models.Q(stream=stream, seq__gt=cp_seq or 0)
            rows: dict[str, list] = {}
            for row in AuditEntry.objects.filter(where).order_by("stream", "seq").values_list(*_ROW_FIELDS):
                rows.setdefault(row[1], []).append(row)
            for stream, head_seq, head, cp_seq, cp_head, signature in chunk:
                if cp_seq is not None and signature != sign(stream, cp_seq, cp_head, key):
                    result.problem = Problem(stream, cp_seq, None, "the checkpoint's signature does not match")
                    return result
                expected, prev = (cp_seq or 0), (cp_head if cp_seq is not None else GENESIS)
                if head_seq < expected:
                    result.problem = Problem(stream, head_seq + 1, None,
                                             f"rows after seq {head_seq} were removed (verified up to seq {expected})")
                    return result
                for row in rows.get(stream, []):
                    rid, _s, seq, prev_hash, hash_, entry = _entry_from(row)
                    result.rows += 1
                    if seq != expected + 1:
                        result.problem = Problem(stream, expected + 1, rid, f"row seq {expected + 1} is missing")
                        return result
                    if prev_hash != prev:
                        result.problem = Problem(stream, seq, rid, "previous-hash link is broken")
                        return result
                    if compute_hash(entry) != hash_:
                        result.problem = Problem(stream, seq, rid, "content does not match its hash (row was altered)")
                        return result
                    expected, prev = seq, hash_
                if expected != head_seq or prev != head:
                    result.problem = Problem(stream, expected + 1, None,
                                             f"rows after seq {expected} were removed (head says seq {head_seq})")
                    return result
                moved.append(AuditCheckpoint(stream=stream, seq=head_seq, head=head,
                                             signature=sign(stream, head_seq, head, key), signed_at=now))
    if moved:
        with transaction.atomic():
            for start in range(0, len(moved), 1000):
                AuditCheckpoint.objects.bulk_create(
                    moved[start:start + 1000], update_conflicts=True, unique_fields=["stream"],
                    update_fields=["seq", "head", "signature", "signed_at"])
        result.checkpoints = len(moved)
    return result


def verify_checkpoints() -> Problem | None:
    """Every checkpoint's signature, and the row it signed still holding that hash (with the full
    walk of `verify()`: a stream rewritten wholesale — rows, hashes and head — fails here)."""
    from django.db import connection

    key = _checkpoint_key()
    qn = connection.ops.quote_name
    sql = (f"SELECT c.{qn('stream')}, c.{qn('seq')}, c.{qn('head')}, c.{qn('signature')}, e.{qn('hash')} "
           f"FROM {qn('audit_checkpoint')} c LEFT JOIN {qn('events_auditentry')} e "
           f"ON e.{qn('stream')} = c.{qn('stream')} AND e.{qn('seq')} = c.{qn('seq')}")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(5000):
            for stream, seq, head, signature, hash_ in rows:
                if signature != sign(stream, seq, head, key):
                    return Problem(stream, seq, None, "the checkpoint's signature does not match")
                if seq and hash_ != head:
                    return Problem(stream, seq, None, "the verified row no longer has the hash its checkpoint signed")
    return None
