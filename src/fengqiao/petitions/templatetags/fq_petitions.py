"""Labels for the petition pages, in the page language."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fengqiao.petitions.machine import MACHINE
from fengqiao.petitions.models import BATCH_CHINESE, Batch, Closing, Form, Kind, Status
from fengqiao.petitions.queries import CLOCK_STATE_LABELS

register = template.Library()


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def petition_status(value: str) -> str:
    return _choice(Status, value)


@register.filter
def petition_action(value: str) -> str:
    return MACHINE.label(str(value))


@register.filter
def petition_form(value: str) -> str:
    return _choice(Form, value)


@register.filter
def petition_kind(value: str) -> str:
    return _choice(Kind, value)


@register.filter
def petition_closing(value: str) -> str:
    return _choice(Closing, value)


@register.filter
def clock_state(value: str) -> str:
    return str(CLOCK_STATE_LABELS.get(str(value), value))


@register.filter
def batch_name(value: str) -> str:
    try:
        return BATCH_CHINESE[Batch(value)]
    except ValueError:
        return str(value or "")


@register.filter
def petition_timeline_details(entry) -> list[tuple[str, str]]:
    """The few details of an audit row worth a line on the petition's timeline."""
    d = entry.details or {}
    out: list[tuple[str, str]] = []

    def moment(key: str, label: str) -> None:
        value = parse_datetime(str(d.get(key) or ""))
        if value is not None:
            out.append((label, timezone.localtime(value).strftime("%Y-%m-%d %H:%M")))

    if d.get("body"):
        out.append((_("Body responsible"), str(d["body"])))
    moment("accept_due", _("Decide by"))
    moment("object_due", _("Object by"))
    moment("handle_due", _("Handle by"))
    moment("due", _("Due") if entry.action.startswith("clock_") else _("New limit"))
    moment("review_apply_due", _("Review may be asked until"))
    moment("review_due", _("Review answered by"))
    moment("rereview_apply_due", _("Re-review may be asked until"))
    moment("rereview_due", _("Re-review answered by"))
    if d.get("days"):
        out.append((_("Days"), str(d["days"])))
    if d.get("batch_name"):
        out.append((_("Batch"), str(d["batch_name"])))
    elif d.get("batch") and d.get("from_batch"):
        out.append((_("Batch"), f"{batch_name(d['from_batch'])} → {batch_name(d['batch'])}"))
    if d.get("clock"):
        from fengqiao.workflow.models import ClockPolicy

        name = ClockPolicy.objects.filter(key=str(d["clock"])).values_list("name", flat=True).first()
        out.append((_("Time limit"), name or str(d["clock"])))
    for doc in d.get("documents") or []:
        out.append((_("Notice"), str(doc.get("number", ""))))
    return out
