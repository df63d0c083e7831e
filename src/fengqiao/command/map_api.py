"""The events as points on the command centre's maps: `GET /api/v1/stats/points`.

The maps draw them at village zoom, inside the view: the same cohort as the dashboard's numbers
(`queries.cohort_events`: region, span, category, source, campaign — and the user's scope), only
events that carry a location, at most `limit` of them (the newest first; `total` and
`truncated` say how many the view holds). Each point carries what its popup shows and nothing
personal: the code, the title's category, the state, whether it is overdue, the village.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from fengqiao.command import queries
from fengqiao.command.api import COHORT, _frame_kwargs, _int, _param, _query
from fengqiao.events.models import OPEN_STATUSES, Status
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput

router = Router(tags=["command"])

DEFAULT_LIMIT = 2000
MAX_POINTS = 5000

POINTS = [*COHORT,
          _param("bbox", {"type": "string", "maxLength": 100},
                 "Only inside this box: min_lng,min_lat,max_lng,max_lat"),
          _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
                 f"At most this many points (default {DEFAULT_LIMIT})")]


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = value.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not (-180 <= numbers[0] <= numbers[2] <= 180 and -90 <= numbers[1] <= numbers[3] <= 90):
        raise InvalidInput(_("bbox: give min_lng,min_lat,max_lng,max_lat."), field="bbox")
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _state(status: str, overdue: bool) -> str:
    if overdue:
        return "overdue"
    return "open" if status in OPEN_STATUSES else "done"


@router.get("/stats/points", summary="The events of a cohort as map points (GeoJSON)", url_name="stats_points",
            openapi_extra=_query(POINTS))
def points(request: HttpRequest) -> dict[str, Any]:
    kw = _frame_kwargs(request)
    limit = _int(request.GET.get("limit"), "limit", 1, MAX_POINTS) or DEFAULT_LIMIT
    box = _bbox(request.GET.get("bbox"))
    qs = (queries.cohort_events(user=request.user, **kw)
          .filter(latitude__isnull=False, longitude__isnull=False)
          .exclude(status__in=[Status.MERGED, Status.REFUSED]))
    if box is not None:
        qs = qs.filter(longitude__gte=box[0], latitude__gte=box[1], longitude__lte=box[2], latitude__lte=box[3])
    total = qs.count()
    now = clock.now()
    rows = (qs.values("pk", "code", "status", "deadline", "resolved_late", "latitude", "longitude",
                    "category__name", "village__name")[:limit])
    labels = dict(Status.choices)
    features = []
    for r in rows:
        open_now = r["status"] in OPEN_STATUSES
        overdue = bool(r["resolved_late"]) or (open_now and r["deadline"] is not None and r["deadline"] < now)
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
                         "properties": {"id": r["pk"], "code": r["code"], "state": _state(r["status"], overdue),
                                        "status": str(labels.get(r["status"], r["status"])),
                                        "category": r["category__name"] or "", "village": r["village__name"] or "",
                                        "url": reverse("event_detail", args=[r["pk"]])}})
    return {"type": "FeatureCollection", "features": features, "total": total,
            "truncated": total > len(features)}
