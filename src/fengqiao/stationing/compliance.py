"""How stays count towards a plan's rule, period by period — the one place this is decided.

**What a stay gives.** Only a verified stay counts: checked in and out from the phone inside the
outline of the plan's place, and checked out before its time limit. Under a night's rule (住, the
shipped default) a stay gives each night D it covers — it began before midnight at the end of D
and lasted at least until 05:00 the next morning; under a day's rule (`overnight` off) it gives
its arrival day when it lasted at least `min_hours`.

**Periods.** Weeks run Monday to Sunday. A rule of one week (每周一住村) asks for `stays` nights in
every week; a rule of two weeks (两周一住镇) for `stays` nights in every two weeks, the pairs of
weeks counted from the week the plan began. A rule with named weekdays (每周一、五住村) asks for
the night of each named day, every week.

**Holidays** (decided here, by the working-day calendar of `workflow.clocks.WorkingCalendar`:
China's published schedule with its 调休, corrected by the admin's table):

- a named weekday that is a statutory rest day moves to the next working day of the same week
  that is not itself a named working weekday (顺延: a 国庆 Monday's night moves to the first
  working day after the holiday, a make-up Saturday included); when the week has none left, that
  night is excused (免) — the rule's `holiday` may instead excuse such a day outright. A stay on
  the holiday itself still meets it;
- a rule without named weekdays is excused for a period in which the plan's days hold no working
  day at all (a Spring Festival week); otherwise it is due whole, weekend nights counting like
  any other.

**What is counted.** A requirement is *met* by a counted night on its day, *missed* when its day
has passed without one, *pending* while its day is today or later. A period of a rule without
named weekdays is pending until it ends unless already met. Days before the plan began or after
it ended are not due. The rate is met over required (met + missed), printed by the platform's one
rule (`lib.rates`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from fengqiao.lib.rates import current_rounding, format_rate, rate
from fengqiao.stationing.models import Plan, Rule, Stay, StayStatus
from fengqiao.workflow.clocks import WorkingCalendar

NIGHT_ENDS = dt.time(5, 0)  # a night's stay lasts until 05:00 the next morning
MAX_NIGHTS = 31  # a stay never gives more nights than this (its time limit ends it long before)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at), timezone.get_current_timezone())


def stay_days(stay: Stay, rule: Rule) -> set[dt.date]:
    """The nights (or days) a stay gives under `rule` — none unless it is verified."""
    if not stay.verified or stay.departed_at is None:
        return set()
    arrived = timezone.localtime(stay.arrived_at)
    departed = timezone.localtime(stay.departed_at)
    if not rule.overnight:
        enough = departed - arrived >= dt.timedelta(hours=rule.min_hours)
        return {arrived.date()} if enough else set()
    nights: set[dt.date] = set()
    day = arrived.date()
    while len(nights) < MAX_NIGHTS:
        next_day = day + dt.timedelta(days=1)
        if _local(next_day, NIGHT_ENDS) > departed:
            break
        if arrived < _local(next_day, dt.time(0, 0)):
            nights.add(day)
        day = next_day
    return nights


@dataclass(frozen=True)
class Requirement:
    due: dt.date  # the night to stay
    named: dt.date | None  # the named weekday it stands for (None: any night of the period)
    met: bool
    decided: bool

    @property
    def moved(self) -> bool:
        return self.named is not None and self.named != self.due


@dataclass
class Period:
    start: dt.date  # a Monday
    end: dt.date  # a Sunday
    active: bool  # the plan ran on some day of it
    requirements: list[Requirement] = field(default_factory=list)
    excused: list[dt.date] = field(default_factory=list)  # named days (or the period) excused
    nights: list[dt.date] = field(default_factory=list)  # counted nights within it

    @property
    def required(self) -> int:
        """Requirements whose day has come: met or missed."""
        return sum(1 for r in self.requirements if r.decided)

    @property
    def met(self) -> int:
        return sum(1 for r in self.requirements if r.decided and r.met)

    @property
    def missed(self) -> int:
        return self.required - self.met

    @property
    def pending(self) -> int:
        return sum(1 for r in self.requirements if not r.decided)

    @property
    def status(self) -> str:
        if not self.active:
            return "not_due"
        if not self.requirements:
            return "excused" if self.excused else "not_due"
        if self.pending:
            return "pending" if not self.missed else "partial" if self.met else "missed"
        if self.met == len(self.requirements):
            return "met"
        return "partial" if self.met else "missed"

    @property
    def weeks(self) -> int:
        return ((self.end - self.start).days + 1) // 7


@dataclass
class Tally:
    """Requirements met over required, across periods (a person, a department, a town)."""

    required: int = 0
    met: int = 0
    pending: int = 0
    excused: int = 0
    periods: int = 0  # periods with something decided
    periods_met: int = 0
    nights: int = 0

    def add(self, p: Period) -> None:
        self.required += p.required
        self.met += p.met
        self.pending += p.pending
        self.excused += len(p.excused)
        self.nights += len(p.nights)
        if p.required:
            self.periods += 1
            if p.met == p.required and not p.pending:
                self.periods_met += 1

    def merge(self, other: Tally) -> None:
        for name in ("required", "met", "pending", "excused", "periods", "periods_met", "nights"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def missed(self) -> int:
        return self.required - self.met

    def rate(self, rounding: str | None = None):
        return rate(self.met, self.required, 1, rounding or current_rounding())

    def rate_text(self, rounding: str | None = None) -> str:
        return format_rate(self.met, self.required, 1, rounding or current_rounding())


def _plan_days(plan: Plan, start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date] | None:
    first = max(start, plan.starts_on)
    last = end if plan.ends_on is None else min(end, plan.ends_on)
    if last < first:
        return None
    return first, last


def _weekday_requirements(rule: Rule, monday: dt.date, days: tuple[dt.date, dt.date], counted: set[dt.date],
                          cal: WorkingCalendar, today: dt.date, period: Period) -> None:
    sunday = monday + dt.timedelta(days=6)
    named = sorted({monday + dt.timedelta(days=int(w)) for w in rule.weekdays if 0 <= int(w) <= 6})
    named = [d for d in named if days[0] <= d <= days[1]]
    taken = {d for d in named if cal.is_workday(d)}  # named working days keep their own nights
    for day in named:
        due = day if cal.is_workday(day) else _deferred(rule, day, min(sunday, days[1]), taken, cal)
        if due is None:
            period.excused.append(day)
            continue
        met = due in counted or day in counted
        period.requirements.append(Requirement(due=due, named=day, met=met, decided=met or due < today))


def _deferred(rule: Rule, day: dt.date, last: dt.date, taken: set[dt.date], cal: WorkingCalendar) -> dt.date | None:
    """顺延: the next working day after `day` up to `last` not taken by another named day; None
    when there is none (or the rule excuses holidays outright)."""
    if rule.holiday != "defer":
        return None
    probe = day + dt.timedelta(days=1)
    while probe <= last:
        if cal.is_workday(probe) and probe not in taken:
            taken.add(probe)
            return probe
        probe += dt.timedelta(days=1)
    return None


def _count_requirements(rule: Rule, start: dt.date, end: dt.date, days: tuple[dt.date, dt.date],
                        counted: set[dt.date], cal: WorkingCalendar, today: dt.date, period: Period) -> None:
    span = [days[0] + dt.timedelta(days=i) for i in range((days[1] - days[0]).days + 1)]
    if not any(cal.is_workday(d) for d in span):
        period.excused.append(start)
        return
    inside = sorted(d for d in counted if days[0] <= d <= days[1])
    over = end < today
    for i in range(rule.stays):
        met = i < len(inside)
        period.requirements.append(Requirement(due=inside[i] if met else end, named=None, met=met,
                                               decided=met or over))


def periods_of(plan: Plan, stays: Iterable[Stay], *, start: dt.date, end: dt.date, today: dt.date,
               calendar: WorkingCalendar | None = None) -> list[Period]:
    """The plan's periods overlapping the weeks from `start`'s Monday to `end`'s Sunday."""
    rule = plan.rule
    cal = calendar or WorkingCalendar()
    counted: set[dt.date] = set()
    for stay in stays:
        counted |= stay_days(stay, rule)
    weeks = max(1, int(rule.period_weeks))
    first_monday = monday_of(start)
    anchor = monday_of(plan.starts_on)
    if weeks > 1:  # periods counted from the plan's first week
        offset = ((first_monday - anchor).days // 7) % weeks
        first_monday -= dt.timedelta(weeks=offset)
    out: list[Period] = []
    monday = first_monday
    while monday <= end:
        sunday = monday + dt.timedelta(days=7 * weeks - 1)
        days = _plan_days(plan, monday, sunday, today)
        period = Period(start=monday, end=sunday, active=days is not None)
        if days is not None:
            period.nights = sorted(d for d in counted if days[0] <= d <= days[1])
            if rule.weekdays:
                for w in range(weeks):
                    week_monday = monday + dt.timedelta(weeks=w)
                    week_days = _plan_days(plan, week_monday, week_monday + dt.timedelta(days=6), today)
                    if week_days is not None:
                        _weekday_requirements(rule, week_monday, week_days, counted, cal, today, period)
            else:
                _count_requirements(rule, monday, sunday, days, counted, cal, today, period)
        out.append(period)
        monday += dt.timedelta(weeks=weeks)
    return out


def tally(periods: Iterable[Period]) -> Tally:
    t = Tally()
    for p in periods:
        t.add(p)
    return t


def verified_stays(stays: Iterable[Stay]) -> list[Stay]:
    return [s for s in stays if s.status == StayStatus.LEFT and s.verified]
