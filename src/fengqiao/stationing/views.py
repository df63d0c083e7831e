"""The stationing pages: plans and stations, a plan's weeks and stays, the phone-sized check-in
page (the position from the phone's geolocation, static/stationing/checkin.js), and the
compliance ranking per person, department and town, with the paired departments' results.
Views parse, call `queries` (404 outside scope) and `actions`, and render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.lib import clock, xlsx
from fengqiao.lib.errors import DomainError
from fengqiao.stationing import actions, forms, permissions, queries
from fengqiao.stationing.compliance import Tally
from fengqiao.stationing.models import Identity, Plan, PlanStatus, Rule, Station
from fengqiao.stationing.templatetags.stationing_tags import (
    stationing_action,
    stationing_state,
    timeline_details,
)
from fengqiao.workflow.timeline import present

PAGE_SIZE = 30
TIMELINE = 40  # a plan's latest entries (each stay writes two)
WEEK_CHOICES = (4, 8, 12)


def _require_use(request: HttpRequest) -> None:
    if not permissions.may_use_stationing(request.user):
        raise PermissionDenied(_("Your posts do not open the stationing pages."))


def _weeks(request: HttpRequest, default: int = 8) -> int:
    try:
        n = int(request.GET.get("weeks", default))
    except (TypeError, ValueError):
        n = default
    return max(1, min(queries.MAX_WEEKS, n))


# ------------------------------------------------------------------------------------ plans


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    _require_use(request)
    qs = queries.visible_plans(request.user).select_related(*queries.PLAN_RELATED)
    status = request.GET.get("status", PlanStatus.ACTIVE)
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    rule = request.GET.get("rule", "")
    if rule:
        qs = qs.filter(rule__code=rule)
    identity = request.GET.get("identity", "")
    if identity in Identity.values:
        qs = qs.filter(identity=identity)
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(region__name__icontains=q))
    page = Paginator(qs.order_by("region__code", "person__name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    stations = list(queries.visible_stations(request.user).filter(status=PlanStatus.ACTIVE)
                    .select_related("department", "region", "town").order_by("region__code")[:200])
    return render(request, "stationing/list.html", {
        "page": page, "stations": stations, "rules": Rule.objects.filter(active=True).order_by("code"),
        "identities": Identity.choices, "status": status, "rule": rule, "identity": identity, "q": q,
        "may_plan": permissions.may_plan_anything(request.user),
        "may_station": permissions.may_station_anything(request.user),
        "own": queries.own_plans(request.user).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    if not permissions.may_plan_anything(request.user):
        raise PermissionDenied(_("Your posts do not allow planning stays."))
    form = forms.PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = actions.plan_create(actor=request.user, person=d["person"], rule=d["rule"], region=d["region"],
                                       identity=d["identity"], starts_on=d.get("starts_on"),
                                       station=d.get("station"))
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, "stationing/plan_new.html", {"form": form}, status=exc.status)
        messages.success(request, _("Planned: %(p)s in %(r)s.") % {"p": plan.person.name, "r": plan.region.name})
        return redirect("stationing_plan", plan_id=plan.pk)
    return render(request, "stationing/plan_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def station_new(request: HttpRequest) -> HttpResponse:
    if not permissions.may_station_anything(request.user):
        raise PermissionDenied(_("Your posts do not allow stationing departments."))
    form = forms.StationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            station = actions.station_create(actor=request.user, department=d["department"], village=d["region"],
                                             starts_on=d.get("starts_on"), note=d.get("note", ""))
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, "stationing/station_new.html", {"form": form}, status=exc.status)
        messages.success(request, _("Stationed: %(d)s in %(v)s.") % {"d": station.department.name,
                                                                      "v": station.region.name})
        return redirect("stationing_station", station_id=station.pk)
    return render(request, "stationing/station_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_use(request)
    plan = queries.access_plan_for_user(request.user, plan_id)
    return _render_plan(request, plan)


def _timeline(entries) -> list:
    return present(entries, action_label=stationing_action, state_label=stationing_state,
                   details=timeline_details)


def _render_plan(request: HttpRequest, plan: Plan, *, end_form=None, status: int = 200) -> HttpResponse:
    win = queries.window(_weeks(request))
    result = queries.plan_results(Plan.objects.filter(pk=plan.pk), win)[0]
    stays = list(plan.stays.order_by("-arrived_at")[:60])
    may_end = plan.status == PlanStatus.ACTIVE and permissions.may_manage_plan(request.user, plan.region, plan.station)
    timeline = list(queries.plan_timeline(plan).order_by("-seq")[:TIMELINE])
    return render(request, "stationing/plan.html", {
        "plan": plan, "win": win, "result": result, "stays": stays,
        "timeline": _timeline(timeline[::-1]),
        "timeline_cut": len(timeline) == TIMELINE,
        "end_form": end_form or (forms.EndForm(prefix="end") if may_end else None),
        "week_choices": WEEK_CHOICES, "weeks": len(win.weeks),
    }, status=status)


@login_required
@require_POST
def plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_use(request)
    plan = queries.access_plan_for_user(request.user, plan_id)
    actions.PLAN_WORKFLOW.require_first(plan, request.user, "end")
    form = forms.EndForm(request.POST, prefix="end")
    if not form.is_valid():
        return _render_plan(request, plan, end_form=form, status=400)
    try:
        actions.plan_end(actor=request.user, plan=plan, reason=form.cleaned_data["reason"],
                         ends_on=form.cleaned_data.get("ends_on"))
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_plan(request, queries.access_plan_for_user(request.user, plan_id), end_form=form,
                            status=exc.status)
    messages.success(request, _("The plan has ended."))
    return redirect("stationing_plan", plan_id=plan.pk)


@login_required
@require_GET
def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    _require_use(request)
    station = queries.access_station_for_user(request.user, station_id)
    return _render_station(request, station)


def _render_station(request: HttpRequest, station: Station, *, end_form=None, status: int = 200) -> HttpResponse:
    win = queries.window(_weeks(request))
    results = queries.plan_results(queries.visible_plans(request.user).filter(station=station), win)
    may_end = station.status == PlanStatus.ACTIVE and permissions.may_manage_station(request.user, station.region)
    return render(request, "stationing/station.html", {
        "station": station, "results": results, "total": queries.totals(results), "win": win,
        "end_form": end_form or (forms.EndForm(prefix="end") if may_end else None),
        "timeline": _timeline(queries.station_timeline(station)),
    }, status=status)


@login_required
@require_POST
def station_end(request: HttpRequest, station_id: int) -> HttpResponse:
    _require_use(request)
    station = queries.access_station_for_user(request.user, station_id)
    actions.STATION_WORKFLOW.require_first(station, request.user, "end")
    form = forms.EndForm(request.POST, prefix="end")
    if not form.is_valid():
        return _render_station(request, station, end_form=form, status=400)
    try:
        actions.station_end(actor=request.user, station=station, reason=form.cleaned_data["reason"],
                            ends_on=form.cleaned_data.get("ends_on"))
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_station(request, station, end_form=form, status=exc.status)
    messages.success(request, _("The station has ended."))
    return redirect("stationing_station", station_id=station.pk)


# ---------------------------------------------------------------------------------- check-in


@login_required
@require_GET
def checkin_page(request: HttpRequest) -> HttpResponse:
    """住村签到: the cadre's own plans on their phone; arrival or departure with the phone's position."""
    plans = list(queries.own_plans(request.user))
    stay = queries.open_stay(request.user)
    recent = []
    from fengqiao.people.queries import person_of

    person = person_of(request.user)
    if person is not None:
        recent = list(person.stays.select_related("region").order_by("-arrived_at")[:5])
    win = queries.window(2)
    results = {r.plan.pk: r for r in queries.plan_results(queries.own_plans(request.user), win)} if plans else {}
    return render(request, "stationing/checkin.html", {
        "plans": [(p, results.get(p.pk)) for p in plans], "stay": stay, "recent": recent,
        "checkout": forms.CheckOutForm(prefix="out") if stay else None, "today": clock.local_date(),
        "this_week": win.weeks[-1],
    })


@login_required
@require_POST
def checkin_arrive(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.access_plan_for_user(request.user, plan_id)
    actions.PLAN_WORKFLOW.require_first(plan, request.user, "check_in")
    form = forms.CheckInForm(request.POST, prefix="in")
    if not form.is_valid():
        messages.error(request, _("The position sent is not valid."))
        return redirect("stationing_checkin")
    d = form.cleaned_data
    try:
        stay = actions.check_in(actor=request.user, plan=plan, latitude=d.get("latitude"),
                                longitude=d.get("longitude"), accuracy=d.get("accuracy"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("stationing_checkin")
    _say_check(request, stay.arrival_check, stay.arrival_distance, _("Checked in at %(place)s.")
               % {"place": stay.region.display_name})
    return redirect("stationing_checkin")


@login_required
@require_POST
def checkin_depart(request: HttpRequest, stay_id: int) -> HttpResponse:
    stay = queries.access_stay_for_user(request.user, stay_id)
    actions.STAY_WORKFLOW.require_first(stay, request.user, "check_out")
    form = forms.CheckOutForm(request.POST, prefix="out")
    if not form.is_valid():
        return render(request, "stationing/checkin.html", {
            "plans": [(p, None) for p in queries.own_plans(request.user)], "stay": stay, "checkout": form,
            "recent": [], "today": clock.local_date()}, status=400)
    d = form.cleaned_data
    try:
        stay = actions.check_out(actor=request.user, stay=stay, latitude=d.get("latitude"),
                                 longitude=d.get("longitude"), accuracy=d.get("accuracy"),
                                 households=d.get("households") or 0, events_handled=d.get("events_handled") or 0,
                                 meetings=d.get("meetings") or 0, notes=d.get("notes", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("stationing_checkin")
    _say_check(request, stay.departure_check, stay.departure_distance, _("Checked out of %(place)s.")
               % {"place": stay.region.display_name})
    if stay.late_checkout:
        messages.warning(request, _("Checked out after the time limit: this stay does not count."))
    return redirect("stationing_checkin")


def _say_check(request: HttpRequest, check: str, distance: int | None, done: str) -> None:
    if check == "inside":
        messages.success(request, done + " " + _("Your position is inside the outline."))
    elif check == "outside":
        messages.warning(request, done + " " + (_("Your position is %(m)d m outside the outline: this stay will not "
                                                  "count.") % {"m": distance} if distance is not None else
                                                _("Your position is outside the outline: this stay will not count.")))
    elif check == "no_fix":
        messages.warning(request, done + " " + _("The phone gave no position: this stay will not count."))
    else:
        messages.warning(request, done + " " + _("This place has no outline to check against."))


# ------------------------------------------------------------------------------- compliance


def _ranking_context(request: HttpRequest) -> dict[str, Any]:
    if not permissions.may_view_ranking(request.user):
        raise PermissionDenied(_("Your posts do not open the compliance ranking."))
    by = request.GET.get("by", "person")
    if by not in queries.BY:
        by = "person"
    win = queries.window(_weeks(request))
    plans = queries.visible_plans(request.user)
    rule = request.GET.get("rule", "")
    if rule:
        plans = plans.filter(rule__code=rule)
    results = queries.plan_results(plans, win)
    return {"by": by, "win": win, "rows": queries.ranking(results, by, win), "total": queries.totals(results),
            "rule": rule, "rules": Rule.objects.filter(active=True).order_by("code"),
            "paired": queries.paired_results(request.user, win), "week_choices": WEEK_CHOICES,
            "weeks": len(win.weeks)}


@login_required
@require_GET
def ranking_page(request: HttpRequest) -> HttpResponse:
    return render(request, "stationing/ranking.html", _ranking_context(request))


def _cell(t: Tally) -> str:
    if t.required == 0 and t.pending == 0:
        return "免" if t.excused else "—"
    text = f"{t.met}/{t.required}"
    if t.pending:
        text += f"(待{t.pending})"
    return text


@login_required
@require_GET
def ranking_export(request: HttpRequest) -> HttpResponse:
    """The ranking as .xlsx (every cell through lib.xlsx)."""
    from openpyxl import Workbook

    ctx = _ranking_context(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "住村落实"
    weeks = ctx["win"].weeks
    xlsx.append(ws, ["排名", "名称", "说明", "应住", "实住达标", "达标率", "免除", *[f"{w:%m-%d}周" for w in weeks]])
    for r in ctx["rows"]:
        xlsx.append(ws, [r.rank if r.rank is not None else "—", r.label, r.sub, r.tally.required, r.tally.met,
                         r.tally.rate_text(), r.tally.excused, *[_cell(r.by_week[w]) for w in weeks]])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="stationing-{ctx["by"]}-{clock.local_date():%Y%m%d}.xlsx"'
    return response
