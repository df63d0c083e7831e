"""Map → place: which grid (or village) holds a point, and the shapes the maps draw.

The point lookup keeps one STRtree per process over the leaf shapes — every grid polygon, and the
village polygons of villages that have no grid shapes — with the shapes prepared for fast
predicates. A point is *in* a shape when the shape covers it (its border included), so a point
on the line between two grids is inside both; the tie is broken by the lower region code, so
the answer never depends on the order the shapes were loaded in. A point outside every shape
gives None and the caller falls back to the address.

The index is rebuilt when the shapes change: a version (row count and latest `updated_at` of
`RegionShape`) is read at most every `CHECK_SECONDS` per process, and `invalidate()` forces it
(the importer calls it). Batch callers (imports, the bench) pay nothing per point for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import mapping

from fengqiao.regions.models import Level, Region, RegionShape

CHECK_SECONDS = 2.0


@dataclass
class _Index:
    version: tuple
    tree: shapely.STRtree
    geoms: np.ndarray
    region_ids: np.ndarray  # aligned with geoms
    codes: list[str]
    levels: list[str]


_lock = threading.Lock()
_index: _Index | None = None
_checked_at = 0.0


def _version() -> tuple:
    row = RegionShape.objects.filter(level__in=[Level.GRID, Level.VILLAGE]).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    return (row["n"], row["last"])


def _build(version: tuple) -> _Index:
    rows = list(
        RegionShape.objects.filter(level__in=[Level.GRID, Level.VILLAGE], region__retired_at=None)
        .values_list("region_id", "region__code", "level", "wkb", "region__village_id")
    )
    villages_with_grids = {vid for _rid, _code, level, _wkb, vid in rows if level == Level.GRID}
    kept = [r for r in rows if r[2] == Level.GRID or r[0] not in villages_with_grids]
    kept.sort(key=lambda r: r[1])  # code order: ties resolve to the lower code
    geoms = shapely.from_wkb([bytes(r[3]) for r in kept]) if kept else np.array([], dtype=object)
    if len(geoms):
        shapely.prepare(geoms)
    return _Index(
        version=version,
        tree=shapely.STRtree(geoms),
        geoms=geoms,
        region_ids=np.array([r[0] for r in kept], dtype=np.int64),
        codes=[r[1] for r in kept],
        levels=[r[2] for r in kept],
    )


def index() -> _Index:
    """The current index, rebuilt when the shapes changed (checked every CHECK_SECONDS)."""
    global _index, _checked_at
    now = time.monotonic()
    current = _index
    if current is not None and now - _checked_at < CHECK_SECONDS:
        return current
    with _lock:
        version = _version()
        if _index is None or _index.version != version:
            _index = _build(version)
        _checked_at = time.monotonic()
        return _index


def invalidate() -> None:
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0


def _check(latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("the point is not on Earth")


def region_ids_at(points: Sequence[tuple[float, float]]) -> list[int | None]:
    """For each (latitude, longitude), the id of the grid or village that holds it, or None.

    Vectorised: one STRtree query for the whole batch."""
    idx = index()
    out: list[int | None] = [None] * len(points)
    if not len(points) or not len(idx.geoms):
        return out
    for lat, lng in points:
        _check(lat, lng)
    pts = shapely.points([(lng, lat) for lat, lng in points])
    hits = idx.tree.query(pts, predicate="intersects")  # covers the border too
    if hits.size == 0:
        return out
    # hits[0]: point positions, hits[1]: geometry positions; the geometries are in code order,
    # so the smallest geometry position per point is the lowest code.
    best: dict[int, int] = {}
    for p, g in zip(hits[0].tolist(), hits[1].tolist(), strict=True):
        if p not in best or g < best[p]:
            best[p] = g
    for p, g in best.items():
        out[p] = int(idx.region_ids[g])
    return out


def region_at(latitude: float, longitude: float) -> Region | None:
    """The grid (or village without grids) whose shape holds the point; None outside them all."""
    (rid,) = region_ids_at([(latitude, longitude)])
    if rid is None:
        return None
    return Region.objects.select_related("village", "town", "county").get(pk=rid)


# ------------------------------------------------------------------------------- map shapes


def feature_collection(
    region: Region, *, level: str, simplify: float = 0.0, limit: int = 5000
) -> dict[str, Any]:
    """The shapes of `region`'s descendants at `level` (or of itself when level is its own), as
    a GeoJSON FeatureCollection with code, name, level, village category and the shape's origin.
    Regions without a shape come as their point, when they have one. `schematic` is true when
    any shape under `region` is synthetic (the demo's cells: drawn, not surveyed), so a map's
    legend can say its cells are schematic."""
    if level == region.level:
        regions = Region.objects.filter(pk=region.pk)
    else:
        regions = Region.objects.filter(level=level, retired_at=None, **region.subtree_kwargs())
    regions = regions.order_by("code").select_related("shape")[: limit + 1]
    features: list[dict[str, Any]] = []
    rows = list(regions)
    truncated = len(rows) > limit
    for r in rows[:limit]:
        props: dict[str, Any] = {"code": r.code, "name": r.display_name, "level": r.level,
                 "village_category": r.village_category or None}
        shape = getattr(r, "shape", None)
        if shape is not None:
            geom = shape.geometry()
            if simplify > 0:
                geom = shapely.simplify(geom, simplify, preserve_topology=True)
            props["center"] = [shape.centroid_lng, shape.centroid_lat]
            props["origin"] = shape.origin
            features.append({"type": "Feature", "geometry": mapping(geom),
                             "properties": props})
        elif r.latitude is not None and r.longitude is not None:
            props["center"] = [r.longitude, r.latitude]
            features.append({"type": "Feature", "properties": props,
                             "geometry": {"type": "Point", "coordinates": [r.longitude, r.latitude]}})
    schematic = RegionShape.objects.filter(
        origin=RegionShape.Origin.SYNTHETIC, **{f"region__{k}": v for k, v in region.subtree_kwargs().items()}
    ).exists()
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features, "schematic": schematic}
    if truncated:
        out["truncated"] = True
    return out
