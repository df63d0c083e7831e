"""Command centre over JSON: `/api/v1/stats/...`, each also as `.xlsx` with the same numbers.

Query parameters (all optional unless said): `region` (a region code; default the user's highest
region), `start`/`end` (YYYY-MM-DD registration days, both included; default this month so far),
`category` (a category code, sub-categories included), `source`, `campaign` (an id: its span,
region and filters apply). Bad parameters answer 400 `{"code","message"}`; a user without a
regional post (`command.permissions.may_view_command`) 403, as on the pages; a region or
campaign outside the user's scope answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from fengqiao.command import exports, queries
from fengqiao.command.models import Campaign
from fengqiao.command.permissions import require_command_view
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_INT, MAX_LIMIT, bounded

router = Router(tags=["command"])


# ------------------------------------------------------------------ the query, in the OpenAPI


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_DATE = {"type": "string", "format": "date"}
_CODE = {"type": "string", "maxLength": 32}
REGION = _param("region", _CODE, "A region code (default: the user's highest region)")
COHORT = [
    REGION,
    _param("start", _DATE, "First registration day, YYYY-MM-DD (with end; default: this month)"),
    _param("end", _DATE, "Last registration day, YYYY-MM-DD, included (with start)"),
    _param("category", _CODE, "A category code; sub-categories included"),
    _param("source", _CODE, "A source (walk_in, hotline_12345 …)"),
    _param("campaign", {"type": "integer", "minimum": 1, "maximum": MAX_INT},
           "A campaign id: its span, region and filters apply"),
]
LEVEL = _param("level", {"type": "string", "enum": list(queries.SPREAD_LEVELS)}, "Rows by town or by village")
COMPARE = [
    REGION,
    _param("period", {"type": "string", "enum": list(queries.PAIRS)},
           "Compare this day, week, month or year with the one before; or give a_start … b_end"),
    _param("today", _DATE, "The day the period ends (default: today)"),
    *[_param(n, _DATE, "Span a (earlier) / b (later), YYYY-MM-DD") for n in ("a_start", "a_end", "b_start", "b_end")],
    _param("category", _CODE, "A category code; sub-categories included"),
    _param("source", _CODE, "A source"),
]
RANKING = [*COHORT, LEVEL,
           _param("measure", {"type": "string", "maxLength": 40}, "The measure to rank by (default resolution_rate)"),
           _param("min_denominator", {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                  "Leave out rows whose rate rests on fewer events")]
OVERDUE = [REGION, _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "At most this many (default 50)"),
           _param("category", _CODE, "A category code"), _param("source", _CODE, "A source")]
CAMPAIGN = [REGION, LEVEL]


def _query(params: list[dict[str, Any]]) -> dict[str, Any]:
    return {"parameters": params}


def _date(value: str | None, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(_("“%(f)s” must be a date like 2026-03-01.") % {"f": name}, field=name) from None


def _int(value: str | None, name: str, low: int = 1, high: int = MAX_INT) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidInput(_("“%(f)s” must be a number.") % {"f": name}, field=name) from None
    return bounded(name, number, low, high)


def _region(request: HttpRequest, code: str | None):
    if code:
        return code
    home = queries.home_region(request.user)
    if home is None:
        raise Http404("no region")
    return home


def _span_params(p: dict[str, Any]) -> tuple[dt.date, dt.date]:
    start, end = _date(p.get("start"), "start"), _date(p.get("end"), "end")
    if start is None and end is None:
        span = queries.Span.this_month()
        return span.start, span.end
    if start is None or end is None:
        raise InvalidInput(_("Give both start and end, or neither."), field="start" if start is None else "end")
    return start, end


def _frame_kwargs(request: HttpRequest) -> dict[str, Any]:
    require_command_view(request.user)
    p = request.GET
    campaign = _int(p.get("campaign"), "campaign")
    if campaign is not None:
        return {"region": p.get("region") or None, "campaign": campaign}
    start, end = _span_params(p)
    return {"region": _region(request, p.get("region")), "start": start, "end": end,
            "category": p.get("category") or None, "source": p.get("source") or None}


def _measures(request: HttpRequest):
    kw = _frame_kwargs(request)
    frame = queries.frame(user=request.user, **kw)
    m = queries.measures_for(user=request.user, **kw)
    return frame, m


@router.get("/stats/measures", summary="Every count, rate and the composite score of a cohort",
            openapi_extra=_query(COHORT))
def stats_measures(request: HttpRequest):
    frame, m = _measures(request)
    return {"query": frame.as_dict(), **m.as_dict()}


@router.get("/stats/measures.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(COHORT))
def stats_measures_xlsx(request: HttpRequest):
    frame, m = _measures(request)
    return exports.measures_xlsx(frame, m)


def _compare(request: HttpRequest):
    require_command_view(request.user)
    p = request.GET
    region = _region(request, p.get("region"))
    period = p.get("period") or ""
    if period:
        today = _date(p.get("today"), "today")
        a, b = queries.pair(period, today)
    else:
        names = ("a_start", "a_end", "b_start", "b_end")
        a_start, a_end, b_start, b_end = (_date(p.get(n), n) for n in names)
        if a_start is None or a_end is None or b_start is None or b_end is None:
            raise InvalidInput(_("Give period=day|week|month|year, or a_start, a_end, b_start and b_end."),
                               field="period")
        a, b = queries.Span(a_start, a_end), queries.Span(b_start, b_end)
    filters: queries.FilterParams = {"category": p.get("category") or None, "source": p.get("source") or None}
    c = queries.compare(user=request.user, region=region, a=a, b=b, **filters)
    frame = queries.frame(user=request.user, region=region, start=b.start, end=b.end, **filters)
    return frame, c


@router.get("/stats/compare", summary="Current span against the previous one (环比) and a year earlier (同比)",
            openapi_extra=_query(COMPARE))
def stats_compare(request: HttpRequest):
    frame, c = _compare(request)
    return {"query": frame.as_dict(), **c.as_dict()}


@router.get("/stats/compare.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(COMPARE))
def stats_compare_xlsx(request: HttpRequest):
    frame, c = _compare(request)
    return exports.comparison_xlsx(frame, c)


def _level(request: HttpRequest, default: str = "town") -> str:
    return request.GET.get("level") or default


def _spread(request: HttpRequest):
    kw = _frame_kwargs(request)
    frame = queries.frame(user=request.user, **kw)
    rows = queries.spread(user=request.user, level=_level(request), **kw)
    return frame, rows


@router.get("/stats/spread", summary="Counts and rates for each town or village under the region",
            openapi_extra=_query([*COHORT, LEVEL]))
def stats_spread(request: HttpRequest):
    frame, rows = _spread(request)
    return {"query": frame.as_dict(), "level": _level(request), "rows": [r.as_dict() for r in rows]}


@router.get("/stats/spread.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query([*COHORT, LEVEL]))
def stats_spread_xlsx(request: HttpRequest):
    frame, rows = _spread(request)
    return exports.rows_xlsx(frame, rows)


def _ranking(request: HttpRequest):
    kw = _frame_kwargs(request)
    frame = queries.frame(user=request.user, **kw)
    measure = request.GET.get("measure") or "resolution_rate"
    rows = queries.ranking(user=request.user, level=_level(request, "village"), measure=measure,
                           min_denominator=_int(request.GET.get("min_denominator"), "min_denominator", 0, 1_000_000),
                           **kw)
    return frame, measure, rows


@router.get("/stats/ranking", summary="Every town or village ranked by a measure (1, 2, 2, 4)",
            openapi_extra=_query(RANKING))
def stats_ranking(request: HttpRequest):
    frame, measure, rows = _ranking(request)
    return {"query": frame.as_dict(), "level": _level(request, "village"), "measure": measure,
            "rows": [r.as_dict() for r in rows]}


@router.get("/stats/ranking.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(RANKING))
def stats_ranking_xlsx(request: HttpRequest):
    frame, measure, rows = _ranking(request)
    return exports.ranking_xlsx(frame, measure, rows)


def _overdue_where(request: HttpRequest) -> dict[str, Any]:
    require_command_view(request.user)
    p = request.GET
    return {"user": request.user, "region": _region(request, p.get("region")),
            "category": p.get("category") or None, "source": p.get("source") or None}


def _overdue(request: HttpRequest):
    limit = _int(request.GET.get("limit"), "limit", 1, MAX_LIMIT) or 50
    return queries.overdue_items(limit=limit, **_overdue_where(request))


@router.get("/stats/overdue", summary="Open events past their deadline now (当前超期): how many, and the "
            "longest overdue first", openapi_extra=_query(OVERDUE))
def stats_overdue(request: HttpRequest):
    where = _overdue_where(request)
    moment = clock.now()
    limit = _int(request.GET.get("limit"), "limit", 1, MAX_LIMIT) or 50
    # `count` is every one of them (the dashboard's 当前超期, the worklist's 已逾期); `items` the
    # first `limit`, at the same moment.
    return {"count": queries.overdue_count(now=moment, **where),
            "items": [i.as_dict() for i in queries.overdue_items(limit=limit, now=moment, **where)]}


@router.get("/stats/overdue.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(OVERDUE))
def stats_overdue_xlsx(request: HttpRequest):
    return exports.overdue_xlsx(_overdue(request))


@router.get("/stats/campaigns", summary="Campaigns (专项行动) the user can look at")
def stats_campaigns(request: HttpRequest):
    require_command_view(request.user)
    return {"items": [
        {"id": c.pk, "name": c.name, "start": c.start.isoformat(), "end": c.end.isoformat(),
         "region": c.region.code, "category": c.category.code if c.category else None,
         "source": c.source or None, "active": c.active}
        for c in queries.visible_campaigns(request.user)
    ]}


def _campaign(request: HttpRequest, campaign_id: int):
    require_command_view(request.user)
    c = Campaign.objects.filter(pk=campaign_id).select_related("region", "category").first()
    if c is None:
        raise Http404("no such campaign")
    region = request.GET.get("region") or queries.campaign_region_for(request.user, c)
    frame = queries.frame(user=request.user, region=region, campaign=c)
    m = queries.measures_for(user=request.user, region=region, campaign=c)
    level = request.GET.get("level") or ("village" if frame.region.level == "town" else "town")
    rankings = {}
    if frame.region.level in {"province", "city", "county", "town"}:
        for measure in ("resolution_rate", "called_back"):
            rankings[measure] = queries.ranking(user=request.user, region=region, campaign=c,
                                                level=level, measure=measure)
    return c, frame, m, level, rankings


@router.get("/stats/campaigns/{int:campaign_id}", summary="A campaign's measures and its rankings by resolution and call-backs",
            openapi_extra=_query(CAMPAIGN))
def stats_campaign(request: HttpRequest, campaign_id: int):
    c, frame, m, level, rankings = _campaign(request, campaign_id)
    return {"campaign": {"id": c.pk, "name": c.name, "notes": c.notes, "active": c.active},
            "query": frame.as_dict(), **m.as_dict(), "level": level,
            "rankings": {k: [r.as_dict() for r in rows] for k, rows in rankings.items()}}


@router.get("/stats/campaigns/{int:campaign_id}.xlsx", summary="The campaign's ranking as a spreadsheet",
            openapi_extra=_query(CAMPAIGN))
def stats_campaign_xlsx(request: HttpRequest, campaign_id: int):
    c, frame, m, level, rankings = _campaign(request, campaign_id)
    rows = rankings.get("resolution_rate", [])
    return exports.ranking_xlsx(frame, "resolution_rate", rows, filename=f"campaign-{c.pk}.xlsx")


# ------------------------------------------------------------------- the figure panels
# 代办, 三源, 信访 (and 调解): the same objects the /command/<panel>/ pages lay out. Spans: start/end
# (default this month; petitions this year), the baseline a_start/a_end (default as many days
# just before; a year earlier always comes with it).

FIGURE = [
    REGION,
    _param("start", _DATE, "First day, YYYY-MM-DD (with end; default: this month)"),
    _param("end", _DATE, "Last day, YYYY-MM-DD, included (with start)"),
    _param("a_start", _DATE, "The span to compare with, first day (with a_end; default: as many days just before)"),
    _param("a_end", _DATE, "The span to compare with, last day"),
]
FIGURE_LIMIT = [*FIGURE, _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                                "At most this many rows in each ranking (default 50)")]


def _figure_kwargs(request: HttpRequest, *, default: str = "month") -> dict[str, Any]:
    require_command_view(request.user)
    p = request.GET
    start, end = _date(p.get("start"), "start"), _date(p.get("end"), "end")
    if start is None and end is None:
        _before, span = queries.pair(default)
        start, end = span.start, span.end
    elif start is None or end is None:
        raise InvalidInput(_("Give both start and end, or neither."), field="start" if start is None else "end")
    a_start, a_end = _date(p.get("a_start"), "a_start"), _date(p.get("a_end"), "a_end")
    previous = None
    if a_start is not None or a_end is not None:
        if a_start is None or a_end is None:
            raise InvalidInput(_("Give both dates of the span to compare with, or neither."), field="a_start")
        previous = queries.Span(a_start, a_end)
    return {"user": request.user, "region": _region(request, p.get("region")), "start": start, "end": end,
            "previous": previous}


def _proxy(request: HttpRequest):
    from fengqiao.command.figures_proxy import proxy_figures

    limit = _int(request.GET.get("limit"), "limit", 1, MAX_LIMIT) or 50
    return proxy_figures(limit=limit, **_figure_kwargs(request))


@router.get("/stats/proxy", summary="Proxy service (代办): agencies, coverage, agents, matters; ranked",
            openapi_extra=_query(FIGURE_LIMIT))
def stats_proxy(request: HttpRequest):
    return _proxy(request).as_dict()


@router.get("/stats/proxy.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(FIGURE_LIMIT))
def stats_proxy_xlsx(request: HttpRequest):
    return exports.proxy_xlsx(_proxy(request))


def _sources(request: HttpRequest):
    from fengqiao.command.figures_sources import sources_figures

    return sources_figures(**_figure_kwargs(request))


@router.get("/stats/sources", summary="The three sources (警源、诉源、访源) across events, mediation cases and petitions",
            openapi_extra=_query(FIGURE))
def stats_sources(request: HttpRequest):
    return _sources(request).as_dict()


@router.get("/stats/sources.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(FIGURE))
def stats_sources_xlsx(request: HttpRequest):
    return exports.sources_xlsx(_sources(request))


def _petitions(request: HttpRequest):
    from fengqiao.command.figures_petitions import petition_figures

    return petition_figures(**_figure_kwargs(request, default="year"))


@router.get("/stats/petitions", summary="Petitions: first-time year on year, settled in the village in a week, "
            "backlog settled, the 清零 column by 四个一批", openapi_extra=_query(FIGURE))
def stats_petitions(request: HttpRequest):
    return _petitions(request).as_dict()


@router.get("/stats/petitions.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(FIGURE))
def stats_petitions_xlsx(request: HttpRequest):
    return exports.petitions_xlsx(_petitions(request))


def _mediation(request: HttpRequest):
    from fengqiao.command.figures_mediation import mediation_figures

    return mediation_figures(measure=request.GET.get("measure") or "success_rate",
                             **_figure_kwargs(request, default="year"))


MEDIATION = [*FIGURE, _param("measure", {"type": "string", "enum": ["success_rate", "cases", "performance_rate",
                                                                   "average_days"]},
                             "Rank each table by this (default success_rate)")]


@router.get("/stats/mediation", summary="Mediation: cases, success rate, average days, performance rate — per "
            "mediator, room, kind, committee and department", openapi_extra=_query(MEDIATION))
def stats_mediation(request: HttpRequest):
    return _mediation(request).as_dict()


@router.get("/stats/mediation.xlsx", summary="The same, as a spreadsheet", openapi_extra=_query(MEDIATION))
def stats_mediation_xlsx(request: HttpRequest):
    return exports.mediation_xlsx(_mediation(request))
