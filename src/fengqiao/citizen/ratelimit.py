"""Rate limits on the public door, counted in the database so every process shares them.

Fixed one-hour windows per key (a keyed digest of the IP address or the phone, never the value
itself). `check` refuses early, before any file is read into storage; `hit` counts an accepted
submission inside the submission's own transaction and refuses if the count went over — so a
refused submission leaves nothing behind, not even its count, and two racing requests cannot
both slip under the limit (the counter row is locked by the increment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fengqiao.citizen.models import RateCounter
from fengqiao.lib import clock
from fengqiao.lib.errors import RateLimited
from fengqiao.lib.protect import blind_index

WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    what: str  # "ip" or "phone": which message to show


def limits_for(*, ip: str, phone: str, per_ip: int, per_phone: int) -> list[Limit]:
    out = []
    if ip:
        out.append(Limit("ip:" + blind_index(ip), per_ip, "ip"))
    if phone:
        out.append(Limit("phone:" + blind_index(phone), per_phone, "phone"))
    return out


def _window(now: dt.datetime) -> dt.datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _refuse(limit: Limit, now: dt.datetime) -> RateLimited:
    minutes = max(1, int((_window(now) + WINDOW - now).total_seconds() // 60))
    if limit.what == "phone":
        message = _("This phone number has sent %(n)d reports in the last hour. Try again in %(m)d minutes, "
                    "or call the hotline 12345 if it is urgent.")
    else:
        message = _("Too many reports from your network in the last hour (%(n)d). Try again in %(m)d minutes, "
                    "or call the hotline 12345 if it is urgent.")
    return RateLimited(message % {"n": limit.limit, "m": minutes})


def check(limits: list[Limit]) -> None:
    """Refuse now if a key is already at its limit (reads only)."""
    now = clock.now()
    window = _window(now)
    for limit in limits:
        row = RateCounter.objects.filter(key=limit.key, window_start=window).first()
        if row is not None and row.count >= limit.limit:
            raise _refuse(limit, now)


def hit(limits: list[Limit]) -> None:
    """Count one accepted submission per key; raise (rolling the caller's transaction back) if it
    goes over. Must run inside the submission's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ratelimit.hit must run inside the submission's transaction")
    now = clock.now()
    window = _window(now)
    for limit in limits:
        # Old windows of this key go as the key comes back (an indexed delete, no sweeper).
        RateCounter.objects.filter(key=limit.key, window_start__lt=window - dt.timedelta(days=1)).delete()
        RateCounter.objects.get_or_create(key=limit.key, window_start=window)
        RateCounter.objects.filter(key=limit.key, window_start=window).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=limit.key, window_start=window).values_list("count", flat=True)[0]
        if count > limit.limit:
            raise _refuse(limit, now)


def prune(*, before: dt.datetime) -> int:
    """Drop counters of windows that ended before `before` (housekeeping)."""
    deleted, _rows = RateCounter.objects.filter(window_start__lt=before - WINDOW).delete()
    return deleted
