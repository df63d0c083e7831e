"""群英 tasks (派单/接单): a police officer bound to the event hands a mediation task to a member of
the place's pool, who takes it, mediates and reports back; the dispatcher confirms and closes.
A task may be declined (back to the dispatcher, who hands it on), runs on a 7-day limit warned
and noticed by the shared scanner."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import Conflict, IllegalTransition, InvalidInput, NotPermitted
from fengqiao.mediation import actions
from fengqiao.mediation.models import Task, TaskStatus
from fengqiao.notify.models import OutboxMessage
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock
from tests.factories import register
from tests.mediation.world import OFFICE_TIME, Centre, build_centre, frozen


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def entries(task: Task) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(stream=f"mediation_task:{task.pk}").order_by("seq"))


def dispatched(centre: Centre, *, at=OFFICE_TIME) -> Task:
    w = centre.world
    with frozen(at):
        event = register(w, actor=w.operator.user, title="柯某与吴某工资纠纷")  # 洋坂村: 林民警 is bound
        return actions.task_dispatch(actor=w.police_a.user, event=event, member=centre.member,
                                     instructions="请尽快联系双方,疏导情绪")


def test_the_wage_dispute_of_yangban_from_dispatch_to_close(centre):
    """Seed 004: 民警林辉 takes the event and hands it to 群英 吴见来, who settles it."""
    police = centre.world.police_a.user
    task = dispatched(centre)
    assert task.status == TaskStatus.DISPATCHED and task.dispatcher == centre.world.police_a
    assert task.village_id == centre.world.village_a.pk
    text = OutboxMessage.objects.get(template="mediation_task")
    assert text.person_id == centre.member.person_id and "林民警" in text.body and "2025-03-11" in text.body
    member = centre.user("member")
    with frozen(OFFICE_TIME + dt.timedelta(hours=1)):
        actions.task_accept(task=task, actor=member)
    with frozen(OFFICE_TIME + dt.timedelta(days=3)):
        actions.task_report(task=task, actor=member, report="双方协商一致,老板分两次付清工资", settled=True)
    assert OutboxMessage.objects.get(template="mediation_task_reported").person_id == centre.world.police_a.pk
    actions.task_close(task=task, actor=police, note="核实无误")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.settled is True
    assert [e.action for e in entries(task)] == ["dispatch", "accept", "report", "close"]
    assert [e.to_state for e in entries(task)] == ["dispatched", "accepted", "reported", "closed"]
    limit = Clock.objects.get(workflow="mediation_task", record_id=task.pk)
    assert limit.outcome == "met"


def test_only_the_people_bound_to_the_event_dispatch(centre):
    w = centre.world
    event = register(w, actor=w.operator.user)
    for outsider in (w.secretary_b.user, w.town_cadre.user, centre.user("town_mediator")):
        with pytest.raises(NotPermitted):
            actions.task_dispatch(actor=outsider, event=event, member=centre.member)
    actions.task_dispatch(actor=w.secretary_a.user, event=event, member=centre.member)  # one of the 3


def test_a_member_mediates_in_their_own_place_only_and_once_per_event(centre):
    w = centre.world
    event = register(w, actor=w.operator.user)
    with pytest.raises(InvalidInput):
        actions.task_dispatch(actor=w.police_a.user, event=event, member=centre.other_member)
    actions.task_dispatch(actor=w.police_a.user, event=event, member=centre.member)
    with pytest.raises(Conflict):
        actions.task_dispatch(actor=w.police_a.user, event=event, member=centre.member)


def test_only_the_member_takes_declines_or_reports(centre):
    task = dispatched(centre)
    for someone in (centre.user("member_b"), centre.world.police_a.user):
        with pytest.raises(NotPermitted):
            actions.task_accept(task=task, actor=someone)
    with pytest.raises(NotPermitted):
        actions.task_close(task=task, actor=centre.user("member"))  # the dispatcher's move


def test_a_declined_task_goes_back_to_the_dispatcher_who_hands_it_on(centre):
    task = dispatched(centre)
    with pytest.raises(InvalidInput):
        actions.task_decline(task=task, actor=centre.user("member"), reason="")
    with frozen(OFFICE_TIME + dt.timedelta(hours=2)):
        actions.task_decline(task=task, actor=centre.user("member"), reason="与当事人是亲戚,需回避")
    declined = OutboxMessage.objects.get(template="mediation_task_declined")
    assert declined.person_id == centre.world.police_a.pk and "需回避" in declined.body
    first_clock = Clock.objects.get(workflow="mediation_task", record_id=task.pk)
    assert first_clock.outcome == "cancelled"
    with pytest.raises(InvalidInput):
        actions.task_reassign(task=task, actor=centre.world.police_a.user, member=centre.member)  # declined it
    with frozen(OFFICE_TIME + dt.timedelta(days=1)):
        actions.task_reassign(task=task, actor=centre.world.police_a.user, member=centre.member_b)
    task.refresh_from_db()
    assert task.status == TaskStatus.DISPATCHED and task.member == centre.member_b and task.decline_reason == ""
    running = Clock.objects.get(workflow="mediation_task", record_id=task.pk, stopped_at=None)
    assert running.due_at.astimezone(OFFICE_TIME.tzinfo).date() == dt.date(2025, 3, 12)  # 7 days from the 5th
    actions.task_accept(task=task, actor=centre.user("member_b"))
    # The caller's copy of the task still names the first member: the posts are asked of the row.
    assert task.member == centre.member_b
    stale = Task.objects.get(pk=task.pk)
    stale.member = centre.member
    actions.task_report(task=stale, actor=centre.user("member_b"), report="已化解", settled=True)
    with pytest.raises(NotPermitted):
        actions.task_close(task=stale, actor=centre.user("member"))


def test_a_report_not_good_enough_is_sent_back_on_a_fresh_limit(centre):
    task = dispatched(centre)
    member = centre.user("member")
    actions.task_accept(task=task, actor=member)
    with frozen(OFFICE_TIME + dt.timedelta(days=2)):
        actions.task_report(task=task, actor=member, report="未联系上老板", settled=False)
    with frozen(OFFICE_TIME + dt.timedelta(days=3)):
        actions.task_send_back(task=task, actor=centre.world.police_a.user, reason="请再约老板面谈")
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED
    assert OutboxMessage.objects.filter(template="mediation_task_back", person=centre.member.person).exists()
    assert Clock.objects.filter(workflow="mediation_task", record_id=task.pk, stopped_at=None).count() == 1
    with pytest.raises(InvalidInput):
        actions.task_report(task=task, actor=member, report="x", settled="yes")


def test_moves_not_allowed_from_the_state_are_refused(centre):
    task = dispatched(centre)
    member = centre.user("member")
    with pytest.raises(IllegalTransition):
        actions.task_report(task=task, actor=member, report="x", settled=True)
    with pytest.raises(IllegalTransition):
        actions.task_close(task=task, actor=centre.world.police_a.user)
    actions.task_cancel(task=task, actor=centre.world.police_a.user, reason="当事人已和解")
    with pytest.raises(IllegalTransition):
        actions.task_accept(task=task, actor=member)
    assert not Clock.objects.filter(workflow="mediation_task", record_id=task.pk, stopped_at=None).exists()


def test_the_task_limit_is_warned_before_and_noticed_at_its_end(centre):
    task = dispatched(centre)  # Tuesday 2025-03-04: due the end of 2025-03-11, warned two days before
    tz = OFFICE_TIME.tzinfo
    assert clocks.scan(now=dt.datetime(2025, 3, 9, 12, 0, tzinfo=tz))["warned"] == 0
    assert clocks.scan(now=dt.datetime(2025, 3, 10, 8, 0, tzinfo=tz))["warned"] == 1
    warning = entries(task)[-1]
    assert warning.action == "clock_warning" and warning.actor is None
    assert set(warning.details["notified"]) == {centre.member.person_id, centre.world.police_a.pk}
    assert clocks.scan(now=dt.datetime(2025, 3, 10, 9, 0, tzinfo=tz)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert clocks.scan(now=dt.datetime(2025, 3, 12, 0, 1, tzinfo=tz))["overdue"] == 1
    assert entries(task)[-1].action == "clock_overdue"
    assert OutboxMessage.objects.filter(template="clock_overdue", person=centre.member.person).count() == 1
