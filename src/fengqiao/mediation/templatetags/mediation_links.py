"""The mediation box on the event page: the event's cases and 群英 tasks the user may see, and the
two ways on — open a case beside the dispute (转调解), hand it to a 群英 member (派单) — each
offered only to whom `mediation.permissions` allows it."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.mediation import permissions, queries
from fengqiao.mediation.models import Status, TaskStatus

register = template.Library()

CLOSED = (Status.REFUSED, Status.CLOSED)


@register.simple_tag(takes_context=True)
def mediation_links(context, event) -> dict[str, Any]:
    user = context["request"].user
    if not getattr(user, "is_authenticated", False) or event is None:
        return {}
    cases = list(queries.visible_cases(user).filter(event=event).order_by("-applied_at"))
    tasks = list(queries.visible_tasks(user).filter(event=event).exclude(status=TaskStatus.CANCELLED)
                 .select_related("member__person").order_by("-dispatched_at"))
    is_dispute = event.category.code.startswith("dispute")
    under_way = any(c.status not in CLOSED for c in cases)
    region = event.region or event.village or event.town or event.county
    return {
        "cases": cases,
        "tasks": tasks,
        "open": is_dispute and not under_way and event.status not in ("closed", "refused", "merged")
        and permissions.may_open(user, region, event),
        "dispatch": event.status not in ("closed", "refused", "merged") and permissions.may_dispatch(user, event),
    }
