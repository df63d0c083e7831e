"""For the navigation bar: `{% load triage_tags %}{% triage_open_count user as n %}` gives the
number of open triage items in the user's area, or None when the user has no triage queue."""

from __future__ import annotations

from django import template

from fengqiao.triage.permissions import may_triage
from fengqiao.triage.queries import visible_items

register = template.Library()


@register.simple_tag
def triage_open_count(user) -> int | None:
    if not may_triage(user):
        return None
    return visible_items(user).count()
