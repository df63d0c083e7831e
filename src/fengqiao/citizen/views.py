"""Pages for the citizen channels: the public report and tracking pages (no login, phone first),
the proxy agent's registration and worklist, and the grid worker's field report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.citizen import actions, conf
from fengqiao.citizen.forms import (
    AgencyForm,
    AppointForm,
    CitizenReportForm,
    FieldReportForm,
    ProxyForm,
    RatingForm,
    TrackLookupForm,
)
from fengqiao.citizen.models import CitizenReport, ProxyAgency, ProxyAgent
from fengqiao.citizen.permissions import (
    field_grids,
    may_keep_agencies,
    may_proxy,
    may_view_agencies,
)
from fengqiao.citizen.queries import (
    access_agency_for_user,
    agencies_with_counts,
    agency_matters,
    agents_of,
    appointable_people,
    progress,
    proxied_events,
    report_by_code,
    serving_membership,
)
from fengqiao.citizen.queries import agency_list as agency_list_query
from fengqiao.citizen.validation import display_tracking_code
from fengqiao.citizen.web import client_ip, too_large
from fengqiao.events.presenters import event_rows
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError, RateLimited
from fengqiao.people.queries import visible_regions

PAGE_SIZE = 20


def _place_error(form, exc: DomainError) -> None:
    field = {"photos": "photos", "phone": "phone", "description": "description", "address": "address",
             "latitude": "address", "category": "category", "name": "name", "citizen_name": "citizen_name",
             "citizen_phone": "citizen_phone", "region": "region", "region_code": "region",
             "category_code": "category"}.get(exc.field or "")
    if isinstance(exc, RateLimited) or field not in form.fields:
        form.add_error(None, exc.message)
    else:
        form.add_error(field, exc.message)


def _report_context(form) -> dict:
    county = None
    try:
        county = actions.public_county()
    except DomainError:
        pass
    return {
        "form": form,
        "county": county,
        "map_tiles": conf.map_tiles(),
        "max_photos": conf.max_photos(),
        "max_photo_bytes": conf.max_photo_bytes(),
    }


# ---------------------------------------------------------------------------------- citizen


@never_cache
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    """群众自主上报: the public report page (no login)."""
    if request.method == "GET":
        return render(request, "citizen/report.html", _report_context(CitizenReportForm()))
    if too_large(request):
        context = _report_context(CitizenReportForm())
        context["page_error"] = _("The photos are too large together: send fewer or smaller photos.")
        return render(request, "citizen/report.html", context, status=413)
    form = CitizenReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "citizen/report.html", _report_context(form), status=400)
    d = form.cleaned_data
    try:
        receipt = actions.citizen_report(submission=actions.CitizenSubmission(
            description=d["description"], phone=d["phone"], category=d["category"], address=d["address"],
            latitude=d["latitude"], longitude=d["longitude"], name=d["name"], photos=d["photos"],
            ip=client_ip(request), channel=CitizenReport.Channel.PAGE,
        ))
    except DomainError as exc:
        _place_error(form, exc)
        return render(request, "citizen/report.html", _report_context(form), status=exc.status)
    return redirect(reverse("citizen_track", args=[receipt.display_code]) + "?new=1")


@never_cache
@require_GET
def track_lookup(request: HttpRequest) -> HttpResponse:
    """Type a tracking code → its page."""
    if "code" not in request.GET:
        return render(request, "citizen/lookup.html", {"form": TrackLookupForm()})
    form = TrackLookupForm(request.GET)
    if not form.is_valid():
        return render(request, "citizen/lookup.html", {"form": form}, status=400)
    return redirect("citizen_track", code=display_tracking_code(form.cleaned_data["code"]))


def _track_context(request: HttpRequest, report: CitizenReport, rating_form=None) -> dict:
    p = progress(report)
    return {
        "p": p,
        "code": display_tracking_code(report.tracking_code),
        "new": request.GET.get("new") == "1",
        "rating_form": rating_form or (RatingForm() if p.can_rate else None),
    }


@never_cache
@require_GET
def track_page(request: HttpRequest, code: str) -> HttpResponse:
    """The citizen's progress page; a rating form once the matter is resolved."""
    try:
        report = report_by_code(code)
    except Http404:
        return render(request, "citizen/unknown_code.html", status=404)
    return render(request, "citizen/track.html", _track_context(request, report))


@never_cache
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    try:
        report = report_by_code(code)
    except Http404:
        return render(request, "citizen/unknown_code.html", status=404)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "citizen/track.html", _track_context(request, report, form), status=400)
    try:
        actions.citizen_rate(report=report, satisfaction=form.cleaned_data["satisfaction"],
                             comment=form.cleaned_data["comment"])
    except DomainError as exc:
        form.add_error(None, exc.message)
        context = _track_context(request, report, form)
        context["rating_form"] = form
        return render(request, "citizen/track.html", context, status=exc.status)
    messages.success(request, _("Thank you for your rating."))
    return redirect("citizen_track", code=display_tracking_code(report.tracking_code))


# ------------------------------------------------------------------------------- proxy agents


@login_required
@require_http_methods(["GET", "POST"])
def proxy_new(request: HttpRequest) -> HttpResponse:
    """代办: a proxy agent registers a citizen's matter and is bound to it."""
    if not may_proxy(request.user):
        return render(request, "citizen/not_for_you.html", {"who": _("proxy agents")}, status=403)
    if request.method == "POST":
        form = ProxyForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                receipt = actions.proxy_register(actor=request.user, submission=actions.ProxySubmission(
                    citizen_name=d["citizen_name"], citizen_phone=d["citizen_phone"],
                    description=d["description"], category=d["category"], region=d["region"],
                    address=d["address"], title=d["title"], photos=d["photos"],
                ))
            except DomainError as exc:
                _place_error(form, exc)
                return render(request, "citizen/proxy_new.html", {"form": form, "page_url": request.path},
                              status=exc.status)
            messages.success(request, _("Registered as %(code)s; you follow it under “My proxied matters”. "
                                        "The citizen's tracking code %(tracking)s was sent to them by text.")
                             % {"code": receipt.event.code, "tracking": receipt.display_code})
            return redirect("event_detail", event_id=receipt.event.pk)
        return render(request, "citizen/proxy_new.html", {"form": form, "page_url": request.path}, status=400)
    return render(request, "citizen/proxy_new.html", {"form": ProxyForm(user=request.user)})


@login_required
@require_GET
def proxy_worklist(request: HttpRequest) -> HttpResponse:
    """我的代办: the matters this agent registered, with status and deadline."""
    if not may_proxy(request.user):
        return render(request, "citizen/not_for_you.html", {"who": _("proxy agents")}, status=403)
    qs = proxied_events(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = event_rows(page.object_list, now)
    return render(request, "citizen/proxy_worklist.html", {"page": page, "rows": rows,
                                                           "mine": serving_membership(request.user)})


# ------------------------------------------------------------------------------ field reports


def _field_context(form, page_url: str = "") -> dict:
    return {"form": form, "page_url": page_url, "max_photos": conf.max_photos(),
            "max_photo_bytes": conf.max_photo_bytes()}


@login_required
@require_http_methods(["GET", "POST"])
def field_report(request: HttpRequest) -> HttpResponse:
    """网格采集 from a phone: the worker's grid, photos, the phone's location."""
    grids = field_grids(request.user)
    if not grids:
        return render(request, "citizen/not_for_you.html", {"who": _("grid workers and grid heads")}, status=403)
    if request.method == "POST":
        if too_large(request):
            context = _field_context(FieldReportForm(grids=grids))
            context["page_error"] = _("The photos are too large together: send fewer or smaller photos.")
            return render(request, "citizen/field.html", context, status=413)
        form = FieldReportForm(request.POST, request.FILES, grids=grids)
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = actions.field_report(actor=request.user, submission=actions.FieldSubmission(
                    description=d["description"], category=d["category"], grid=d["grid"],
                    latitude=d["latitude"], longitude=d["longitude"], address=d["address"],
                    photos=d["photos"],
                ))
            except DomainError as exc:
                _place_error(form, exc)
                return render(request, "citizen/field.html", _field_context(form, request.path),
                              status=exc.status)
            messages.success(request, _("Reported as %(code)s.") % {"code": result.event.code})
            return redirect("field_report")
        return render(request, "citizen/field.html", _field_context(form, request.path), status=400)
    return render(request, "citizen/field.html", _field_context(FieldReportForm(grids=grids)))


# ---------------------------------------------------------------------------- proxy agencies


def _agencies_403(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/not_for_you.html", {"who": _("staff with a post over a region")}, status=403)


@login_required
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    """代办机构: the agencies of the user's regions with their agents and matters; a filter by
    place, kind and name."""
    if not may_view_agencies(request.user):
        return _agencies_403(request)
    region = None
    code = (request.GET.get("region") or "").strip()[:32]
    if code:
        region = visible_regions(request.user).filter(code=code).first()
        if region is None:
            raise Http404("no such region")
    kind = request.GET.get("kind") or ""
    if kind and kind not in ProxyAgency.Kind.values:
        kind = ""
    text = (request.GET.get("q") or "").strip()[:50]
    qs = agency_list_query(request.user, region=region, kind=kind, text=text)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "citizen/agencies.html", {
        "page": page, "region": region, "kind": kind, "q": text, "kinds": ProxyAgency.Kind.choices,
        "may_keep": may_keep_agencies(request.user), "query": query.urlencode(),
        "mine": serving_membership(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def agency_new(request: HttpRequest) -> HttpResponse:
    if not may_keep_agencies(request.user):
        return _agencies_403(request)
    form = AgencyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                agency = actions.agency_create(actor=request.user, name=d["name"], brand=d["brand"],
                                               kind=d["kind"], region=d["region"], address=d["address"])
            except DomainError as exc:
                _place_agency_error(form, exc)
                return render(request, "citizen/agency_form.html", {"form": form}, status=exc.status)
            messages.success(request, _("Agency “%(a)s” set up.") % {"a": agency})
            return redirect("proxy_agency", agency_id=agency.pk)
        return render(request, "citizen/agency_form.html", {"form": form}, status=400)
    return render(request, "citizen/agency_form.html", {"form": form})


def _place_agency_error(form, exc: DomainError) -> None:
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_for_user(request.user, agency_id)
    if not may_keep_agencies(request.user, agency.region):
        return _agencies_403(request)
    initial = {"name": agency.name, "brand": agency.brand, "kind": agency.kind, "address": agency.address,
               "active": agency.active}
    form = AgencyForm(request.POST or None, user=request.user, editing=True, initial=initial)
    context = {"form": form, "agency": agency}
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.agency_update(actor=request.user, agency=agency, name=d["name"], brand=d["brand"],
                                      kind=d["kind"], address=d["address"], active=d["active"])
            except DomainError as exc:
                _place_agency_error(form, exc)
                return render(request, "citizen/agency_form.html", context, status=exc.status)
            messages.success(request, _("Saved."))
            return redirect("proxy_agency", agency_id=agency.pk)
        return render(request, "citizen/agency_form.html", context, status=400)
    return render(request, "citizen/agency_form.html", context)


def _agency_context(request: HttpRequest, agency: ProxyAgency, appoint_form=None) -> dict:
    keep = may_keep_agencies(request.user, agency.region)
    counted = agencies_with_counts(ProxyAgency.objects.filter(pk=agency.pk)).get()
    matters = agency_matters(agency, request.user)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    if keep and appoint_form is None and agency.active:
        appoint_form = AppointForm(people=appointable_people(agency))
    return {
        "agency": agency, "counted": counted, "agents": agents_of(agency, include_former=True),
        "may_keep": keep, "appoint_form": appoint_form if agency.active else None,
        "page": page, "rows": event_rows(page.object_list, clock.now()),
    }


@login_required
@require_GET
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    """One agency: its agents (phones masked) with the matters each took, and its matters."""
    agency = access_agency_for_user(request.user, agency_id)
    return render(request, "citizen/agency.html", _agency_context(request, agency))


@login_required
@require_POST
def agency_appoint(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_for_user(request.user, agency_id)
    if not may_keep_agencies(request.user, agency.region):
        return _agencies_403(request)
    form = AppointForm(request.POST, people=appointable_people(agency))
    if form.is_valid():
        try:
            member = actions.agent_appoint(actor=request.user, agency=agency, person=form.cleaned_data["person"],
                                           full_time=form.cleaned_data["full_time"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, "citizen/agency.html", _agency_context(request, agency, form), status=exc.status)
        messages.success(request, _("%(p)s now serves this agency.") % {"p": member.person.name})
        return redirect("proxy_agency", agency_id=agency.pk)
    return render(request, "citizen/agency.html", _agency_context(request, agency, form), status=400)


@login_required
@require_POST
def agency_release(request: HttpRequest, agency_id: int, membership_id: int) -> HttpResponse:
    agency = access_agency_for_user(request.user, agency_id)
    membership = ProxyAgent.objects.filter(pk=membership_id, agency=agency).select_related("agency", "person").first()
    if membership is None:
        raise Http404("no such agent")
    if not may_keep_agencies(request.user, agency.region):
        return _agencies_403(request)
    try:
        actions.agent_release(actor=request.user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("proxy_agency", agency_id=agency.pk)
    messages.success(request, _("%(p)s no longer serves this agency.") % {"p": membership.person.name})
    return redirect("proxy_agency", agency_id=agency.pk)
