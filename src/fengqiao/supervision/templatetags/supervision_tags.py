"""Supervision's checks for other apps' templates (the command centre's bulletin and record
buttons), so those apps need not import supervision."""

from __future__ import annotations

from django import template

from fengqiao.supervision.permissions import may_record as _may_record

register = template.Library()


@register.simple_tag
def may_record(user) -> bool:
    return _may_record(user)
