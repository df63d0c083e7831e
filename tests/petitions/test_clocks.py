"""The clocks of 信访工作条例 (2022) and the local rules, each from the step its rule names:
calendar days across a month end, working days across 国庆 2026's 调休 and across 春节 2027 from
the admin's calendar, 60 days from acceptance (not from routing), one extension of up to 30
days, the 30-day windows to ask for a review and a re-review; and the shared scanner warning and
noticing through the petition workflow."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import IllegalTransition, InvalidInput
from fengqiao.notify.models import OutboxMessage
from fengqiao.petitions import actions
from fengqiao.petitions.models import Document, Petition
from fengqiao.workflow import clocks
from fengqiao.workflow.models import CalendarDay, Clock, ClockPolicy
from tests.petitions.helpers import (
    SHANGHAI,
    at,
    clock_of,
    local,
    petition_in,
    register,
    route_to_department,
    running,
)

pytestmark = pytest.mark.django_db


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_policies_ship_with_their_basis(db):
    got = {p.key: (p.days, p.day_kind) for p in ClockPolicy.objects.filter(workflow="petition")}
    assert got == {
        "petition.route": (15, "calendar"), "petition.accept": (15, "calendar"),
        "petition.object": (5, "working"), "petition.handle": (60, "calendar"),
        "petition.review_apply": (30, "calendar"), "petition.review_answer": (30, "calendar"),
        "petition.rereview_apply": (30, "calendar"), "petition.rereview_answer": (30, "calendar"),
        "petition.village_week": (7, "calendar"), "petition.key_local": (14, "calendar"),
    }
    assert all("信访工作条例" in p.basis for p in ClockPolicy.objects.filter(key__in=[
        "petition.route", "petition.accept", "petition.object", "petition.handle"]))


def test_register_and_route_within_15_calendar_days_of_receipt_across_a_month_end(world):
    # A letter received on Sunday 25 January, registered on Monday: 15 days from receipt.
    p = register(world, when=local(2026, 1, 26), received_at=local(2026, 1, 25, 10), form="letter")
    assert running(p, "petition.route").due_at == end_of(2026, 2, 9)
    late = register(world, when=local(2026, 1, 26), received_at=local(2026, 1, 25, 10), form="letter",
                    title="另一封来信")
    route_to_department(world, p, when=local(2026, 2, 9, 17))
    route_to_department(world, late, when=local(2026, 2, 10, 9))
    assert clock_of(p, "petition.route").outcome == Clock.Outcome.MET
    assert clock_of(late, "petition.route").outcome == Clock.Outcome.LATE


def test_the_body_decides_within_15_days_of_receiving_it_and_tells_in_writing(world):
    p = register(world, when=local(2026, 2, 19))
    route_to_department(world, p, when=local(2026, 2, 20, 15))
    assert running(p, "petition.accept").due_at == end_of(2026, 3, 7)  # February has 28 days
    with at(local(2026, 3, 8, 9)):
        actions.petition_accept(petition=p, actor=world.dept_liaison.user)
    assert clock_of(p, "petition.accept").outcome == Clock.Outcome.LATE
    assert Document.objects.filter(petition=p, kind=Document.Kind.ACCEPTANCE).count() == 1


def test_an_objection_within_5_working_days_across_national_day_2026_and_its_make_up_saturday(world):
    """Routed on Wednesday 30 September 2026: 1–7 October are off, Saturday 10 October is a
    working day (调休). The five working days are 8, 9, 10, 12 and 13 October — counting
    weekends only would have ended on 7 October."""
    p = register(world, when=local(2026, 9, 29))
    route_to_department(world, p, when=local(2026, 9, 30, 16))
    objection = running(p, "petition.object")
    assert objection.due_at == end_of(2026, 10, 13)
    assert not objection.approximate
    with at(local(2026, 10, 13, 20)):
        actions.petition_object(petition=p, actor=world.dept_liaison.user, reason="属劳动仲裁受理范围")
    assert clock_of(p, "petition.object").outcome == Clock.Outcome.MET


def test_after_the_5_working_days_the_body_can_no_longer_object(world):
    p = register(world, when=local(2026, 9, 29))
    route_to_department(world, p, when=local(2026, 9, 30, 16))
    with at(local(2026, 10, 14, 9)), pytest.raises(IllegalTransition) as caught:
        actions.petition_object(petition=p, actor=world.dept_liaison.user, reason="不属本局职责")
    assert caught.value.code == "objection_window_closed"
    with at(local(2026, 10, 14, 9)):
        actions.petition_accept(petition=p, actor=world.dept_liaison.user)  # it must decide instead


def test_an_objection_across_spring_festival_2027_counts_the_admins_calendar(world):
    """2027's schedule is not in chinese-calendar yet: the admin entered the Spring Festival
    (5–11 February off, Saturday 13 February worked). Routed on Thursday 4 February, the five
    working days are 12, 13, 15, 16 and 17 February; the limit is marked approximate (the rest of
    the year is not published) and the page says so."""
    for day in range(5, 12):
        CalendarDay.objects.create(date=dt.date(2027, 2, day), kind=CalendarDay.Kind.HOLIDAY, note="春节")
    CalendarDay.objects.create(date=dt.date(2027, 2, 13), kind=CalendarDay.Kind.WORKDAY, note="春节调休")
    p = register(world, when=local(2027, 2, 3))
    route_to_department(world, p, when=local(2027, 2, 4, 10))
    objection = running(p, "petition.object")
    assert objection.due_at == end_of(2027, 2, 17)
    assert objection.approximate


def test_the_60_days_run_from_acceptance_not_from_routing(world):
    p = register(world, when=local(2026, 3, 2))
    route_to_department(world, p, when=local(2026, 3, 3, 9))
    assert running(p, "petition.handle") is None  # nothing runs on handling before acceptance
    with at(local(2026, 3, 13, 10)):
        actions.petition_accept(petition=p, actor=world.dept_liaison.user)
    handle = running(p, "petition.handle")
    assert handle.started_at == local(2026, 3, 13, 10)
    assert handle.due_at == end_of(2026, 5, 12)  # 13 March + 60 days; routing + 60 would be 2 May
    doc = Document.objects.get(petition=p, kind=Document.Kind.ACCEPTANCE)
    assert doc.facts["handle_due"] == "2026-05-12" and doc.facts["handle_days"] == 60


def test_handling_is_extended_once_by_up_to_30_days_with_the_reasons_told(world):
    p = petition_in(world, "handling")  # accepted on 4 March 2026
    assert running(p, "petition.handle").due_at == end_of(2026, 5, 3)
    with at(local(2026, 4, 20)), pytest.raises(InvalidInput):
        actions.petition_extend(petition=p, actor=world.dept_liaison.user, days=31, reason="情况复杂")
    with at(local(2026, 4, 20)), pytest.raises(InvalidInput):
        actions.petition_extend(petition=p, actor=world.dept_liaison.user, days=10, reason="  ")
    with at(local(2026, 4, 20)):
        actions.petition_extend(petition=p, actor=world.dept_liaison.user, days=30, reason="涉及多个部门,需调取用工记录")
    handle = running(p, "petition.handle")
    assert handle.due_at == end_of(2026, 6, 2) and handle.extended_days == 30
    notice = Document.objects.get(petition=p, kind=Document.Kind.EXTENSION)
    assert notice.facts["due_before"] == "2026-05-03" and notice.facts["due_after"] == "2026-06-02"
    assert notice.facts["reason"] == "涉及多个部门,需调取用工记录"
    with at(local(2026, 5, 20)), pytest.raises(IllegalTransition) as caught:
        actions.petition_extend(petition=Petition.objects.get(pk=p.pk), actor=world.dept_liaison.user, days=5,
                                reason="再延")
    assert caught.value.code == "already_extended"
    assert running(p, "petition.handle").due_at == end_of(2026, 6, 2)


def test_answering_stops_the_60_days_and_opens_30_days_to_ask_for_a_review(world):
    p = petition_in(world, "handling")
    with at(local(2026, 4, 1, 10)):
        actions.petition_answer(petition=p, actor=world.dept_liaison.user, answer="企业已支付全部工资。")
    assert clock_of(p, "petition.handle").outcome == Clock.Outcome.MET
    assert running(p, "petition.review_apply").due_at == end_of(2026, 5, 1)
    with at(local(2026, 5, 2, 9)), pytest.raises(IllegalTransition) as caught:
        actions.petition_apply_review(petition=Petition.objects.get(pk=p.pk), actor=world.operator.user)
    assert caught.value.code == "review_window_closed"
    with at(local(2026, 5, 1, 22)):
        actions.petition_apply_review(petition=Petition.objects.get(pk=p.pk), actor=world.operator.user)
    assert clock_of(p, "petition.review_apply").outcome == Clock.Outcome.MET
    assert running(p, "petition.review_answer").due_at == end_of(2026, 5, 31)


def test_review_and_re_review_each_have_30_days_to_ask_and_30_to_answer(world):
    p = petition_in(world, "in_review", start=local(2026, 6, 1))  # review asked on 6 June
    assert running(p, "petition.review_answer").due_at == end_of(2026, 7, 6)
    with at(local(2026, 7, 8)):
        actions.petition_answer_review(petition=p, actor=world.county_leader.user, answer="维持原处理意见。")
    assert clock_of(p, "petition.review_answer").outcome == Clock.Outcome.LATE
    assert running(p, "petition.rereview_apply").due_at == end_of(2026, 8, 7)
    with at(local(2026, 8, 7, 12)):
        actions.petition_apply_rereview(petition=Petition.objects.get(pk=p.pk), actor=world.operator.user)
    assert running(p, "petition.rereview_answer").due_at == end_of(2026, 9, 6)
    with at(local(2026, 9, 1)):
        actions.petition_answer_rereview(petition=Petition.objects.get(pk=p.pk), actor=world.county_leader.user,
                                         answer="维持复查意见。")
    assert clock_of(p, "petition.rereview_answer").outcome == Clock.Outcome.MET
    with at(local(2026, 9, 2)):
        actions.petition_close(petition=Petition.objects.get(pk=p.pk), actor=world.operator.user, closing="terminated")
    assert Petition.objects.get(pk=p.pk).closing == "terminated"


def test_first_time_petitions_in_a_village_run_the_7_day_rule_and_key_difficult_ones_14(world):
    first = register(world, when=local(2026, 3, 2, 9), key_difficult=True)
    assert running(first, "petition.village_week").due_at == end_of(2026, 3, 9)
    assert running(first, "petition.key_local").due_at == end_of(2026, 3, 16)
    repeat = register(world, kind="repeat", title="再次反映工资问题", when=local(2026, 3, 2, 10))
    assert running(repeat, "petition.village_week") is None
    at_town = register(world, region=world.town, title="反映镇区道路问题", when=local(2026, 3, 2, 11))
    assert running(at_town, "petition.village_week") is None
    # The village office answers on the 8th day: the 7-day rule is missed, the 14-day one met.
    with at(local(2026, 3, 3)):
        actions.petition_route(petition=first, actor=world.town_cadre.user, office=world.village_a)
    with at(local(2026, 3, 4)):
        actions.petition_accept(petition=first, actor=world.secretary_a.user)
    with at(local(2026, 3, 10)):
        actions.petition_answer(petition=first, actor=world.secretary_a.user, answer="村两委协调,老板已付清。")
    assert clock_of(first, "petition.village_week").outcome == Clock.Outcome.LATE
    assert clock_of(first, "petition.key_local").outcome == Clock.Outcome.MET


def test_closing_cancels_whatever_still_runs(world):
    p = petition_in(world, "answered")
    with at(local(2026, 3, 20)):
        actions.petition_close(petition=p, actor=world.operator.user)
    assert not Clock.objects.filter(workflow="petition", record_id=p.pk, stopped_at=None).exists()
    assert clock_of(p, "petition.review_apply").outcome == Clock.Outcome.CANCELLED


def test_the_scanner_warns_before_and_notices_at_the_limit_once_through_the_petition_workflow(world):
    p = petition_in(world, "handling")  # 60 days from 4 March 2026: due 3 May, warned 7 days before
    with at(local(2026, 3, 10)):
        actions.petition_assign(petition=Petition.objects.get(pk=p.pk), actor=world.county_leader.user,
                                leader=world.county_leader, team=[world.work_team_a])
    handle = running(p, "petition.handle")
    assert handle.warn_at == end_of(2026, 4, 26)
    OutboxMessage.objects.all().delete()

    assert clocks.scan(now=local(2026, 4, 26, 12).astimezone(dt.UTC))["warned"] == 0
    counts = clocks.scan(now=local(2026, 4, 27, 9).astimezone(dt.UTC))
    assert counts["warned"] >= 1
    warning = AuditEntry.objects.get(stream=f"petition:{p.pk}", action="clock_warning",
                                     details__clock="petition.handle")
    assert warning.from_state == warning.to_state == "handling" and warning.actor_id is None
    told = set(OutboxMessage.objects.filter(template="clock_warning").values_list("person_id", flat=True))
    # The handlers (the department's liaison, the handler, the 专班) and the leader in charge.
    assert told == {world.dept_liaison.pk, world.work_team_a.pk, world.county_leader.pk}
    body = OutboxMessage.objects.filter(template="clock_warning").first().body
    assert p.code in body and "办理期限" in body and "2026-05-03" in body

    assert clocks.scan(now=local(2026, 4, 28, 9).astimezone(dt.UTC))["warned"] == 0  # once
    counts = clocks.scan(now=local(2026, 5, 4, 0, 30).astimezone(dt.UTC))
    assert counts["overdue"] >= 1
    assert AuditEntry.objects.filter(stream=f"petition:{p.pk}", action="clock_overdue",
                                     details__clock="petition.handle").count() == 1
    clocks.scan(now=local(2026, 5, 5, 9).astimezone(dt.UTC))
    assert AuditEntry.objects.filter(stream=f"petition:{p.pk}", action="clock_overdue",
                                     details__clock="petition.handle").count() == 1


def test_a_review_window_that_passes_unused_is_lapsed_not_overdue_and_waits_to_be_closed(world):
    from fengqiao.petitions.queries import clock_rows, worklist

    p = petition_in(world, "answered")  # answered on 6 March 2026: 30 days to ask, to 5 April
    later = local(2026, 4, 7)
    with at(later):
        states = {c.key: c.state for c in clock_rows(p, later)}
        assert states["petition.review_apply"] == "lapsed"
        assert p not in worklist(world.operator.user, "overdue", later)
        assert p in worklist(world.operator.user, "answered", later)
        actions.petition_close(petition=p, actor=world.operator.user)
    assert clock_of(p, "petition.review_apply").outcome == Clock.Outcome.CANCELLED


def test_the_local_rules_follow_the_body_cancelled_beyond_the_village_and_running_again_back_there(world):
    p = register(world, when=local(2026, 3, 2, 9), key_difficult=True)
    route_to_department(world, p, when=local(2026, 3, 3))
    assert clock_of(p, "petition.village_week").outcome == Clock.Outcome.CANCELLED
    assert clock_of(p, "petition.key_local").outcome == Clock.Outcome.CANCELLED
    with at(local(2026, 3, 4)):
        actions.petition_object(petition=p, actor=world.dept_liaison.user, reason="属村务管理事项")
    with at(local(2026, 3, 4, 15)):
        actions.petition_route(petition=p, actor=world.town_cadre.user, office=world.village_a)
    again = running(p, "petition.village_week")
    assert again.started_at == local(2026, 3, 2, 9) and again.due_at == end_of(2026, 3, 9)
    assert running(p, "petition.key_local").due_at == end_of(2026, 3, 16)


def test_a_key_difficult_matter_keeps_its_14_days_at_the_town_but_not_its_village_week(world):
    p = register(world, when=local(2026, 3, 2, 9), key_difficult=True)
    with at(local(2026, 3, 3)):
        actions.petition_route(petition=p, actor=world.town_cadre.user, office=world.town)
    assert clock_of(p, "petition.village_week").outcome == Clock.Outcome.CANCELLED
    assert running(p, "petition.key_local") is not None


def test_option_windows_warn_who_may_use_them_and_lapse_without_blaming_anyone(world):
    from fengqiao.petitions.queries import clock_rows, worklist

    p = register(world, when=local(2026, 3, 2))
    route_to_department(world, p, when=local(2026, 3, 3, 10))  # 5 working days: to 10 March
    OutboxMessage.objects.all().delete()
    clocks.scan(now=local(2026, 3, 10, 9).astimezone(dt.UTC))  # one day before: the warning
    warned = OutboxMessage.objects.filter(template="clock_warning", params__clock="提出异议期限")
    assert set(warned.values_list("person_id", flat=True)) == {world.dept_liaison.pk}
    clocks.scan(now=local(2026, 3, 11, 9).astimezone(dt.UTC))
    lapse = AuditEntry.objects.get(stream=f"petition:{p.pk}", action="clock_overdue",
                                   details__clock="petition.object")
    assert lapse.details["notified"] == []
    moment = local(2026, 3, 11, 9)
    assert {c.key: c.state for c in clock_rows(p, moment)}["petition.object"] == "lapsed"
    assert p not in worklist(world.operator.user, "overdue", moment)
