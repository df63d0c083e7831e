"""`verify_audit --incremental`: only what changed since the signed checkpoints is walked, and a
rewrite that keeps rows, hashes and heads in agreement still fails against its signature."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.audit import chain
from fengqiao.audit.models import AuditCheckpoint, AuditEntry, AuditStream
from fengqiao.events import actions
from tests.factories import register

pytestmark = pytest.mark.django_db


def _incremental() -> str:
    out = io.StringIO()
    call_command("verify_audit", "--incremental", stdout=out)
    return out.getvalue()


def test_a_second_run_walks_only_what_was_written_since(world):
    events = [register(world, title=f"柯某工资拖欠{n}") for n in range(3)]
    first = chain.verify_incremental()
    assert first.problem is None and first.rows == AuditEntry.objects.count()
    assert first.checkpoints == AuditStream.objects.count()

    again = chain.verify_incremental()
    assert (again.problem, again.streams, again.rows) == (None, 0, 0)

    actions.event_comment(event=events[0], actor=world.secretary_a.user, text="已联系当事人")
    after = chain.verify_incremental()
    assert after.problem is None and after.streams >= 1
    assert after.rows == after.streams  # one new row on the event's chain (plus any named stream's)
    assert "0 new rows in 0 changed chains" in _incremental()


def test_a_row_altered_after_its_checkpoint_is_named(world):
    event = register(world)
    chain.verify_incremental()
    actions.event_comment(event=event, actor=world.secretary_a.user, text="已联系当事人")
    row = AuditEntry.objects.filter(stream=chain.event_stream(event)).order_by("-seq").first()
    AuditEntry.objects.filter(pk=row.pk).update(note="改过的备注")
    with pytest.raises(CommandError, match="altered"):
        _incremental()


def test_a_stream_rewritten_wholesale_fails_against_its_signature(world):
    """Rows, hashes, head and checkpoint made to agree: the chain alone cannot tell; the full
    `verify_audit` checks every checkpoint's signature and can (the incremental run reads only
    the streams that changed, so this is the monthly walk's to find)."""
    event = register(world)
    chain.verify_incremental()
    stream = chain.event_stream(event)
    entry = AuditEntry.objects.filter(stream=stream).order_by("-seq").first()
    entry.note = "改写的登记"
    entry.hash = chain.compute_hash(entry)
    entry.save()
    AuditStream.objects.filter(key=stream).update(head=entry.hash)
    AuditCheckpoint.objects.filter(stream=stream).update(head=entry.hash)  # the forger's best try
    assert chain.verify() is None  # the chain itself agrees
    with pytest.raises(CommandError, match="signature"):
        call_command("verify_audit", stdout=io.StringIO())


def test_a_forged_checkpoint_of_a_changed_stream_is_refused_by_the_incremental_run(world):
    event = register(world)
    chain.verify_incremental()
    stream = chain.event_stream(event)
    AuditCheckpoint.objects.filter(stream=stream).update(seq=1)  # "verified only up to seq 1"
    with pytest.raises(CommandError, match="signature"):
        _incremental()


def test_rows_removed_from_a_verified_stream_are_named(world):
    event = register(world)
    actions.event_comment(event=event, actor=world.secretary_a.user, text="已联系当事人")
    chain.verify_incremental()
    stream = chain.event_stream(event)
    last = AuditEntry.objects.filter(stream=stream).order_by("-seq").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    AuditStream.objects.filter(key=stream).update(seq=last.seq - 1, head=last.prev_hash)
    with pytest.raises(CommandError, match="removed"):
        _incremental()


def test_a_removed_head_row_is_named(world):
    event = register(world)
    chain.verify_incremental()
    stream = chain.event_stream(event)
    AuditEntry.objects.filter(stream=stream).delete()
    AuditStream.objects.filter(key=stream).delete()
    with pytest.raises(CommandError, match="head row was removed"):
        _incremental()
