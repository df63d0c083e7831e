"""The command centre's figure pages beside the events' dashboard: proxy agencies (代办), the three
sources (三源), mediation (调解) and petitions (信访) — each with its period compared, its
rankings and its Excel export. Every number comes from the `figures_*` modules, which the
/api/v1/stats endpoints answer from too; views pick the region and the spans and lay them out.
Outside the user's scope: 404 (from `queries.check_region`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fengqiao.command import exports
from fengqiao.command import permissions as perms
from fengqiao.command import views as v
from fengqiao.command.figures_mediation import DIMENSIONS, RANK_BY, mediation_figures
from fengqiao.command.figures_petitions import petition_figures
from fengqiao.command.figures_proxy import proxy_figures
from fengqiao.command.figures_sources import sources_figures
from fengqiao.lib.errors import DomainError

FIGURE_PERIODS = [
    ("30d", gettext_lazy("Last 30 days")),
    ("day", gettext_lazy("Yesterday / today")),
    ("week", gettext_lazy("Last week / this week")),
    ("month", gettext_lazy("Last month / this month")),
    ("year", gettext_lazy("Last year / this year")),
    ("custom", gettext_lazy("Any span")),
]
RANK_LIMIT = 50  # rows of each ranking on a page (the export has them all)


def _figure_page(request: HttpRequest, template: str, build: Callable[..., Any], *, default: str = "month",
                 extra: Callable[[Any], dict[str, Any]] | None = None) -> HttpResponse:
    if (early := v._not_for_liaison(request)) is not None:
        return early
    region = v.region_from(request)
    base: dict[str, Any] = {"periods": FIGURE_PERIODS, "region": region, "get": request.GET,
                            "crumbs": v.breadcrumbs(request.user, region, {})}
    try:
        period = v.period_from(request, default)
        figures = build(user=request.user, region=region, start=period.current.start, end=period.current.end,
                        previous=period.previous)
    except DomainError as exc:
        return v._error_page(request, exc, template, base)
    params = v._query(**v._span_params(period), region=region.code)
    context = {**base, "period": period, "f": figures, "params": params,
               "span_query": v._query(**v._span_params(period))}
    if extra is not None:
        context.update(extra(figures))
    return render(request, template, context)


def _figure_export(request: HttpRequest, build: Callable[..., Any], write: Callable[[Any], HttpResponse],
                   *, default: str = "month") -> HttpResponse:
    perms.require_command_view(request.user)
    region = v.region_from(request)
    try:
        period = v.period_from(request, default)
        figures = build(user=request.user, region=region, start=period.current.start, end=period.current.end,
                        previous=period.previous)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return write(figures)


# ----------------------------------------------------------------------------------- 代办


def _proxy(limit: int) -> Callable[..., Any]:
    def build(**kw: Any):
        return proxy_figures(limit=limit, **kw)
    return build


@login_required
@require_GET
def proxy_page(request: HttpRequest) -> HttpResponse:
    """代办: agencies, coverage, agents and matters; by place; agencies and agents ranked."""
    return _figure_page(request, "command/proxy.html", _proxy(RANK_LIMIT))


@login_required
@require_GET
def proxy_export(request: HttpRequest) -> HttpResponse:
    return _figure_export(request, _proxy(1000), exports.proxy_xlsx)


# ----------------------------------------------------------------------------------- 三源


@login_required
@require_GET
def sources_page(request: HttpRequest) -> HttpResponse:
    """三源: disputes by source across events, mediation cases and petitions; two periods; a chart."""
    return _figure_page(request, "command/sources.html", sources_figures,
                        extra=lambda f: {"chart": f.chart(), "place_chart": f.place_chart()})


@login_required
@require_GET
def sources_export(request: HttpRequest) -> HttpResponse:
    return _figure_export(request, sources_figures, exports.sources_xlsx)


# ----------------------------------------------------------------------------------- 信访


@login_required
@require_GET
def petitions_page(request: HttpRequest) -> HttpResponse:
    """信访: first-time petitions year on year, settled in the village in a week, backlog settled,
    and the 清零 column by 四个一批."""
    return _figure_page(request, "command/petitions.html", petition_figures, default="year",
                        extra=lambda f: {"campaign_chart": f.campaign_chart()})


@login_required
@require_GET
def petitions_export(request: HttpRequest) -> HttpResponse:
    return _figure_export(request, petition_figures, exports.petitions_xlsx, default="year")


# ----------------------------------------------------------------------------------- 调解

RANK_LABELS = {"success_rate": gettext_lazy("Success rate"), "cases": gettext_lazy("Cases"),
               "performance_rate": gettext_lazy("Performance rate"), "average_days": gettext_lazy("Average days")}


def _mediation(request: HttpRequest) -> Callable[..., Any]:
    measure = request.GET.get("measure") or "success_rate"

    def build(**kw: Any):
        return mediation_figures(measure=measure, **kw)
    return build


@login_required
@require_GET
def mediation_page(request: HttpRequest) -> HttpResponse:
    """调解: cases, success rate, average days and performance rate — in total and per mediator,
    room, kind, committee and department, ranked; against another span and a year earlier."""
    return _figure_page(request, "command/mediation.html", _mediation(request), default="year", extra=lambda f: {
        "tables": [{"key": k, "label": DIMENSIONS[k], "rows": f.tables.get(k, [])} for k in DIMENSIONS],
        "rank_by": [(k, RANK_LABELS[k]) for k in RANK_BY]})


@login_required
@require_GET
def mediation_export(request: HttpRequest) -> HttpResponse:
    return _figure_export(request, _mediation(request), exports.mediation_xlsx, default="year")
