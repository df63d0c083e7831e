"""What the command centre's figure panels share — proxy agencies (代办), the three sources
(三源), mediation and petitions (`figures_*.py`): a ratio printed by the one rule (lib/rates via
`measures`, the admin's rounding), a count compared across two spans, and a competition ranking
(1, 2, 2, 4) on the *shown* values, as the region rankings do.

The apps below (citizen, mediation, petitions) hand counts only; every rate is made here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone

from fengqiao.command import queries as q
from fengqiao.command.measures import format_rate, rate, relative_change

T = TypeVar("T")


def rounding() -> str:
    """The admin's rule (truncation unless they chose half up)."""
    return q.current_settings().rounding


@dataclass(frozen=True)
class Ratio:
    """num / den as shown: the value (None without a denominator) and how it prints."""

    numerator: int
    denominator: int
    value: Decimal | None
    display: str

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator,
                "value": None if self.value is None else str(self.value), "display": self.display}


def ratio(num: int, den: int, digits: int = 1, rule: str | None = None) -> Ratio:
    r = rule or rounding()
    return Ratio(num, den, rate(num, den, digits, r), format_rate(num, den, digits, r))


@dataclass(frozen=True)
class Delta:
    """A count now against a baseline: the difference and the relative change (shown by the
    same rule; None when the baseline is zero)."""

    current: int
    baseline: int
    difference: int
    percent: Decimal | None

    @property
    def display(self) -> str:
        if self.percent is None:
            return "—"
        sign = "+" if self.percent > 0 else ""
        return f"{sign}{self.percent}%"

    def as_dict(self) -> dict[str, Any]:
        return {"current": self.current, "baseline": self.baseline, "difference": self.difference,
                "percent": None if self.percent is None else str(self.percent), "display": self.display}


def delta(current: int, baseline: int, digits: int = 1, rule: str | None = None) -> Delta:
    return Delta(current, baseline, current - baseline,
                 relative_change(current, baseline, digits, rule or rounding()))


def ranked(rows: Sequence[T], value: Callable[[T], Decimal | int | None], *, higher_is_better: bool = True,
           tie: Callable[[T], Any] = lambda r: 0) -> list[tuple[int | None, T]]:
    """Competition ranking on the shown value: best first, equal values share a rank and the
    next rank skips (1, 2, 2, 4); rows without a value come last, unranked (None)."""
    valued: list[tuple[Decimal | int, T]] = []
    for r in rows:
        v = value(r)
        if v is not None:
            valued.append((v, r))
    valued.sort(key=lambda vr: (-vr[0] if higher_is_better else vr[0], tie(vr[1])))
    out: list[tuple[int | None, T]] = []
    previous: Decimal | int | None = None
    rank = 0
    for i, (v, r) in enumerate(valued, start=1):
        if v != previous:
            rank, previous = i, v
        out.append((rank, r))
    out += [(None, r) for r in rows if value(r) is None]
    return out


def span_bounds(span: q.Span) -> tuple[dt.datetime, dt.datetime]:
    """The span's local days as [start, end) instants."""
    start = timezone.make_aware(dt.datetime.combine(span.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(span.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def sum_of(rows: Iterable[Any], name: str) -> int:
    return sum(int(getattr(r, name)) for r in rows)
