"""Labels for the major-matter pages, in the page language (the choices' own labels)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fengqiao.majors import machine
from fengqiao.majors.models import (
    Area,
    Card,
    Channel,
    Decision,
    Dimension,
    ExpertConclusion,
    Grade,
    Identity,
    Kind,
    Level,
    Likelihood,
    TeamPost,
)

register = template.Library()


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def major_kind(value: str) -> str:
    return _choice(Kind, value)


@register.filter
def major_area(value: str) -> str:
    return _choice(Area, value) if value else ""


@register.filter
def major_level(value: str) -> str:
    return _choice(Level, value)


@register.filter
def major_status(value: str) -> str:
    return machine.state_label(str(value or ""))


@register.filter
def major_card(value: str) -> str:
    return _choice(Card, value) if value else ""


@register.filter
def major_grade(value: str) -> str:
    return _choice(Grade, value) if value else ""


@register.filter
def major_decision(value: str) -> str:
    return _choice(Decision, value) if value else ""


@register.filter
def major_dimension(value: str) -> str:
    return _choice(Dimension, value)


@register.filter
def major_likelihood(value: str) -> str:
    return _choice(Likelihood, value)


@register.filter
def major_channel(value: str) -> str:
    return _choice(Channel, value)


@register.filter
def major_conclusion(value: str) -> str:
    return _choice(ExpertConclusion, value)


@register.filter
def team_post(value: str) -> str:
    return _choice(TeamPost, value)


@register.filter
def team_identity(value: str) -> str:
    return _choice(Identity, value)


@register.filter
def clock_label(state: str) -> str:
    from fengqiao.majors.queries import CLOCK_STATE_LABELS

    return str(CLOCK_STATE_LABELS.get(str(state), state))


@register.filter
def major_action(value: str) -> str:
    return machine.action_label(str(value))


_OPS = {
    "add_risk": gettext_lazy("Risk identified"), "add_opinion": gettext_lazy("Opinion gathered"),
    "add_expert": gettext_lazy("Expert review"), "conclude": gettext_lazy("Grade and measures"),
    "remove_risk": gettext_lazy("Risk removed"), "remove_opinion": gettext_lazy("Opinion removed"),
    "remove_expert": gettext_lazy("Expert review removed"),
}


@register.filter
def major_details(entry) -> list[tuple[str, str]]:
    """The few details of an audit row worth a line on the timeline."""
    d = entry.details or {}
    out: list[tuple[str, str]] = []
    if d.get("op") in _OPS:
        out.append((_("Step"), str(_OPS[d["op"]])))
    if d.get("grade"):
        out.append((_("Risk grade"), major_grade(d["grade"])))
    if d.get("decision"):
        out.append((pgettext("major", "Decision"), major_decision(d["decision"])))
    if d.get("number"):
        out.append((_("Report number"), str(d["number"])))
    if d.get("title") and entry.action in machine.MILESTONE_MOVES:
        out.append((_("Milestone"), f"{d.get('seq', '')}. {d['title']}"))
    if d.get("added") and entry.action == "plan":
        out.append((_("Milestones added"), "、".join(f"{a['title']}({a['due_on']})" for a in d["added"])))
    if d.get("added") and entry.action == "team":
        out.append((_("Members added"), "、".join(a["name"] for a in d["added"])))
    if entry.action == "supervise" and d.get("level"):
        out.append((pgettext("major", "Supervision"), major_card(d["level"])))
    if d.get("to_level"):
        out.append((pgettext("major", "Listed at"), f"{major_level(d.get('from_level', ''))} → {major_level(d['to_level'])}"))
    if d.get("to_due"):
        out.append((pgettext("major", "Due on"), f"{d.get('from_due', '')} → {d['to_due']}"))
    if d.get("late"):
        out.append((_("Late"), _("Yes")))
    if d.get("clock") and entry.action in ("clock_warning", "clock_overdue") and d.get("due"):
        moment = parse_datetime(str(d["due"]))
        if moment is not None:
            out.append((_("Due"), timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")))
    if d.get("evidence"):
        out.append((_("Evidence"), "、".join(e["name"] for e in d["evidence"])))
    if d.get("target_on") and entry.action == "register":
        day = parse_date(str(d["target_on"]))
        out.append((_("Planned completion"), day.isoformat() if day else str(d["target_on"])))
    return out
