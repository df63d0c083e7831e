"""Deadlines: the policy for (category, tier, source), counted in calendar or working days.

Working days follow China's published schedule with its make-up workdays (调休), from the
`chinese-calendar` package, corrected by the admin's CalendarDay table. For a year neither covers,
Saturday and Sunday are taken as the only rest days and the deadline is marked approximate (the
page shows a warning) — never a crash.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import chinese_calendar
from django.utils import timezone

from fengqiao.events.models import CalendarDay, Category, DayKind, DeadlinePolicy

log = logging.getLogger(__name__)

# When no policy matches at all (an admin removed the defaults).
FALLBACK_DAYS = {"village": 7, "town": 14, "county": 30}


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    approximate: bool  # some day in the count fell in a year the calendar does not cover
    days: int
    day_kind: str


class WorkingCalendar:
    """Answers 'is this a working day?' for a span, loading the admin's table once."""

    def __init__(self) -> None:
        self._overrides = dict(CalendarDay.objects.values_list("date", "kind"))
        self.approximate = False
        self._warned: set[int] = set()

    def is_workday(self, day: dt.date) -> bool:
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("no holiday schedule for %s: counting Saturday and Sunday as rest", day.year)
            self.approximate = True
            return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date of the `days`-th working day after `start` (start itself not counted)."""
        day = start
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day


def policy_for(*, category: Category, tier: str, source: str = "") -> DeadlinePolicy | None:
    """The most specific policy: this category (or its nearest ancestor) with the source, then
    without; then the default for the tier with the source, then without."""
    chain: list[int] = []
    node: Category | None = category
    while node is not None and len(chain) < 10:
        chain.append(node.pk)
        node = node.parent
    candidates = list(
        DeadlinePolicy.objects.filter(tier=tier, source__in=[source, ""]).filter(
            category_id__in=chain
        )
    ) + list(DeadlinePolicy.objects.filter(tier=tier, source__in=[source, ""], category=None))

    def rank(p: DeadlinePolicy) -> tuple[int, int]:
        depth = chain.index(p.category_id) if p.category_id is not None else len(chain)
        return (depth, 0 if p.source else 1)

    return min(candidates, key=rank) if candidates else None


def end_of_local_day(day: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)), tz)


def compute(
    *, start: dt.datetime, days: int, day_kind: str, calendar: WorkingCalendar | None = None
) -> Deadline:
    """The end of the `days`-th (working) day after the local date of `start`."""
    local_start = timezone.localtime(start).date()
    if day_kind == DayKind.WORKING:
        cal = calendar or WorkingCalendar()
        end = cal.add_working_days(local_start, days)
        return Deadline(end_of_local_day(end), cal.approximate, days, day_kind)
    return Deadline(end_of_local_day(local_start + dt.timedelta(days=days)), False, days, day_kind)


def deadline_for(*, category: Category, tier: str, source: str, start: dt.datetime,
                 memo: dict | None = None) -> Deadline:
    """`memo`: a dict the caller keeps for a batch of registrations in one transaction (a
    spreadsheet import), so the policy of each (category, tier, source) and the admin's calendar
    are read once per batch instead of once per event."""
    if memo is None:
        policy = policy_for(category=category, tier=tier, source=source)
        calendar = None
    else:
        key = ("deadline_policy", category.pk, tier, source)
        if key not in memo:
            memo[key] = policy_for(category=category, tier=tier, source=source)
        policy = memo[key]
        calendar = memo.get("working_calendar")
        if calendar is None:
            calendar = memo["working_calendar"] = WorkingCalendar()
        calendar.approximate = False  # per deadline: only this count's days decide
    if policy is None:
        return compute(start=start, days=FALLBACK_DAYS[tier], day_kind=DayKind.CALENDAR)
    return compute(start=start, days=policy.days, day_kind=policy.day_kind, calendar=calendar)


def extend(*, deadline: dt.datetime, days: int, day_kind: str) -> Deadline:
    """Move a deadline by `days` (same counting as the policy that set it)."""
    return compute(start=deadline, days=days, day_kind=day_kind)
