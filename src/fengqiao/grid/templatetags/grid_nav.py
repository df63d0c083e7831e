"""The grid pages' sub-navigation asks `grid.permissions` who sees the rules' link."""

from __future__ import annotations

from django import template

from fengqiao.grid import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def may_keep_grid_rules(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and permissions.may_keep_rules(user))
