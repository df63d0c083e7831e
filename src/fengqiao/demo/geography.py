"""Synthetic outlines for the demo county, so the maps and the point lookup are real.

No survey data ships with the platform, so the demo draws a plausible county around Xianyou's
seat (25.36° N, 118.69° E): a lobed outline of about 1,800 km², cut into its towns, each town into
its villages and each village into its grids by Voronoi cells around well-spread seeds (two
Lloyd steps make the cells compact). Towns and villages in code order get seeds from west to
east, so neighbours in code are roughly neighbours on the map. The grid cells go through the one
shape importer (`regions.shapes.import_shapes`) as a GeoJSON FeatureCollection; villages, towns and
the county get the union of their children.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

from fengqiao.regions.models import Level, Region, RegionShape
from fengqiao.regions.shapes import ShapeReport, import_shapes

SEAT = (118.69, 25.36)  # lng, lat of the county seat
HALF_WIDTH = 0.27  # degrees of longitude
HALF_HEIGHT = 0.20  # degrees of latitude


def county_outline(rng: random.Random) -> Polygon:
    phase = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    for k in range(180):
        t = 2 * math.pi * k / 180
        r = 1 + 0.12 * math.sin(3 * t + phase[0]) + 0.07 * math.cos(5 * t + phase[1]) + 0.04 * math.sin(
            8 * t + phase[2]
        )
        points.append((SEAT[0] + HALF_WIDTH * r * math.cos(t), SEAT[1] + HALF_HEIGHT * r * math.sin(t)))
    return Polygon(points)


def _seeds(area, n: int, rng: random.Random) -> np.ndarray:
    """n well-spread points inside `area` (best of several candidates, farthest from the rest)."""
    minx, miny, maxx, maxy = area.bounds
    chosen: list[tuple[float, float]] = []
    shapely.prepare(area)
    while len(chosen) < n:
        candidates: list[tuple[float, float]] = []
        while len(candidates) < 12:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(area, x, y):
                candidates.append((x, y))
        if not chosen:
            chosen.append(candidates[0])
            continue
        arr = np.array(chosen)
        best = max(candidates, key=lambda c: float(np.min((arr[:, 0] - c[0]) ** 2 + (arr[:, 1] - c[1]) ** 2)))
        chosen.append(best)
    return np.array(sorted(chosen))  # west to east


def partition(area, n: int, rng: random.Random) -> list[Any]:
    """Cut `area` into n compact cells, ordered west to east."""
    if n == 1:
        return [area]
    seeds = _seeds(area, n, rng)
    for _ in range(2):  # Lloyd relaxation
        cells = _cells(area, seeds)
        seeds = np.array([[c.centroid.x, c.centroid.y] if not c.is_empty else s
                          for c, s in zip(cells, seeds, strict=True)])
    cells = _cells(area, seeds)
    order = np.argsort(seeds[:, 0])
    return [cells[i] for i in order]


def _cells(area, seeds: np.ndarray) -> list[Any]:
    points = shapely.multipoints(seeds)
    regions = shapely.voronoi_polygons(points, extend_to=area.envelope.buffer(0.1))
    by_seed: list[Any] = [Polygon()] * len(seeds)
    for cell in regions.geoms:
        inside = shapely.contains_xy(cell, seeds[:, 0], seeds[:, 1])
        hit = np.flatnonzero(inside)
        if hit.size:
            by_seed[int(hit[0])] = cell.intersection(area)
    return by_seed


def grid_features(*, county: Region, rng: random.Random) -> dict[str, Any]:
    """A FeatureCollection of every grid of the county, cut from a synthetic outline."""
    outline = county_outline(rng)
    towns = list(Region.objects.filter(level=Level.TOWN, county=county, retired_at=None).order_by("code"))
    villages = list(Region.objects.filter(level=Level.VILLAGE, county=county, retired_at=None).order_by("code"))
    grids = list(Region.objects.filter(level=Level.GRID, county=county, retired_at=None).order_by("code"))
    villages_of: dict[int, list[Region]] = {}
    for v in villages:
        if v.town_id is not None:  # a village always lies in a town
            villages_of.setdefault(v.town_id, []).append(v)
    grids_of: dict[int, list[Region]] = {}
    for g in grids:
        if g.village_id is not None:  # a grid always lies in a village
            grids_of.setdefault(g.village_id, []).append(g)
    features = []
    for town, town_cell in zip(towns, partition(outline, len(towns), rng), strict=True):
        its_villages = villages_of.get(town.id, [])
        if not its_villages:
            continue
        for village, village_cell in zip(
            its_villages, partition(town_cell, len(its_villages), rng), strict=True
        ):
            its_grids = grids_of.get(village.id, [])
            for grid, grid_cell in zip(its_grids, partition(village_cell, len(its_grids), rng), strict=True):
                geom = shapely.set_precision(grid_cell, 1e-7)
                if geom.is_empty:
                    continue
                features.append({
                    "type": "Feature",
                    "geometry": mapping(geom),
                    "properties": {"code": grid.code, "name": grid.name, "village": village.code},
                })
    return {"type": "FeatureCollection", "features": features}


def create_shapes(*, county: Region, rng: random.Random) -> ShapeReport:
    """Draw the county and import its grid cells through the shape importer."""
    collection = grid_features(county=county, rng=rng)
    return import_shapes(collection, within=county, origin=RegionShape.Origin.SYNTHETIC)
