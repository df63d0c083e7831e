"""The event pages. Views parse input, call the queries and `actions.*`, and render; the rules
live in actions.py, permissions.py and people/queries.py (scope: 404 outside it)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.events import actions, exports
from fengqiao.events.forms import (
    ACTION_FORMS,
    EventFilterForm,
    RegionPicker,
    action_form,
)
from fengqiao.events.models import (
    TERMINAL_STATUSES,
    Attachment,
    Event,
    ExtensionRequest,
)
from fengqiao.events.permissions import available_actions
from fengqiao.events.presenters import assignees_for, deadline_state, event_rows, parties_for
from fengqiao.events.queries import (
    EventFilters,
    buckets_for,
    filter_events,
    timeline,
    worklist,
    worklist_counts,
)
from fengqiao.events.scope import access_event_for_user, visible_events
from fengqiao.events.statemachine import action_label
from fengqiao.events.templatetags.fq import status_label, timeline_details
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.notify.models import Notification
from fengqiao.workflow.timeline import present

PAGE_SIZE = 20
# Tabs whose count is shown in red when not zero: overdue work and decisions waiting on the user.
HOT_TABS = frozenset({"overdue", "to_approve", "escalated", "returned", "triage"})
LIST_RELATED = ("category", "category__parent", "region", "village", "town")


def _is_htmx(request: HttpRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


# ----------------------------------------------------------------------------------- worklist


@login_required
@require_GET
def worklist_page(request: HttpRequest) -> HttpResponse:
    """工作台: the tabs 待分拨 … 我督办的 with their counts; htmx swaps the panel on a tab click."""
    counts = worklist_counts(request.user)
    tabs = buckets_for(request.user)
    keys = [b.key for b in tabs]
    tab = request.GET.get("tab")
    if tab not in keys:
        tab = next((k for k in keys if counts[k]), keys[0])
    qs = worklist(request.user, tab).select_related(*LIST_RELATED)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tabs": [{"key": b.key, "label": b.label, "count": counts[b.key],
                  "hot": bool(counts[b.key]) and b.key in HOT_TABS} for b in tabs],
        "tab": tab,
        "page": page,
        "rows": event_rows(page.object_list, clock.now()),
    }
    template = "events/_worklist.html" if _is_htmx(request) else "events/worklist.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ------------------------------------------------------------------------------- event search


def _filter_form(request: HttpRequest) -> tuple[EventFilterForm, EventFilters | None]:
    form = EventFilterForm(request.GET or None, user=request.user)
    if not request.GET:
        return form, EventFilters()
    if not form.is_valid():
        return form, None
    return form, form.filters()


def _filtered(request: HttpRequest, form: EventFilterForm, filters: EventFilters | None):
    if filters is None:
        return None
    try:
        return filter_events(request.user, filters)
    except LookupError as exc:
        field, _sep, value = str(exc.args[0]).partition(":")
        form.add_error(None, _("Unknown %(f)s: %(v)s") % {"f": field, "v": value})
        return None


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """事项查询: the same filters as GET /api/v1/events, within the user's scope."""
    form, filters = _filter_form(request)
    qs = _filtered(request, form, filters)
    status = 200
    if qs is None:
        qs, status = Event.objects.none(), 400
    qs = qs.select_related(*LIST_RELATED).order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "events/list.html", {
        "form": form,
        "page": page,
        "rows": event_rows(page.object_list, clock.now()),
        "query": query.urlencode(),
    }, status=status)


# -------------------------------------------------------------------------------- event page


def _load(request: HttpRequest, event_id: int) -> Event:
    event = access_event_for_user(request.user, event_id)
    return Event.objects.select_related(
        "category", "region", "village", "town", "county", "department", "supervised_by", "merged_into"
    ).get(pk=event.pk)


def _action_panel(request: HttpRequest, event: Event, bound: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per action the user may take now, each with its (possibly bound) form."""
    panel = []
    for action in available_actions(request.user, event):
        if action not in ACTION_FORMS:
            continue
        form = bound.get(action) or action_form(action, event=event, user=request.user)
        panel.append({
            "action": action,
            "label": action_label(action),
            "form": form,
            "has_fields": bool(form.fields) and action != "call",
            "open": action in bound,
        })
    return panel


def _render_event(request: HttpRequest, event: Event, *, bound: dict[str, Any] | None = None,
                  status: int = 200, error: str = "") -> HttpResponse:
    now = clock.now()
    bound = bound or {}
    panel = _action_panel(request, event, bound)
    offered = {p["action"] for p in panel}
    # An error on an action no longer offered (the state moved on) is shown above the buttons.
    for action, form in bound.items():
        if action not in offered:
            messages_ = [str(m) for errors in form.errors.values() for m in errors]
            error = " ".join(filter(None, [error, *messages_]))
    call = next((p for p in panel if p["action"] == "call"), None)
    assignees = assignees_for(request.user, event)
    parties = parties_for(request.user, event, via="page")
    last_call = request.session.pop("fq_last_call", None)
    if last_call and last_call.get("event") != event.pk:
        last_call = None
    return render(request, "events/detail.html", {
        "event": event,
        "deadline_state": deadline_state(event, now),
        "parties": parties,
        "assignees": assignees,
        "attachments": list(event.attachments.order_by("id")),
        "timeline": present(timeline(event), action_label=action_label, state_label=status_label,
                            details=timeline_details),
        "panel": [p for p in panel if p["action"] != "call"],
        "call_panel": call,
        "call_people": [a for a in assignees if a["active"]] if call else [],
        "call_parties": parties if call else [],
        "pending_extension": ExtensionRequest.objects.filter(
            event=event, state=ExtensionRequest.State.PENDING
        ).first(),
        "may_attach": event.status not in TERMINAL_STATUSES,
        "last_call": last_call,
        "action_error": error,
        "page_url": reverse("event_detail", args=[event.pk]),
    }, status=status)


@login_required
@require_GET
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    return _render_event(request, _load(request, event_id))


@login_required
@require_POST
def event_act(request: HttpRequest, event_id: int, action: str) -> HttpResponse:
    """POST /events/<id>/act/<action> → actions.perform. A form or domain error re-renders the page
    with the message (400/403/409); success redirects back to the event."""
    event = _load(request, event_id)
    if action not in ACTION_FORMS:
        raise Http404("no such action")
    form = action_form(action, event=event, user=request.user, data=request.POST)
    if not form.is_valid():
        return _render_event(request, event, bound={action: form}, status=400)
    try:
        extra = actions.perform(event=event, actor=request.user, action=action, data=form.data_for_perform())
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_event(request, _load(request, event_id), bound={action: form}, status=exc.status)
    if action == "call" and extra.get("tel"):
        request.session["fq_last_call"] = {"event": event.pk, "tel": extra["tel"], "name": _callee_name(event, form)}
    if action == "call" and extra.get("call_request"):
        messages.success(request, extra["call_request"])  # a call-back request: no number to dial
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": action_label(action)})
    if visible_events(request.user).filter(pk=event.pk).exists():
        return redirect("event_detail", event_id=event.pk)
    return redirect("worklist")


def _callee_name(event: Event, form) -> str:
    data = form.cleaned_data
    if data.get("person_id") is not None:
        a = event.assignments.filter(person_id=data["person_id"]).select_related("person").first()
        return a.person.name if a else ""
    party = event.parties.filter(pk=data.get("party_id")).first()
    return party.name if party else ""


# -------------------------------------------------------------------------------- attachments


@login_required
@require_POST
def attachment_upload(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _load(request, event_id)
    files = request.FILES.getlist("file")
    if not files:
        return _render_event(request, event, status=400, error=_("Choose a file to upload."))
    try:
        for upload in files:
            actions.event_attach(event=event, actor=request.user, upload=upload)
    except DomainError as exc:
        return _render_event(request, _load(request, event_id), status=exc.status, error=exc.message)
    messages.success(request, _("Done: %(action)s.") % {"action": action_label("attach")})
    return redirect("event_detail", event_id=event.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, event_id: int, attachment_id: int) -> FileResponse:
    event = access_event_for_user(request.user, event_id)
    att = Attachment.objects.filter(event=event, pk=attachment_id).first()
    if att is None or not att.file.name or not att.file.storage.exists(att.file.name):
        raise Http404("no such attachment")
    return FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name,
        content_type=att.content_type or "application/octet-stream",
    )


@login_required
@require_GET
def region_picker(request: HttpRequest) -> HttpResponse:
    """The cascading region selects, re-rendered for the chosen code (children within scope)."""
    name = request.GET.get("name", "region")
    if not name.replace("-", "").replace("_", "").isalnum():
        raise Http404("bad field name")
    widget = RegionPicker()
    widget.user = request.user
    return HttpResponse(widget.render(name, request.GET.get(name, ""), {"id": f"id_{name}"}))


# ------------------------------------------------------------------------------------ exports


@login_required
@require_GET
def export_events(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx: visible events only, personal data masked unless allowed."""
    form, filters = _filter_form(request)
    qs = _filtered(request, form, filters)
    if qs is None:
        return event_list(request)
    if qs.count() > exports.MAX_ROWS:
        messages.error(request, _("More than %(n)d events match: narrow the filters to export.")
                       % {"n": exports.MAX_ROWS})
        return redirect(reverse("event_list") + ("?" + request.GET.urlencode() if request.GET else ""))
    content = exports.events_workbook(request.user, qs)
    return _xlsx(content, f"events-{clock.now():%Y%m%d-%H%M}.xlsx")


@login_required
@require_GET
def export_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _load(request, event_id)
    return _xlsx(exports.event_workbook(request.user, event), f"{event.code}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -------------------------------------------------------------------------------------- inbox


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications (marking read goes through POST /api/v1/me/notifications/…)."""
    user = cast(User, request.user)  # @login_required: never the anonymous user here
    qs = Notification.objects.filter(user=user).select_related("event")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {
        "page": page,
        "unread": qs.filter(read_at=None).count(),
    })

