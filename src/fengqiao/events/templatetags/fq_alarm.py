"""The overdue alarm on the home page (工作台): how many of the person's events are open past
their deadline now — the worklist's 已逾期 tab, the same query — and the worst of them first."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from fengqiao.events.queries import worklist
from fengqiao.lib import clock

register = template.Library()

WORST = 5  # rows the alarm lists; the tab holds them all


@register.inclusion_tag("events/_overdue_alarm.html", takes_context=True)
def overdue_alarm(context) -> dict[str, Any]:
    user = context["request"].user
    # The page has counted its tabs already: the alarm's number is the tab's, at no extra query.
    count = next((t["count"] for t in context.get("tabs") or [] if t["key"] == "overdue"), None)
    if count is None:
        count = worklist(user, "overdue").count()
    rows = []
    if count:
        now = clock.now()
        # The tab's own order: the earliest deadline first, i.e. the longest overdue.
        for e in worklist(user, "overdue").select_related("village", "town", "region", "category")[:WORST]:
            late = now - e.deadline
            rows.append({"event": e, "days": late.days, "hours": int(late.total_seconds() // 3600) % 24,
                         "place": (e.village or e.town or e.region)})
    return {"count": count, "rows": rows, "more": max(0, count - len(rows)),
            "tab_url": reverse("worklist") + "?tab=overdue"}
