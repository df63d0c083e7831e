"""The record is tamper-evident: `fengqiao verify_audit` names the first altered or removed row."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from tests.factories import register


def _loop(world):
    event = register(world)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    actions.event_resolve(event=event, actor=world.secretary_a.user, result="已调解")
    return event


def test_every_action_writes_one_row_with_who_when_and_states(world):
    event = _loop(world)
    rows = list(AuditEntry.objects.filter(event=event).order_by("seq"))
    assert [(r.action, r.from_state, r.to_state) for r in rows] == [
        ("register", "", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("acknowledge", "dispatched", "in_progress"),
        ("resolve", "in_progress", "resolved"),
    ]
    assert rows[2].actor == world.secretary_a.user and rows[2].actor_name == "柯书记"
    assert rows[1].actor is None and rows[1].actor_name == "system"
    assert rows[1].prev_hash == rows[0].hash


def test_an_intact_record_verifies(world, capsys):
    _loop(world)
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_an_altered_row_is_named(world):
    event = _loop(world)
    target = AuditEntry.objects.filter(event=event, action="acknowledge").get()
    AuditEntry.objects.filter(pk=target.pk).update(note="被篡改")
    problem = audit.verify()
    assert problem is not None and problem.entry_id == target.pk and "altered" in problem.reason
    with pytest.raises(CommandError, match=f"id={target.pk}"):
        call_command("verify_audit")


def test_a_changed_actor_is_detected(world):
    event = _loop(world)
    target = AuditEntry.objects.filter(event=event, action="resolve").get()
    AuditEntry.objects.filter(pk=target.pk).update(actor=world.operator.user)
    assert audit.verify().entry_id == target.pk


def test_a_removed_middle_row_is_detected(world):
    event = _loop(world)
    AuditEntry.objects.filter(event=event, action="dispatch").delete()
    problem = audit.verify()
    assert problem is not None and problem.seq == 2


def test_a_removed_last_row_is_detected(world):
    event = _loop(world)
    AuditEntry.objects.filter(event=event, action="resolve").delete()
    problem = audit.verify()
    assert problem is not None and "removed" in problem.reason


def test_a_rewritten_row_with_a_recomputed_hash_breaks_the_next_link(world):
    event = _loop(world)
    target = AuditEntry.objects.filter(event=event, action="dispatch").get()
    target.note = "伪造"
    target.hash = audit.compute_hash(target)
    target.save()
    problem = audit.verify()
    assert problem is not None and problem.seq == 3 and "link" in problem.reason


def test_rows_written_under_a_clock_pinned_in_beijing_time_verify(world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from fengqiao.lib import clock

    with clock.frozen(dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))):
        _loop(world)
    assert audit.verify() is None
