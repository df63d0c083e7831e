"""Is the phone inside the place's outline?

The point goes through the platform's one point lookup (`regions.geo.region_at`: the grid or
village whose shape covers it, border included): it is inside when the place (the plan's village
or town) is that region or one of its ancestors. Outside, the distance to the place's own outline
(`RegionShape`) is measured in metres on a local flat approximation (good to a few metres at a
county's scale). A place with no outline anywhere below it cannot be checked (`no_outline`) and a
check-in without a position is `no_fix`; neither counts as a stay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from fengqiao.regions import geo
from fengqiao.regions.models import Level, Region, RegionShape
from fengqiao.stationing.models import Check

M_PER_DEGREE_LAT = 110_574.0
M_PER_DEGREE_LNG_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Fix:
    check: str
    distance: int | None  # metres outside the outline, when outside and measurable
    found: Region | None  # the grid or village the point lies in, if any


def _has_outline(place: Region) -> bool:
    if RegionShape.objects.filter(region=place).exists():
        return True
    return RegionShape.objects.filter(level__in=[Level.GRID, Level.VILLAGE],
                                      **place.subtree_kwargs(self_field="region_id")).exists()


def distance_m(place: Region, latitude: float, longitude: float) -> int | None:
    shape = RegionShape.objects.filter(region=place).first()
    if shape is None:
        return None
    geom = shape.geometry()
    scale_x = M_PER_DEGREE_LNG_EQUATOR * math.cos(math.radians(latitude))

    def to_metres(coords):
        out = coords.copy()
        out[:, 0] = (coords[:, 0] - longitude) * scale_x
        out[:, 1] = (coords[:, 1] - latitude) * M_PER_DEGREE_LAT
        return out

    flat = shapely.transform(geom, to_metres)
    return int(round(shapely.distance(flat, shapely.Point(0.0, 0.0))))


def check_point(place: Region, latitude: float | None, longitude: float | None) -> Fix:
    if latitude is None or longitude is None:
        return Fix(Check.NO_FIX, None, None)
    found = geo.region_at(latitude, longitude)
    if found is not None and place.is_ancestor_of(found):
        return Fix(Check.INSIDE, None, found)
    if not _has_outline(place):
        return Fix(Check.NO_OUTLINE, None, found)
    return Fix(Check.OUTSIDE, distance_m(place, latitude, longitude), found)
