"""The command centre's measures, defined once (docs/measures.md says the same in prose).

Every measure counts a **cohort**: the events *registered* (受理, `created_at`, by its local
Asia/Shanghai date) in a span of days, under a region (its subtree), optionally of one category
(with its sub-categories) and one source. Each event is counted by its **state now**: an event
registered in March and resolved in April counts as resolved in March's figures once it is
resolved. Merged (合并) and refused (不予受理) events are counted apart and take no part in any
other measure.

| Measure | Chinese | An event of the cohort counts when |
|---|---|---|
| `registered` | 登记总数 | always (merged and refused included) |
| `merged` | 合并 | status is merged |
| `refused` | 不予受理 | status is refused |
| `received` | 受理量 | neither merged nor refused — the base of every measure below |
| `dispatched` | 分拨 | status is not `registered` (returned events wait for dispatch again) |
| `handled` | 处置 | acknowledged (`acknowledged_at` set) and not back at `registered` |
| `resolved` | 办结 | status is resolved or closed (a dissatisfied call-back reopens it: no longer) |
| `closed` | 归档 | status is closed |
| `on_time` | 按期办结 | resolved and not `resolved_late` |
| `resolved_late` | 超期办结 | resolved and `resolved_late` (resolved after the deadline) |
| `open_overdue` | 超期未办结 | status registered/dispatched/in_progress and `deadline` < now |
| `overdue` | 逾期 | `open_overdue` or `resolved_late` |
| `extended` | 延期 | at least one approved extension (`extension_count` > 0) |
| `escalated` | 提级 | escalated at least once (`escalation_count` > 0) |
| `reworked` | 返工 | reopened at least once by a dissatisfied call-back (`reopen_count` > 0) |
| `called_back` | 回访 | called back at least once (`called_back_at` set) |
| `satisfied` | 满意 | the latest call-back says satisfied or basically satisfied |

| Rate | Chinese | Numerator / denominator |
|---|---|---|
| `handling_rate` | 处置率 | handled / received |
| `resolution_rate` | 办结率 | resolved / received |
| `on_time_rate` | 按期办结率 | on_time / resolved |
| `overdue_rate` | 逾期率 | overdue / received |
| `extension_rate` | 延期率 | extended / received |
| `rework_rate` | 返工率 | reworked / called_back |
| `satisfaction_rate` | 满意率 | satisfied / called_back |

A rate is a percentage, a `Decimal` cut to one decimal, or two where asked (truncated,
`ROUND_DOWN`: the one rule that reproduces every figure of BRIEF §9 — seed 002 prints
11,854 / 23,022 = 51.4898…% as 51.48%, which half up would show as 51.49%); the admin may switch
to half up (`CommandSettings.rounding`). A zero denominator gives no rate (shown "—"). `format_rate` prints "91.5%"; an exact 0% or
100% prints without decimals ("100%"), as nothing was rounded. The composite score (综合指标值) is
the weighted mean of the rates (the "lower is better" ones as 100 − rate) with the weights the
admin sets (`command.models.CommandSettings`), over the rates that exist, two decimals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import OPEN_STATUSES, Satisfaction, Status
from fengqiao.lib.rates import (  # the one rule (lib/rates.py), re-exported here
    DEFAULT_ROUNDING,
    HALF_UP,
    ROUNDINGS,
    TRUNCATE,
    format_rate,
    quantize,
    rate,
    relative_change,
)

__all__ = [  # the rule's names, re-exported from lib/rates.py for the command centre's callers
    "DEFAULT_ROUNDING", "HALF_UP", "ROUNDINGS", "TRUNCATE", "format_rate", "quantize", "rate",
    "relative_change",
]

# ------------------------------------------------------------------------------------- counts

# The counters a rollup stores (time-independent: they change only when an action changes the
# event). `received` is derived (registered − merged − refused); `open_overdue` depends on the
# clock and is counted separately.
STORED = (
    "registered", "merged", "refused", "dispatched", "handled", "resolved", "closed", "on_time",
    "resolved_late", "extended", "escalated", "reworked", "called_back", "satisfied",
)

COUNT_LABELS = {
    "registered": _("Registered (all)"),
    "merged": _("Merged"),
    "refused": _("Refused"),
    "received": _("Received"),
    "dispatched": _("Dispatched"),
    "handled": _("Handled"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "on_time": _("Resolved on time"),
    "resolved_late": _("Resolved late"),
    "open_overdue": _("Open past deadline"),
    "overdue": _("Overdue"),
    "extended": _("Extended"),
    "escalated": _("Escalated"),
    "reworked": _("Reworked"),
    "called_back": _("Called back"),
    "satisfied": _("Satisfied"),
}

# rate name → (numerator, denominator, higher is better)
RATES: dict[str, tuple[str, str, bool]] = {
    "handling_rate": ("handled", "received", True),
    "resolution_rate": ("resolved", "received", True),
    "on_time_rate": ("on_time", "resolved", True),
    "overdue_rate": ("overdue", "received", False),
    "extension_rate": ("extended", "received", False),
    "rework_rate": ("reworked", "called_back", False),
    "satisfaction_rate": ("satisfied", "called_back", True),
}

RATE_LABELS = {
    "handling_rate": _("Handling rate"),
    "resolution_rate": _("Resolution rate"),
    "on_time_rate": _("On-time rate"),
    "overdue_rate": _("Overdue rate"),
    "extension_rate": _("Extension rate"),
    "rework_rate": _("Rework rate"),
    "satisfaction_rate": _("Satisfaction rate"),
}

# Counts where more is worse (rankings put the fewest first).
LOWER_IS_BETTER_COUNTS = frozenset({"overdue", "open_overdue", "resolved_late", "extended",
                                    "reworked", "refused"})

DEFAULT_WEIGHTS = {
    "handling_rate": 20, "resolution_rate": 20, "on_time_rate": 20, "overdue_rate": 15,
    "extension_rate": 5, "rework_rate": 5, "satisfaction_rate": 15,
}

def event_flags(values: dict[str, Any]) -> dict[str, int]:
    """The stored counters one event contributes (each 0 or 1), from its field values by attname.

    The single definition the rollups apply; `plain_counts` says the same in SQL."""
    status = values["status"]
    flags = dict.fromkeys(STORED, 0)
    flags["registered"] = 1
    if status == Status.MERGED:
        flags["merged"] = 1
        return flags
    if status == Status.REFUSED:
        flags["refused"] = 1
        return flags
    resolved = status in (Status.RESOLVED, Status.CLOSED)
    flags["dispatched"] = int(status != Status.REGISTERED)
    flags["handled"] = int(values["acknowledged_at"] is not None and status != Status.REGISTERED)
    flags["resolved"] = int(resolved)
    flags["closed"] = int(status == Status.CLOSED)
    flags["on_time"] = int(resolved and not values["resolved_late"])
    flags["resolved_late"] = int(resolved and bool(values["resolved_late"]))
    flags["extended"] = int((values["extension_count"] or 0) > 0)
    flags["escalated"] = int((values["escalation_count"] or 0) > 0)
    flags["reworked"] = int((values["reopen_count"] or 0) > 0)
    flags["called_back"] = int(values["called_back_at"] is not None)
    flags["satisfied"] = int(values["satisfaction"] in SATISFIED)
    return flags


SATISFIED = (Satisfaction.SATISFIED.value, Satisfaction.BASICALLY_SATISFIED.value)
OPEN = tuple(s.value for s in OPEN_STATUSES)


def is_open_with_deadline(values: dict[str, Any]) -> bool:
    """Open events with a deadline: the ones that may be overdue now."""
    return values["status"] in OPEN and values["deadline"] is not None


def plain_filters() -> dict[str, Q]:
    """The same definitions as `event_flags`, as conditions on the events table."""
    counted = ~Q(status__in=[Status.MERGED, Status.REFUSED])
    resolved = Q(status__in=[Status.RESOLVED, Status.CLOSED])
    return {
        "registered": Q(),
        "merged": Q(status=Status.MERGED),
        "refused": Q(status=Status.REFUSED),
        "dispatched": counted & ~Q(status=Status.REGISTERED),
        "handled": counted & ~Q(status=Status.REGISTERED) & Q(acknowledged_at__isnull=False),
        "resolved": resolved,
        "closed": Q(status=Status.CLOSED),
        "on_time": resolved & Q(resolved_late=False),
        "resolved_late": resolved & Q(resolved_late=True),
        "extended": counted & Q(extension_count__gt=0),
        "escalated": counted & Q(escalation_count__gt=0),
        "reworked": counted & Q(reopen_count__gt=0),
        "called_back": counted & Q(called_back_at__isnull=False),
        "satisfied": counted & Q(satisfaction__in=SATISFIED),
    }


def plain_aggregates(now: dt.datetime) -> dict[str, Count]:
    """Count(filter=…) per stored counter plus `open_overdue` at `now`: one plain GROUP BY."""
    out = {name: Count("id", filter=q) if q else Count("id") for name, q in plain_filters().items()}
    out["open_overdue"] = Count("id", filter=Q(status__in=OPEN, deadline__lt=now))
    return out


# ----------------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class RateValue:
    name: str
    numerator: int
    denominator: int
    value: Decimal | None
    display: str
    higher_is_better: bool


@dataclass
class Measures:
    """All counts of one cohort, and the rates and score derived from them."""

    registered: int = 0
    merged: int = 0
    refused: int = 0
    dispatched: int = 0
    handled: int = 0
    resolved: int = 0
    closed: int = 0
    on_time: int = 0
    resolved_late: int = 0
    extended: int = 0
    escalated: int = 0
    reworked: int = 0
    called_back: int = 0
    satisfied: int = 0
    open_overdue: int = 0
    digits: int = 1
    rounding: str = DEFAULT_ROUNDING
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @classmethod
    def from_counts(cls, counts: dict[str, int], **options: Any) -> Measures:
        m = cls(**options)
        for name, value in counts.items():
            if name in _COUNTER_FIELDS:  # every one an int field
                setattr(m, name, int(value or 0))
        return m

    @property
    def received(self) -> int:
        return self.registered - self.merged - self.refused

    @property
    def overdue(self) -> int:
        return self.open_overdue + self.resolved_late

    @property
    def open(self) -> int:
        return self.received - self.resolved

    def count(self, name: str) -> int:
        if name not in COUNT_NAMES:
            raise KeyError(name)
        return int(getattr(self, name))

    def counts(self) -> dict[str, int]:
        return {name: self.count(name) for name in COUNT_NAMES}

    def rate(self, name: str, digits: int | None = None) -> RateValue:
        num_name, den_name, better = RATES[name]
        num, den = self.count(num_name), self.count(den_name)
        d = self.digits if digits is None else digits
        return RateValue(name, num, den, rate(num, den, d, self.rounding),
                         format_rate(num, den, d, self.rounding), better)

    def rates(self, digits: int | None = None) -> dict[str, RateValue]:
        return {name: self.rate(name, digits) for name in RATES}

    def score(self) -> Decimal | None:
        """综合指标值: the weighted mean of the rates that exist (lower-is-better ones as 100 − rate),
        from the exact fractions, to two decimals by the same rounding as the rates."""
        total = Decimal(0)
        weight_sum = 0
        for name, (num_name, den_name, better) in RATES.items():
            w = int(self.weights.get(name, 0))
            den = self.count(den_name)
            if w <= 0 or den == 0:
                continue
            pct = Decimal(self.count(num_name)) * 100 / Decimal(den)
            total += w * (pct if better else 100 - pct)
            weight_sum += w
        if weight_sum == 0:
            return None
        return quantize(total / weight_sum, 2, self.rounding)

    def value(self, name: str) -> Decimal | int | None:
        """A count, a rate or `score` by name (rankings and the API)."""
        if name == "score":
            return self.score()
        if name in RATES:
            return self.rate(name).value
        return self.count(name)

    def denominator(self, name: str) -> int:
        """The cohort size behind a measure (for small-denominator warnings)."""
        if name in RATES:
            return self.count(RATES[name][1])
        return self.received

    def add(self, other: Measures) -> Measures:
        return Measures(**{n: getattr(self, n) + getattr(other, n) for n in (*STORED, "open_overdue")},
                        digits=self.digits, rounding=self.rounding, weights=self.weights)

    def as_dict(self) -> dict[str, Any]:
        score = self.score()
        return {
            "counts": self.counts(),
            "rates": {
                name: {"value": None if r.value is None else str(r.value), "display": r.display,
                       "numerator": r.numerator, "denominator": r.denominator}
                for name, r in self.rates().items()
            },
            "score": None if score is None else str(score),
        }


_COUNTER_FIELDS = frozenset((*STORED, "open_overdue"))

COUNT_NAMES = (
    "registered", "merged", "refused", "received", "dispatched", "handled", "resolved", "closed",
    "on_time", "resolved_late", "open_overdue", "overdue", "extended", "escalated", "reworked",
    "called_back", "satisfied",
)
MEASURE_NAMES = (*COUNT_NAMES, *RATES, "score")


def higher_is_better(name: str) -> bool:
    if name in RATES:
        return RATES[name][2]
    if name == "score":
        return True
    return name not in LOWER_IS_BETTER_COUNTS


def measure_label(name: str) -> str:
    if name == "score":
        return str(_("Composite score"))
    return str(RATE_LABELS.get(name) or COUNT_LABELS[name])
