"""The demo's places: Xianyou County from the shipped NBS slice, and 2–4 grids per village."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fengqiao.demo.slice import SLICE_DIR, XIANYOU
from fengqiao.regions.actions import fill_self_ancestor_columns
from fengqiao.regions.importer import ImportReport, import_divisions
from fengqiao.regions.models import Level, Region

GRID_NUMERALS = "一二三四五六七八九十"
EDITION = "2023"


@dataclass
class County:
    """The loaded county and its towns, villages and grids, in code order."""

    county: Region
    towns: list[Region]
    villages: list[Region]
    grids: list[Region]
    villages_of: dict[int, list[Region]] = field(default_factory=dict)  # town id → villages
    grids_of: dict[int, list[Region]] = field(default_factory=dict)  # village id → grids

    def village(self, code: str) -> Region:
        for v in self.villages:
            if v.code == code:
                return v
        raise KeyError(code)

    def town(self, code: str) -> Region:
        for t in self.towns:
            if t.code == code:
                return t
        raise KeyError(code)


def import_slice(*, stdout=None) -> ImportReport:
    """Load the shipped slice through the one division importer."""
    return import_divisions(SLICE_DIR, within=XIANYOU, edition=EDITION, progress=False, stdout=stdout)


def grid_name(village: Region, number: int) -> str:
    return f"{village.display_name}第{GRID_NUMERALS[number - 1]}网格"


def create_grids(*, rng: random.Random) -> int:
    """2–4 grids under every village (3–4 in a community), codes <village>G01…"""
    villages = list(Region.objects.filter(level=Level.VILLAGE, county__code=XIANYOU).order_by("code"))
    rows = []
    for village in villages:
        community = village.code[9] == "0"  # 001–199: 社区 (urban), 200+: 村
        count = rng.randint(3, 4) if community else rng.randint(2, 4)
        for number in range(1, count + 1):
            grid = Region(
                parent=village,
                code=f"{village.code}G{number:02d}",
                level=Level.GRID,
                name=grid_name(village, number),
                short_name=grid_name(village, number),
                edition="",
            )
            grid.set_ancestors_from(village)
            rows.append(grid)
    Region.objects.bulk_create(rows, batch_size=500)
    fill_self_ancestor_columns()
    return len(rows)


def load_county() -> County:
    county = Region.objects.get(code=XIANYOU)
    towns = list(Region.objects.filter(level=Level.TOWN, county=county).order_by("code"))
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, county=county).select_related("town").order_by("code")
    )
    grids = list(Region.objects.filter(level=Level.GRID, county=county).order_by("code"))
    result = County(county=county, towns=towns, villages=villages, grids=grids)
    for v in villages:
        if v.town_id is not None:  # a village always lies in a town
            result.villages_of.setdefault(v.town_id, []).append(v)
    for g in grids:
        if g.village_id is not None:  # a grid always lies in a village
            result.grids_of.setdefault(g.village_id, []).append(g)
    return result
