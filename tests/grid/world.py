"""A grid world on top of tests.factories.build_world: 洋坂村 with two grids (one outlined), a
unit, grid workers appointed through the real action, households and firms registered through
theirs, and 柚相邻 as a zone of 洋坂 and 剑山."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass

from django.utils import timezone

from fengqiao.grid import actions
from fengqiao.grid.models import Firm, GridRole, Household, Zone
from fengqiao.lib import clock
from fengqiao.people.models import Person
from fengqiao.regions.actions import region_create
from fengqiao.regions.models import Region, RegionShape
from tests.factories import World, build_world, make_person

# 洋坂村第一网格: a square of about 1.1 km a side near 度尾.
GRID_A = [(25.50, 118.80), (25.50, 118.81), (25.51, 118.81), (25.51, 118.80)]
INSIDE = (25.505, 118.805)
FAR_OUTSIDE = (25.60, 118.90)
START = dt.datetime(2026, 9, 14, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass
class GridWorld:
    base: World
    grid_a: Region
    grid_a2: Region
    grid_b: Region
    unit_a: Region
    worker_a: Person      # 网格员 of grid A
    worker_a2: Person     # 网格员 of grid A2 (same village)
    worker_b: Person      # 网格员 of 剑山村's grid
    households: list[Household]
    household_b: Household
    firm: Firm
    zone: Zone

    def user(self, who: str):
        if hasattr(self, who):
            return getattr(self, who).user
        return self.base.user(who)


def outline(region: Region, corners) -> None:
    import shapely

    poly = shapely.Polygon([(lng, lat) for lat, lng in corners])
    minx, miny, maxx, maxy = poly.bounds
    RegionShape.objects.create(region=region, level=region.level, wkb=shapely.to_wkb(poly), min_lng=minx,
                               min_lat=miny, max_lng=maxx, max_lat=maxy, centroid_lng=poly.centroid.x,
                               centroid_lat=poly.centroid.y, area_km2=1.2, origin="synthetic",
                               updated_at=timezone.now())


def png(colour=(200, 30, 30)) -> bytes:
    """A real 8×8 PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(colour) * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def ensure_grid_defaults() -> None:
    """The rules, checklists, incentive measures, rubric and stars come from data migrations;
    transactional tests flush them, so put them back (idempotent)."""
    import importlib

    from django.apps import apps

    for module in ("fengqiao.grid.migrations.0002_default_rules_and_checklists",
                   "fengqiao.incentives.migrations.0002_measures_rubric_stars"):
        importlib.import_module(module).forwards(apps, None)


def build_grid_world(at: dt.datetime = START) -> GridWorld:
    base = build_world()
    ensure_grid_defaults()
    with clock.frozen(at - dt.timedelta(days=30)):
        grid_a = base.grid_a
        grid_a2 = region_create(parent=base.village_a, code="350322103208G02", level="grid", name="洋坂村第二网格")
        grid_b = region_create(parent=base.village_b, code="350322103209G01", level="grid", name="剑山村第一网格")
        unit_a = region_create(parent=grid_a, code="350322103208G01U01", level="unit", name="洋坂村第一网格一单元")
        outline(grid_a, GRID_A)
        admin = base.admin.user
        people = {}
        for key, name, grid, login, phone in [
            ("worker_a", "郑网格员", grid_a, "worker_a", "13900000021"),
            ("worker_a2", "黄网格员", grid_a2, "worker_a2", "13900000022"),
            ("worker_b", "蔡网格员", grid_b, "worker_b", "13900000023"),
        ]:
            person = make_person(name, "grid_worker", grid, login=login, phone=phone)
            person.posts.all().delete()  # the appointment gives the post
            actions.appoint(actor=admin, person=person, role=GridRole.GRID_MANAGER, region=grid)
            people[key] = Person.objects.get(pk=person.pk)
        households = [
            actions.household_save(actor=admin, household=None, values=actions.HouseholdValues(
                code=f"YB-{i:03d}", head_name=name, address=f"洋坂村{i}号", region=grid_a,
                phone=f"1380000{i:04d}", elderly_alone=(i == 1), left_behind_children=(i == 2)))
            for i, name in enumerate(["柯大爷", "柯某某", "吴某某"], start=1)
        ]
        household_b = actions.household_save(actor=admin, household=None, values=actions.HouseholdValues(
            code="JS-001", head_name="蔡某某", address="剑山村1号", region=grid_b, phone="13800009999"))
        firm = actions.firm_save(actor=admin, firm=None, values=actions.FirmValues(
            code="F-001", name="洋坂文旦柚合作社", kind="enterprise", size="small", address="洋坂村工业路1号",
            region=grid_a, employees=40, migrant_workers=12, contact_name="吴老板", phone="13700000001"))
        zone = actions.zone_save(actor=admin, zone=None, code="yxl", name="柚相邻示范片区", county=base.county,
                                 villages=[base.village_a, base.village_b])
    return GridWorld(base=base, grid_a=grid_a, grid_a2=grid_a2, grid_b=grid_b, unit_a=unit_a,
                     households=households, household_b=household_b, firm=firm, zone=zone, **people)
