"""The command centre's pages: dashboard (compare, spread, map, charts), rankings with the overdue
list (one-click call and urge), campaigns, drill-down to the events, and the big screen (大屏).

Every number comes from `fengqiao.command.queries` — the same functions the /api/v1/stats
endpoints answer from — so a page and the API never disagree. Views only pick the region, span
and measure, call the queries and lay the results out. Outside the user's scope: 404."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST

from fengqiao.command import permissions as perms
from fengqiao.command import queries as q
from fengqiao.command.measures import (
    MEASURE_NAMES,
    RATES,
    higher_is_better,
    measure_label,
)
from fengqiao.command.models import Campaign
from fengqiao.command.queries import display
from fengqiao.events import actions as event_actions
from fengqiao.events.models import Category, Source
from fengqiao.events.scope import access_event_for_user, visible_events
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError, InvalidInput
from fengqiao.people.models import Role
from fengqiao.regions.models import LEVEL_ORDER, Region

PAGE_SIZE = 20

PERIODS = [
    ("30d", gettext_lazy("Last 30 days")),  # 近30天: the default
    ("day", gettext_lazy("Yesterday / today")),
    ("week", gettext_lazy("Last week / this week")),
    ("month", gettext_lazy("Last month / this month")),
    ("custom", gettext_lazy("Any span")),
]
DEFAULT_PERIOD = "30d"
# The figures on the dashboard's cards, in order; 当前超期 (OVERDUE_NOW, not a measure of the
# period's events) stands beside the period's 超期未办结.
CARD_MEASURES = ("received", "resolved", "open_overdue", "handling_rate", "resolution_rate",
                 "on_time_rate", "overdue_rate", "satisfaction_rate", "score")
OVERDUE_NOW = "overdue_now"
# What each card counts, in a line under its figure.
CARD_CAPTIONS = {
    "received": gettext_lazy("events received in the period"),
    "resolved": gettext_lazy("of those received in the period, resolved now"),
    "open_overdue": gettext_lazy("of those received in the period, open past the deadline now"),
    OVERDUE_NOW: gettext_lazy("every open event past its deadline now, whenever received"),
    "handling_rate": gettext_lazy("acknowledged ÷ received, this period"),
    "resolution_rate": gettext_lazy("resolved ÷ received, this period"),
    "on_time_rate": gettext_lazy("resolved on time ÷ resolved, this period"),
    "overdue_rate": gettext_lazy("(open past deadline + resolved late) ÷ received, this period"),
    "satisfaction_rate": gettext_lazy("satisfied ÷ called back, this period"),
    "score": gettext_lazy("the rates weighted, this period"),
}
# Measures offered for the map, the bar chart and the rankings.
CHOOSABLE = ("resolution_rate", "handling_rate", "on_time_rate", "overdue_rate", "extension_rate",
             "rework_rate", "satisfaction_rate", "score", "received", "resolved", "overdue",
             "open_overdue")
# The columns of the ranking table besides the chosen measure.
RANK_COLUMNS = ("received", "resolved", "overdue", "resolution_rate", "overdue_rate", "satisfaction_rate")


# A series keeps its colour on every chart: overdue is red everywhere (the same hues on the
# light pages and the dark big screen).
SERIES_COLOURS = {"received": "#2f7ed8", "resolved": "#2e8b4e", "overdue": "#d93025", "open_overdue": "#d93025"}


def _series(name: str, values: list[int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"label": measure_label(name), "colour": SERIES_COLOURS[name]}
    if values is not None:
        out["values"] = values
    return out


def _plain(value) -> float | int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


# ------------------------------------------------------------------------------------- context


@dataclass
class Period:
    kind: str
    current: q.Span
    previous: q.Span


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": value}, field=name) from None


def period_from(request: HttpRequest, default: str = DEFAULT_PERIOD) -> Period:
    kind = request.GET.get("period") or default
    if kind == "custom":
        start, end = _date(request.GET.get("start"), "start"), _date(request.GET.get("end"), "end")
        if start is None or end is None:
            raise InvalidInput(_("Choose the start and end dates."), field="start")
        current = q.Span(start, end)
        # Any two spans: the baseline is the span just before, unless one is given.
        a_start, a_end = _date(request.GET.get("a_start"), "a_start"), _date(request.GET.get("a_end"), "a_end")
        if a_start is None and a_end is None:
            return Period(kind, current, current.previous())
        if a_start is None or a_end is None:
            raise InvalidInput(_("Give both dates of the span to compare with, or neither."), field="a_start")
        return Period(kind, current, q.Span(a_start, a_end))
    if kind not in q.PAIRS:
        raise InvalidInput(_("Unknown period."), field="period")
    previous, current = q.pair(kind)
    return Period(kind, current, previous)


def region_from(request: HttpRequest) -> Region:
    """The region asked for (404 outside the user's posts), or the user's own."""
    code = request.GET.get("region") or request.POST.get("region")
    if code:
        return q.check_region(request.user, code)
    home = q.home_region(request.user)
    if home is None:
        raise Http404("no region to show")
    return home


def child_level(region: Region) -> str | None:
    """The spread's level below `region`: towns under a county, villages under a town."""
    for level in q.SPREAD_LEVELS:
        if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(region.level):
            return level
    return None


def measure_from(request: HttpRequest, default: str = "resolution_rate") -> str:
    name = request.GET.get("measure") or default
    if name not in MEASURE_NAMES:
        raise InvalidInput(_("Unknown measure “%(m)s”.") % {"m": name}, field="measure")
    return name


def filters_from(request: HttpRequest) -> q.FilterParams:
    return {"category": request.GET.get("category") or None, "source": request.GET.get("source") or None}


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _span_params(period: Period) -> dict[str, str]:
    if period.kind == "custom":
        params = {"period": "custom", "start": period.current.start.isoformat(),
                  "end": period.current.end.isoformat()}
        if period.previous != period.current.previous():
            params.update(a_start=period.previous.start.isoformat(), a_end=period.previous.end.isoformat())
        return params
    return {"period": period.kind}


def breadcrumbs(user, region: Region, params: dict[str, Any]) -> list[dict[str, str]]:
    """County → town → village, each linked when the user covers it."""
    crumbs = []
    for r in region.lineage():
        if r.level in ("province", "city"):
            continue
        try:
            q.check_region(user, r)
        except Http404:
            continue
        crumbs.append({"name": r.name, "url": reverse("command_dashboard") + "?" + _query(**params, region=r.code)})
    return crumbs


def _change_view(change: q.Change, name: str) -> dict[str, Any]:
    """An arrow and a phrase for a 环比 / 同比 change; `good` colours it."""
    if change.difference is None:
        return {"arrow": "", "text": "—", "good": None}
    diff = change.difference
    if diff == 0:
        return {"arrow": "→", "text": _("no change"), "good": None}
    up = diff > 0
    good = up == higher_is_better(name)
    if name in RATES or name == "score":
        text = (_("%(d)s points") if name in RATES else "%(d)s") % {"d": f"{abs(diff)}"}
    elif change.percent is not None:
        text = f"{abs(diff)} ({abs(change.percent)}%)"
    else:
        text = str(abs(diff))
    return {"arrow": "▲" if up else "▼", "text": text, "good": good}


def cards(comparison: q.Comparison, overdue_now: int | None = None,
          overdue_url: str = "") -> list[dict[str, Any]]:
    """The cards with their captions; `overdue_now` (当前超期, `queries.overdue_count`) goes
    beside the period's 超期未办结, a figure of this moment without 环比 or 同比."""
    out: list[dict[str, Any]] = []
    for name in CARD_MEASURES:
        out.append({
            "name": name,
            "label": measure_label(name),
            "caption": CARD_CAPTIONS[name],
            "display": display(comparison.current, name),
            "previous": display(comparison.previous, name),
            "year_earlier": display(comparison.year_earlier, name),
            "pop": _change_view(comparison.period_on_period[name], name),
            "yoy": _change_view(comparison.year_on_year[name], name),
        })
        if name == "open_overdue" and overdue_now is not None:
            out.append({"name": OVERDUE_NOW, "label": pgettext("card", "Overdue now"),
                        "caption": CARD_CAPTIONS[OVERDUE_NOW], "display": str(overdue_now),
                        "url": overdue_url, "alarm": overdue_now > 0})
    return out


def measure_options() -> list[tuple[str, str]]:
    """The usual measures first, then every other count (any measure can be ranked)."""
    rest = [n for n in MEASURE_NAMES if n not in CHOOSABLE]
    return [(name, measure_label(name)) for name in (*CHOOSABLE, *rest)]


def _trend_buckets(span: q.Span) -> list[q.Span]:
    """Days for a span up to 31 days; weeks up to 26 weeks; months beyond."""
    buckets: list[q.Span] = []
    if span.days <= 31:
        return [q.Span(span.start + dt.timedelta(days=i), span.start + dt.timedelta(days=i))
                for i in range(span.days)]
    if span.days <= 26 * 7:
        start = span.start
        while start <= span.end:
            end = min(span.end, start + dt.timedelta(days=6 - start.weekday()))
            buckets.append(q.Span(start, end))
            start = end + dt.timedelta(days=1)
        return buckets
    start = span.start
    while start <= span.end:
        nxt = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(span.end, nxt - dt.timedelta(days=1))
        buckets.append(q.Span(start, end))
        start = nxt
    return buckets


def trend(user, region: Region, span: q.Span, filters: q.FilterParams) -> dict[str, Any]:
    """Received and resolved per day (or week, or month) of the span: one `measures_for` each."""
    dates, received, resolved, overdue = [], [], [], []
    for b in _trend_buckets(span):
        m = q.measures_for(user=user, region=region, start=b.start, end=b.end, **filters)
        dates.append(b.start.strftime("%m-%d") if b.days == 1 else f"{b.start:%m-%d}~{b.end:%m-%d}")
        received.append(m.received)
        resolved.append(m.resolved)
        overdue.append(m.overdue)
    return {"dates": dates, "series": [
        _series("received", received), _series("resolved", resolved), _series("overdue", overdue),
    ]}


def pies(user, region: Region, span: q.Span, filters: q.FilterParams) -> tuple[dict, dict]:
    """Received by top-level category and by source (one `measures_for` per slice)."""
    by_category = []
    if not filters.get("category"):
        for c in Category.objects.filter(parent=None, active=True).order_by("sort", "code"):
            m = q.measures_for(user=user, region=region, start=span.start, end=span.end,
                               category=c.code, source=filters.get("source"))
            if m.received:
                by_category.append({"name": c.name, "value": m.received})
    by_source = []
    if not filters.get("source"):
        for value, label in Source.choices:
            m = q.measures_for(user=user, region=region, start=span.start, end=span.end,
                               category=filters.get("category"), source=value)
            if m.received:
                by_source.append({"name": str(label), "value": m.received})
    return {"slices": by_category}, {"slices": by_source}


def drill_url(user, region: Region, level: str | None, params: dict[str, Any]) -> str:
    """Where a click on a region leads: its own dashboard (a town), or its events (a village)."""
    if level == "village" or region.level == "village":
        return reverse("command_events") + "?" + _query(**params, region=region.code)
    return reverse("command_dashboard") + "?" + _query(**params, region=region.code)


def spread_context(user, region: Region, period: Period, measure: str, filters: q.FilterParams,
                   params: dict[str, Any]) -> dict[str, Any]:
    level = child_level(region)
    if level is None:  # a village (or below): its grids' outlines, without figures
        below = "grid" if region.level == "village" else region.level
        return {"level": None, "rows": [], "bars": None,
                "map": {"regions": {}, "scale": None, "measure": measure_label(measure)},
                "shapes_url": f"/api/v1/regions/{region.code}/shapes?level={below}"}
    others = [c for c in RANK_COLUMNS if c != measure]
    rows = q.spread(user=user, region=region, start=period.current.start, end=period.current.end,
                    level=level, **filters)
    table: list[dict[str, Any]] = []  # one row of the spread table: figures, links, cells
    bars, regions = [], {}
    values = []
    for row in rows:
        m = row.measures
        if row.region is None:
            table.append({"region": None, "name": _("(filed above the %(l)s)") % {"l": _level_label(level)},
                          "measures": m, "value": display(m, measure), "drill": "",
                          "cells": [(measure_label(c), display(m, c)) for c in others]})
            continue
        url = drill_url(user, row.region, level, params)
        value = m.value(measure)
        table.append({"region": row.region, "name": row.region.name, "measures": m,
                      "value": display(m, measure), "drill": url,
                      "cells": [(measure_label(c), display(m, c)) for c in others]})
        bars.append({"name": row.region.display_name, "values": [m.received, m.resolved, m.overdue],
                     "drill": url})
        regions[row.region.code] = {"value": _plain(value), "display": display(m, measure), "drill": url}
        if value is not None:
            values.append(float(value))
    scale = {"min": min(values) if values else 0, "max": max(values) if values else 0,
             "higher_is_better": higher_is_better(measure)}
    return {
        "level": level,
        "level_label": _level_label(level),
        "rows": table,
        "columns": [measure_label(c) for c in others],
        "bars": {"rows": bars, "series": [_series(n) for n in ("received", "resolved", "overdue")]},
        "map": {"regions": regions, "scale": scale, "measure": measure_label(measure)},
        "shapes_url": f"/api/v1/regions/{region.code}/shapes?level={level}&simplify=0.0005",
    }


def _level_label(level: str) -> str:
    from fengqiao.regions.models import Level

    return str(Level(level).label)


def map_tiles() -> str:
    return getattr(settings, "FENGQIAO_MAP_TILES", "") or ""


def _not_for_liaison(request: HttpRequest) -> HttpResponse | None:
    """The command centre's check (`command.permissions`); department liaisons, who have no
    region of their own, are sent to their paired villages instead of the 403."""
    if not perms.may_view_command(request.user) and perms.is_department_liaison(request.user):
        return redirect("supervision_paired_villages")
    perms.require_command_view(request.user)
    return None


def _error_page(request: HttpRequest, exc: DomainError, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "error": exc.message}, status=exc.status)


# ------------------------------------------------------------------------------------ dashboard


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """指挥调度: the measures with 环比/同比, the spread as a table, map and charts, drill-down."""
    if (early := _not_for_liaison(request)) is not None:
        return early
    region = region_from(request)
    base = {"periods": PERIODS, "measures": measure_options(), "region": region, "default_period": DEFAULT_PERIOD,
            "categories": Category.objects.filter(parent=None, active=True).order_by("sort", "code"),
            "sources": Source.choices, "get": request.GET}
    try:
        period = period_from(request)
        measure = measure_from(request)
        filters = filters_from(request)
        comparison = q.compare(user=request.user, region=region, a=period.previous, b=period.current, **filters)
    except DomainError as exc:
        return _error_page(request, exc, "command/dashboard.html", base)
    params = {**_span_params(period), "measure": measure, **filters}
    spread = spread_context(request.user, region, period, measure, filters, params)
    line = trend(request.user, region, period.current, filters)
    pie_category, pie_source = pies(request.user, region, period.current, filters)
    overdue_now = q.overdue_count(user=request.user, region=region, **filters)
    overdue_url = reverse("command_rankings") + "?" + _query(**params, region=region.code) + "#overdue"
    from fengqiao.command.figures_proxy import proxy_summary

    proxy = proxy_summary(user=request.user, region=region, start=period.current.start, end=period.current.end)
    return render(request, "command/dashboard.html", {
        "proxy": proxy,
        **base,
        "period": period,
        "measure": measure,
        "measure_label": measure_label(measure),
        "filters": filters,
        "comparison": comparison,
        "cards": cards(comparison, overdue_now, overdue_url),
        "spread": spread,
        "line": line,
        "pie_category": pie_category,
        "pie_source": pie_source,
        "crumbs": breadcrumbs(request.user, region, params),
        "params": _query(**params, region=region.code),
        "events_url": reverse("command_events") + "?" + _query(**params, region=region.code),
        "overdue_now": overdue_now,
        "overdue_url": overdue_url,
        "tiles": map_tiles(),
        # The Monday meeting reviews last week; the Friday meeting this week so far.
        "meeting_spans": [(_("Monday meeting (last week)"), q.Span.last_week()),
                          (_("Friday meeting (this week)"), q.Span.this_week())],
        "rank_level": spread["level"],
    })


# ------------------------------------------------------------------------------------- rankings


def _ranking_context(request: HttpRequest) -> dict[str, Any]:
    region = region_from(request)
    period = period_from(request)
    measure = measure_from(request)
    filters = filters_from(request)
    level = request.GET.get("level") or child_level(region)
    if level is None:
        raise InvalidInput(_("%(r)s has no towns or villages below it.") % {"r": region.name}, field="region")
    rows = q.ranking(user=request.user, region=region, level=level, measure=measure,
                     start=period.current.start, end=period.current.end, **filters)
    params = {**_span_params(period), "measure": measure, **filters}
    others = [c for c in RANK_COLUMNS if c != measure]
    return {
        "region": region, "period": period, "measure": measure, "measure_label": measure_label(measure),
        "level": level, "level_label": _level_label(level), "filters": filters,
        "rows": [{"row": r, "cells": [(measure_label(c), display(r.measures, c)) for c in others],
                  "drill": drill_url(request.user, r.region, level, params)} for r in rows],
        "columns": [measure_label(c) for c in others],
        "params": _query(**params, region=region.code, level=level),
        "levels": [lv for lv in q.SPREAD_LEVELS if LEVEL_ORDER.index(lv) > LEVEL_ORDER.index(region.level)],
    }


@login_required
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    """排名: every town or village under the region by any measure; the overdue list below."""
    if (early := _not_for_liaison(request)) is not None:
        return early
    base = {"periods": PERIODS, "measures": measure_options(), "get": request.GET, "default_period": DEFAULT_PERIOD}
    try:
        context = _ranking_context(request)
    except DomainError as exc:
        return _error_page(request, exc, "command/rankings.html", base)
    overdue = overdue_rows(request, context["region"])
    return render(request, "command/rankings.html", {
        **base, **context, "overdue": overdue,
        "crumbs": breadcrumbs(request.user, context["region"], {"period": context["period"].kind}),
    })


@login_required
@require_GET
def rankings_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from fengqiao.lib import xlsx

    perms.require_command_view(request.user)
    try:
        c = _ranking_context(request)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = _("Ranking")[:31]
    span = c["period"].current
    xlsx.append(ws, [f"{c['region'].name} · {c['level_label']} · {c['measure_label']} · {span.start}–{span.end}"])
    headers = [_("Rank"), _("Name"), c["measure_label"], _("Denominator"), _("Small denominator"), *c["columns"]]
    xlsx.append(ws, headers)
    for cell in ws[2]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E8C")
    for item in c["rows"]:
        r = item["row"]
        xlsx.append(ws, [r.rank if r.rank is not None else "—", r.region.name, r.display, r.denominator,
                   _("Yes") if r.small_denominator else "", *[v for _label, v in item["cells"]]])
    ws.column_dimensions["B"].width = 24
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="ranking-{c["region"].code}-{c["measure"]}-{span.start:%Y%m%d}-{span.end:%Y%m%d}.xlsx"')
    return response


# -------------------------------------------------------------------------------------- overdue


def _callable_people(event) -> list[dict[str, Any]]:
    """The people bound to the event now who have a phone (the one-click call's choices)."""
    active = getattr(event, "active_assignments", None)
    if active is None:
        active = list(event.assignments.filter(active=True).select_related("person").order_by("kind", "id"))
    people: list[dict[str, Any]] = []
    for a in active:
        if a.person.phone and all(p["id"] != a.person_id for p in people):
            label = Role(a.role).label if a.role in Role.values else a.role
            people.append({"id": a.person_id, "name": a.person.name, "role": a.role, "role_label": label})
    return people


def overdue_rows(request: HttpRequest, region: Region, limit: int = 50) -> list[dict[str, Any]]:
    """The overdue list with what the user may do on each row (urge, call whom)."""
    from django.db.models import Prefetch, prefetch_related_objects

    from fengqiao.events import statemachine as sm
    from fengqiao.events.models import Assignment, Event
    from fengqiao.events.permissions import may

    items = q.overdue_items(user=request.user, region=region, limit=limit)
    # One query for the events' places (the permission rules read them), one for their people.
    loaded = Event.objects.select_related("region", "category", "village", "town", "county").in_bulk(
        [i.event.pk for i in items])
    events = [loaded[i.event.pk] for i in items]
    prefetch_related_objects(events, Prefetch(
        "assignments", queryset=Assignment.objects.filter(active=True).select_related("person").order_by("kind", "id"),
        to_attr="active_assignments"))
    rows = []
    for item, event in zip(items, events, strict=True):
        may_urge = sm.legal_now(event, "urge") and may(request.user, event, "urge")
        may_call = sm.legal_now(event, "call") and may(request.user, event, "call")
        rows.append({
            "item": item, "event": event,
            "days": item.overdue_by.days, "hours": int(item.overdue_by.total_seconds() // 3600) % 24,
            "may_urge": may_urge, "may_call": may_call,
            "people": _callable_people(event) if may_call else [],
        })
    return rows


@login_required
@require_POST
def overdue_urge(request: HttpRequest, event_id: int) -> HttpResponse:
    """一键催办 from the overdue list: the event's `urge` action; answers with the row's status."""
    event = access_event_for_user(request.user, event_id)
    note = request.POST.get("note") or ""  # optional, confirmed on the page: into the text and the record
    try:
        event_actions.perform(event=event, actor=request.user, action="urge", data={"note": note})
    except DomainError as exc:
        return render(request, "command/_action_result.html", {"ok": False, "message": exc.message},
                      status=exc.status)
    return render(request, "command/_action_result.html",
                  {"ok": True, "message": _("Urged: the responsible people have been texted.")})


@login_required
@require_POST
def overdue_call(request: HttpRequest, event_id: int) -> HttpResponse:
    """一键拨号 from the overdue list: the event's `call` action (logged); answers with the tel: link,
    or, to someone who may not see the number, with the call-back request the platform sent."""
    event = access_event_for_user(request.user, event_id)
    person_id = request.POST.get("person_id")
    try:
        extra = event_actions.perform(event=event, actor=request.user, action="call",
                                      data={"person_id": person_id, "note": request.POST.get("note") or ""})
    except DomainError as exc:
        return render(request, "command/_action_result.html", {"ok": False, "message": exc.message},
                      status=exc.status)
    name = next((p["name"] for p in _callable_people(event) if str(p["id"]) == str(person_id)), "")
    # Only those who may see the number get a tel: link; the others' call went out as a text
    # asking the callee to call them back.
    return render(request, "command/_action_result.html",
                  {"ok": True, "tel": extra.get("tel", ""), "name": name,
                   "message": extra.get("call_request") or _("Call logged.")})


# ---------------------------------------------------------------------------------- drill down


@login_required
@require_GET
def cohort(request: HttpRequest) -> HttpResponse:
    """The events behind a number: the cohort of the region and span, narrowed to a measure."""
    from fengqiao.events.presenters import event_rows

    if (early := _not_for_liaison(request)) is not None:
        return early
    region = region_from(request)
    try:
        period = period_from(request)
        filters = filters_from(request)
        count = request.GET.get("count") or None
        qs = q.cohort_events(user=request.user, region=region, start=period.current.start,
                             end=period.current.end, measure=count, **filters)
    except DomainError as exc:
        return _error_page(request, exc, "command/events.html", {"region": region})
    page = Paginator(qs.select_related("village", "town", "category__parent"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    params = {**_span_params(period), **filters}
    return render(request, "command/events.html", {
        "region": region, "period": period, "page": page, "rows": event_rows(page.object_list, clock.now()),
        "query": query.urlencode(), "count": count, "count_label": measure_label(count) if count in MEASURE_NAMES else "",
        "crumbs": breadcrumbs(request.user, region, params),
        "counts": [(n, measure_label(n)) for n in ("received", "resolved", "open_overdue", "overdue",
                                                      "resolved_late", "extended", "reworked", "called_back")],
        "base_query": _query(**params, region=region.code),
        "list_url": reverse("event_list") + "?" + _query(region=region.code,
                                                         created_from=period.current.start.isoformat(),
                                                         created_to=period.current.end.isoformat()),
    })


# ------------------------------------------------------------------------------------ campaigns


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = q.visible_campaigns(request.user)
    return render(request, "command/campaigns.html", {
        "campaigns": campaigns, "may_create": perms.may_run_campaigns(request.user), "today": clock.local_date(),
    })


def _campaign_context(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = Campaign.objects.select_related("region", "category").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("no such campaign")
    region = q.campaign_region_for(request.user, campaign)
    total = q.measures_for(user=request.user, region=region, campaign=campaign)
    level = child_level(region)
    tables = []
    if level is not None:
        for measure in ("resolution_rate", "called_back", "satisfaction_rate"):
            rows = q.ranking(user=request.user, region=region, level=level, measure=measure, campaign=campaign)
            tables.append({"measure": measure, "label": measure_label(measure), "rows": rows})
    return {
        "campaign": campaign, "region": region, "total": total, "level": level,
        "level_label": _level_label(level) if level else "",
        "figures": [(measure_label(n), display(total, n)) for n in
                    ("received", "resolved", "resolution_rate", "called_back", "satisfaction_rate",
                     "open_overdue", "overdue_rate")],
        "tables": tables, "updated": clock.now(),
        "events_url": reverse("command_events") + "?" + _query(
            region=region.code, period="custom", start=campaign.start.isoformat(), end=campaign.end.isoformat(),
            category=campaign.category.code if campaign.category else None, source=campaign.source or None),
    }


@login_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """专项行动: resolution and call-backs ranked within the campaign, refreshed live (htmx)."""
    context = _campaign_context(request, campaign_id)
    template = "command/_campaign_live.html" if request.headers.get("HX-Request") == "true" else "command/campaign.html"
    return render(request, template, context)


# ----------------------------------------------------------------------------------- big screen


def _screen_context(request: HttpRequest) -> dict[str, Any]:
    region = region_from(request)
    today = q.Span.today()
    previous, month = q.pair(DEFAULT_PERIOD)  # the last 30 days, as the dashboard's default
    comparison = q.compare(user=request.user, region=region, a=previous, b=month)
    today_m = q.measures_for(user=request.user, region=region, start=today.start, end=today.end)
    period = Period(DEFAULT_PERIOD, month, previous)
    spread = spread_context(request.user, region, period, "resolution_rate", {"category": None, "source": None},
                            {"period": DEFAULT_PERIOD})
    overdue_now = q.overdue_count(user=request.user, region=region)
    ranked = []
    if spread["level"]:
        ranked = [r for r in q.ranking(user=request.user, region=region, level=spread["level"], measure="score",
                                       start=month.start, end=month.end) if r.rank is not None]
    latest = visible_events(request.user).filter(**region.subtree_kwargs(self_field="region_id")).select_related(
        "village", "town", "category").order_by("-created_at", "-id")[:8]
    return {
        "region": region, "today": today_m, "month": comparison.current,
        "cards": [
            {"label": _("Received today"), "display": str(today_m.received), "name": "today_received",
             "caption": _("events received today")},
            {"label": _("Resolved today"), "display": str(today_m.resolved), "name": "today_resolved",
             "caption": _("of those received today, resolved now")},
            *[c for c in cards(comparison, overdue_now) if c["name"] in (
                "received", "resolution_rate", "overdue_rate", "satisfaction_rate", "open_overdue", OVERDUE_NOW)],
        ],
        "span": month,
        "spread": spread, "line": trend(request.user, region, month, {"category": None, "source": None}),
        "latest": latest, "updated": clock.now(), "tiles": map_tiles(),
        "top": ranked[:5], "bottom": list(reversed(ranked[5:]))[:5],
        "rank_title": _("%(level)s by composite score") % {"level": spread.get("level_label", "")},
    }


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    """大屏: the county at a glance, dark, refreshing itself every minute (htmx polling)."""
    if (early := _not_for_liaison(request)) is not None:
        return early
    context = _screen_context(request)
    template = "command/_screen_live.html" if request.headers.get("HX-Request") == "true" else "command/screen.html"
    return render(request, template, context)
