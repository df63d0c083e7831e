"""Village categories (放心 / 较好 / 一般 / 滞后) suggested from the measures by the admin's
thresholds. The measure values come from `fengqiao.command.queries` (the same as the pages and
the API); this module only applies the cut-offs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fengqiao.command import measures as m
from fengqiao.lib import clock
from fengqiao.regions.models import VillageCategory
from fengqiao.supervision.models import CategoryThresholds


def measure_choices() -> list[tuple[str, str]]:
    """The measures a category may be judged on: the rates and the composite score."""
    return [("score", m.measure_label("score"))] + [(name, m.measure_label(name)) for name in m.RATES]


def suggest(value: Decimal | int | None, denominator: int, thresholds: CategoryThresholds) -> str:
    """The suggested category for one village's value; "" when there is too little to judge
    (no value, or fewer events than `min_events` behind it)."""
    if value is None or denominator < thresholds.min_events:
        return ""
    cuts = [
        (VillageCategory.REASSURING, thresholds.reassuring_at),
        (VillageCategory.GOOD, thresholds.good_at),
        (VillageCategory.AVERAGE, thresholds.average_at),
    ]
    better = m.higher_is_better(thresholds.measure)
    for category, cut in cuts:
        if (value >= cut) if better else (value <= cut):
            return category.value
    return VillageCategory.LAGGING.value


def category_span(thresholds: CategoryThresholds) -> tuple[dt.date, dt.date]:
    """The days a category is judged on: the last `span_days`, today included."""
    end = clock.local_date()
    return end - dt.timedelta(days=thresholds.span_days - 1), end


def judge(user, village, thresholds: CategoryThresholds, start: dt.date, end: dt.date) -> dict[str, Any]:
    """One village's figure on the thresholds' measure, from the command queries."""
    from fengqiao.command import queries as cq

    measures = cq.measures_for(user=user, region=village, start=start, end=end)
    value = measures.value(thresholds.measure)
    den = measures.denominator(thresholds.measure)
    return {"value": value, "denominator": den, "suggested": suggest(value, den, thresholds),
            "display": cq.display(measures, thresholds.measure)}
