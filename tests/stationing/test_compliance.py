"""Compliance with the stay rules week by week, across China's holidays (stationing/compliance.py):
每周一、五住村 around 国庆 2026 (a holiday Friday with nothing left in its week is excused; a
holiday Monday moves to the first working day after it), 每周一住村 in the Spring Festival week
(excused), 两周一住镇 in pairs of weeks from the plan's start; what a night is; what does not
count (outside the outline, no position, checked out late); the admin's own holidays."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from fengqiao.lib import clock
from fengqiao.stationing import actions, compliance
from fengqiao.stationing.models import Plan, Rule
from fengqiao.workflow.models import CalendarDay
from tests.majors.world import IN_A, NEAR_A
from tests.stationing.helpers import at, night, plan

pytestmark = pytest.mark.django_db

D = dt.date


def periods(p: Plan, start: D, end: D, today: D):
    p = Plan.objects.select_related("rule").get(pk=p.pk)
    return compliance.periods_of(p, list(p.stays.all()), start=start, end=end, today=today)


def test_the_2026_calendar_is_as_these_tests_assume():
    assert [chinese_calendar.is_workday(D(2026, 10, d)) for d in range(1, 12)] == [
        False, False, False, False, False, False, False, True, True, True, False]  # 10 Oct: 调休 Saturday
    assert not any(chinese_calendar.is_workday(D(2026, 2, d)) for d in range(16, 23))  # Spring Festival week
    assert not chinese_calendar.is_workday(D(2026, 2, 23)) and chinese_calendar.is_workday(D(2026, 2, 24))


def test_monday_and_friday_across_national_day(mw):
    p = plan(mw)  # 每周一、五住村, from 1 September
    night(mw, p, D(2026, 9, 28))  # Monday
    night(mw, p, D(2026, 10, 8))  # Thursday: the holiday Monday's night, moved
    night(mw, p, D(2026, 10, 9))  # Friday
    before, holiday = periods(p, D(2026, 9, 28), D(2026, 10, 11), today=D(2026, 10, 12))
    # Week of 28 Sep: Monday a working day; Friday 2 Oct a holiday with no working day left → excused.
    assert [(r.due, r.named, r.met) for r in before.requirements] == [(D(2026, 9, 28), D(2026, 9, 28), True)]
    assert before.excused == [D(2026, 10, 2)] and before.status == "met"
    # Week of 5 Oct: Monday (holiday) → Thursday 8 Oct, the first working day after it; Friday stays.
    assert [(r.due, r.named, r.moved, r.met) for r in holiday.requirements] == [
        (D(2026, 10, 8), D(2026, 10, 5), True, True), (D(2026, 10, 9), D(2026, 10, 9), False, True)]
    assert holiday.status == "met" and holiday.nights == [D(2026, 10, 8), D(2026, 10, 9)]
    t = compliance.tally([before, holiday])
    assert (t.required, t.met, t.excused, t.rate_text()) == (3, 3, 1, "100%")


def test_a_night_on_the_holiday_itself_also_meets_it_and_a_missed_one_is_missed(mw):
    p = plan(mw)
    night(mw, p, D(2026, 10, 5))  # stayed on the holiday Monday
    (week,) = periods(p, D(2026, 10, 5), D(2026, 10, 11), today=D(2026, 10, 12))
    assert [(r.named, r.met) for r in week.requirements] == [(D(2026, 10, 5), True), (D(2026, 10, 9), False)]
    assert week.status == "partial" and (week.required, week.met) == (2, 1)


def test_the_spring_festival_week_excuses_a_weekly_rule_and_moves_the_next_monday(mw):
    weekly = plan(mw, person="rsj_cadre", rule="village_weekly", identity="dept_cadre", starts_on=D(2026, 2, 1),
                  actor="operator")
    mon_fri = plan(mw, starts_on=D(2026, 2, 1))
    festival, after = periods(weekly, D(2026, 2, 16), D(2026, 3, 1), today=D(2026, 3, 2))
    assert festival.requirements == [] and festival.status == "excused"
    assert [r.met for r in after.requirements] == [False] and after.status == "missed"
    night(mw, mon_fri, D(2026, 2, 24))  # Tuesday: the holiday Monday 23 Feb's night
    festival, after = periods(mon_fri, D(2026, 2, 16), D(2026, 3, 1), today=D(2026, 3, 2))
    assert festival.excused == [D(2026, 2, 16), D(2026, 2, 20)] and festival.status == "excused"
    assert [(r.named, r.due, r.met) for r in after.requirements] == [
        (D(2026, 2, 23), D(2026, 2, 24), True), (D(2026, 2, 27), D(2026, 2, 27), False)]


def test_a_rule_may_excuse_holidays_outright(mw):
    Rule.objects.filter(code="village_mon_fri").update(holiday="excuse")
    p = plan(mw)
    (week,) = periods(p, D(2026, 10, 5), D(2026, 10, 11), today=D(2026, 10, 12))
    assert [r.due for r in week.requirements] == [D(2026, 10, 9)] and week.excused == [D(2026, 10, 5)]


def test_the_admins_calendar_makes_a_local_holiday(mw):
    CalendarDay.objects.create(date=D(2026, 11, 16), kind=CalendarDay.Kind.HOLIDAY, note="县级防汛演练调休")
    p = plan(mw)
    (week,) = periods(p, D(2026, 11, 16), D(2026, 11, 22), today=D(2026, 11, 23))
    assert [(r.named, r.due) for r in week.requirements] == [(D(2026, 11, 16), D(2026, 11, 17)),
                                                             (D(2026, 11, 20), D(2026, 11, 20))]


def test_two_weeks_a_night_in_the_town_counted_in_pairs_from_the_plans_start(mw):
    p = plan(mw, person="leader", rule="town_biweekly", region=mw.town, identity="county_leader",
             starts_on=D(2026, 11, 2), actor="operator")  # a Monday
    night(mw, p, D(2026, 11, 12), who="leader", where=IN_A)  # second week of the first pair
    first, second = periods(p, D(2026, 11, 2), D(2026, 11, 29), today=D(2026, 11, 30))
    assert (first.start, first.end, first.status) == (D(2026, 11, 2), D(2026, 11, 15), "met")
    assert (second.start, second.end, second.status) == (D(2026, 11, 16), D(2026, 11, 29), "missed")
    # Asked from the pair's second week, the pair still begins on the plan's week.
    (pair,) = periods(p, D(2026, 11, 9), D(2026, 11, 15), today=D(2026, 11, 30))
    assert pair.start == D(2026, 11, 2)


def test_what_a_night_is(mw):
    p = plan(mw)
    night(mw, p, D(2026, 11, 2), leave=(1, 4))  # left at 04:00: not the night
    night(mw, p, D(2026, 11, 6), leave=(2, 8))  # Friday to Sunday morning: two nights
    (week,) = periods(p, D(2026, 11, 2), D(2026, 11, 8), today=D(2026, 11, 9))
    assert week.nights == [D(2026, 11, 6), D(2026, 11, 7)]
    assert [r.met for r in week.requirements] == [False, True]


def test_a_day_rule_counts_hours_not_nights(mw):
    Rule.objects.filter(code="village_weekly").update(overnight=False, min_hours=4)
    p = plan(mw, person="rsj_cadre", rule="village_weekly", identity="dept_cadre", actor="operator")
    night(mw, p, D(2026, 11, 3), who="rsj_cadre", arrive=(9, 0), leave=(0, 12))  # three hours
    night(mw, p, D(2026, 11, 11), who="rsj_cadre", arrive=(9, 0), leave=(0, 15))  # six hours
    short, long_ = periods(p, D(2026, 11, 2), D(2026, 11, 15), today=D(2026, 11, 16))
    assert (short.status, long_.status) == ("missed", "met")


def test_stays_outside_the_outline_without_a_position_or_checked_out_late_do_not_count(mw):
    p = plan(mw)
    outside = night(mw, p, D(2026, 11, 2), where=NEAR_A)
    assert outside.arrival_check == "outside" and 450 < outside.arrival_distance < 560
    left_elsewhere = night(mw, p, D(2026, 11, 6), back=NEAR_A)  # arrived inside, checked out outside
    assert left_elsewhere.departure_check == "outside"
    late = night(mw, p, D(2026, 11, 9), leave=(3, 9))  # past the end of the second day after arrival
    assert late.late_checkout
    with clock.frozen(at(D(2026, 11, 13), 18)):
        no_fix = actions.check_in(actor=mw.user("police_a"), plan=p)
    assert no_fix.arrival_check == "no_fix"
    weeks = periods(p, D(2026, 11, 2), D(2026, 11, 15), today=D(2026, 11, 16))
    assert all(not r.met for w in weeks for r in w.requirements)
    assert sum(len(w.nights) for w in weeks) == 0


def test_days_before_the_plan_began_and_todays_night_are_not_yet_counted(mw):
    p = plan(mw, starts_on=D(2026, 11, 4))  # a Wednesday: that week's Monday is not due
    (week,) = periods(p, D(2026, 11, 2), D(2026, 11, 8), today=D(2026, 11, 6))
    assert [(r.named, r.decided) for r in week.requirements] == [(D(2026, 11, 6), False)]
    assert week.status == "pending" and (week.required, week.pending) == (0, 1)
    night(mw, p, D(2026, 11, 9))
    # A stay met early counts at once even in the current week.
    (now_week,) = periods(p, D(2026, 11, 9), D(2026, 11, 15), today=D(2026, 11, 11))
    assert [(r.met, r.decided) for r in now_week.requirements] == [(True, True), (False, False)]


def test_the_rates_truncate_like_every_rate(mw):
    t = compliance.Tally(required=3, met=2)
    assert t.rate_text() == "66.6%" and str(t.rate()) == "66.6"
