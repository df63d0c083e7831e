"""The triage pages (分流): the queue of what intake could not route or categorise, and one item
with its decisions. Views parse input and call `triage.actions`; who may is
`triage.permissions`, scope is `triage.queries`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.events import permissions as perms
from fengqiao.lib.errors import DomainError
from fengqiao.triage import actions
from fengqiao.triage.forms import CategoryForm, DispatchForm, TwinForm
from fengqiao.triage.models import Reason, TriageItem
from fengqiao.triage.permissions import require_triage
from fengqiao.triage.queries import (
    access_item_for_user,
    reason_counts,
    twins_of,
    visible_items,
)

PAGE_SIZE = 30


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """分流: open items, oldest first, filtered by reason."""
    require_triage(request.user)
    reason = request.GET.get("reason") or None
    if reason is not None and reason not in Reason.values:
        reason = None
    counts = reason_counts(request.user)
    qs = visible_items(request.user, reason=reason).select_related(
        "event", "event__category", "event__region"
    ).order_by("opened_at", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "triage/queue.html", {
        "page": page,
        "reason": reason,
        "tabs": [{"key": r.value, "label": r.label, "count": counts[r.value]} for r in Reason],
        "total": visible_items(request.user).count(),
    })


def _item_context(request: HttpRequest, item: TriageItem, **forms) -> dict:
    event = item.event
    return {
        "item": item,
        "event": event,
        "twins": twins_of(item),
        "dispatch_form": forms.get("dispatch_form") or DispatchForm(user=request.user),
        "category_form": forms.get("category_form") or CategoryForm(
            suggestions=item.category_suggestions,
            initial={"category_code": (item.category_suggestions[0]["code"] if item.category_suggestions
                                       else event.category.code)},
        ),
        "needs_region": item.unrouted or item.ambiguous_address,
        "may_merge": perms.may(request.user, event, "merge"),
        "error": forms.get("error", ""),
    }


@login_required
@require_GET
def item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    require_triage(request.user)
    item = access_item_for_user(request.user, item_id)
    return render(request, "triage/item.html", _item_context(request, item))


def _done(request: HttpRequest, item: TriageItem, message: str) -> HttpResponse:
    item.refresh_from_db()
    messages.success(request, message)
    if item.closed_at is not None:
        return redirect(reverse("triage_queue"))
    return redirect(reverse("triage_item", args=[item.pk]))


def _failed(request: HttpRequest, item: TriageItem, exc: DomainError, **forms) -> HttpResponse:
    status = exc.status if exc.status != 404 else 400
    return render(request, "triage/item.html", _item_context(request, item, error=exc.message, **forms),
                  status=status)


@login_required
@require_POST
def item_dispatch(request: HttpRequest, item_id: int) -> HttpResponse:
    require_triage(request.user)
    item = access_item_for_user(request.user, item_id)
    form = DispatchForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "triage/item.html", _item_context(request, item, dispatch_form=form), status=400)
    try:
        event = actions.triage_dispatch(item=item, actor=request.user, region=form.cleaned_data["chosen"])
    except DomainError as exc:
        return _failed(request, item, exc, dispatch_form=form)
    return _done(request, item, _("%(code)s dispatched to %(region)s.")
                 % {"code": event.code, "region": event.region.display_name if event.region else ""})


@login_required
@require_POST
def item_category(request: HttpRequest, item_id: int) -> HttpResponse:
    require_triage(request.user)
    item = access_item_for_user(request.user, item_id)
    form = CategoryForm(request.POST, suggestions=item.category_suggestions)
    if not form.is_valid():
        return render(request, "triage/item.html", _item_context(request, item, category_form=form), status=400)
    category = form.cleaned_data["category_code"]
    try:
        actions.triage_set_category(item=item, actor=request.user, category=category,
                                    note=form.cleaned_data["note"])
    except DomainError as exc:
        return _failed(request, item, exc, category_form=form)
    return _done(request, item, _("Category set to %(c)s.") % {"c": category.name})


@login_required
@require_POST
def item_twin(request: HttpRequest, item_id: int) -> HttpResponse:
    require_triage(request.user)
    item = access_item_for_user(request.user, item_id)
    form = TwinForm(request.POST)
    if not form.is_valid():
        return _failed(request, item, DomainError(_("Say which twin and what to do with it.")))
    data = form.cleaned_data
    try:
        if data["decision"] == "dismiss":
            actions.triage_dismiss_twin(item=item, actor=request.user, twin_id=data["twin_id"], note=data["note"])
            message = _("Marked as not a duplicate.")
        else:
            merged = actions.triage_merge(item=item, actor=request.user, twin_id=data["twin_id"],
                                          keep="twin" if data["decision"] == "merge" else "this")
            kept = merged.merged_into
            message = _("%(dup)s merged into %(kept)s.") % {"dup": merged.code, "kept": kept.code if kept else ""}
    except DomainError as exc:
        return _failed(request, item, exc)
    return _done(request, item, message)
