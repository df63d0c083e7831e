"""A small slice of 莆田市 for the major matters and stationed cadres: the city above 仙游县 (a
city-level listing needs its city), two towns, three villages with outlines, and named people —
an office at each level, leaders, cadres, a department's liaison and cadre, an outsider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fengqiao.people.models import Department, Person, Role
from fengqiao.regions.actions import region_create
from fengqiao.regions.models import Region
from tests.factories import make_person

SH = ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=SH)


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# Outlines (lng, lat): 洋坂村 and 剑山村 side by side in 度尾镇, 梅塘村 of 郊尾镇 further east.
OUTLINES = {
    "350322103208G01": square(118.68, 25.30, 118.70, 25.32),
    "350322103209": square(118.70, 25.30, 118.72, 25.32),
    "350322102201": square(118.80, 25.30, 118.82, 25.32),
}
IN_A = (25.31, 118.69)  # (latitude, longitude) inside 洋坂村
IN_B = (25.31, 118.71)
IN_C = (25.31, 118.81)
NEAR_A = (25.31, 118.675)  # ~500 m west of 洋坂村's outline


@dataclass
class MajorsWorld:
    city: Region
    county: Region
    town: Region  # 度尾镇
    other_town: Region  # 郊尾镇
    village_a: Region  # 洋坂村
    village_b: Region  # 剑山村
    village_c: Region  # 梅塘村 (郊尾镇)
    grid_a: Region
    zjj: Department  # 县住建局: owns the matters
    rsj: Department  # 县人社局: stationed in 洋坂村
    city_officer: Person  # 市委政法委 (city office)
    operator: Person  # county office, on duty
    operator2: Person
    leader: Person  # county leader: leads matters in charge
    leader2: Person
    town_cadre: Person  # 度尾镇 office, on duty
    town_cadre2: Person
    other_town_cadre: Person  # 郊尾镇
    dept: Person  # 县住建局 liaison
    rsj_cadre: Person  # 县人社局 cadre stationed in 洋坂村 (work-team post)
    secretary_a: Person
    police_a: Person
    liaison_a: Person  # 包村领导 of 洋坂村
    secretary_c: Person
    outsider: Person  # a grid worker: no matters in scope

    def user(self, who: str):
        return getattr(self, who).user


def ensure_shipped_rows() -> None:
    """The clock policies and stay rules the data migrations ship (a transactional test's flush
    removes them): put them back, idempotently, as the migrations write them."""
    import importlib

    from django.apps import apps

    for name in ("fengqiao.majors.migrations.0002_clock_policies_for_milestones_assessment_closing",
                 "fengqiao.stationing.migrations.0002_seed_004_stay_rules_and_checkout_limit"):
        importlib.import_module(name).forwards(apps, None)


def build() -> MajorsWorld:
    from fengqiao.regions.shapes import import_shapes

    ensure_shipped_rows()
    city = region_create(parent=None, code="350300", level="city", name="莆田市")
    county = region_create(parent=city, code="350322", level="county", name="仙游县")
    town = region_create(parent=county, code="350322103", level="town", name="度尾镇")
    other_town = region_create(parent=county, code="350322102", level="town", name="郊尾镇")
    village_a = region_create(parent=town, code="350322103208", level="village", name="洋坂村委会")
    village_b = region_create(parent=town, code="350322103209", level="village", name="剑山村委会")
    village_c = region_create(parent=other_town, code="350322102201", level="village", name="梅塘村委会")
    grid_a = region_create(parent=village_a, code="350322103208G01", level="grid", name="洋坂村第一网格")
    import_shapes({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"code": code}} for code, g in OUTLINES.items()]})
    zjj = Department.objects.create(code="zjj", name="县住建局", region=county)
    rsj = Department.objects.create(code="rsj", name="县人社局", region=county)
    return MajorsWorld(
        city=city, county=county, town=town, other_town=other_town, village_a=village_a, village_b=village_b,
        village_c=village_c, grid_a=grid_a, zjj=zjj, rsj=rsj,
        city_officer=make_person("林市维稳", Role.OPERATOR, city, login="city_officer", on_duty=True,
                                 phone="13900000001"),
        operator=make_person("陈调度", Role.OPERATOR, county, login="operator", on_duty=True, phone="13900000002"),
        operator2=make_person("黄调度", Role.OPERATOR, county, login="operator2", phone="13900000003"),
        leader=make_person("郑县领导", Role.COUNTY_LEADER, county, login="leader", phone="13900000004"),
        leader2=make_person("吴县领导", Role.COUNTY_LEADER, county, login="leader2", phone="13900000005"),
        town_cadre=make_person("王镇干部", Role.TOWN_CADRE, town, login="town_cadre", on_duty=True,
                               phone="13900000006"),
        town_cadre2=make_person("蔡镇干部", Role.TOWN_CADRE, town, login="town_cadre2", phone="13900000007"),
        other_town_cadre=make_person("李郊尾干部", Role.TOWN_CADRE, other_town, login="other_town_cadre",
                                     phone="13900000008"),
        dept=make_person("周住建", Role.DEPARTMENT_LIAISON, county, login="dept", department=zjj,
                         phone="13900000009"),
        rsj_cadre=make_person("许人社", Role.WORK_TEAM, village_a, login="rsj_cadre", department=rsj,
                              phone="13900000010"),
        secretary_a=make_person("柯书记", Role.PARTY_SECRETARY, village_a, login="secretary_a", phone="13900000011"),
        police_a=make_person("林民警", Role.COMMUNITY_POLICE, village_a, login="police_a", phone="13900000012"),
        liaison_a=make_person("傅包村", Role.VILLAGE_LIAISON, village_a, login="liaison_a", phone="13900000013"),
        secretary_c=make_person("梅书记", Role.PARTY_SECRETARY, village_c, login="secretary_c", phone="13900000014"),
        outsider=make_person("网格员甲", Role.GRID_WORKER, grid_a, login="outsider", phone="13900000015"),
    )
