"""A mediation centre on top of the test world (tests/factories.py), built through the real
registry actions: the county's centre and committees, mediators of the town, the other town and
the county, and 度尾镇's 群英 pool."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from django.apps import apps

from fengqiao.lib import clock
from fengqiao.mediation import actions
from fengqiao.mediation.models import MediationOrg, Mediator, PoolMember
from fengqiao.people.models import Person, Role
from fengqiao.workflow.models import ClockPolicy
from tests.factories import World, make_person


def ensure_clock_policies() -> None:
    """The shipped policies come from a data migration; transactional tests flush them."""
    if ClockPolicy.objects.filter(key="mediation.accept").exists():
        return
    migration = importlib.import_module("fengqiao.mediation.migrations.0002_clock_policies")
    migration.forwards(apps, None)


@dataclass
class Centre:
    world: World
    centre: MediationOrg  # 仙游县社会矛盾纠纷调处化解中心 (county)
    town_committee: MediationOrg  # 度尾镇人民调解委员会
    other_committee: MediationOrg  # 郊尾镇人民调解委员会
    brand_room: MediationOrg  # 和合说事工作室 (李中秋)
    court_room: MediationOrg  # 县法院派驻调解工作室
    town_mediator: Mediator  # 度尾镇 full-time, labour and work injury (login mediator_town)
    other_mediator: Mediator  # 郊尾镇, labour (login mediator_other)
    county_mediator: Mediator  # county gold-medal, family and neighbours (login mediator_county)
    village_mediator: Mediator  # 洋坂村 part-time, labour (no login)
    brand_mediator: Mediator  # 李中秋, gold, land and neighbours, town area
    invited_mediator: Mediator  # the court's invited mediator, county, labour
    member: PoolMember  # 吴见来, 乡贤, 度尾镇群英断事会 (login qunying)
    member_b: PoolMember  # 柯老, 老协会 (login qunying2)
    other_member: PoolMember  # 郊尾镇's pool (login qunying_other)

    def user(self, who: str):
        thing = getattr(self, who)
        if isinstance(thing, Mediator | PoolMember):
            return thing.person.user
        return self.world.user(who)


def _mediator(world: World, name: str, region, level: str, specialties: list[str], *, login: str | None,
              phone: str, org: MediationOrg | None = None, post: bool = True) -> Mediator:
    if post:
        person = make_person(name, Role.MEDIATOR, region, login=login, phone=phone)
    else:
        person = Person(name=name)
        person.set_phone(phone)
        if login:
            from django.contrib.auth import get_user_model

            person.user = get_user_model().objects.create_user(login, password="pass-1234")
        person.save()
    return actions.mediator_create(actor=None, person=person, level=level, specialties=specialties,
                                   region=region, org=org)


def _member(pool, name: str, source: str, *, login: str | None, phone: str, specialties=()) -> PoolMember:
    person = Person(name=name)
    person.set_phone(phone)
    if login:
        from django.contrib.auth import get_user_model

        person.user = get_user_model().objects.create_user(login, password="pass-1234")
    person.save()
    return actions.pool_member_add(actor=None, pool=pool, person=person, source=source,
                                   specialties=list(specialties), joined_on=dt.date(2025, 1, 1))


def build_centre(world: World) -> Centre:
    ensure_clock_policies()
    w = world
    centre = actions.org_create(actor=None, name="仙游县社会矛盾纠纷调处化解中心", kind="centre", region=w.county)
    town_committee = actions.org_create(actor=None, name="度尾镇人民调解委员会", kind="committee", region=w.town)
    other_committee = actions.org_create(actor=None, name="郊尾镇人民调解委员会", kind="committee",
                                         region=w.other_town)
    court_room = actions.org_create(actor=None, name="县法院派驻调解工作室", kind="stationed", host="court",
                                    region=w.county)
    town_mediator = _mediator(w, "程忠定", w.town, "full_time", ["labour", "work_injury"], login="mediator_town",
                              phone="13700000001", org=town_committee)
    other_mediator = _mediator(w, "郑调解", w.other_town, "full_time", ["labour"], login="mediator_other",
                               phone="13700000002", org=other_committee)
    county_mediator = _mediator(w, "王金牌", w.county, "gold", ["family", "neighbour"], login="mediator_county",
                                phone="13700000003", org=centre)
    village_mediator = _mediator(w, "柯兼职", w.village_a, "part_time", ["labour"], login=None,
                                 phone="13700000004", post=False)
    brand_mediator = _mediator(w, "李中秋", w.town, "gold", ["land", "neighbour"], login="lizhongqiu",
                               phone="13700000005", post=False)
    brand_room = actions.org_create(actor=None, name="和合说事工作室", kind="brand", region=w.town,
                                    lead=brand_mediator)
    invited_mediator = _mediator(w, "特邀甲", w.county, "invited", ["labour"], login=None, phone="13700000006",
                                 org=court_room, post=False)
    pool = actions.pool_create(actor=None, name="度尾镇群英断事会", region=w.town)
    other_pool = actions.pool_create(actor=None, name="郊尾镇群英库", region=w.other_town)
    member = _member(pool, "吴见来", "worthy", login="qunying", phone="13600000001", specialties=["labour"])
    member_b = _member(pool, "柯老", "elders", login="qunying2", phone="13600000002")
    other_member = _member(other_pool, "郊尾群英", "volunteer", login="qunying_other", phone="13600000003")
    return Centre(world=w, centre=centre, town_committee=town_committee, other_committee=other_committee,
                  brand_room=brand_room, court_room=court_room, town_mediator=town_mediator,
                  other_mediator=other_mediator, county_mediator=county_mediator,
                  village_mediator=village_mediator, brand_mediator=brand_mediator,
                  invited_mediator=invited_mediator, member=member, member_b=member_b, other_member=other_member)


# A Tuesday in office hours, and a Saturday night (no office hours).
OFFICE_TIME = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
NIGHT_TIME = dt.datetime(2025, 3, 8, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def frozen(moment: dt.datetime):
    return clock.frozen(moment)
