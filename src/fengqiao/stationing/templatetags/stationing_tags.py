"""Labels and cells for the stationing pages, in the page language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from fengqiao.stationing import machine
from fengqiao.stationing.compliance import Tally
from fengqiao.stationing.models import Check, Identity, PlanStatus, StayStatus

register = template.Library()


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def check_label(value: str) -> str:
    return _choice(Check, value) if value else "—"


@register.filter
def identity_label(value: str) -> str:
    return _choice(Identity, value)


@register.filter
def plan_status(value: str) -> str:
    return _choice(PlanStatus, value)


@register.filter
def stay_status(value: str) -> str:
    return _choice(StayStatus, value)


@register.filter
def stationing_action(value: str) -> str:
    return machine.action_label(str(value))


@register.filter
def stationing_state(value: str) -> str:
    return machine.state_label(str(value)) if value else ""


def timeline_details(entry) -> list[tuple[str, str]]:
    """A check-in's or check-out's place against the outline, for the timeline."""
    d = entry.details or {}
    if not d.get("check"):
        return []
    where = check_label(d["check"])
    if d.get("distance"):
        where += " · " + _("%(m)s m outside") % {"m": d["distance"]}
    return [(_("Where"), where)]


@register.filter
def week(by_week: dict, monday) -> Tally | None:
    return by_week.get(monday)


@register.filter
def cell_state(t: Tally | None) -> str:
    """met, partial, missed, pending, excused or none — the cell's colour."""
    if t is None or (t.required == 0 and t.pending == 0):
        return "excused" if t is not None and t.excused else "none"
    if t.required == 0:
        return "pending"
    if t.met == t.required:
        return "met" if not t.pending else "pending"
    return "partial" if t.met else "missed"


@register.filter
def cell_text(t: Tally | None) -> str:
    if t is None or (t.required == 0 and t.pending == 0):
        return _("excused") if t is not None and t.excused else "—"
    text = f"{t.met}/{t.required}" if t.required else ""
    if t.pending:
        text = (text + " " if text else "") + _("%(n)d to come") % {"n": t.pending}
    return text


@register.filter
def period_status(value: str) -> str:
    return {
        "met": _("Met"), "partial": _("Partly met"), "missed": _("Missed"), "pending": _("To come"),
        "excused": _("Excused (holiday)"), "not_due": _("Not due"),
    }.get(value, value)
