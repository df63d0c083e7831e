"""The petition pages: the clerk's worklist, the leader in charge's list, the ledger and its
export, registration, the petition page with its actions and notices, the backlog by 四个一批,
the figures. Views parse input, call queries and actions, and render; the rules live in
actions.py, permissions.py and queries.py (scope: 404 outside it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError, NotPermitted
from fengqiao.lib.rates import current_rounding, format_rate, relative_change
from fengqiao.petitions import actions, documents, exports, queries
from fengqiao.petitions import permissions as perms
from fengqiao.petitions.forms import (
    ACTION_FORMS,
    BacklogFilterForm,
    LedgerFilterForm,
    RegistrationForm,
    action_form,
    petitioner_formset,
)
from fengqiao.petitions.machine import MACHINE
from fengqiao.petitions.models import BATCH_CHINESE, Batch, Document, Petition
from fengqiao.petitions.presenters import available_actions, petitioners_for
from fengqiao.petitions.templatetags.fq_petitions import (
    petition_action,
    petition_status,
    petition_timeline_details,
)
from fengqiao.regions.models import Level, Region
from fengqiao.workflow.timeline import present

PAGE_SIZE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def _require_use(request: HttpRequest) -> None:
    if not perms.may_use_petitions(request.user):
        raise NotPermitted(_("Your posts do not open the petition pages."))


def _rows(qs) -> list[Petition]:
    return list(queries.with_clock_state(qs.select_related(*queries.LIST_RELATED)))


# ----------------------------------------------------------------------------------- worklist


@login_required
@require_GET
def worklist_page(request: HttpRequest) -> HttpResponse:
    """信访工作台: the tabs 待转送 … 我包案的 with their counts; htmx swaps the panel."""
    _require_use(request)
    now = clock.now()
    counts = queries.worklist_counts(request.user, now)
    tab = request.GET.get("tab")
    if tab not in queries.BUCKET_KEYS:
        tab = next((k for k in queries.BUCKET_KEYS if counts[k]), queries.BUCKET_KEYS[0])
    qs = queries.worklist(request.user, tab, now).order_by("registered_at", "id")
    page = Paginator(qs.select_related(*queries.LIST_RELATED), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _rows(Petition.objects.filter(pk__in=[p.pk for p in page.object_list])
                             .order_by("registered_at", "id"))
    context = {
        "tabs": [{"key": b.key, "label": b.label, "count": counts[b.key]} for b in queries.WORKLIST_BUCKETS],
        "tab": tab, "page": page, "may_register": perms.may_register(request.user),
    }
    template = "petitions/_worklist.html" if _is_htmx(request) else "petitions/worklist.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def leader_page(request: HttpRequest) -> HttpResponse:
    """领导包案: the petitions and the backlog cases the user leads."""
    _require_use(request)
    petitions, cases = queries.led_by(request.user)
    return render(request, "petitions/leader.html", {
        "rows": _rows(petitions[:200]), "cases": list(cases[:200]),
        "this_year": clock.local_date().year,
    })


# ------------------------------------------------------------------------------------ ledger


def _ledger(request: HttpRequest):
    form = LedgerFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    filters = form.filters() if request.GET else queries.PetitionFilters()
    return form, queries.filter_petitions(request.user, filters)


@login_required
@require_GET
def ledger_page(request: HttpRequest) -> HttpResponse:
    """信访台账: every visible petition with the API's filters."""
    _require_use(request)
    form, qs = _ledger(request)
    status = 200
    if qs is None:
        qs, status = Petition.objects.none(), 400
    page = Paginator(qs.order_by("-registered_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _rows(Petition.objects.filter(pk__in=[p.pk for p in page.object_list])
                             .order_by("-registered_at", "-id"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "petitions/ledger.html", {"form": form, "page": page, "query": query.urlencode()},
                  status=status)


@login_required
@require_GET
def export_ledger(request: HttpRequest) -> HttpResponse:
    """The filtered ledger as .xlsx; petitioners masked unless the user handles the petition."""
    _require_use(request)
    form, qs = _ledger(request)
    if qs is None:
        return ledger_page(request)
    if qs.count() > exports.MAX_ROWS:
        messages.error(request, _("More than %(n)d petitions match: narrow the filters to export.")
                       % {"n": exports.MAX_ROWS})
        return redirect(reverse("petition_ledger") + ("?" + request.GET.urlencode() if request.GET else ""))
    return _xlsx(exports.ledger_workbook(request.user, qs), f"petitions-{timezone.localtime(clock.now()):%Y%m%d-%H%M}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------------------ registration


@login_required
@require_http_methods(["GET", "POST"])
def register_page(request: HttpRequest) -> HttpResponse:
    """登记: the petition clerk takes down a letter, a visit, a call or an online petition."""
    perms.require_register(request.user)
    form = RegistrationForm(request.POST or None, user=request.user)
    people = petitioner_formset(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and people.is_valid():
            d = form.cleaned_data
            try:
                petition = actions.petition_register(
                    actor=request.user, form=d["form"], kind=d["kind"], title=d["title"], content=d["content"],
                    category=d["category"], region=d["region"], received_at=d["received_at"],
                    joint=d["joint"], headcount=d["headcount"], key_difficult=d["key_difficult"],
                    event=d["event_code"],
                    petitioners=[x for x in (f.as_input() for f in people.forms) if x is not None],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Registered: %(code)s.") % {"code": petition.code})
                return redirect("petition_detail", petition_id=petition.pk)
    return render(request, "petitions/new.html", {"form": form, "parties": people}, status=status)


# ----------------------------------------------------------------------------- petition page


def _action_panel(request: HttpRequest, petition: Petition, bound: dict[str, Any]) -> list[dict[str, Any]]:
    panel = []
    for action in available_actions(request.user, petition):
        form = bound.get(action) or action_form(action, petition=petition, user=request.user)
        panel.append({"action": action, "label": MACHINE.label(action), "form": form,
                      "has_fields": bool(form.fields), "open": action in bound})
    return panel


def _render_petition(request: HttpRequest, petition: Petition, *, bound: dict[str, Any] | None = None,
                     status: int = 200, error: str = "") -> HttpResponse:
    now = clock.now()
    bound = bound or {}
    panel = _action_panel(request, petition, bound)
    offered = {p["action"] for p in panel}
    for action, form in bound.items():
        if action not in offered:
            error = " ".join(filter(None, [error, *[str(m) for errs in form.errors.values() for m in errs]]))
    rows = petitioners_for(request.user, petition, via="page")
    backlog = getattr(petition, "backlog", None)
    return render(request, "petitions/detail.html", {
        "petition": petition,
        "petitioners": rows,
        "masked": bool(rows) and rows[0]["masked"],
        "clocks": queries.clock_rows(petition, now),
        "clock_labels": queries.CLOCK_STATE_LABELS,
        "documents": list(petition.documents.all()),
        "team": list(petition.team.all()),
        "backlog": backlog,
        "backlog_sorts": list(backlog.sorts.select_related("sorted_by")) if backlog else [],
        "batch_names": BATCH_CHINESE,
        "timeline": present(queries.timeline(petition), action_label=petition_action,
                            state_label=petition_status, details=petition_timeline_details),
        "panel": panel,
        "action_error": error,
        "earlier": actions.earlier_petitions_of(petition),
        "page_url": reverse("petition_detail", args=[petition.pk]),
        "this_year": timezone.localtime(now).year,
    }, status=status)


@login_required
@require_GET
def petition_detail(request: HttpRequest, petition_id: int) -> HttpResponse:
    return _render_petition(request, queries.access_petition_for_user(request.user, petition_id))


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


@login_required
@require_POST
def petition_act(request: HttpRequest, petition_id: int, action: str) -> HttpResponse:
    """POST /petitions/<id>/act/<action> → actions.perform_action. A form or domain error
    re-renders the page with the message (400/403/409); success redirects back."""
    petition = queries.access_petition_for_user(request.user, petition_id)
    if action not in ACTION_FORMS:
        raise Http404("no such action")
    form = action_form(action, petition=petition, user=request.user, data=request.POST)
    if not perms.may(request.user, petition, action):
        # Posts before input: a refused action is a 403 whatever was sent.
        return _render_petition(request, petition, status=403,
                                error=_("Your posts do not allow “%(action)s” on this petition.")
                                % {"action": MACHINE.label(action)})
    if not form.is_valid():
        return _render_petition(request, petition, bound={action: form}, status=400)
    try:
        actions.perform_action(petition=petition, actor=request.user, action=action, data=form.data_for_perform())
    except DomainError as exc:
        form.add_error(None, exc.message)
        fresh = queries.access_petition_for_user(request.user, petition_id)
        return _render_petition(request, fresh, bound={action: form}, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": MACHINE.label(action)})
    back = _next_url(request)
    if back:
        return redirect(back)
    if queries.visible_petitions(request.user).filter(pk=petition.pk).exists():
        return redirect("petition_detail", petition_id=petition.pk)
    return redirect("petition_worklist")


@login_required
@require_GET
def document_download(request: HttpRequest, petition_id: int, document_id: int) -> HttpResponse:
    """A notice as .docx (the petitioner's identity unmasked and logged only for its handlers)."""
    petition = queries.access_petition_for_user(request.user, petition_id)
    doc = Document.objects.filter(petition=petition, pk=document_id).first()
    if doc is None:
        raise Http404("no such notice")
    content = documents.docx_bytes(doc, user=request.user, petition=petition)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument."
                                                   "wordprocessingml.document")
    from urllib.parse import quote

    response["Content-Disposition"] = (f'attachment; filename="{petition.code}.docx"; '
                                       f"filename*=UTF-8''{quote(documents.filename(doc))}")
    return response


# ------------------------------------------------------------------------------------ backlog


def _towns(user) -> list[Region]:
    from fengqiao.people.queries import visible_regions

    return list(visible_regions(user).filter(level=Level.TOWN, retired_at=None).order_by("code"))


@login_required
@require_GET
def backlog_page(request: HttpRequest) -> HttpResponse:
    """信访积案 by 四个一批: counts by batch, leader, age and town, the list, re-sorting."""
    _require_use(request)
    everything = list(queries.backlog_cases(request.user))
    leaders = sorted({c.leader for c in everything if c.leader is not None}, key=lambda p: p.name)
    form = BacklogFilterForm(request.GET or None, towns=_towns(request.user), leaders=leaders)
    status = 200
    cases = everything
    if request.GET:
        if form.is_valid():
            try:
                cases = list(queries.backlog_cases(request.user, form.filters()))
            except LookupError:
                cases, status = [], 400
        else:
            cases, status = [], 400
    today = clock.local_date()
    counts = {by: queries.backlog_counts_of(everything, by, today) for by in queries.BACKLOG_GROUPS}
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "petitions/backlog.html", {
        "form": form, "counts": counts, "page": page, "query": query.urlencode(),
        "open_total": sum(1 for c in everything if c.settled_at is None),
        "settled_total": sum(1 for c in everything if c.settled_at is not None),
        "over_twenty": sum(1 for c in everything if queries.case_age(c, today) >= 20),
        "may_resort": perms.may_manage_backlog(request.user),
        "batches": [(b.value, BATCH_CHINESE[b]) for b in Batch],
        "this_year": today.year, "today": today,
        "page_url": request.get_full_path(),
    }, status=status)


# ------------------------------------------------------------------------------------ figures


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """The figures: first-time petitions year on year (同比), settled in the village within a
    week, backlog settled by age, the three sources — printed with the command centre's rule."""
    _require_use(request)
    region = queries.home_region(request.user)
    if region is None:
        raise NotPermitted(_("Your posts do not open the petition pages."))
    today = clock.local_date()
    start = _date(request.GET.get("start")) or today.replace(month=1, day=1)
    end = _date(request.GET.get("end")) or today
    status = 200
    if end < start or (end - start).days > 3660:
        start, end, status = today.replace(month=1, day=1), today, 400
    rounding = current_rounding()
    first = queries.first_time_petitions(region=region, start=start, end=end)
    change = relative_change(first.current, first.baseline, 0, rounding)
    week = queries.settled_in_village_week(region=region, start=start, end=end)
    settled = queries.backlog_settled(region=region, start=start, end=end)
    sources = queries.three_sources(region=region, start=start, end=end)
    return render(request, "petitions/figures.html", {
        "region": region, "start": start, "end": end, "first": first, "change": change,
        "change_abs": abs(change) if change is not None else None,
        "week": week, "week_rate": format_rate(week.settled, week.first_time, 1, rounding),
        "settled": settled, "age_labels": {k: str(label) for k, label, *_r in queries.AGE_BUCKETS},
        "sources": sources,
    }, status=status)

