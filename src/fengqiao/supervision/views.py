"""Supervision pages: accountability records (通报/约谈/问责/考评), department pairing (挂钩),
village categories and the bulletin packs. Views parse input, call `supervision.actions` and the
queries, and render; outside the user's scope everything is a 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.command import permissions as command_perms
from fengqiao.events.scope import visible_events
from fengqiao.lib.errors import DomainError
from fengqiao.people.models import Pairing
from fengqiao.people.queries import paired_village_ids
from fengqiao.regions.models import Region
from fengqiao.supervision import actions
from fengqiao.supervision.categories import category_span, judge
from fengqiao.supervision.forms import BulletinForm, CampaignForm, PairingForm, RecordForm
from fengqiao.supervision.models import RecordKind
from fengqiao.supervision.permissions import (
    may_decide_county,
    may_record,
    require_decide_county,
    require_record,
)
from fengqiao.supervision.queries import (
    access_bulletin_run,
    access_record_for_user,
    visible_bulletin_runs,
    visible_pairings,
    visible_records,
)

PAGE_SIZE = 20


# ------------------------------------------------------------------------------------ records


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    qs = visible_records(request.user).annotate(n_events=Count("events")).order_by("-decided_on", "-id")
    kind = request.GET.get("kind", "")
    if kind in RecordKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/record_list.html", {
        "page": page, "kind": kind, "kinds": RecordKind.choices, "may_record": may_record(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    require_record(request.user)
    if request.method == "POST":
        form = RecordForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                record = actions.record_create(
                    actor=request.user, kind=d["kind"], title=d["title"], text=d["text"],
                    decided_on=d["decided_on"], score=d["score"], events=d["events"],
                    **form.target_kwargs(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                return render(request, "supervision/record_new.html", {"form": form}, status=exc.status)
            messages.success(request, _("Recorded: %(kind)s.") % {"kind": record.get_kind_display()})
            return redirect("supervision_record", record_id=record.pk)
        return render(request, "supervision/record_new.html", {"form": form}, status=400)
    initial = {}
    if request.GET.get("events"):
        initial["events"] = request.GET["events"]
    if request.GET.get("kind") in RecordKind.values:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("region"):
        initial["region"] = request.GET["region"]
    return render(request, "supervision/record_new.html", {"form": RecordForm(initial=initial, user=request.user)})


@login_required
@require_GET
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = access_record_for_user(request.user, record_id)
    events = visible_events(request.user).filter(accountability_records=record).select_related(
        "category", "village", "region", "town"
    )
    hidden = record.events.count() - events.count()
    return render(request, "supervision/record_detail.html", {
        "record": record, "events": events, "hidden": hidden,
    })


# ----------------------------------------------------------------------------------- pairing


@login_required
@require_http_methods(["GET", "POST"])
def pairing_list(request: HttpRequest) -> HttpResponse:
    may = may_decide_county(request.user)
    form = PairingForm(request.POST or None, user=request.user) if may else None
    status = 200
    if request.method == "POST":
        require_decide_county(request.user)
        assert form is not None  # made for whoever may pair
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.pairing_create(actor=request.user, department=d["department"], village=d["village"],
                                       note=d["note"])
            except DomainError as exc:
                form.add_error("village" if exc.field == "village" else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Paired %(d)s with %(v)s.") % {
                    "d": d["department"].name, "v": d["village"].name})
                return redirect("supervision_pairings")
        else:
            status = 400
    pairings = visible_pairings(request.user).filter(active=True)
    return render(request, "supervision/pairings.html", {
        "pairings": pairings, "ended": visible_pairings(request.user).filter(active=False)[:50],
        "form": form, "may_pair": may,
    }, status=status)


@login_required
@require_POST
def pairing_stop(request: HttpRequest, pairing_id: int) -> HttpResponse:
    pairing = visible_pairings(request.user).filter(pk=pairing_id).first()
    if pairing is None:
        raise Http404("no such pairing")
    try:
        actions.pairing_end(actor=request.user, pairing=pairing)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The pairing has ended."))
    return redirect("supervision_pairings")


@login_required
@require_GET
def paired_villages(request: HttpRequest) -> HttpResponse:
    """A department liaison's villages (挂钩): their events, newest first."""
    from fengqiao.events.presenters import event_rows
    from fengqiao.lib import clock

    ids = paired_village_ids(request.user)
    villages = list(Region.objects.filter(pk__in=ids).select_related("town").order_by("code"))
    qs = visible_events(request.user).filter(village_id__in=ids).select_related(
        "category", "category__parent", "region", "village", "town").order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/paired_villages.html", {
        "villages": villages, "page": page, "rows": event_rows(page.object_list, clock.now()),
    })


# --------------------------------------------------------------------------------- bulletins


def meeting_spans() -> list[tuple[str, str, Any]]:
    """The spans offered at one click: the Monday meeting reviews last week, the Friday meeting
    this week so far (每周一、五调度会); then the last 30 days and last month."""
    from fengqiao.command.queries import Span

    return [("monday", _("Monday meeting (last week)"), Span.last_week()),
            ("friday", _("Friday meeting (this week)"), Span.this_week()),
            ("30d", _("Last 30 days"), Span.last_30_days()),
            ("last_month", _("Last month"), Span.last_month())]


def _bulletin_page(request: HttpRequest, form, *, status: int = 200) -> HttpResponse:
    from fengqiao.command.queries import home_region

    page = Paginator(visible_bulletin_runs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/bulletins.html", {
        "form": form, "page": page, "spans": meeting_spans(), "home": home_region(request.user),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def bulletins(request: HttpRequest) -> HttpResponse:
    """通报与调度会材料: the packs made so far (from this page, the dashboard, or `fengqiao bulletin`)
    with their downloads, and a new one for any span; POST asks for one."""
    if request.method == "POST":
        return bulletin_new(request)
    command_perms.require_command_view(request.user)
    form = None
    if may_record(request.user):
        from fengqiao.command.queries import Span, home_region

        home = home_region(request.user)
        span = Span.last_week()
        form = BulletinForm(user=request.user, initial={
            "region": home.code if home else "", "date_from": span.start, "date_to": span.end})
    return _bulletin_page(request, form)


def bulletin_new(request: HttpRequest) -> HttpResponse:
    """Queue a bulletin pack; htmx (the dashboard's buttons, this page's form) gets its progress
    panel, a plain form post the pack's own page."""
    htmx = request.headers.get("HX-Request") == "true"
    require_record(request.user)
    data = request.POST.copy()
    quick = {key: span for key, _label, span in meeting_spans()}.get(request.POST.get("quick", ""))
    if quick is not None:  # one of the one-click spans: its dates, whatever the date fields hold
        data["date_from"], data["date_to"] = quick.start.isoformat(), quick.end.isoformat()
    form = BulletinForm(data, user=request.user)
    if not form.is_valid():
        if htmx:
            errors = [str(e) for errs in form.errors.values() for e in errs]
            return render(request, "supervision/_bulletin_run.html", {"errors": errors}, status=400)
        return _bulletin_page(request, form, status=400)
    d = form.cleaned_data
    try:
        run = actions.bulletin_request(actor=request.user, date_from=d["date_from"], date_to=d["date_to"],
                                       region=d["region"])
    except DomainError as exc:
        if htmx:
            return render(request, "supervision/_bulletin_run.html", {"errors": [exc.message]}, status=exc.status)
        form.add_error(None, exc.message)
        return _bulletin_page(request, form, status=exc.status)
    if not htmx:
        return redirect("supervision_bulletin", run_id=run.pk)
    run.refresh_from_db()
    return render(request, "supervision/_bulletin_run.html", {"run": run})


@login_required
@require_GET
def bulletin_status(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_bulletin_run(request.user, run_id)
    template = "supervision/_bulletin_run.html" if request.headers.get("HX-Request") else "supervision/bulletin.html"
    return render(request, template, {"run": run})


@login_required
@require_GET
def bulletin_file(request: HttpRequest, run_id: int, kind: str) -> FileResponse:
    run = access_bulletin_run(request.user, run_id)
    field = {"docx": run.docx, "xlsx": run.xlsx}.get(kind)
    if field is None or not field.name or not field.storage.exists(field.name):
        raise Http404("not ready")
    from fengqiao.supervision.bulletin import file_name

    return FileResponse(field.open("rb"), as_attachment=True, filename=file_name(run, kind))


# ------------------------------------------------------------------------------ 督办 ledger


def _ledger(request: HttpRequest):
    """The filter form and, when it is valid, the ledger's filter (the user's own region by default)."""
    from fengqiao.command.queries import home_region
    from fengqiao.supervision.forms import LedgerFilterForm
    from fengqiao.supervision.ledger import LedgerFilter

    command_perms.require_command_view(request.user)
    form = LedgerFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return form, None
    d = form.cleaned_data if form.is_bound else {}
    region = d.get("region") or home_region(request.user)
    return form, LedgerFilter(region=region, level=d.get("level") or "", start=d.get("start"), end=d.get("end"),
                              open_only=bool(d.get("open_only")))


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """督办台账: every supervised event in the user's area with its level, who, when, what followed."""
    from fengqiao.supervision import ledger as sl

    form, f = _ledger(request)
    context: dict[str, Any] = {"form": form, "filter": f}
    if f is None:
        return render(request, "supervision/ledger.html", context, status=400)
    page = Paginator(sl.orders(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(page=page, orders=sl.build(request.user, page.object_list), query=query.urlencode(),
                   region=f.region)
    return render(request, "supervision/ledger.html", context)


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The same orders as a spreadsheet (every step that followed each), text cells as text."""
    from openpyxl import Workbook

    from fengqiao.lib import xlsx
    from fengqiao.supervision import ledger as sl

    form, f = _ledger(request)
    if f is None:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = _("Supervision ledger")[:31]
    xlsx.header(ws, sl.export_headers(), widths=[17, 10, 10, 10, 24, 18, 30, 16, 14, 10, 17, 8, 8, 17, 8, 60, 30])
    entries = list(sl.orders(request.user, f)[:sl.MAX_EXPORT])
    for i in range(0, len(entries), 500):
        for row in sl.export_rows(sl.build(request.user, entries[i:i + 500])):
            xlsx.append(ws, row)
    response = HttpResponse(xlsx.to_bytes(wb),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"督办台账-{f.region.code if f.region else 'all'}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


# --------------------------------------------------------------------------- village categories


@login_required
@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    """放心/较好/一般/滞后: each village's figure, the suggested category and the confirmed one."""
    from fengqiao.command import queries as cq
    from fengqiao.command.measures import measure_label
    from fengqiao.command.permissions import require_command_view
    from fengqiao.command.views import region_from
    from fengqiao.supervision.categories import suggest
    from fengqiao.supervision.models import CategoryThresholds

    require_command_view(request.user)  # the figures come from the command centre
    region = region_from(request)
    thresholds = CategoryThresholds.current()
    start, end = category_span(thresholds)
    rows = []
    error = ""
    if region.level in ("county", "town", "province", "city"):
        try:
            ranked = cq.ranking(user=request.user, region=region, level="village", measure=thresholds.measure,
                                start=start, end=end, min_denominator=thresholds.min_events)
        except DomainError as exc:
            ranked, error = [], exc.message
    else:
        ranked = [cq.RankedRow(None, region, None, "", 0, True, cq.measures_for(
            user=request.user, region=region, start=start, end=end))]
        r0 = ranked[0]
        r0.value = r0.measures.value(thresholds.measure)
        r0.denominator = r0.measures.denominator(thresholds.measure)
        r0.display = cq.display(r0.measures, thresholds.measure)
    pairs: dict[int, list[str]] = {}
    for p in Pairing.objects.filter(active=True, village__in=[r.region for r in ranked]).select_related("department"):
        pairs.setdefault(p.village_id, []).append(p.department.name)
    wanted = request.GET.get("suggested", "")
    for r in ranked:
        suggested = suggest(r.value, r.denominator, thresholds)
        if wanted and suggested != wanted:
            continue
        rows.append({"row": r, "suggested": suggested, "current": r.region.village_category,
                     "departments": pairs.get(r.region.id, [])})
    from fengqiao.regions.models import VillageCategory

    return render(request, "supervision/categories.html", {
        "region": region, "thresholds": thresholds, "measure_label": measure_label(thresholds.measure),
        "start": start, "end": end, "rows": rows, "error": error, "choices": VillageCategory.choices,
        "labels": dict(VillageCategory.choices), "wanted": wanted, "may_confirm": may_decide_county(request.user),
    })


@login_required
@require_POST
def category_confirm(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm one village's category (htmx: answers with the row's new state)."""
    from fengqiao.command import queries as cq
    from fengqiao.supervision.forms import ConfirmCategoryForm
    from fengqiao.supervision.models import CategoryThresholds

    village = cq.check_region(request.user, code)
    form = ConfirmCategoryForm(request.POST)
    if not form.is_valid():
        return render(request, "supervision/_category_result.html",
                      {"ok": False, "message": _("Choose a category.")}, status=400)
    thresholds = CategoryThresholds.current()
    start, end = category_span(thresholds)
    judged = judge(request.user, village, thresholds, start, end)
    try:
        actions.village_category_confirm(
            actor=request.user, village=village, category=form.cleaned_data["category"],
            suggested=judged["suggested"], measure=thresholds.measure,
            value=judged["value"] if not isinstance(judged["value"], int) else None,
            events=judged["denominator"], span=(start, end), note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return render(request, "supervision/_category_result.html", {"ok": False, "message": exc.message},
                      status=exc.status)
    from fengqiao.regions.models import VillageCategory

    return render(request, "supervision/_category_result.html", {
        "ok": True, "message": _("Confirmed: %(c)s.") % {"c": VillageCategory(form.cleaned_data["category"]).label},
    })


# ------------------------------------------------------------------------------- campaigns


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """A new campaign (专项行动): on the command centre's pages, written by supervision's action."""
    command_perms.require_run_campaigns(request.user)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = form.save_through_action(actor=request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
                return render(request, "command/campaign_new.html", {"form": form}, status=exc.status)
            messages.success(request, _("Campaign “%(n)s” created.") % {"n": campaign.name})
            return redirect("command_campaign", campaign_id=campaign.pk)
        return render(request, "command/campaign_new.html", {"form": form}, status=400)
    return render(request, "command/campaign_new.html", {"form": form})
