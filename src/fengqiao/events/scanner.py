"""The deadline scanner: warn before an open event's deadline and notify when it passes.

Runs every minute (``events/tasks.py``) and as ``fengqiao scan_deadlines``. It reads open events
with a deadline through the ``event_open_deadline`` partial index, in batches ordered by
(deadline, id), and acts through ``events.actions.event_deadline_notice``, which locks the event,
checks it is still open and not yet warned, sets the marker, texts the bound people and writes
the audit row — so running the scanner twice, or two scanners at once, warns each event once
per deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q

from fengqiao.events import actions
from fengqiao.events.models import OPEN_STATUSES, Event
from fengqiao.lib import clock

logger = logging.getLogger(__name__)

BATCH_SIZE = 200

WARNING = "deadline_warning"  # 即将逾期预警
OVERDUE = "overdue"  # 已逾期


def _open_with_deadline():
    # The same predicate as the partial index `event_open_deadline`, so the planner can use it.
    return Event.objects.filter(status__in=[s.value for s in OPEN_STATUSES], deadline__isnull=False)


def _batches(queryset, batch_size: int):
    """Yield lists of event ids in (deadline, id) order, resuming after the last one seen."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            page = page.filter(Q(deadline__gt=after[0]) | Q(deadline=after[0], id__gt=after[1]))
        rows = list(page.order_by("deadline", "id").values_list("id", "deadline")[:batch_size])
        if not rows:
            return
        yield [pk for pk, _ in rows]
        after = (rows[-1][1], rows[-1][0])
        if len(rows) < batch_size:
            return


def scan_deadlines(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Warn events due within FENGQIAO_DEADLINE_WARNING_HOURS and notify overdue ones.

    Returns counts: ``warned``, ``overdue`` (notices sent), ``errors`` (events that raised; they
    are logged and retried on the next run)."""
    pinned = clock.frozen(now) if now is not None else contextlib.nullcontext()
    now = now or clock.now()
    horizon = now + dt.timedelta(hours=settings.FENGQIAO_DEADLINE_WARNING_HOURS)
    counts = {"warned": 0, "overdue": 0, "errors": 0}
    base = _open_with_deadline()
    # An event already past its deadline gets the overdue notice only: a warning would be late.
    work = [
        (WARNING, "warned", base.filter(deadline__gte=now, deadline__lte=horizon, deadline_warned_at=None)),
        # Past the deadline, as Event.overdue_at counts it (strictly after).
        (OVERDUE, "overdue", base.filter(deadline__lt=now, overdue_notified_at=None)),
    ]
    with pinned:  # the notices read the same moment the scan used
        for kind, counter, queryset in work:
            for ids in _batches(queryset, batch_size):
                for pk in ids:
                    try:
                        if actions.event_deadline_notice(event=pk, kind=kind) is not None:
                            counts[counter] += 1
                    except Exception:
                        counts["errors"] += 1
                        logger.exception("deadline scanner: %s for event %s failed", kind, pk)
    if any(counts.values()):
        logger.info("deadline scan at %s: %s", now.isoformat(), counts)
    return counts
