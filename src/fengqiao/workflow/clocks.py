"""Deadline clocks: counting calendar or working days, and limits running on any workflow.

Working days follow China's published schedule with its make-up workdays (调休), from the
`chinese-calendar` package, corrected by the admin's `CalendarDay` table. For a year neither
covers, Saturday and Sunday are taken as the only rest days and the deadline is marked
approximate (the page shows a warning) — never a crash.

A limit is the end of the last counted day, local time: 15 working days from a Friday
acceptance end at 23:59:59 of the fifteenth working day after it (the start day not counted).

`start`, `stop` and `extend` run inside a workflow action's transaction (the action's audit row
says what it did); `scan` (every minute, and `fengqiao scan_clocks`) warns each running clock
once before its limit and notices it once when the limit passes, through the owning workflow's
transition — so the notice is locked, audited on the record's stream and texted through the
outbox like any other action.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import chinese_calendar
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.lib import clock as wallclock
from fengqiao.lib.errors import InvalidInput
from fengqiao.notify.actions import notify_people
from fengqiao.workflow.models import CalendarDay, Clock, ClockPolicy, DayKind

log = logging.getLogger(__name__)

WARNING = "clock_warning"  # 即将到期预警
OVERDUE = "clock_overdue"  # 已超期
BATCH_SIZE = 200


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

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


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


def extend_deadline(*, deadline: dt.datetime, days: int, day_kind: str) -> Deadline:
    """Move a deadline by `days` (same counting as the policy that set it)."""
    return compute(start=deadline, days=days, day_kind=day_kind)


# ------------------------------------------------------------------------- running clocks


def policy(key: str) -> ClockPolicy:
    found = ClockPolicy.objects.filter(key=key, active=True).first()
    if found is None:
        raise InvalidInput(_("No active time limit “%(key)s”.") % {"key": key}, code="no_policy")
    return found


def _warn_at(due: dt.datetime, warn_days: int, started: dt.datetime) -> dt.datetime:
    return max(started, due - dt.timedelta(days=warn_days))


def start(*, workflow: str, record: models.Model, key: str, at: dt.datetime | None = None,
          days: int | None = None, due: dt.datetime | None = None) -> Clock:
    """Start the policy `key` on `record` from `at` (default now). `days` overrides the policy's
    count (a court's own deadline for a referral); `due` sets the limit outright. A clock of the
    same policy still running on the record is returned unchanged: starting twice is harmless."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("clocks.start must run inside the action's transaction")
    chosen = policy(key)
    running = Clock.objects.filter(workflow=workflow, record_id=record.pk, policy=chosen,
                                   stopped_at=None).first()
    if running is not None:
        return running
    moment = at or wallclock.now()
    if due is not None:
        deadline = Deadline(due, False, 0, DayKind.CALENDAR)
    else:
        deadline = compute(start=moment, days=chosen.days if days is None else days,
                           day_kind=chosen.day_kind)
    return Clock.objects.create(
        workflow=workflow, record_id=record.pk, policy=chosen, started_at=moment,
        due_at=deadline.at, warn_at=_warn_at(deadline.at, chosen.warn_days, moment),
        approximate=deadline.approximate,
    )


def running_clock(*, workflow: str, record: models.Model, key: str) -> Clock | None:
    return (Clock.objects.select_for_update().filter(
        workflow=workflow, record_id=record.pk, policy__key=key, stopped_at=None).first())


def stop(*, workflow: str, record: models.Model, key: str, at: dt.datetime | None = None,
         cancelled: bool = False) -> Clock | None:
    """Stop the running clock `key` of `record` (the step it waited for was taken): met in
    time, or late. `cancelled`: the step is no longer needed. None when none was running."""
    running = running_clock(workflow=workflow, record=record, key=key)
    if running is None:
        return None
    moment = at or wallclock.now()
    running.stopped_at = moment
    running.outcome = (Clock.Outcome.CANCELLED if cancelled else
                       Clock.Outcome.LATE if moment > running.due_at else Clock.Outcome.MET)
    running.save(update_fields=["stopped_at", "outcome"])
    return running


def stop_all(*, workflow: str, record: models.Model, at: dt.datetime | None = None) -> int:
    """Cancel every clock still running on `record` (it was closed, withdrawn, merged)."""
    moment = at or wallclock.now()
    return Clock.objects.filter(workflow=workflow, record_id=record.pk, stopped_at=None).update(
        stopped_at=moment, outcome=Clock.Outcome.CANCELLED)


def extend(*, workflow: str, record: models.Model, key: str, days: int, reason: str) -> Clock:
    """Extend the running clock `key` by `days` counted as its policy counts; the warning and
    the notice may come again for the new limit."""
    running = running_clock(workflow=workflow, record=record, key=key)
    if running is None:
        raise InvalidInput(_("That time limit is not running."), code="no_clock")
    deadline = extend_deadline(deadline=running.due_at, days=days, day_kind=running.policy.day_kind)
    running.due_at = deadline.at
    running.approximate = running.approximate or deadline.approximate
    running.warn_at = _warn_at(deadline.at, running.policy.warn_days, running.started_at)
    running.extended_days += days
    running.extension_reason = reason
    running.warned_at = None
    running.overdue_notified_at = None
    running.save(update_fields=["due_at", "approximate", "warn_at", "extended_days",
                                "extension_reason", "warned_at", "overdue_notified_at"])
    return running


def clocks_of(*, workflow: str, record: models.Model) -> list[Clock]:
    return list(Clock.objects.filter(workflow=workflow, record_id=record.pk)
                .select_related("policy").order_by("started_at", "id"))


# ------------------------------------------------------------------------------- scanner


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def notice(*, clock_id: int, kind: str) -> bool:
    """Warn (`clock_warning`) or notice (`clock_overdue`) one clock, once, through its
    workflow's transition. Returns whether a notice was given."""
    from fengqiao.workflow.transition import registered, transition

    head = Clock.objects.filter(pk=clock_id).values_list("workflow", "record_id").first()
    if head is None:
        return False
    wf = registered(head[0])
    given = False

    with transaction.atomic(durable=True):
        def body(record: Any, step: Any) -> None:
            nonlocal given
            running = Clock.objects.select_for_update().select_related("policy").get(pk=clock_id)
            marker = "warned_at" if kind == WARNING else "overdue_notified_at"
            if running.stopped_at is not None or getattr(running, marker) is not None:
                raise _Skip
            now = wallclock.now()
            setattr(running, marker, now)
            running.save(update_fields=[marker])
            people = wf.clock_recipients(record, running)
            params = {"clock": running.policy.name, "due": _fmt(running.due_at),
                      **wf.clock_params(record, running)}
            texts = notify_people(persons=people, template=kind, params=params,
                                  event=wf.event_of(record))
            step.details.update(clock=running.policy.key, due=running.due_at.isoformat(),
                                notified=[p.pk for p in people], texts=texts)
            given = True

        try:
            with transaction.atomic():
                transition(wf, head[1], actor=None, action=kind, body=body, record_only=True)
        except _Skip:
            return False
    return given


class _Skip(Exception):
    """The clock was stopped or noticed meanwhile: roll the savepoint back, write nothing."""


def _due(queryset, column: str, batch_size: int):
    after: tuple[dt.datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            page = page.filter(Q(**{f"{column}__gt": after[0]}) | Q(**{column: after[0], "id__gt": after[1]}))
        rows = list(page.order_by(column, "id").values_list("id", column)[:batch_size])
        if not rows:
            return
        yield [pk for pk, _ in rows]
        after = (rows[-1][1], rows[-1][0])
        if len(rows) < batch_size:
            return


def scan(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Warn running clocks whose warning time has come and notice those past their limit.
    A clock already past its limit gets the notice only: a warning would be late."""
    pinned = wallclock.frozen(now) if now is not None else contextlib.nullcontext()
    now = now or wallclock.now()
    counts = {"warned": 0, "overdue": 0, "errors": 0}
    running = Clock.objects.filter(stopped_at__isnull=True)
    work = [
        (WARNING, "warned", "warn_at", running.filter(warn_at__lte=now, due_at__gte=now, warned_at=None)),
        (OVERDUE, "overdue", "due_at", running.filter(due_at__lt=now, overdue_notified_at=None)),
    ]
    with pinned:
        for kind, counter, column, queryset in work:
            for ids in _due(queryset, column, batch_size):
                for pk in ids:
                    try:
                        if notice(clock_id=pk, kind=kind):
                            counts[counter] += 1
                    except Exception:
                        counts["errors"] += 1
                        log.exception("clock scanner: %s for clock %s failed", kind, pk)
    if any(counts.values()):
        log.info("clock scan at %s: %s", now.isoformat(), counts)
    return counts
