"""The grid network's pages: the worker's home on a phone, the registries and their Excel, the
views that follow the admin's rules (compliance, overdue, coverage, the map), hazards and
re-checks, publicity, teams with rosters and patrols, zones, posts and the rules. Views parse and
render; the actions decide; `queries` scopes (404 outside)."""

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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.grid import actions, forms, permissions, presenters, queries, registry_io
from fengqiao.grid.models import (
    Appointment,
    Checklist,
    Finding,
    FindingStatus,
    Firm,
    HazardCheck,
    Household,
    HouseholdLevel,
    ImportRun,
    Publicity,
    RentedRoom,
    Team,
    Visit,
)
from fengqiao.grid.queries import Area
from fengqiao.grid.rules import current_settings
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError, NotPermitted
from fengqiao.people.models import Person
from fengqiao.people.queries import person_of, visible_regions
from fengqiao.regions.models import Level, Region

PAGE_SIZE = 50


def _gate(request: HttpRequest) -> None:
    permissions.require_view_grid(request.user)


def area_of(request: HttpRequest) -> Area | None:
    """The area the page is about: `?area=<region code>` or `?zone=<id>`, in the user's scope."""
    code = (request.GET.get("area") or "").strip()[:32]
    zone = (request.GET.get("zone") or "").strip()[:12]
    if zone:
        return Area(zone=queries.access_zone(request.user, zone))
    if code:
        region = visible_regions(request.user).filter(code=code).first()
        if region is None:
            raise Http404("no such region")
        return Area(region=region)
    return None


def _areas(request: HttpRequest) -> dict[str, Any]:
    regions = visible_regions(request.user).filter(level__in=[Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID],
                                                   retired_at=None).order_by("code")[:400]
    return {"area_choices": regions, "zone_choices": queries.visible_zones(request.user),
            "area_code": (request.GET.get("area") or "")[:32], "zone_id": (request.GET.get("zone") or "")[:12]}


def _span(request: HttpRequest, *, days: int = 28) -> tuple[forms.SpanForm, dt.date, dt.date]:
    form = forms.SpanForm(request.GET or None)
    today = clock.local_date()
    start, end = today - dt.timedelta(days=days - 1), today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if end < start:
            start, end = end, start
    return form, start, end


def _keep_regions(user) -> list[Region]:
    return [r for r in visible_regions(user).filter(level__in=[Level.GRID, Level.UNIT], retired_at=None)
            .order_by("code")[:500] if permissions.may_keep(user, r)]


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# ---------------------------------------------------------------------------------- home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _gate(request)
    user = request.user
    area = area_of(request)
    mine = permissions.field_regions(user)
    today = clock.local_date()
    week = queries.week_start(today)
    ctx: dict[str, Any] = {"area": area, "mine": mine, "rules": current_settings(), **_areas(request)}
    if mine:
        person = person_of(user)
        my_area = Area(region=mine[0])
        ctx["overdue"] = list(queries.overdue_households(user, my_area)[:20])
        ctx["my_week"] = Visit.objects.filter(worker=person, visited_on__gte=week).values("visited_on").distinct().count()
        ctx["my_visits"] = Visit.objects.filter(worker=person).select_related("household", "firm")[:10]
    ctx["totals"] = queries.registry_totals(user, area)
    ctx["demands"] = queries.demands(user, area)
    ctx["hazards"] = queries.hazards(user, area)
    ctx["publicity"] = queries.publicity_totals(user, area)
    ctx["coverage"] = queries.visit_coverage(user, area)
    ctx["teams"] = queries.teams_totals(user, area)
    return render(request, "grid/home.html", ctx)


# ---------------------------------------------------------------------------- households


def _households(request: HttpRequest, area: Area | None):
    form = forms.HouseholdFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, queries.registry(request.user, Household, area, text=data.get("q") or "", care=data.get("care") or "")


@login_required
def households(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    form, qs = _households(request, area)
    if request.GET.get("format") == "xlsx":
        from django.db.models import Max

        data = registry_io.export_households(request.user, qs.annotate(last_visit=Max("visits__visited_at"))[:50_000])
        return _xlsx(data, "households")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = presenters.household_rows(request.user, page.object_list, via="page")
    return render(request, "grid/households.html", {
        "form": form, "page": page, "rows": rows, "total": page.paginator.count, "area": area,
        "query": request.GET.urlencode(), "may_keep": permissions.may_keep(request.user, None), **_areas(request)})


@login_required
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    _gate(request)
    household = queries.access_household(request.user, household_id)
    (row,) = presenters.household_rows(request.user, [household], via="page", members=True)
    visits = household.visits.select_related("worker", "event").order_by("-visited_at")[:30]
    checks = HazardCheck.objects.filter(household=household).select_related("checklist", "worker")[:20]
    may_keep = permissions.may_keep(request.user, household.region)
    ctx: dict[str, Any] = {"household": household, "row": row, "visits": visits, "checks": checks,
                           "may_keep": may_keep, "member_form": forms.MemberForm() if may_keep else None,
                           "interval": current_settings().visit_interval_days}
    # The household's points live in the incentives app above this one: found by name, never imported.
    from django.urls import NoReverseMatch

    try:
        ctx["points_url"] = reverse("incentives_household", args=[household.pk])
    except NoReverseMatch:
        pass
    else:
        account = getattr(household, "points_account", None)
        ctx["points_balance"] = account.balance if account is not None else 0
    return render(request, "grid/household.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def household_form(request: HttpRequest, household_id: int | None = None) -> HttpResponse:
    _gate(request)
    household = queries.access_household(request.user, household_id) if household_id else None
    rules = current_settings()
    # The admin's depth decides where households sit: grids only, or units only.
    level = Level.UNIT if rules.household_level == HouseholdLevel.UNIT else Level.GRID
    regions = [r for r in _keep_regions(request.user) if r.level == level]
    if not regions:
        permissions.require_keep(request.user, household.region if household else None)
    # Without the right to see the head's data the form leaves it out (and keeps what is stored).
    personal = household is None or permissions.may_see_personal_data(request.user, household.region)
    initial = {}
    if household is not None:
        initial = {k: getattr(household, k) for k in ("code", "address", "members_count",
                                                      "elderly_alone", "disabled", "left_behind_children", "note")}
        initial["region"] = household.region_id
        if personal:
            initial |= {"head_name": household.head_name, "phone": household.phone}
            presenters.household_rows(request.user, [household], via="page")  # the unmasked read, logged
    form = forms.HouseholdForm(request.POST or None, initial=initial, regions=regions, personal=personal)
    form.fields["region"].label = rules.unit_name if level == Level.UNIT else rules.grid_name
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = next(r for r in regions if str(r.pk) == d["region"])
        try:
            saved = actions.household_save(actor=request.user, household=household, values=actions.HouseholdValues(
                code=d["code"], head_name=d["head_name"] if personal else household.head_name,  # type: ignore[union-attr]
                address=d["address"], region=region,
                phone=d["phone"] if personal else household.phone,  # type: ignore[union-attr]
                members_count=d["members_count"], elderly_alone=d["elderly_alone"], disabled=d["disabled"],
                left_behind_children=d["left_behind_children"], note=d["note"]))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Household %(c)s saved.") % {"c": saved.code})
            return redirect("grid_household", saved.pk)
    return render(request, "grid/form.html", {"form": form, "title": _("Household"),
                                              "back": reverse("grid_households")}, status=400 if form.errors else 200)


@login_required
@require_POST
def member_add(request: HttpRequest, household_id: int) -> HttpResponse:
    household = queries.access_household(request.user, household_id)
    form = forms.MemberForm(request.POST)
    if form.is_valid():
        try:
            actions.member_add(actor=request.user, household=household, **form.cleaned_data)
            messages.success(request, _("Member added."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("grid_household", household.pk)


# --------------------------------------------------------------------------------- firms


@login_required
def firms(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    q = (request.GET.get("q") or "").strip()[:50]
    qs = queries.registry(request.user, Firm, area, text=q)
    if request.GET.get("format") == "xlsx":
        return _xlsx(registry_io.export_firms(request.user, qs[:50_000]), "firms")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rooms = queries.registry(request.user, RentedRoom, area)
    return render(request, "grid/firms.html", {
        "page": page, "rows": presenters.firm_rows(request.user, page.object_list, via="page"), "q": q,
        "rooms": presenters.room_rows(request.user, rooms[:50], via="page"),
        "total": page.paginator.count, "area": area, "query": request.GET.urlencode(),
        "may_keep": permissions.may_keep(request.user, None), **_areas(request)})


@login_required
@require_http_methods(["GET", "POST"])
def firm_form(request: HttpRequest) -> HttpResponse:
    _gate(request)
    regions = _keep_regions(request.user)
    if not regions:
        permissions.require_keep(request.user, None)
    form = forms.FirmForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        region = next(r for r in regions if str(r.pk) == d.pop("region"))
        try:
            actions.firm_save(actor=request.user, firm=None, values=actions.FirmValues(region=region, **d))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Firm saved."))
            return redirect("grid_firms")
    return render(request, "grid/form.html", {"form": form, "title": _("Firm"), "back": reverse("grid_firms")},
                  status=400 if form.errors else 200)


# -------------------------------------------------------------------------- rented rooms

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}.xlsx"
    return response


def _rooms(request: HttpRequest, area: Area | None):
    form = forms.RoomFilter(request.GET or None)
    text = (form.cleaned_data.get("q") or "") if form.is_valid() else ""
    return form, queries.registry(request.user, RentedRoom, area, text=text)


@login_required
def rooms(request: HttpRequest) -> HttpResponse:
    """出租房: the rented rooms of the area, masked like the households."""
    _gate(request)
    area = area_of(request)
    form, qs = _rooms(request, area)
    if request.GET.get("format") == "xlsx":
        return _xlsx(registry_io.export_rooms(request.user, qs[:50_000]), "rented-rooms")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grid/rooms.html", {
        "form": form, "page": page, "rows": presenters.room_rows(request.user, page.object_list, via="page"),
        "total": page.paginator.count, "area": area, "query": request.GET.urlencode(),
        "may_keep": permissions.may_keep(request.user, None), **_areas(request)})


@login_required
@require_http_methods(["GET", "POST"])
def room_form(request: HttpRequest, room_id: int | None = None) -> HttpResponse:
    _gate(request)
    room = queries.access_room(request.user, room_id) if room_id else None
    if room is not None:
        permissions.require_keep(request.user, room.region)
        if not room.active:
            raise Http404("no longer in the registry")
    regions = _keep_regions(request.user)
    if not regions:
        permissions.require_keep(request.user, None)
    # Without the right to see the landlord's data the form leaves it out (and keeps what is stored).
    personal = room is None or permissions.may_see_personal_data(request.user, room.region)
    initial: dict[str, Any] = {}
    if room is not None:
        initial = {k: getattr(room, k) for k in ("code", "address", "rooms", "tenants")}
        initial["region"] = room.region_id
        initial["household_code"] = room.household.code if room.household_id and room.household else ""
        if personal:
            initial |= {"landlord_name": room.landlord_name, "phone": room.phone}
            presenters.room_rows(request.user, [room], via="page")  # the unmasked read, logged
    form = forms.RoomForm(request.POST or None, initial=initial, regions=regions, personal=personal)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = next(r for r in regions if str(r.pk) == d["region"])
        household = None
        if d["household_code"]:
            household = queries.in_area(request.user, Household.objects.filter(
                code=d["household_code"], active=True), None).first()
        try:
            if d["household_code"] and household is None:
                raise DomainError(_("No household %(c)s in your registries.") % {"c": d["household_code"]},
                                  field="household_code")
            saved = actions.room_save(
                actor=request.user, room=room, code=d["code"], address=d["address"], region=region,
                landlord_name=d["landlord_name"] if personal else room.landlord_name,  # type: ignore[union-attr]
                phone=d["phone"] if personal else room.phone,  # type: ignore[union-attr]
                rooms=d["rooms"], tenants=d["tenants"], household=household)
        except DomainError as exc:
            if exc.field == "household":
                exc.field = "household_code"
            _form_error(form, exc)
        else:
            messages.success(request, _("Rented room %(c)s saved.") % {"c": saved.code})
            return redirect("grid_rooms")
    return render(request, "grid/room_form.html", {
        "form": form, "room": room, "title": _("Rented room"), "back": reverse("grid_rooms")},
        status=400 if form.errors else 200)


@login_required
@require_POST
def room_deactivate(request: HttpRequest, room_id: int) -> HttpResponse:
    room = queries.access_room(request.user, room_id)
    try:
        actions.room_deactivate(actor=request.user, room=room)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("grid_room_edit", room.pk)
    messages.success(request, _("Rented room %(c)s left the registry.") % {"c": room.code})
    return redirect("grid_rooms")


@login_required
def registries_export(request: HttpRequest) -> HttpResponse:
    """The area's households, firms and rented rooms in one workbook (a sheet each)."""
    _gate(request)
    from django.db.models import Max

    area = area_of(request)
    households = (queries.in_area(request.user, Household.objects.filter(active=True), area)
                  .select_related("region").annotate(last_visit=Max("visits__visited_at")).order_by("code"))
    firms = queries.in_area(request.user, Firm.objects.filter(active=True), area).select_related("region")
    rooms = queries.in_area(request.user, RentedRoom.objects.filter(active=True), area).select_related(
        "region", "household")
    return _xlsx(registry_io.export_registries(request.user, households=households[:50_000],
                                               firms=firms.order_by("code")[:50_000],
                                               rooms=rooms.order_by("code")[:50_000]), "registries")


# -------------------------------------------------------------------------------- import


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    _gate(request)
    regions = [r for r in visible_regions(request.user).filter(
        level__in=[Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID], retired_at=None).order_by("code")[:500]
        if permissions.may_keep(request.user, r)]
    if not regions:
        permissions.require_keep(request.user, None)
    form = forms.ImportForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        within = next(r for r in regions if str(r.pk) == form.cleaned_data["within"])
        try:
            run = registry_io.start_import(actor=request.user, kind=form.cleaned_data["kind"],
                                           upload=form.cleaned_data["file"], within=within)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("grid_import_run", run.pk)
    runs = ImportRun.objects.filter(by_id=request.user.pk)[:20]
    rules = current_settings()
    return render(request, "grid/import.html", {"form": form, "runs": runs,
                                                "household_columns": registry_io.HOUSEHOLD_COLUMNS,
                                                "firm_columns": registry_io.FIRM_COLUMNS,
                                                "room_columns": registry_io.ROOM_COLUMNS, "rules": rules,
                                                "by_unit": rules.household_level == HouseholdLevel.UNIT},
                  status=400 if form.errors else 200)


@login_required
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = ImportRun.objects.filter(pk=run_id, by_id=request.user.pk).first()
    if run is None:
        raise Http404("no such import")
    template = "grid/_import_status.html" if request.headers.get("HX-Request") else "grid/import_run.html"
    return render(request, template, {"run": run, "progress": registry_io.progress_of(run.pk)})


# ------------------------------------------------------------------------ rules' views


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    form, start, end = _span(request)
    rows = queries.compliance(request.user, area, start=start, end=end)
    weeks = rows[0].weeks if rows else []
    return render(request, "grid/compliance.html", {"rows": rows, "weeks": weeks, "form": form, "area": area,
                                                    "rules": current_settings(), "start": start, "end": end,
                                                    **_areas(request)})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    qs = queries.overdue_households(request.user, area)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = presenters.household_rows(request.user, page.object_list, via="page")
    for row, h in zip(rows, page.object_list, strict=True):
        last = getattr(h, "last_visit", None)  # annotated by the query
        row["last_visit"] = last
        row["days"] = (now - last).days if last else None
    firms_overdue = list(queries.overdue_firms(request.user, area)[:50])
    return render(request, "grid/overdue.html", {"page": page, "rows": rows, "total": page.paginator.count,
                                                 "firms": firms_overdue, "area": area, "rules": current_settings(),
                                                 **_areas(request)})


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    _gate(request)
    by = request.GET.get("by") or "village"
    if by not in queries.COVERAGE_LEVELS:
        by = "village"
    area = area_of(request)
    rows = queries.coverage(request.user, by=by, area=area)
    return render(request, "grid/coverage.html", {"rows": rows, "by": by, "area": area, "levels": [
        ("grid", _("Grid")), ("village", _("Village")), ("zone", _("Zone")), ("town", _("Town"))],
        "rules": current_settings(), **_areas(request)})


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    _gate(request)
    form, start, end = _span(request, days=14)
    area = area_of(request)
    code = ""
    if area is not None and area.region is not None:
        code = area.region.code
    else:
        first = visible_regions(request.user).order_by("code").filter(level__in=[Level.COUNTY, Level.TOWN,
                                                                                 Level.VILLAGE]).first()
        if first is None:  # a grid worker: the outline and name of their own grid
            first = visible_regions(request.user).order_by("code").filter(level=Level.GRID).first()
        code = first.code if first else ""
    from django.conf import settings

    return render(request, "grid/map.html", {"form": form, "start": start, "end": end, "area": area,
                                             "shape_code": code, "tiles": settings.FENGQIAO_MAP_TILES,
                                             "query": request.GET.urlencode(), **_areas(request)})


# --------------------------------------------------------------------------------- hazards


@login_required
def hazards(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    status = request.GET.get("status") or "open"
    qs = queries.in_area(request.user, Finding.objects.all(), area).select_related(
        "region", "event", "check_record__checklist", "check_record__household", "check_record__firm",
        "check_record__room")
    if status in FindingStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-found_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grid/hazards.html", {"page": page, "status": status, "area": area,
                                                 "figures": queries.hazards(request.user, area),
                                                 "recheck_form": forms.RecheckForm(), **_areas(request)})


@login_required
@require_POST
def finding_recheck(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = queries.access_finding(request.user, finding_id)
    form = forms.RecheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether it is fixed."))
    else:
        try:
            actions.finding_recheck(actor=request.user, finding=finding, fixed=form.cleaned_data["fixed"],
                                    note=form.cleaned_data["note"])
            messages.success(request, _("Re-check recorded."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("grid_hazards") + "?status=" + ("open" if finding.status == "open" else "closed"))


# ------------------------------------------------------------------------------ publicity


@login_required
@require_http_methods(["GET", "POST"])
def publicity(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    mine = permissions.field_regions(request.user)
    form = forms.PublicityForm(request.POST or None, regions=mine, initial={"day": clock.local_date()}) if mine else None
    if request.method == "POST":
        if form is None:
            permissions.require_work_in(request.user, None)
        elif form.is_valid():
            d = dict(form.cleaned_data)
            region = next(r for r in mine if str(r.pk) == d.pop("region"))
            try:
                actions.publicity_log(actor=request.user, region=region, **d)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Publicity logged."))
                return redirect("grid_publicity")
    logs = queries.in_area(request.user, Publicity.objects.all(), area).select_related("worker", "region")[:100]
    return render(request, "grid/publicity.html", {"form": form, "logs": logs, "area": area,
                                                   "totals": queries.publicity_totals(request.user, area),
                                                   **_areas(request)}, status=400 if form is not None and form.errors else 200)


# ---------------------------------------------------------------------------------- teams


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = area_of(request)
    regions = [r for r in visible_regions(request.user).filter(level__in=[Level.TOWN, Level.VILLAGE, Level.GRID],
                                                               retired_at=None).order_by("code")[:300]
               if permissions.may_keep(request.user, r)]
    form = forms.TeamForm(request.POST or None, regions=regions) if regions else None
    if request.method == "POST":
        if form is None:
            permissions.require_keep(request.user, None)
        elif form.is_valid():
            region = next(r for r in regions if str(r.pk) == form.cleaned_data["region"])
            try:
                team = actions.team_create(actor=request.user, region=region, name=form.cleaned_data["name"],
                                           kind=form.cleaned_data["kind"])
            except DomainError as exc:
                _form_error(form, exc)
            else:
                return redirect("grid_team", team.pk)
    from django.db.models import Count

    rows = (queries.in_area(request.user, Team.objects.filter(active=True), area).select_related("region", "leader")
            .annotate(n_members=Count("members", distinct=True), n_patrols=Count("patrols", distinct=True))
            .order_by("region__code", "name")[:300])
    return render(request, "grid/teams.html", {"rows": rows, "form": form, "area": area,
                                               "totals": queries.teams_totals(request.user, area), **_areas(request)},
                  status=400 if form is not None and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    _gate(request)
    team = queries.access_team(request.user, team_id)
    members = list(team.members.filter(active=True))
    may_keep = permissions.may_keep(request.user, team.region)
    member_form = forms.TeamMemberForm(request.POST if request.POST.get("form") == "member" else None)
    shift_form = forms.ShiftForm(request.POST if request.POST.get("form") == "shift" else None, members=members)
    patrol_form = forms.PatrolForm(request.POST if request.POST.get("form") == "patrol" else None)
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "member" and member_form.is_valid():
                actions.team_member_add(actor=request.user, team=team, **member_form.cleaned_data)
            elif which == "shift" and shift_form.is_valid():
                d = shift_form.cleaned_data
                actions.shift_create(actor=request.user, team=team, starts_at=d["starts_at"], ends_at=d["ends_at"],
                                     members=[m for m in members if str(m.pk) in d["members"]], note=d["note"])
            elif which == "patrol" and patrol_form.is_valid():
                d = patrol_form.cleaned_data
                actions.patrol_log(actor=request.user, team=team, started_at=d["started_at"], ended_at=d["ended_at"],
                                   route=d["route"], members_count=d["members_count"], findings=d["findings"])
            else:
                raise DomainError(_("Check the form."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("grid_team", team.pk)
    now = clock.now()
    shifts = team.shifts.filter(ends_at__gte=now - dt.timedelta(days=7)).prefetch_related("members")[:30]
    patrols = team.patrols.select_related("logged_by")[:30]
    return render(request, "grid/team.html", {
        "team": team, "members": members, "shifts": shifts, "patrols": patrols, "may_keep": may_keep,
        "may_patrol": may_keep or permissions.may_work_in(request.user, team.region),
        "member_form": member_form, "shift_form": shift_form, "patrol_form": patrol_form,
        "map_query": f"area={team.region.code}"})


# ------------------------------------------------------------------- zones, posts, rules


@login_required
@require_http_methods(["GET", "POST"])
def zones(request: HttpRequest) -> HttpResponse:
    _gate(request)
    may_keep = permissions.may_keep_zones(request.user)
    villages = visible_regions(request.user).filter(level=Level.VILLAGE, retired_at=None).order_by("code")[:2000]
    form = forms.ZoneForm(request.POST or None, villages=villages) if may_keep else None
    if request.method == "POST":
        permissions.require_keep_zones(request.user)
        assert form is not None
        if form.is_valid():
            chosen = [v for v in villages if str(v.pk) in form.cleaned_data["villages"]]
            county = Region.objects.get(pk=chosen[0].county_id) if chosen and chosen[0].county_id else None
            try:
                if county is None:
                    raise DomainError(_("Choose the zone's villages."), field="villages")
                actions.zone_save(actor=request.user, zone=None, code=form.cleaned_data["code"],
                                  name=form.cleaned_data["name"], county=county, villages=chosen,
                                  note=form.cleaned_data["note"])
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Zone saved."))
                return redirect("grid_zones")
    rows = queries.visible_zones(request.user).prefetch_related("villages")
    return render(request, "grid/zones.html", {"rows": rows, "form": form},
                  status=400 if form is not None and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def posts(request: HttpRequest) -> HttpResponse:
    """The grid posts in scope; the village's and town's cadres appoint and revoke them — grid
    posts at a grid, unit heads (单元长) at a unit, household heads (户长) of a household."""
    _gate(request)
    area = area_of(request)
    may_appoint = permissions.may_appoint(request.user, None)
    which = request.POST.get("form") if request.method == "POST" else None
    regions = [r for r in visible_regions(request.user).filter(level__in=[Level.GRID, Level.UNIT], retired_at=None)
               .order_by("code")[:500] if permissions.may_appoint(request.user, r)] if may_appoint else []
    people = Person.objects.filter(active=True).order_by("name")[:2000] if may_appoint else []
    form = forms.AppointForm(request.POST if which == "post" else None, people=people, regions=regions)
    head_form = forms.HouseholdHeadForm(request.POST if which == "household_head" else None)
    if request.method == "POST":
        if not may_appoint:
            raise NotPermitted(_("Only the village's secretary and the cadres above appoint grid posts."))
        if which == "post" and form.is_valid():
            d = form.cleaned_data
            region = next(r for r in regions if str(r.pk) == d["region"])
            person = next(p for p in people if str(p.pk) == d["person"])
            try:
                actions.appoint(actor=request.user, person=person, role=d["role"], region=region,
                                party_member=d["party_member"])
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Appointed."))
                return redirect("grid_posts")
        elif which == "household_head" and head_form.is_valid():
            d = head_form.cleaned_data
            household = queries.in_area(request.user, Household.objects.filter(code=d["household_code"]),
                                        None).select_related("region").first()
            try:
                if household is None:
                    raise DomainError(_("No household %(c)s in your registries.") % {"c": d["household_code"]},
                                      field="household_code")
                actions.household_head_appoint(actor=request.user, household=household, name=d["name"],
                                               phone=d["phone"], party_member=d["party_member"])
            except DomainError as exc:
                if exc.field == "household":
                    exc.field = "household_code"
                _form_error(head_form, exc)
            else:
                messages.success(request, _("Appointed."))
                return redirect("grid_posts")
    rows = queries.in_area(request.user, Appointment.objects.filter(active=True), area).select_related(
        "person", "region", "household")[:500]
    errors = bool(form.errors or head_form.errors)
    return render(request, "grid/posts.html", {
        "rows": rows, "form": form, "head_form": head_form, "area": area, "may_appoint": may_appoint,
        "open_form": which if errors else "", **_areas(request)}, status=400 if errors else 200)


@login_required
@require_POST
def post_end(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Revoke a grid post (the people post it rested on goes with it)."""
    appointment = queries.access_appointment(request.user, appointment_id)
    actions.appointment_end(actor=request.user, appointment=appointment)
    messages.success(request, _("%(p)s's post ended.") % {"p": appointment.person.name})
    return redirect("grid_posts")


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    permissions.require_keep_rules(request.user)
    current = current_settings()
    form = forms.RulesForm(request.POST if request.POST.get("form") == "rules" else None, initial={
        f: getattr(current, f) for f in forms.RulesForm.base_fields})
    checklist_form = forms.ChecklistForm(request.POST if request.POST.get("form") == "checklist" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "rules" and form.is_valid():
                actions.grid_settings_update(actor=request.user, **form.cleaned_data)
            elif request.POST.get("form") == "checklist" and checklist_form.is_valid():
                d = checklist_form.cleaned_data
                existing = Checklist.objects.filter(pk=request.POST.get("checklist") or 0).first() \
                    if (request.POST.get("checklist") or "").isdigit() else None
                actions.checklist_save(actor=request.user, checklist=existing, kind=d["kind"], name=d["name"],
                                       items=d["items"].splitlines())
            else:
                raise DomainError(_("Check the form."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("grid_rules")
    checklists = Checklist.objects.prefetch_related("items")
    return render(request, "grid/rules.html", {"form": form, "checklist_form": checklist_form,
                                               "checklists": checklists, "rules": current},
                  status=400 if form.errors or checklist_form.errors else 200)


def local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# ------------------------------------------------------------------------ the offline app

APP_VERSION = "2"


@login_required
def app_page(request: HttpRequest) -> HttpResponse:
    """The grid worker's installable app: visits, hazard checks, field reports, publicity logs
    and patrols with their routes kept on the phone (IndexedDB) and sent when the signal returns
    (grid/static/grid/app.js)."""
    if not permissions.may_do_field_work(request.user):
        return render(request, "grid/not_for_you.html", status=403)
    response = render(request, "grid/app.html", {"grids": permissions.field_regions(request.user)})
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request: HttpRequest) -> HttpResponse:
    from django.templatetags.static import static

    body = {
        "name": "枫桥网格通", "short_name": "网格通", "lang": "zh-CN", "start_url": reverse("grid_app"),
        "scope": "/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#b42318",
        "icons": [{"src": static("fengqiao/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    import json

    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site root so its scope covers the app page and the API."""
    response = render(request, "grid/sw.js", {"version": APP_VERSION}, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
