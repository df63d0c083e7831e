"""Milestones as running clocks: started when the matter is listed, warned `warn_days` before their
date and noticed once after it by the one scanner (`workflow.clocks.scan`), through the
milestone's own workflow (audited on the matter's stream, texted); completed in time or late;
rescheduled by the listing level (warned again); urged; the matter supervised card by card."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, IllegalTransition, NotPermitted
from fengqiao.majors import actions, queries
from fengqiao.majors.models import Card, Matter, Milestone
from fengqiao.notify.models import OutboxMessage
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock
from tests.majors import helpers
from tests.majors.world import SH, local

pytestmark = pytest.mark.django_db

START = local(2026, 9, 1, 10)


def _underway(mw, due=("2026-09-20", "2026-10-20")):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk", title="某小区业主集体维权风险化解")
        actions.milestones_plan(actor=mw.user("operator"), matter=m, add=[
            actions.MilestoneInput(title=f"节点{i}", due_on=d) for i, d in enumerate(due, start=1)])
        return actions.matter_start(actor=mw.user("operator"), matter=m)


def _clock(ms: Milestone) -> Clock:
    return Clock.objects.get(workflow="major_milestone", record_id=ms.pk)


def test_clocks_start_when_the_matter_is_listed_and_run_to_the_end_of_the_due_date(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk")
        actions.milestones_plan(actor=mw.user("operator"), matter=m, add=[
            actions.MilestoneInput(title="排查摸底", due_on="2026-09-20")])
        assert not Clock.objects.filter(workflow="major_milestone").exists()  # planned, not listed yet
        actions.matter_start(actor=mw.user("operator"), matter=m)
    c = _clock(m.milestones.get())
    local_due = c.due_at.astimezone(SH)
    assert (local_due.date(), local_due.time()) == (dt.date(2026, 9, 20), dt.time(23, 59, 59))
    assert c.warn_at.astimezone(SH).date() == dt.date(2026, 9, 13)  # warned 7 days before (the policy)
    assert c.started_at == START


def test_the_scanner_warns_once_before_and_notices_once_after_through_the_milestone_workflow(mw):
    m = _underway(mw)
    first = m.milestones.get(seq=1)
    assert clocks.scan(now=local(2026, 9, 12)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert clocks.scan(now=local(2026, 9, 14)) == {"warned": 1, "overdue": 0, "errors": 0}
    assert clocks.scan(now=local(2026, 9, 15)) == {"warned": 0, "overdue": 0, "errors": 0}
    warning = AuditEntry.objects.get(stream=f"major:{m.pk}", action="clock_warning")
    assert warning.actor_id is None and warning.details["clock"] == "major.milestone"
    assert (warning.from_state, warning.to_state) == ("pending", "pending")
    warned = set(OutboxMessage.objects.filter(template="clock_warning").values_list("person__name", flat=True))
    assert warned == {mw.leader.name, mw.dept.name}  # the leader in charge and the owner unit
    text = OutboxMessage.objects.filter(template="clock_warning").first().body
    assert "重大事项「某小区业主集体维权风险化解」节点「节点1」" in text and "挂账节点期限" in text

    assert clocks.scan(now=local(2026, 9, 21, 9)) == {"warned": 0, "overdue": 1, "errors": 0}
    assert clocks.scan(now=local(2026, 9, 22)) == {"warned": 0, "overdue": 0, "errors": 0}
    notice = AuditEntry.objects.get(stream=f"major:{m.pk}", action="clock_overdue")
    assert notice.details["notified"]
    told = set(OutboxMessage.objects.filter(template="clock_overdue").values_list("person__name", flat=True))
    assert mw.operator.name in told  # past its date, the listing level's office hears too
    # The list's overdue filter and the page's state both see it.
    at = local(2026, 9, 22)
    overdue = queries.filter_matters(mw.user("operator"), queries.MatterFilters(overdue=True), now=at)
    assert list(overdue) == [Matter.objects.get(pk=m.pk)]
    states = {r.milestone.seq: r.state for r in queries.milestone_rows(m, at)}
    assert states == {1: "overdue", 2: "running"}
    assert first.status == "pending"


def test_completing_stops_the_clock_met_in_time_or_late(mw):
    m = _underway(mw)
    one, two = m.milestones.order_by("seq")
    with clock.frozen(local(2026, 9, 19, 16)):
        actions.milestone_complete(actor=mw.user("leader"), milestone=one, result="排查完成,建档42户。")
    with clock.frozen(local(2026, 10, 22, 9)):
        actions.milestone_complete(actor=mw.user("leader"), milestone=two, result="协议全部签订。")
    assert _clock(one).outcome == Clock.Outcome.MET and not Milestone.objects.get(pk=one.pk).late
    assert _clock(two).outcome == Clock.Outcome.LATE and Milestone.objects.get(pk=two.pk).late
    row = AuditEntry.objects.filter(stream=f"major:{m.pk}", action="complete").order_by("seq").last()
    assert (row.from_state, row.to_state, row.details["late"], row.details["clock"]) == ("pending", "done", True,
                                                                                         "late")
    assert clocks.scan(now=local(2026, 10, 25)) == {"warned": 0, "overdue": 0, "errors": 0}  # stopped: silent
    assert [r.state for r in queries.milestone_rows(m, local(2026, 10, 25))] == ["met", "late"]


def test_rescheduling_extends_the_clock_and_it_may_warn_again(mw):
    m = _underway(mw)
    one = m.milestones.get(seq=1)
    assert clocks.scan(now=local(2026, 9, 14))["warned"] == 1
    with pytest.raises(NotPermitted):  # the owner unit does not move a listed date
        actions.milestone_reschedule(actor=mw.user("dept"), milestone=one, due_on="2026-09-30", reason="雨季")
    with clock.frozen(local(2026, 9, 15)):
        actions.milestone_reschedule(actor=mw.user("operator"), milestone=one, due_on="2026-09-30",
                                     reason="连续降雨,延后十天。")
    c = _clock(one)
    assert c.due_at.astimezone(SH).date() == dt.date(2026, 9, 30) and c.extended_days == 10
    assert c.warned_at is None
    assert clocks.scan(now=local(2026, 9, 24))["warned"] == 1
    row = AuditEntry.objects.get(stream=f"major:{m.pk}", action="reschedule")
    assert (row.details["from_due"], row.details["to_due"], row.details["days"]) == ("2026-09-20", "2026-09-30", 10)


def test_a_milestone_added_while_listed_runs_at_once_and_cannot_be_removed(mw):
    m = _underway(mw)
    with clock.frozen(local(2026, 9, 5)):
        actions.milestones_plan(actor=mw.user("leader"), matter=m, add=[
            actions.MilestoneInput(title="补充节点", due_on="2026-11-01")])
        added = m.milestones.get(seq=3)
        assert _clock(added).started_at == local(2026, 9, 5)
        with pytest.raises(Conflict):
            actions.milestones_plan(actor=mw.user("leader"), matter=m, remove=[added.pk])


def test_urging_a_milestone_texts_the_responsible_and_only_the_office_urges(mw):
    m = _underway(mw)
    one = m.milestones.get(seq=1)
    with clock.frozen(local(2026, 9, 18)):
        with pytest.raises(NotPermitted):
            actions.milestone_urge(actor=mw.user("dept"), milestone=one)
        actions.milestone_urge(actor=mw.user("operator"), milestone=one, note="请本周内完成。")
    body = OutboxMessage.objects.filter(template="major_urged").first().body
    assert "节点「节点1」尚未完成" in body and "2026-09-20" in body and "请本周内完成。" in body
    assert Milestone.objects.get(pk=one.pk).urge_count == 1


def test_milestones_move_only_while_the_matter_is_underway(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk")
        actions.milestones_plan(actor=mw.user("operator"), matter=m, add=[
            actions.MilestoneInput(title="节点1", due_on="2026-09-20")])
        ms = m.milestones.get()
        with pytest.raises(IllegalTransition) as refused:
            actions.milestone_complete(actor=mw.user("leader"), milestone=ms, result="完成")
    assert refused.value.code == "matter_not_underway"


def test_supervision_goes_up_card_by_card_and_stops_at_red(mw):
    m = _underway(mw)
    with clock.frozen(local(2026, 9, 22)):
        with pytest.raises(NotPermitted):  # the owner unit cannot supervise itself
            actions.matter_supervise(actor=mw.user("dept"), matter=m)
        for expected in (Card.NORMAL, Card.YELLOW, Card.RED):
            assert actions.matter_supervise(actor=mw.user("leader2"), matter=m).card == expected
        with pytest.raises(IllegalTransition) as refused:
            actions.matter_supervise(actor=mw.user("leader2"), matter=m)
    assert refused.value.code == "already_red"
    bodies = list(OutboxMessage.objects.filter(template="major_supervised").values_list("body", flat=True))
    assert any("红牌督办" in b for b in bodies)


def test_a_start_with_a_milestone_already_past_is_refused_until_rescheduled(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk")
        actions.milestones_plan(actor=mw.user("operator"), matter=m, add=[
            actions.MilestoneInput(title="节点1", due_on="2026-09-05")])
    with clock.frozen(local(2026, 9, 8)):
        with pytest.raises(Conflict) as refused:
            actions.matter_start(actor=mw.user("operator"), matter=m)
        assert refused.value.code == "milestones_past"
        actions.milestone_reschedule(actor=mw.user("operator"), milestone=m.milestones.get(), due_on="2026-09-30",
                                     reason="延后")
        assert actions.matter_start(actor=mw.user("operator"), matter=m).status == "underway"
