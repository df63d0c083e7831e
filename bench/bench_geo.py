"""Benchmark: the point lookup (map → place) against 50,000 grid polygons.

    DATABASE_URL=sqlite:///var/bench-geo.db .venv/bin/python bench/bench_geo.py [--grids 50000] [--points 100000]

The database is dropped and re-created (its name must contain "bench"). The script builds a
province-sized patch (about 3° × 2°) cut into villages and those into grids by Voronoi cells —
5,000 villages × 10 grids by default — stores them as `RegionShape` rows like the importer does,
then measures in one process:

- building the STRtree index from the table (`geo.index()`), and the memory it takes
  (tracemalloc for Python objects plus the RSS growth, which includes GEOS's own allocations);
- one point at a time through `geo.region_ids_at([(lat, lng)])` — what intake does per event;
- batches of 10,000 through `geo.region_ids_at(points)` — what a spreadsheet import can do;
- `geo.region_at(lat, lng)`, which also fetches the Region row.

Points are uniform over the patch's bounding box, so some fall outside every polygon (those
answer None, as they would in the field).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database, machine_line, migrate, setup_django  # noqa: E402

WEST, SOUTH, EAST, NORTH = 117.0, 24.5, 120.0, 26.5


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build(villages: int, per_village: int, seed: int) -> float:
    import numpy as np
    import shapely
    from django.db import transaction
    from shapely.geometry import box

    from fengqiao.lib import clock
    from fengqiao.regions.actions import fill_self_ancestor_columns, region_create
    from fengqiao.regions.models import Level, Region, RegionShape
    from fengqiao.regions.shapes import _shape_fields

    started = time.monotonic()
    rng = np.random.default_rng(seed)
    area = box(WEST, SOUTH, EAST, NORTH)
    with transaction.atomic():
        county = region_create(parent=None, code="359999", level="county", name="基准县")
        town = region_create(parent=county, code="359999001", level="town", name="基准镇")
        seeds = np.column_stack([rng.uniform(WEST, EAST, villages), rng.uniform(SOUTH, NORTH, villages)])
        cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=area)
        village_rows, grid_rows, shapes = [], [], []
        now = clock.now()
        vcells = [c.intersection(area) for c in cells.geoms]
        for i, vcell in enumerate(vcells):
            vcode = f"35999{i:07d}"
            village = Region(parent=town, code=vcode, level=Level.VILLAGE, name=f"基准{i}村")
            village.set_ancestors_from(town)
            village_rows.append((village, vcell))
        Region.objects.bulk_create([v for v, _ in village_rows], batch_size=1000)
        fill_self_ancestor_columns()
        by_code = {r.code: r for r in Region.objects.filter(level=Level.VILLAGE, town=town)}
        for village, vcell in village_rows:
            village = by_code[village.code]
            minx, miny, maxx, maxy = vcell.bounds
            pts = []
            while len(pts) < per_village:
                x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
                if shapely.contains_xy(vcell, x, y):
                    pts.append((x, y))
            gcells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=vcell.envelope)
            for j, gcell in enumerate(gcells.geoms):
                geom = gcell.intersection(vcell)
                if geom.is_empty:
                    continue
                grid = Region(parent=village, code=f"{village.code}G{j + 1:02d}", level=Level.GRID,
                              name=f"{village.name}第{j + 1}网格")
                grid.set_ancestors_from(village)
                grid_rows.append((grid, geom))
        Region.objects.bulk_create([g for g, _ in grid_rows], batch_size=2000)
        fill_self_ancestor_columns()
        ids = dict(Region.objects.filter(level=Level.GRID, town=town).values_list("code", "id"))
        for grid, geom in grid_rows:
            shapes.append(RegionShape(region_id=ids[grid.code], level=Level.GRID, origin="synthetic",
                                      updated_at=now, **_shape_fields(geom)))
        RegionShape.objects.bulk_create(shapes, batch_size=2000)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grids", type=int, default=50_000)
    parser.add_argument("--per-village", type=int, default=10)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    label = fresh_database(keep=args.keep)
    if not args.keep:
        migrate()
    setup_django()
    from fengqiao.regions import geo
    from fengqiao.regions.models import RegionShape

    build_s = None
    if not RegionShape.objects.exists():
        print("building polygons …", file=sys.stderr)
        build_s = build(args.grids // args.per_village, args.per_village, args.seed)
    polygons = RegionShape.objects.filter(level="grid").count()

    rng = random.Random(args.seed)
    points = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(args.points)]

    rss0 = _rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    idx = geo.index()
    index_s = time.perf_counter() - t0
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    index_mb = _rss_mb() - rss0
    assert len(idx.geoms) == polygons

    single = points[: min(len(points), 40_000)]
    t0 = time.perf_counter()
    found_single = [geo.region_ids_at([p])[0] for p in single]
    single_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    found_batch: list[int | None] = []
    for i in range(0, len(points), 10_000):
        found_batch += geo.region_ids_at(points[i : i + 10_000])
    batch_s = time.perf_counter() - t0
    assert found_batch[: len(single)] == found_single

    rows = points[:2000]
    t0 = time.perf_counter()
    for lat, lng in rows:
        geo.region_at(lat, lng)
    row_s = time.perf_counter() - t0

    inside = sum(1 for f in found_batch if f is not None) / len(found_batch)
    print(f"\n{machine_line()}; database {label}\n")
    print("| polygons | build polygons | index build | index memory (RSS / Python) | one at a time | batches of 10,000 | region_at (with the row) | points inside a polygon |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {polygons:,} | {f'{build_s:.0f} s' if build_s else 'reused'} | {index_s:.2f} s "
        f"| {index_mb:.0f} MB / {traced:.0f} MB | {len(single) / single_s:,.0f} /s "
        f"| {len(points) / batch_s:,.0f} /s | {len(rows) / row_s:,.0f} /s | {inside:.1%} |"
    )


if __name__ == "__main__":
    main()
