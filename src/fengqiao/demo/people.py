"""The demo's people: the "3" of every village, every grid's head and worker, town cadres,
the command centre, county leaders, departments with liaisons, mediators, proxy agents, an admin.

Everyone gets a login (so every step of the record names a real person); thirteen of them — one
per role — get the documented password so a visitor can sign in as that role (docs/demo.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from fengqiao.demo import names
from fengqiao.demo.places import County
from fengqiao.people.models import Department, Person, Post, Role
from fengqiao.people.queries import posts_of
from fengqiao.regions.models import Region

DEMO_PASSWORD = "Fengqiao@2026"
DEMO_VILLAGE = "350322103208"  # 度尾镇洋坂村: the secretary's login, and a busy village
DEMO_TOWN = "350322103"  # 度尾镇
DEMO_DEPARTMENT = "rsj"  # 县人社局

# County departments (县直部门) that take escalated events, with the categories they own.
DEPARTMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("rsj", "县人社局", ("dispute.wages", "dispute.work_injury", "livelihood.social_security")),
    ("zjj", "县住建局", ("dispute.property", "city.illegal_building")),
    ("gaj", "县公安局", ("dispute.traffic", "hazard.rental")),
    ("sfj", "县司法局", ("dispute.neighbours", "dispute.family", "dispute.other")),
    ("xfj", "县信访局", ("petition",)),
    ("zrzyj", "县自然资源局", ("dispute.land", "hazard.geology")),
    ("scjgj", "县市场监管局", ("dispute.consumer",)),
    ("sthjj", "县生态环境局", ("environment",)),
    ("yjglj", "县应急管理局", ("hazard.fire", "hazard.production")),
    ("jtysj", "县交通运输局", ("hazard.road", "livelihood.infrastructure")),
    ("wjj", "县卫健局", ("livelihood.health",)),
    ("jyj", "县教育局", ("livelihood.education",)),
    ("cgj", "县城市管理局", ("city.street_vending", "city.sanitation")),
    ("slj", "县水利局", ("livelihood.utilities",)),
    ("mzj", "县民政局", ("other",)),
]


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    who: str  # filled in once the roster exists


# One login per role, in the order docs/demo.md lists them.
LOGIN_USERNAMES: list[tuple[str, str]] = [
    (Role.ADMIN, "admin"),
    (Role.OPERATOR, "operator"),
    (Role.COUNTY_LEADER, "leader"),
    (Role.DEPARTMENT_LIAISON, "dept"),
    (Role.TOWN_CADRE, "towncadre"),
    (Role.VILLAGE_LIAISON, "liaison"),
    (Role.PARTY_SECRETARY, "secretary"),
    (Role.COMMUNITY_POLICE, "police"),
    (Role.WORK_TEAM, "workteam"),
    (Role.GRID_HEAD, "gridhead"),
    (Role.GRID_WORKER, "gridworker"),
    (Role.MEDIATOR, "mediator"),
    (Role.PROXY_AGENT, "proxy"),
]


@dataclass
class Roster:
    """Who holds which post, for the event builder. Users carry their posts pre-loaded."""

    admin: Person
    operators: list[Person]
    duty_operator: Person
    leaders: list[Person]
    town_cadres: dict[int, list[Person]]  # town id → cadres, the duty cadre first
    liaison: dict[int, Person]  # village id → 包村领导
    secretary: dict[int, Person]
    police: dict[int, Person]
    work_team: dict[int, Person]
    grid_head: dict[int, Person]  # grid id → 网格长
    grid_worker: dict[int, Person]
    departments: dict[str, Department]
    dept_liaison: dict[str, Person]  # department code → liaison
    mediators: list[Person]  # at the county's mediation centre
    proxy: dict[int, Person]  # town id → 代办员
    logins: list[Login] = field(default_factory=list)
    users: dict[int, object] = field(default_factory=dict)  # person id → user

    def user(self, person: Person):
        """The person's login, with the person and their posts cached on it (loaded once)."""
        user = self.users.get(person.pk)
        if user is None:
            assert person.user_id is not None, "a demo person without a login"
            user = get_user_model().objects.get(pk=person.user_id)
            _prime(user, person)
            self.users[person.pk] = user
        return user

    def department_for(self, category_code: str) -> Department:
        for code, _name, owns in DEPARTMENTS:
            if any(category_code == c or category_code.startswith(c + ".") for c in owns):
                return self.departments[code]
        return self.departments["sfj"]


@dataclass
class _Spec:
    name: str
    role: str
    region: Region
    department: Department | None = None
    on_duty: bool = False
    username: str = ""
    phone: str = ""


def create_people(*, county: County, rng: random.Random) -> None:
    """Create every person, login and post of the demo county (in bulk)."""
    departments = {
        code: Department(code=code, name=name, region=county.county) for code, name, _owns in DEPARTMENTS
    }
    Department.objects.bulk_create(departments.values())

    specs: list[_Spec] = []

    def add(role: str, region: Region, **kw) -> _Spec:
        spec = _Spec(name=names.person_name(rng), role=role, region=region, phone=names.mobile(rng), **kw)
        specs.append(spec)
        return spec

    c = county.county
    add(Role.ADMIN, c, username="admin")
    for i in range(4):
        add(Role.OPERATOR, c, on_duty=(i == 0), username="operator" if i == 0 else "")
    for i in range(6):
        add(Role.COUNTY_LEADER, c, username="leader" if i == 0 else "")
    for code, dep in departments.items():
        add(Role.DEPARTMENT_LIAISON, c, department=dep, username="dept" if code == DEMO_DEPARTMENT else "")
    for i in range(6):
        add(Role.MEDIATOR, c, username="mediator" if i == 0 else "")
    for town in county.towns:
        demo_town = town.code == DEMO_TOWN
        for i in range(3):
            add(Role.TOWN_CADRE, town, on_duty=(i == 0), username="towncadre" if demo_town and i == 0 else "")
        add(Role.MEDIATOR, town)
        add(Role.PROXY_AGENT, town, username="proxy" if demo_town else "")
    for village in county.villages:
        demo = village.code == DEMO_VILLAGE
        add(Role.VILLAGE_LIAISON, village, username="liaison" if demo else "")
        add(Role.PARTY_SECRETARY, village, username="secretary" if demo else "")
        add(Role.COMMUNITY_POLICE, village, username="police" if demo else "")
        add(Role.WORK_TEAM, village, username="workteam" if demo else "")
        for i, grid in enumerate(county.grids_of.get(village.id, [])):
            first = demo and i == 0
            add(Role.GRID_HEAD, grid, username="gridhead" if first else "")
            add(Role.GRID_WORKER, grid, username="gridworker" if first else "")

    User = get_user_model()
    demo_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by the thirteen logins
    users = []
    for i, spec in enumerate(specs, start=1):
        username = spec.username or f"u{i:05d}"
        admin = spec.role == Role.ADMIN
        users.append(User(
            username=username,
            password=demo_hash if spec.username else make_password(None),
            first_name=spec.name,
            is_staff=admin,
            is_superuser=admin,
        ))
    User.objects.bulk_create(users, batch_size=500)
    people = []
    for spec, user in zip(specs, users, strict=True):
        person = Person(name=spec.name, user=user)
        person.set_phone(spec.phone)
        people.append(person)
    Person.objects.bulk_create(people, batch_size=500)
    Post.objects.bulk_create(
        [Post(person=p, role=s.role, region=s.region, department=s.department, on_duty=s.on_duty)
         for s, p in zip(specs, people, strict=True)],
        batch_size=500,
    )


def load_roster(county: County) -> Roster:
    """The roster of an existing demo county, read back from its posts."""
    posts = list(
        Post.objects.filter(active=True, region__county=county.county)
        .select_related("person", "department", "region__town", "person__user")
        .order_by("id")
    )
    by_role: dict[str, list[Post]] = {}
    for post in posts:
        by_role.setdefault(post.role, []).append(post)

    def one(role: str) -> dict[int, Person]:
        return {p.region_id: p.person for p in by_role.get(role, [])}

    cadres: dict[int, list[Person]] = {}
    for post in sorted(by_role.get(Role.TOWN_CADRE, []), key=lambda p: (not p.on_duty, p.id)):
        cadres.setdefault(post.region_id, []).append(post.person)
    operators = sorted(by_role.get(Role.OPERATOR, []), key=lambda p: (not p.on_duty, p.id))
    admins = by_role.get(Role.ADMIN, [])
    if not operators or not admins:
        raise LookupError("the demo county has no operator or admin: run `fengqiao demo` first")
    # A department liaison's post always names the department.
    liaisons = [(p.department, p.person) for p in by_role.get(Role.DEPARTMENT_LIAISON, [])
                if p.department is not None]
    roster = Roster(
        admin=admins[0].person,
        operators=[p.person for p in operators],
        duty_operator=operators[0].person,
        leaders=[p.person for p in by_role.get(Role.COUNTY_LEADER, [])],
        town_cadres=cadres,
        liaison=one(Role.VILLAGE_LIAISON),
        secretary=one(Role.PARTY_SECRETARY),
        police=one(Role.COMMUNITY_POLICE),
        work_team=one(Role.WORK_TEAM),
        grid_head=one(Role.GRID_HEAD),
        grid_worker=one(Role.GRID_WORKER),
        departments={d.code: d for d, _person in liaisons},
        dept_liaison={d.code: person for d, person in liaisons},
        mediators=[p.person for p in by_role.get(Role.MEDIATOR, []) if p.region_id == county.county.id],
        proxy=one(Role.PROXY_AGENT),
    )
    usernames = {u for _r, u in LOGIN_USERNAMES}
    login_posts = {(p.role, login.username): p for p in posts
                   if (login := p.person.user) is not None and login.username in usernames}
    for role, username in LOGIN_USERNAMES:
        found = login_posts.get((role, username))
        if found is not None:
            roster.logins.append(Login(role=role, username=username, who=describe(
                found.person, role, found.region, found.department)))
    return roster


def describe(person: Person, role: str, region: Region, department: Department | None) -> str:
    from fengqiao.people.models import ROLE_CHINESE

    place = department.name if department else region.display_name
    town = region.town.name if region.town_id and region.town_id != region.id else ""
    return f"{person.name}, {town}{place}{ROLE_CHINESE[Role(role)]}"


def _prime(user, person: Person) -> None:
    """Cache the person and their posts on the login, as a request would once per request."""
    type(user).person.related.set_cached_value(user, person)
    user._fq_person = person
    posts_of(user)
