"""Deadlines in calendar and working days, China's 调休 make-up days, the admin's corrections and
years the published schedule does not cover yet."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from fengqiao.events import deadlines
from fengqiao.events.models import CalendarDay, Category, DeadlinePolicy
from fengqiao.lib import clock
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=SH)


def local_day(moment):
    return moment.astimezone(SH).date()


@pytest.mark.django_db
def test_five_working_days_from_30_september_2026_skip_national_day_and_count_the_makeup_saturday():
    d = deadlines.compute(start=at(2026, 9, 30), days=5, day_kind="working")
    # 10/1–10/7 holiday; Sat 10/10 is a make-up workday: 10/8, 10/9, 10/10, 10/12, 10/13.
    assert local_day(d.at) == dt.date(2026, 10, 13)
    assert d.at.astimezone(SH).time() == dt.time(23, 59, 59)
    assert d.approximate is False


@pytest.mark.django_db
def test_calendar_days_ignore_holidays():
    d = deadlines.compute(start=at(2026, 9, 30), days=5, day_kind="calendar")
    assert local_day(d.at) == dt.date(2026, 10, 5)


@pytest.mark.django_db
def test_spring_festival_2026_is_skipped():
    # 2026 Spring Festival: 2/15–2/23 off, with make-up Saturdays 2/14 and 2/28.
    d = deadlines.compute(start=at(2026, 2, 13), days=2, day_kind="working")
    assert local_day(d.at) == dt.date(2026, 2, 24)


@pytest.mark.django_db
def test_admin_added_holiday_and_workday_override_the_package():
    CalendarDay.objects.create(date=dt.date(2026, 10, 8), kind="holiday", note="台风停工")
    CalendarDay.objects.create(date=dt.date(2026, 10, 11), kind="workday", note="抢险补班")
    d = deadlines.compute(start=at(2026, 9, 30), days=5, day_kind="working")
    # 10/9, 10/10, 10/11 (admin workday), 10/12, 10/13
    assert local_day(d.at) == dt.date(2026, 10, 13)
    d = deadlines.compute(start=at(2026, 9, 30), days=1, day_kind="working")
    assert local_day(d.at) == dt.date(2026, 10, 9)


@pytest.mark.django_db
def test_a_year_without_a_published_schedule_falls_back_to_weekends_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        d = deadlines.compute(start=at(2027, 1, 8), days=3, day_kind="working")  # a Friday
    assert local_day(d.at) == dt.date(2027, 1, 13)
    assert d.approximate is True
    assert "2027" in caplog.text


@pytest.mark.django_db
def test_crossing_into_an_unpublished_year_is_flagged_on_the_event(world):
    with clock.frozen(at(2026, 12, 28)):
        event = register(world, source="hotline_12345")  # 15 working days
    assert event.deadline_approximate is True
    assert local_day(event.deadline) > dt.date(2027, 1, 1)


@pytest.mark.django_db
def test_policy_lookup_prefers_category_and_source(world):
    petition = Category.objects.get(code="petition.first")
    assert deadlines.policy_for(category=petition, tier="village").days == 7
    assert deadlines.policy_for(category=petition, tier="county").days == 60
    livelihood = Category.objects.get(code="livelihood.health")
    p = deadlines.policy_for(category=livelihood, tier="village", source="hotline_12345")
    assert (p.days, p.day_kind) == (10, "working")
    wages = Category.objects.get(code="dispute.wages")
    assert deadlines.policy_for(category=wages, tier="town").days == 14


@pytest.mark.django_db
def test_dispatch_sets_the_village_deadline_from_the_policy(world):
    DeadlinePolicy.objects.create(
        category=Category.objects.get(code="dispute.wages"), tier="village", source="",
        days=5, day_kind="working",
    )
    with clock.frozen(at(2026, 9, 30)):
        event = register(world)
    assert local_day(event.deadline) == dt.date(2026, 10, 13)


@pytest.mark.django_db
def test_overdue_is_derived_from_deadline_and_state(world):
    with clock.frozen(at(2026, 9, 1)):
        event = register(world)
    assert event.overdue_at(at(2026, 9, 2)) is False
    assert event.overdue_at(at(2026, 9, 9)) is True
