"""Template helpers for the event pages: labels in the page language, badges, the header."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from fengqiao.events import statemachine
from fengqiao.events.models import DisputeSource, Satisfaction, Source, Status, Supervision, Tier
from fengqiao.notify.models import Notification
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of
from fengqiao.regions.models import Level
from fengqiao.workflow import timeline

register = template.Library()


def _choice(choices, value) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def status_label(value: str) -> str:
    return _choice(Status, value)


@register.filter
def tier_label(value: str) -> str:
    return _choice(Tier, value)


@register.filter
def source_label(value: str) -> str:
    return _choice(Source, value)


@register.filter
def level_label(value: str) -> str:
    return _choice(Level, value)


@register.filter
def dispute_source_label(value: str) -> str:
    return _choice(DisputeSource, value)


@register.filter
def supervision_label(value: str) -> str:
    return _choice(Supervision, value)


@register.filter
def satisfaction_label(value: str) -> str:
    return _choice(Satisfaction, value)


@register.filter
def role_label(value: str) -> str:
    return _choice(Role, value)


@register.filter
def action_label(value: str) -> str:
    return statemachine.action_label(str(value))


@register.filter
def actor_label(entry) -> str:
    """Who did it: the person's name, or "System" for the platform's own steps."""
    return timeline.actor_label(entry)


@register.filter
def kind_label(value: str) -> str:
    """3 / N / escalation duty, as in 3+N."""
    return {"3": "3", "N": "N", "tier": _("Duty")}.get(value, value)


@register.filter
def filesize(value: int) -> str:
    size = float(value or 0)
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


@register.simple_tag
def user_person(user):
    return person_of(user)


@register.simple_tag
def user_posts(user):
    return posts_of(user)


@register.simple_tag
def inbox_unread(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """?page=N keeping the other query parameters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def timeline_details(entry) -> list[tuple[str, str]]:
    """The few details worth a line on the timeline, labelled in the page language."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    d = entry.details or {}
    out: list[tuple[str, str]] = []
    if d.get("deadline"):
        moment = parse_datetime(str(d["deadline"]))
        if moment is not None:
            out.append((_("Deadline"), timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")))
    if d.get("to_tier"):
        out.append((_("Tier"), tier_label(d["to_tier"])))
    if d.get("satisfaction"):
        out.append((_("Satisfaction"), satisfaction_label(d["satisfaction"])))
    if d.get("rework"):
        out.append((_("Rework"), _("Yes")))
    if d.get("person_name"):
        out.append((_("Person"), f"{d['person_name']} · {role_label(d.get('role', ''))}"))
    if d.get("level"):
        out.append((_("Level"), supervision_label(d["level"])))
    if d.get("days"):
        out.append((_("Days"), str(d["days"])))
    if d.get("callee"):
        out.append((_("Called"), str(d["callee"])))
    if d.get("name") and entry.action == "attach":
        out.append((_("File"), str(d["name"])))
    if d.get("kind") == "consultation":
        out.append((_("Kind"), _("Consultation")))
    if d.get("into_code"):
        out.append((_("Merged into"), str(d["into_code"])))
    if d.get("late"):
        out.append((_("Resolved late"), _("Yes")))
    if d.get("calendar_warning"):
        out.append((_("Calendar"), _("Holiday schedule not published: weekends only")))
    return out
