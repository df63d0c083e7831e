"""Import grid (and village) polygons from GeoJSON, and derive the shapes of the levels above.

The file is a FeatureCollection; each feature is a Polygon or MultiPolygon in WGS 84
longitude/latitude whose properties name the region:

    {"code": "350322103208G01", "name": "洋坂村第一网格", "village": "350322103208"}

Keys are read in the forms counties export them: `code` / `grid_code` / `网格编码` / `网格代码`,
`name` / `grid_name` / `网格名称`, `village` / `village_code` / `parent` / `所属村` / `村社区代码`.
A feature whose code is an existing village, town or county gives that region's own outline.
A grid code that does not exist yet creates the grid under its village; an existing grid gets its
new shape (and name). Every feature is checked first; any problem and nothing is written (the
report lists every problem, with the feature's number). Self-intersecting rings are repaired
(`make_valid`) and reported as warnings. After the write, villages, towns and counties without
an imported outline get the union of their children's (`origin = derived`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from shapely.geometry import shape as to_shape

from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.actions import region_create
from fengqiao.regions.models import Level, Region, RegionShape, bump_regions_version

CODE_KEYS = ("code", "grid_code", "网格编码", "网格代码", "编码")
NAME_KEYS = ("name", "grid_name", "网格名称", "名称")
PARENT_KEYS = ("village", "village_code", "parent", "parent_code", "所属村", "村社区代码", "所属村社区")
SHAPE_LEVELS = (Level.GRID, Level.VILLAGE, Level.TOWN, Level.COUNTY)
MAX_LISTED = 100
KM_PER_DEGREE = 111.32


class ShapeImportError(InvalidInput):
    code = "bad_shapes"

    def __init__(self, message: str, report: ShapeReport):
        super().__init__(message)
        self.report = report


@dataclass
class Problem:
    feature: int  # 1-based position in the file
    code: str
    message: str

    def __str__(self) -> str:
        return f"feature {self.feature}" + (f" ({self.code})" if self.code else "") + f": {self.message}"


@dataclass
class ShapeReport:
    features: int = 0
    grids_created: int = 0
    grids_updated: int = 0
    outlines: int = 0  # shapes of existing villages/towns/counties
    derived: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "would write" if self.dry_run else "wrote"
        out = [
            f"{self.features} features: {self.grids_created} new grids, {self.grids_updated} grids "
            f"updated, {self.outlines} village/town/county outlines; {verb} {self.derived} derived "
            "outlines" if not self.dry_run else f"{self.features} features checked",
        ]
        out += [f"warning: {w}" for w in self.warnings[:MAX_LISTED]]
        out += [f"error: {p}" for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            out.append(f"… and {len(self.problems) - MAX_LISTED} more errors")
        return out


@dataclass
class _Row:
    number: int
    code: str
    name: str
    parent_code: str
    geom: Any
    region: Region | None = None
    parent: Region | None = None


def _prop(props: dict, keys: Iterable[str]) -> str:
    for k in keys:
        v = props.get(k)
        if v not in (None, ""):
            return str(v).strip()
    return ""


def _load(source: str | Path | dict) -> dict:
    if isinstance(source, dict):
        return source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text (GeoJSON is UTF-8)") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None


def _geometry(raw: Any, number: int, code: str, report: ShapeReport):
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
        report.problems.append(Problem(number, code, f"geometry must be a Polygon or MultiPolygon, not {kind}"))
        return None
    try:
        geom = to_shape(raw)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        report.problems.append(Problem(number, code, f"malformed coordinates ({exc})"))
        return None
    if geom.is_empty:
        report.problems.append(Problem(number, code, "empty geometry"))
        return None
    minx, miny, maxx, maxy = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds) or minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        report.problems.append(Problem(
            number, code, "coordinates are not WGS 84 longitude/latitude (projected? lat/lng swapped?)"
        ))
        return None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom)
        polys = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polys:
            report.problems.append(Problem(number, code, f"invalid polygon that cannot be repaired ({reason})"))
            return None
        geom = shapely.union_all(polys)
        report.warnings.append(Problem(number, code, f"repaired an invalid polygon ({reason})"))
    return geom


def _check(data: dict, within: Region | None, report: ShapeReport) -> list[_Row]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
        data.get("features"), list
    ):
        raise InvalidInput("the file must be a GeoJSON FeatureCollection with a list of features")
    features = data["features"]
    report.features = len(features)
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.problems.append(Problem(number, "", "not a GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            report.problems.append(Problem(number, "", "properties must be an object"))
            continue
        code = _prop(props, CODE_KEYS)
        if not code:
            report.problems.append(Problem(number, "", "no code in the properties (code / grid_code / 网格编码)"))
            continue
        if len(code) > 32:
            report.problems.append(Problem(number, code, "code longer than 32 characters"))
            continue
        if code in seen:
            report.problems.append(Problem(number, code, f"the same code as feature {seen[code]}"))
            continue
        seen[code] = number
        geom = _geometry(feature.get("geometry"), number, code, report)
        if geom is None:
            continue
        rows.append(_Row(number, code, _prop(props, NAME_KEYS)[:100], _prop(props, PARENT_KEYS), geom))

    existing = {r.code: r for r in Region.objects.filter(code__in=[r.code for r in rows])}
    parents = {r.code: r for r in Region.objects.filter(code__in={r.parent_code for r in rows if r.parent_code})}
    for row in rows:
        region = existing.get(row.code)
        if region is not None:
            if region.level not in SHAPE_LEVELS:
                report.problems.append(Problem(row.number, row.code, f"a {region.level} cannot have a shape here"))
                continue
            if region.retired_at is not None:
                report.problems.append(Problem(row.number, row.code, "this region has been retired"))
                continue
            if row.parent_code and region.parent is not None and region.level == Level.GRID and (
                region.parent.code != row.parent_code
            ):
                report.problems.append(Problem(
                    row.number, row.code, f"grid belongs to {region.parent.code}, not {row.parent_code}"
                ))
                continue
            row.region = region
        else:
            if not row.parent_code:
                report.problems.append(Problem(
                    row.number, row.code, "unknown code and no parent village (village / 所属村) to create the grid under"
                ))
                continue
            parent = parents.get(row.parent_code)
            if parent is None or parent.level != Level.VILLAGE:
                report.problems.append(Problem(row.number, row.code, f"no village with code {row.parent_code}"))
                continue
            if parent.retired_at is not None:
                report.problems.append(Problem(row.number, row.code, f"village {row.parent_code} has been retired"))
                continue
            if not row.name:
                report.problems.append(Problem(row.number, row.code, "a new grid needs a name (name / 网格名称)"))
                continue
            row.parent = parent
        target = row.region or row.parent
        if within is not None and target is not None and not within.is_ancestor_of(target):
            report.problems.append(Problem(row.number, row.code, f"outside {within.display_name} ({within.code})"))
    return rows


def _shape_fields(geom) -> dict[str, Any]:
    minx, miny, maxx, maxy = geom.bounds
    point = geom.point_on_surface()
    lat = (miny + maxy) / 2
    area = geom.area * KM_PER_DEGREE * KM_PER_DEGREE * math.cos(math.radians(lat))
    return {
        "wkb": shapely.to_wkb(geom),
        "min_lng": minx, "min_lat": miny, "max_lng": maxx, "max_lat": maxy,
        "centroid_lng": point.x, "centroid_lat": point.y, "area_km2": round(area, 4),
    }


def _save_shape(region: Region, geom, origin: str, now) -> None:
    RegionShape.objects.update_or_create(
        region=region,
        defaults={"level": region.level, "origin": origin, "updated_at": now, **_shape_fields(geom)},
    )
    if region.latitude is None or region.longitude is None:
        point = geom.point_on_surface()
        Region.objects.filter(pk=region.pk).update(latitude=point.y, longitude=point.x)


# Outlines drawn separately rarely share their edges to the last digit: snap the union to a
# centimetre grid and drop the slivers left between neighbours (holes of less than a millionth of
# the part, or of under about 100 m²), so a town's outline has no seams. Real enclaves are larger.
UNION_GRID = 1e-7  # degrees, about 1 cm
SLIVER_DEG2 = 1e-8  # about 100 m² at these latitudes


def clean_union(geoms):
    union = shapely.union_all(geoms, grid_size=UNION_GRID)
    parts = []
    for part in getattr(union, "geoms", [union]):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        keep = [ring for ring in part.interiors
                if shapely.Polygon(ring).area > max(SLIVER_DEG2, part.area * 1e-6)]
        parts.append(shapely.Polygon(part.exterior, keep))
    if not parts:
        return union
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def derive_outlines(region_ids: Iterable[int], *, now=None) -> int:
    """Give the villages, towns and counties above these regions the union of their children's
    shapes, unless they have an imported outline of their own. Returns how many were written."""
    now = now or clock.now()
    ids = set(region_ids)
    regions = list(Region.objects.filter(pk__in=ids).only("village_id", "town_id", "county_id", "level"))
    written = 0
    for level, column in ((Level.VILLAGE, "village_id"), (Level.TOWN, "town_id"), (Level.COUNTY, "county_id")):
        child_level = {Level.VILLAGE: Level.GRID, Level.TOWN: Level.VILLAGE, Level.COUNTY: Level.TOWN}[level]
        parents = {getattr(r, column) for r in regions if getattr(r, column) and r.level != level}
        parents |= {r.pk for r in regions if r.level == level}
        own = set(  # an outline of its own (imported or synthetic) is never overwritten
            RegionShape.objects.filter(region_id__in=parents).exclude(origin=RegionShape.Origin.DERIVED)
            .values_list("region_id", flat=True)
        )
        for parent in Region.objects.filter(pk__in=parents - own):
            children = RegionShape.objects.filter(
                level=child_level, region__parent=parent, region__retired_at=None
            ).values_list("wkb", flat=True)
            geoms = shapely.from_wkb([bytes(w) for w in children])
            if not len(geoms):
                continue
            union = clean_union(geoms)
            _save_shape(parent, union, RegionShape.Origin.DERIVED, now)
            written += 1
        regions = list(Region.objects.filter(pk__in=parents).only("village_id", "town_id", "county_id", "level"))
    return written


def import_shapes(
    source: str | Path | dict,
    *,
    within: Region | str | None = None,
    dry_run: bool = False,
    origin: str = RegionShape.Origin.IMPORTED,
    progress: bool = False,
    stdout=None,
) -> ShapeReport:
    """Check every feature, then (unless `dry_run` or any problem) write all of them at once."""
    from fengqiao.regions import geo

    if isinstance(within, str):
        found = Region.objects.filter(code=within).first()
        if found is None:
            raise InvalidInput(f"no region with code {within}")
        within = found
    report = ShapeReport(dry_run=dry_run)
    rows = _check(_load(source), within, report)
    if report.problems:
        raise ShapeImportError(
            f"{len(report.problems)} problem(s) in the shapes; nothing was imported", report
        )
    if dry_run:
        return report
    iterator: Iterable[_Row] = rows
    if progress:
        from tqdm import tqdm

        iterator = tqdm(rows, desc="shapes", unit="shape", file=stdout, mininterval=1.0)
    touched: list[int] = []
    renamed = False
    with transaction.atomic(durable=True):
        now = clock.now()
        for row in iterator:
            region = row.region
            if region is None:
                assert row.parent is not None
                region = region_create(parent=row.parent, code=row.code, level=Level.GRID, name=row.name)
                report.grids_created += 1
            elif region.level == Level.GRID:
                if row.name and row.name != region.name:
                    Region.objects.filter(pk=region.pk).update(name=row.name, short_name=row.name)
                    renamed = True
                report.grids_updated += 1
            else:
                report.outlines += 1
            _save_shape(region, row.geom, origin, now)
            touched.append(region.pk)
        report.derived = derive_outlines(touched, now=now)
        if report.grids_created or renamed:
            bump_regions_version()  # region_create bumps too; a renamed grid needs it as well
        transaction.on_commit(geo.invalidate)
    return report
