"""Deadlines: the policy for (category, tier, source), counted in calendar or working days.

The counting itself (working days across 调休, the admin's calendar, a year no calendar covers)
is the shared machinery's, `fengqiao.workflow.clocks`; what is the event's own is the policy per
category × tier × source.
"""

from __future__ import annotations

import datetime as dt

from fengqiao.events.models import Category, DeadlinePolicy
from fengqiao.workflow.clocks import (
    Deadline,
    WorkingCalendar,
    compute,
    end_of_local_day,
    extend_deadline,
)
from fengqiao.workflow.models import DayKind

__all__ = ["Deadline", "WorkingCalendar", "compute", "deadline_for", "end_of_local_day", "extend",
           "policy_for"]

# When no policy matches at all (an admin removed the defaults).
FALLBACK_DAYS = {"village": 7, "town": 14, "county": 30}


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
    return extend_deadline(deadline=deadline, days=days, day_kind=day_kind)
