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

from fengqiao.audit.models import AuditEntry, AuditStream
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
