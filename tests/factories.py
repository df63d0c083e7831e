"""Build test worlds through the real actions: a small slice of Xianyou County with named people."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from fengqiao.events import actions
from fengqiao.events.models import Category, Event
from fengqiao.people.models import Department, Person, Post, Role
from fengqiao.regions.actions import region_create
from fengqiao.regions.models import Region

PASSWORD = "pass-1234"


def make_person(name: str, role: str, region: Region, *, login: str | None = None,
                phone: str = "13800000000", department: Department | None = None,
                on_duty: bool = False) -> Person:
    person = Person(name=name)
    person.set_phone(phone)
    if login:
        person.user = get_user_model().objects.create_user(login, password=PASSWORD)
    person.save()
    Post.objects.create(person=person, role=role, region=region, department=department, on_duty=on_duty)
    return person


@dataclass
class World:
    county: Region
    town: Region          # 度尾镇
    village_a: Region     # 洋坂村
    village_b: Region     # 剑山村 (same town)
    other_town: Region    # 郊尾镇
    village_c: Region     # 梅塘村 (other town)
    grid_a: Region        # a grid in 洋坂村
    operator: Person
    county_leader: Person
    town_cadre: Person
    other_town_cadre: Person
    secretary_a: Person
    liaison_a: Person
    police_a: Person
    grid_head_a: Person
    work_team_a: Person
    secretary_b: Person
    secretary_c: Person
    department: Department
    dept_liaison: Person
    admin: Person

    def user(self, who: str):
        return getattr(self, who).user


def ensure_default_catalogue() -> None:
    """The shipped categories and deadline policies come from a data migration; transactional
    tests flush them, so put them back (idempotent)."""
    import importlib

    from django.apps import apps

    if Category.objects.exists():
        return
    migration = importlib.import_module("fengqiao.events.migrations.0002_default_categories_and_deadlines")
    migration.forwards(apps, None)


def build_world() -> World:
    ensure_default_catalogue()
    county = region_create(parent=None, code="350322", level="county", name="仙游县")
    town = region_create(parent=county, code="350322103", level="town", name="度尾镇")
    other_town = region_create(parent=county, code="350322102", level="town", name="郊尾镇")
    village_a = region_create(parent=town, code="350322103208", level="village", name="洋坂村委会")
    village_b = region_create(parent=town, code="350322103209", level="village", name="剑山村委会")
    village_c = region_create(parent=other_town, code="350322102201", level="village", name="梅塘村委会")
    grid_a = region_create(parent=village_a, code="350322103208G01", level="grid", name="洋坂村第一网格")
    department = Department.objects.create(code="rsj", name="县人社局", region=county)
    return World(
        county=county, town=town, village_a=village_a, village_b=village_b,
        other_town=other_town, village_c=village_c, grid_a=grid_a,
        operator=make_person("陈调度", Role.OPERATOR, county, login="operator", phone="13900000001", on_duty=True),
        county_leader=make_person("郑县长", Role.COUNTY_LEADER, county, login="leader", phone="13900000002"),
        town_cadre=make_person("林镇干", Role.TOWN_CADRE, town, login="towncadre", phone="13900000003", on_duty=True),
        other_town_cadre=make_person("黄镇干", Role.TOWN_CADRE, other_town, login="othertown", phone="13900000004"),
        secretary_a=make_person("柯书记", Role.PARTY_SECRETARY, village_a, login="secretary_a", phone="13900000005"),
        liaison_a=make_person("吴包村", Role.VILLAGE_LIAISON, village_a, login="liaison_a", phone="13900000006"),
        police_a=make_person("林民警", Role.COMMUNITY_POLICE, village_a, login="police_a", phone="13900000007"),
        grid_head_a=make_person("王网格长", Role.GRID_HEAD, grid_a, login="gridhead_a", phone="13900000008"),
        work_team_a=make_person("李队员", Role.WORK_TEAM, village_a, login="workteam_a", phone="13900000009"),
        secretary_b=make_person("蔡书记", Role.PARTY_SECRETARY, village_b, login="secretary_b", phone="13900000010"),
        secretary_c=make_person("李书记", Role.PARTY_SECRETARY, village_c, login="secretary_c", phone="13900000011"),
        department=department,
        dept_liaison=make_person("周联络员", Role.DEPARTMENT_LIAISON, county, login="dept", phone="13900000012", department=department),
        admin=make_person("管理员", Role.ADMIN, county, login="admin_user", phone="13900000013"),
    )


def register(world: World, *, region: Region | None = None, category: str = "dispute.wages",
             source: str = "walk_in", title: str = "柯某工资拖欠", actor=None, **kwargs) -> Event:
    return actions.event_register(
        actor=actor or world.operator.user,
        title=title,
        category=Category.objects.get(code=category),
        source=source,
        region=region or world.village_a,
        **kwargs,
    )
