"""A year of the county's mediation centre (矛调中心), played through the real actions.

The registry first: the centre, the county's and every town's committee, the rooms stationed in
the court, procuratorate, police and petition office, two professional committees, and the brand
rooms of seed 002 and 003 (李中秋's 和合说事工作室, 白锡荣调解工作室); mediators of every level
(the county centre's, each town's, village secretaries who chair their village committee, the
court's invited mediators); 度尾镇's 群英断事会 — 6 to 8 members in each village, drawn from the
elders' associations, local worthies, unit heads and volunteers (seed 004: 162 in all); the
centre's duty roster, police and full-time mediators round the clock (seed 000).

Then a year of cases of the six kinds from the three channels: disputes registered through the
one door (grid, 110, citizens) and handed to mediation, walk-ins at the single window, and the
court's referrals (诉前调解, its deadline running). Each case goes its way — accepted or refused,
a mediator suggested by specialty, area and load, sessions (face to face or 背对背, some joint
with the departments seated), investigations, an agreement (written or oral) with terms checked
as they fall due, follow-up visits, judicial confirmation inside §33's 30 days (a few missed),
or no agreement and a referral to court; court cases reported back. Alongside, 群英 tasks: the
village's police officer hands a dispute to a member of the village's pool, who takes it on the
phone, mediates and reports back (seed 004's 洋坂村 wage dispute among them); a few are declined
and handed on, a few run past their 7 days.

Every step runs at its own historic moment (`clock.frozen`) in one time-ordered queue with the
clock scanner's daily runs, so warnings and notices fall where they would have. Steps that would
fall after "now" are not played: recent cases and tasks stay open.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import random
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from fengqiao.demo import names
from fengqiao.demo.people import DEMO_PASSWORD, DEMO_TOWN, DEMO_VILLAGE, Roster
from fengqiao.demo.places import County
from fengqiao.demo.stories import _at
from fengqiao.events import actions as event_actions
from fengqiao.events.models import Category, Event
from fengqiao.events.models import Status as EventStatus
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.mediation import actions, suggest
from fengqiao.mediation.models import Case, MediationOrg, Mediator, PoolMember, Task
from fengqiao.people.models import Person, Post, Role
from fengqiao.regions.models import Region
from fengqiao.workflow import clocks

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
Step = Generator[dt.datetime, None, None]

# Logins a visitor can use (docs/demo.md): the 群英 of 洋坂村 and the brand-room mediator.
QUNYING_LOGIN = "qunying"
BRAND_LOGIN = "lizhongqiu"

# Kinds: share of cases, the share that settles (seed 002: 诉前调解 51.48%), written share.
KINDS = {
    "people": (52, 0.93, 0.8),
    "pre_litigation": (16, 0.52, 1.0),
    "administrative": (10, 0.82, 1.0),
    "judicial": (7, 0.7, 1.0),
    "arbitration": (7, 0.76, 1.0),
    "review": (8, 0.6, 1.0),
}
SPECIALTIES = {"labour": 18, "neighbour": 18, "family": 15, "land": 14, "traffic": 8, "debt": 9,
               "property": 6, "work_injury": 6, "medical": 3, "consumer": 3}
CATEGORY_OF = {"labour": "dispute.wages", "work_injury": "dispute.work_injury", "neighbour": "dispute.neighbours",
               "land": "dispute.land", "family": "dispute.family", "property": "dispute.property",
               "consumer": "dispute.consumer", "traffic": "dispute.traffic", "debt": "dispute.other",
               "medical": "dispute.other"}
# (title, facts, what was agreed, why it failed) per matter; {a} applicant, {b} respondent.
MATTERS: dict[str, list[tuple[str, str, str, str]]] = {
    "labour": [("{a}与{b}工资拖欠纠纷", "{a}在{b}经营的企业务工,被拖欠工资{n}元,多次讨要未果。",
                "{b}于期限内分两次向{a}支付拖欠工资{n}元", "双方对工资数额分歧过大"),
               ("{a}等人追讨劳务费纠纷", "{a}等五人为{b}承包的工地做工,完工后劳务费{n}元未结清。",
                "{b}一次性支付劳务费{n}元", "{b}称工程款未到账,无力支付")],
    "work_injury": [("{a}工伤赔偿纠纷", "{a}在{b}的车间作业时受伤,经鉴定为十级伤残,双方对赔偿金额分歧较大。",
                     "{b}一次性赔偿{a}各项费用{n}元", "赔偿金额差距过大,{a}坚持申请工伤认证后仲裁")],
    "neighbour": [("{a}与{b}邻里排水纠纷", "{b}翻建房屋后排水管直通{a}家院墙,雨天积水,双方多次争吵。",
                   "{b}改道排水管,并赔偿{a}墙体修缮费{n}元", "{b}不同意改道"),
                  ("{a}与{b}通行纠纷", "两家共用巷道,{b}堆放杂物阻碍通行,引发口角。",
                   "{b}三日内清理杂物,巷道双方共同维护", "双方各执一词")],
    "family": [("{a}与{b}赡养纠纷", "{a}年迈多病,子女{b}等对赡养费分担意见不一。",
                "{b}等每月各支付赡养费{n}元,轮流照料", "子女之间矛盾较深"),
               ("{a}与{b}婚姻家庭纠纷", "夫妻{a}与{b}因家庭琐事长期不和,{a}提出离婚及财产分割。",
                "双方和好,共同抚养子女,由{b}按月支付生活费{n}元", "{a}坚持离婚,引导诉讼")],
    "land": [("{a}与{b}宅基地界址纠纷", "{a}与{b}两家宅基地相邻,对界址认识不一,{b}砌墙越界约半米。",
              "以村里丈量的界址为准,{b}拆除越界部分,{a}给予补偿{n}元", "双方均不认可丈量结果"),
             ("{a}与{b}山林权属纠纷", "{a}与{b}两个家族对一片柚子林的承包经营权有争议。",
              "按原承包合同确认经营权归{a},{a}补偿{b}管护费{n}元", "涉及确权,引导申请行政处理")],
    "traffic": [("{a}与{b}交通事故赔偿纠纷", "{b}驾驶电动车与{a}相撞,{a}住院治疗,医疗费{n}元。",
                 "{b}赔偿{a}医疗费、误工费等共计{n}元", "对责任划分有争议")],
    "debt": [("{a}与{b}民间借贷纠纷", "{b}向{a}借款{n}元,约定一年归还,逾期未还。",
              "{b}分三期归还借款{n}元", "{b}否认借款事实")],
    "property": [("{a}与物业公司物业费纠纷", "{a}以电梯长期故障为由拒交物业费{n}元,物业公司催缴。",
                  "物业公司一个月内修复电梯,{a}补缴物业费{n}元", "双方互不让步")],
    "medical": [("{a}与{b}医疗纠纷", "{a}在{b}治疗后出现并发症,认为诊疗存在过错。",
                 "{b}一次性补偿{a}{n}元", "{a}要求进行医疗损害鉴定")],
    "consumer": [("{a}与{b}买卖合同纠纷", "{a}在{b}购买的农机质量有问题,要求退货。",
                  "{b}为{a}更换农机并承担运费", "{b}不同意退换")],
}
SEATS_FOR = {
    "labour": [("labour", "劳动保障所"), ("legal_adviser", "法律顾问"), ("police", "派出所")],
    "work_injury": [("labour", "劳动保障所"), ("safety", "安监中队"), ("legal_adviser", "法律顾问")],
    "land": [("justice", "司法所"), ("police", "派出所"), ("other", "自然资源所")],
    "family": [("justice", "司法所"), ("other", "妇联")],
    "traffic": [("police", "交警中队"), ("court", "人民法院"), ("legal_adviser", "法律顾问")],
    "medical": [("other", "卫健局"), ("legal_adviser", "法律顾问"), ("court", "人民法院")],
}
REFUSALS = ["该纠纷已由人民法院受理,依法不予受理", "属于行政机关职权范围,已告知向主管部门申请",
            "一方当事人明确拒绝调解", "不属于民间纠纷受理范围"]
POOL_SOURCES = ["elders", "worthy", "unit_head", "volunteer"]
TOWN_COMMITTEE = "{town}人民调解委员会"


@dataclass
class MediationReport:
    orgs: int = 0
    mediators: int = 0
    members: int = 0
    shifts: int = 0
    cases: Counter = field(default_factory=Counter)  # by kind
    statuses: Counter = field(default_factory=Counter)
    tasks: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    refused_steps: int = 0  # a step the platform refused (kept as the story's end)
    refusals: list[str] = field(default_factory=list)  # the first few, to see why

    def lines(self) -> list[str]:
        return [
            f"mediation centre: {self.orgs} organisations, {self.mediators} mediators, {self.members} 群英, "
            f"{self.shifts} duty shifts",
            "mediation cases: " + ", ".join(f"{k} {n}" for k, n in self.cases.most_common())
            + "; " + ", ".join(f"{k} {n}" for k, n in self.statuses.most_common()),
            "群英 tasks: " + ", ".join(f"{k} {n}" for k, n in self.tasks.most_common()),
        ]


def _local(day: dt.date, hour: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour)
    return timezone.make_aware(naive.replace(second=0, microsecond=0), timezone.get_current_timezone())


def _working_moment(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """The next working-day office moment at or after `moment`."""
    cal = clocks.WorkingCalendar()
    local = timezone.localtime(moment)
    day = local.date()
    if local.hour >= 17 or not cal.is_workday(day):
        day += DAY
        while not cal.is_workday(day):
            day += DAY
        return _local(day, rng.uniform(8.6, 11.5))
    if local.hour < 8:
        return _local(day, rng.uniform(8.6, 10.0))
    return moment


# ------------------------------------------------------------------------------ people


class _People:
    """New people of the centre: persons with logins (most unusable; two documented)."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.hash = make_password(DEMO_PASSWORD)
        self.count = itertools.count(1)

    def make(self, name: str, *, username: str = "") -> Person:
        User = get_user_model()
        user = User.objects.create(username=username or f"m{next(self.count):05d}",
                                   password=self.hash if username else make_password(None), first_name=name)
        person = Person(name=name, user=user)
        person.set_phone(names.mobile(self.rng))
        person.save()
        return person


def _person_user(roster: Roster, person: Person):
    return roster.user(person)


# ------------------------------------------------------------------------------ registry


@dataclass
class Registry:
    centre: MediationOrg
    county_committee: MediationOrg
    town_committee: dict[int, MediationOrg]  # town id → committee
    court_room: MediationOrg
    rooms: list[MediationOrg]
    brand_rooms: dict[int, MediationOrg]  # town id → brand room
    county_mediators: list[Mediator]
    town_mediators: dict[int, Mediator]  # town id → the town's full-time mediator
    brand_mediators: dict[int, Mediator]  # brand room id → its mediator
    pools: dict[int, list[PoolMember]]  # village id → members
    qunying: PoolMember | None = None  # 吴见来 of 洋坂村


def build_registry(*, county: County, roster: Roster, rng: random.Random, at: dt.datetime,
                   report: MediationReport) -> Registry:
    admin = roster.user(roster.admin)
    c = county.county
    make = _People(rng, timezone.localtime(at).date())
    with _at(at):
        centre = actions.org_create(actor=admin, name="仙游县社会矛盾纠纷调处化解中心", kind="centre", region=c,
                                    address="仙游县鲤城街道八二一大街", phone="0594-8266110")
        county_committee = actions.org_create(actor=admin, name="仙游县人民调解委员会", kind="committee", region=c)
        towns = {t.id: actions.org_create(actor=admin, name=TOWN_COMMITTEE.format(town=t.name), kind="committee",
                                          region=t) for t in county.towns}
        court_room = actions.org_create(actor=admin, name="仙游县人民法院诉调对接中心调解工作室", kind="stationed",
                                        host="court", region=c)
        rooms = [court_room] + [actions.org_create(actor=admin, name=name, kind="stationed", host=host, region=c)
                                for name, host in [("仙游县人民检察院派驻调解工作室", "procuratorate"),
                                                   ("仙游县公安局派驻调解工作室", "police"),
                                                   ("仙游县信访局派驻调解工作室", "petition")]]
        rooms += [actions.org_create(actor=admin, name=name, kind="professional", region=c)
                  for name in ("仙游县医疗纠纷人民调解委员会", "仙游县道路交通事故纠纷人民调解委员会")]
        county_mediators = []
        levels = ["gold", "gold", "red", "red", "full_time", "full_time"]
        specialties = [["labour", "work_injury"], ["family", "neighbour", "land"], ["traffic", "debt"],
                       ["medical", "consumer"], ["labour", "property"], ["neighbour", "family"]]
        for person, level, spec in zip(roster.mediators, levels, specialties, strict=False):
            county_mediators.append(actions.mediator_create(actor=admin, person=person, level=level,
                                                            specialties=spec, region=c, org=centre))
        for i in range(3):  # the court's invited mediators: retired judges and lawyers
            person = make.make(names.person_name(rng))
            county_mediators.append(actions.mediator_create(
                actor=admin, person=person, level="invited", specialties=["debt", "labour", "traffic", "family"][i:i + 2],
                region=c, org=court_room, title=["退休法官", "律师", "退休法官"][i]))
        town_posts = {p.region_id: p.person for p in Post.objects.filter(role=Role.MEDIATOR, active=True,
                                                                          region__level="town",
                                                                          region__county=c).select_related("person")}
        town_mediators = {}
        for town in county.towns:
            holder = town_posts.get(town.id)
            if holder is None:
                continue
            town_mediators[town.id] = actions.mediator_create(
                actor=admin, person=holder, level="full_time", specialties=rng.sample(list(SPECIALTIES), 2),
                region=town, org=towns[town.id])
        # Village secretaries chair their village committees (村调委会主任): part-time mediators.
        for village in rng.sample(county.villages, min(24, len(county.villages))):
            secretary = roster.secretary.get(village.id)
            if secretary is not None and village.town_id is not None:
                actions.mediator_create(actor=admin, person=secretary, level="part_time",
                                        specialties=rng.sample(["neighbour", "family", "land"], 2), region=village,
                                        org=towns[village.town_id])
        brand_rooms, brand_mediators = {}, {}
        for town_code, room, name, username, spec in [
                (DEMO_TOWN, "和合说事工作室", "李中秋", BRAND_LOGIN, ["land", "neighbour", "family"]),
                ("350322001", "白锡荣调解工作室", "白锡荣", "", ["neighbour", "family", "property"])]:
            town = county.town(town_code)
            person = make.make(name, username=username)
            mediator = actions.mediator_create(actor=admin, person=person, level="gold", specialties=spec,
                                               region=town, org=towns[town.id], title="个人品牌调解室")
            org = actions.org_create(actor=admin, name=room, kind="brand", region=town, lead=mediator)
            actions.mediator_update(actor=admin, mediator=mediator, org=org)
            brand_rooms[town.id] = org
            brand_mediators[org.id] = mediator
        # 度尾镇 群英断事会: 6–8 in every village.
        pools: dict[int, list[PoolMember]] = {}
        qunying = None
        demo_town = county.town(DEMO_TOWN)
        for village in county.villages_of.get(demo_town.id, []):
            pool = actions.pool_create(actor=admin, name=f"{village.display_name}群英断事会", region=village)
            members = []
            for j in range(rng.randint(6, 8)):
                demo = village.code == DEMO_VILLAGE and j == 0
                person = make.make("吴见来" if demo else names.person_name(rng, female=rng.random() < 0.2),
                                   username=QUNYING_LOGIN if demo else "")
                member = actions.pool_member_add(
                    actor=admin, pool=pool, person=person, source="worthy" if demo else rng.choice(POOL_SOURCES),
                    specialties=["labour", "neighbour"] if demo else rng.sample(["neighbour", "family", "land", "labour"], 2),
                    joined_on=timezone.localtime(at).date())
                members.append(member)
                if demo:
                    qunying = member
            pools[village.id] = members
    report.orgs = MediationOrg.objects.count()
    report.mediators = Mediator.objects.count()
    report.members = PoolMember.objects.count()
    return Registry(centre=centre, county_committee=county_committee, town_committee=towns, court_room=court_room,
                    rooms=rooms, brand_rooms=brand_rooms, county_mediators=county_mediators,
                    town_mediators=town_mediators, brand_mediators=brand_mediators, pools=pools, qunying=qunying)


def build_roster(*, registry: Registry, roster: Roster, county: County, as_of: dt.datetime, days: int,
                 report: MediationReport) -> None:
    """The centre's duty roster for the last `days` days and the week ahead: a police officer and
    a full-time mediator on each twelve-hour shift, day and night."""
    admin = roster.user(roster.admin)
    police = [roster.police[v.id] for v in county.villages if v.id in roster.police][:8]
    mediators = [m.person for m in registry.county_mediators if m.level in ("full_time", "gold", "red")]
    start_day = timezone.localtime(as_of).date() - dt.timedelta(days=days)
    with _at(_local(start_day, 7.0)):
        for i in range((days + 7) * 2):
            starts = _local(start_day, 8.0) + dt.timedelta(hours=12 * i)
            for person, role in ((police[i % len(police)], "police"), (mediators[i % len(mediators)], "mediator")):
                actions.duty_shift_add(actor=admin, org=registry.centre, person=person, role=role, starts_at=starts,
                                       ends_at=starts + dt.timedelta(hours=12))
                report.shifts += 1


# ------------------------------------------------------------------------- the year


class Player:
    """Runs the stories in one time-ordered queue, each step at its own moment."""

    def __init__(self, *, county: County, roster: Roster, registry: Registry, as_of: dt.datetime,
                 rng: random.Random, report: MediationReport):
        self.county = county
        self.roster = roster
        self.registry = registry
        self.as_of = as_of
        self.rng = rng
        self.report = report
        self.queue: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
        self.seq = itertools.count()
        self.categories = {c.code: c for c in Category.objects.all()}
        self.operator = roster.user(roster.duty_operator)
        self.today = timezone.localtime(as_of).date()
        self.seed = rng.random()

    def clock_now(self) -> dt.datetime:
        return clock.now()

    def add(self, start: dt.datetime, story: Step) -> None:
        heapq.heappush(self.queue, (start, next(self.seq), story))

    def run(self) -> None:
        while self.queue:
            moment, _n, story = heapq.heappop(self.queue)
            if moment >= self.as_of:
                continue  # not yet: the story stays where it is
            try:
                with _at(moment):
                    following = next(story)
            except StopIteration:
                continue
            except DomainError as exc:
                self.report.refused_steps += 1
                if len(self.report.refusals) < 10:
                    self.report.refusals.append(f"{type(exc).__name__}: {exc.message}")
                continue
            heapq.heappush(self.queue, (max(following, moment + dt.timedelta(minutes=1)), next(self.seq), story))

    def count(self, action: str) -> None:
        self.report.actions[action] += 1

    # ------------------------------------------------------------------ helpers

    def party(self, side: str, name: str) -> dict[str, Any]:
        female = self.rng.random() < 0.4
        return {"side": side, "name": name, "phone": names.mobile(self.rng),
                "id_number": names.id_number(self.rng, today=self.today, female=female),
                "sex": "女" if female else "男", "address": ""}

    def village(self) -> Region:
        demo_town = self.county.town(DEMO_TOWN)
        if self.rng.random() < 0.25:
            return self.rng.choice(self.county.villages_of[demo_town.id])
        return self.rng.choice(self.county.villages)

    def mediator_user(self, case: Case):
        lead = case.mediators.filter(active=True, role="lead").select_related("mediator__person").first()
        person = lead.mediator.person if lead else self.registry.county_mediators[0].person
        return self.roster.user(person)

    def officer_for(self, org: MediationOrg, index: int):
        """Who decides for the organisation: a town committee's own mediator, else one of the
        centre's (a brand room's mediator mediates; the centre accepts and closes)."""
        if org.kind == "committee" and org.region.level == "town":
            town_mediator = self.registry.town_mediators.get(org.region_id)
            if town_mediator is not None:
                return self.roster.user(town_mediator.person)
        return self.roster.user(self.registry.county_mediators[index % 4].person)

    def register(self, *, title: str, description: str, region: Region, specialty: str, source: str,
                 parties: list[dict[str, Any]], dispute_source: str = "") -> Event:
        from fengqiao.events.actions import PartyInput
        from fengqiao.intake.actions import Report, intake_submit

        result = intake_submit(report=Report(
            source=source, title=title, description=description, region=region,
            category=self.categories[CATEGORY_OF[specialty]], dispute_source=dispute_source,
            parties=[PartyInput(name=p["name"][:50], phone=p["phone"], id_number=p["id_number"],
                                is_reporter=i == 0) for i, p in enumerate(parties)]), actor=self.operator)
        self.count("intake")
        return result.event


# ------------------------------------------------------------------------------ a case


def _pick(rng: random.Random, weights: dict[str, Any]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[w[0] if isinstance(w, tuple) else w for w in weights.values()])[0]


def case_story(p: Player, start: dt.datetime, index: int) -> Step:
    rng = random.Random(f"{p.seed}-case-{index}")
    kind = _pick(rng, KINDS)
    _share, settles, written_share = KINDS[kind]
    specialty = _pick(rng, SPECIALTIES)
    if kind == "arbitration":
        specialty = rng.choice(["labour", "work_injury"])
    region = p.village()
    a, b = names.person_name(rng), names.person_name(rng)
    title, facts, agreed_text, failed_text = rng.choice(MATTERS[specialty])
    amount = rng.choice([3000, 5000, 8000, 12000, 20000, 35000, 60000])
    fill = {"a": a, "b": b, "n": f"{amount:,}"}
    title, facts = title.format(**fill), facts.format(**fill)
    parties = [p.party("applicant", a), p.party("respondent", b)]
    r = p.registry
    assert region.town_id is not None
    channel = "court" if kind in ("pre_litigation", "judicial") else (
        "window" if kind in ("arbitration", "review", "administrative") or rng.random() < 0.4 else "event")
    if channel == "event":
        org = r.brand_rooms.get(region.town_id) if rng.random() < 0.3 else None
        org = org or r.town_committee[region.town_id]
    elif channel == "court":
        org = r.court_room
    else:
        org = r.centre if kind != "people" or rng.random() < 0.5 else r.town_committee[region.town_id]
    if specialty in ("medical", "traffic") and kind == "people" and rng.random() < 0.6:
        org = r.rooms[-2] if specialty == "medical" else r.rooms[-1]
    # 1. Opening
    if channel == "event":
        event = p.register(title=title, description=facts, region=region, specialty=specialty,
                           source=rng.choice(["grid", "police_110", "citizen", "sweep"]), parties=parties,
                           dispute_source=rng.choice(["", "police", "petition"]))
        yield start + dt.timedelta(hours=rng.uniform(2, 30))
        case = actions.case_open(actor=p.officer_for(org, index), event=event, org=org, kind=kind, facts=facts,
                                 parties=parties)
    elif channel == "window":
        case = actions.case_open_from_window(actor=p.roster.user(r.county_mediators[index % 6].person), org=org,
                                             kind=kind, title=title, description=facts, region=region,
                                             specialty=specialty, parties=parties)
    else:
        deadline = _local(timezone.localtime(start).date() + dt.timedelta(days=rng.randint(20, 30)), 17.0)
        case = actions.case_open_from_court(
            actor=p.roster.user(r.county_mediators[index % 6].person), org=org, court_name="仙游县人民法院",
            court_case_number=f"({timezone.localtime(start).year})闽0322民诉前调{1000 + index}号",
            court_deadline=deadline, title=title, description=facts, region=region, specialty=specialty,
            kind=kind, parties=parties)
    p.count("case_open")
    officer = p.officer_for(org, index)
    # 2. Acceptance (mostly within the 3 working days; a few late; some refused)
    yield _working_moment(p.clock_now() + dt.timedelta(hours=rng.choice([1, 3, 20, 26, 50, 100])), rng)
    if rng.random() < 0.05:
        actions.case_refuse(case=case, actor=officer, reason=rng.choice(REFUSALS))
        p.count("case_refuse")
        return
    actions.case_accept(case=case, actor=officer, note="材料齐全,予以受理")
    p.count("case_accept")
    yield p.clock_now() + dt.timedelta(minutes=rng.randint(10, 120))
    case = Case.objects.select_related("region", "org", "event").get(pk=case.pk)
    if org.kind == "brand":
        lead, reason = r.brand_mediators[org.id], "个人品牌调解室"
    else:
        found = suggest.suggest_for_case(case, limit=3)
        lead, reason = (found[0].mediator, found[0].reason) if found else (r.county_mediators[0], "")
    actions.case_assign(case=case, actor=officer, mediator=lead, reason=reason)
    p.count("case_assign")
    mediator = p.roster.user(lead.person)
    joint = specialty in SEATS_FOR and rng.random() < 0.35
    if joint or rng.random() < 0.15:
        others = [m for m in suggest.suggest_for_case(case, limit=3) if m.mediator.pk != lead.pk]
        if others:
            actions.case_assign(case=case, actor=officer, mediator=others[0].mediator, role="assistant",
                                reason=others[0].reason)
            p.count("case_assign")
    # 3. Investigation, sessions
    if rng.random() < 0.35:
        yield p.clock_now() + dt.timedelta(hours=rng.uniform(20, 60))
        actions.case_investigate(case=case, actor=mediator, held_at=p.clock_now(), place=f"{region.display_name}",
                                 subject=rng.choice([a, b]), investigators=[lead.person.name],
                                 content=f"向当事人了解纠纷经过:{facts}")
        p.count("case_investigate")
    sessions = 1 if rng.random() < 0.6 else rng.randint(2, 3)
    for n in range(sessions):
        yield _working_moment(p.clock_now() + dt.timedelta(hours=rng.uniform(4, 30)), rng)
        when = _working_moment(p.clock_now() + dt.timedelta(days=rng.randint(1, 6)), rng)
        seats = [{"kind": k, "representative": f"{unit}{names.surname(rng)}同志", "unit_name": f"{unit}"}
                 for k, unit in SEATS_FOR.get(specialty, [])] if joint and n == sessions - 1 else []
        mode = "back_to_back" if rng.random() < 0.3 else "face_to_face"
        session = actions.case_schedule_session(case=case, actor=mediator, scheduled_for=when,
                                                place=org.name + ("联合调解室" if seats else "调解室"), mode=mode,
                                                seats=seats)
        p.count("case_schedule_session")
        yield when
        present = list(case.parties.values_list("pk", flat=True))
        actions.case_hold_session(
            case=case, actor=mediator, session=session, attendees=[lead.person.name, a, b] + [s["representative"]
                                                                                             for s in seats],
            parties_present=present,
            notes=("背对背分别做双方工作," if mode == "back_to_back" else "双方当面陈述,") + "调解员释法析理,耐心疏导。")
        p.count("case_hold_session")
    # 4. Outcome
    yield p.clock_now() + dt.timedelta(hours=rng.uniform(1, 72 if rng.random() < 0.85 else 24 * 20))
    brand = org.kind == "brand"
    if brand or rng.random() < settles:
        form = "written" if rng.random() < written_share else "oral"
        terms: list[dict[str, Any]] = [{"content": agreed_text.format(**fill),
                  "due_on": (timezone.localtime(p.clock_now()).date() + dt.timedelta(days=rng.randint(3, 45))).isoformat()}]
        if rng.random() < 0.4:
            terms.append({"content": "双方就此纠纷再无其他争议,互不追究", "due_on": None})
        actions.case_agree(case=case, actor=mediator, form=form, terms=terms, facts=facts,
                           disputes=f"{a}与{b}就{title}存在争议", responsibility="双方均有一定责任,互谅互让",
                           performance_manner="当面交付或银行转账")
        p.count("case_agree")
        yield from _after_agreement(p, case, mediator, officer, rng, brand=brand)
        return
    if rng.random() < 0.15:
        actions.case_withdraw(case=case, actor=mediator, reason="当事人自行协商和解,撤回申请")
        p.count("case_withdraw")
    elif rng.random() < 0.5:
        actions.case_refer(case=case, actor=mediator, to="arbitration" if specialty in ("labour", "work_injury")
                           else "litigation", note=failed_text.format(**fill))
        p.count("case_refer")
    else:
        actions.case_fail(case=case, actor=mediator, reason=failed_text.format(**fill))
        p.count("case_fail")
    if case.channel == "court":
        yield p.clock_now() + dt.timedelta(hours=rng.uniform(3, 50))
        actions.case_report_to_court(case=case, actor=mediator, report=f"调解未成功:{failed_text.format(**fill)}")
        p.count("case_report_to_court")
    yield p.clock_now() + dt.timedelta(days=rng.uniform(1, 5))
    actions.case_close(case=case, actor=officer, note="调解终结,卷宗归档")
    p.count("case_close")
    yield p.clock_now() + dt.timedelta(days=rng.uniform(1, 4))
    _event_goes_on(p, case, text="经调解未达成协议,已告知当事人依法通过诉讼或仲裁途径解决。")


def _after_agreement(p: Player, case: Case, mediator, officer, rng: random.Random, *, brand: bool) -> Step:
    case = Case.objects.select_related("event").get(pk=case.pk)
    if case.channel == "court":
        yield p.clock_now() + dt.timedelta(hours=rng.uniform(3, 30))
        actions.case_report_to_court(case=case, actor=mediator, report="双方达成调解协议,已签署调解协议书")
        p.count("case_report_to_court")
    # The event's loop: the operator calls the citizen back and archives it.
    yield p.clock_now() + dt.timedelta(days=rng.uniform(1, 4))
    _event_called_back(p, case)
    yield p.clock_now() + dt.timedelta(days=rng.uniform(0.5, 6))
    actions.case_close(case=case, actor=officer, note="达成协议,卷宗归档")
    p.count("case_close")
    agreement = case.agreement
    confirm = agreement.kind == "written" and case.kind in ("people", "pre_litigation", "administrative", "review") \
        and rng.random() < 0.35
    terms = list(agreement.terms.order_by("seq"))
    signed_day = timezone.localtime(agreement.signed_at).date()
    # A few parties let §33's 30 days pass: the scanner warns, then notices; no application.
    if confirm and rng.random() < 0.88:
        yield max(p.clock_now(), agreement.effective_at + dt.timedelta(days=rng.uniform(2, 24)))
        actions.case_apply_confirmation(case=case, actor=mediator, court_name="仙游县人民法院")
        p.count("case_apply_confirmation")
        yield p.clock_now() + dt.timedelta(days=rng.uniform(3, 15))
        actions.case_record_confirmation(case=case, actor=mediator,
                                         decision="confirmed" if rng.random() < 0.95 else "rejected",
                                         court_case_number=f"({timezone.localtime(p.clock_now()).year})闽0322民特"
                                                           f"{rng.randint(10, 999)}号")
        p.count("case_record_confirmation")
    for term in terms:
        due = term.due_on or signed_day + dt.timedelta(days=7)
        moment = _local(due, rng.uniform(9, 17)) + dt.timedelta(days=rng.randint(1, 6))
        if moment > p.clock_now():
            yield moment
        status = "performed" if brand or rng.random() < 0.9 else rng.choice(["partly", "not"])
        actions.case_check_term(case=case, actor=mediator, term=term, status=status,
                                note="经回访核实,已按约履行" if status == "performed" else "尚未完全履行,继续督促")
        p.count("case_check_term")
    yield p.clock_now() + dt.timedelta(days=rng.uniform(2, 20))
    actions.case_follow_up(case=case, actor=mediator, method=rng.choice(["visit", "phone"]),
                           note="回访当事人,协议履行情况良好,双方关系和睦" if rng.random() < 0.9 else "一方仍有怨言,已做疏导",
                           dispute_settled=True)
    p.count("case_follow_up")


def _event_called_back(p: Player, case: Case) -> None:
    """After an agreement the bound mediator resolved the event: the operator calls back, closes."""
    event = Event.objects.get(pk=case.event_id)
    if event.status != EventStatus.RESOLVED:
        return
    event_actions.event_call_back(event=event, actor=p.operator, satisfaction="satisfied", note="当事人对调解结果满意")
    event_actions.event_close(event=event, actor=p.operator)
    p.count("event_close")


def _event_goes_on(p: Player, case: Case, *, text: str) -> None:
    """No agreement: the village's police officer (one of the 3) resolves the event himself by
    referring the parties on, and the operator closes the loop."""
    event = Event.objects.select_related("region").get(pk=case.event_id)
    police = p.roster.police.get(event.village_id) if event.village_id else None
    if police is None or event.status not in (EventStatus.DISPATCHED, EventStatus.IN_PROGRESS):
        return
    user = p.roster.user(police)
    if event.status == EventStatus.DISPATCHED:
        event_actions.event_acknowledge(event=event, actor=user)
    event_actions.event_resolve(event=event, actor=user, result=text)
    event_actions.event_call_back(event=event, actor=p.operator, satisfaction="basically_satisfied")
    event_actions.event_close(event=event, actor=p.operator)
    p.count("event_close")


# ------------------------------------------------------------------------------ a task


def task_story(p: Player, start: dt.datetime, index: int, *, seed_story: bool = False) -> Step:
    """派单/接单: the village's police officer hands a dispute to a member of the village's pool."""
    rng = random.Random(f"{p.seed}-task-{index}")
    villages = [v for v in p.county.villages_of[p.county.town(DEMO_TOWN).id] if p.registry.pools.get(v.id)]
    village = p.county.village(DEMO_VILLAGE) if seed_story else rng.choice(villages)
    specialty = "labour" if seed_story else rng.choice(["neighbour", "family", "land", "labour", "debt"])
    a, b = ("柯某", "吴某") if seed_story else (names.person_name(rng), names.person_name(rng))
    title, facts, agreed_text, _failed = ("{a}与{b}工资纠纷", "{a}因工资发放问题与老板{b}产生矛盾。",
                                          "{b}同意结清工资", "") if seed_story else rng.choice(MATTERS[specialty])
    fill = {"a": a, "b": b, "n": f"{rng.choice([2000, 4000, 6000, 9000]):,}"}
    event = p.register(title=title.format(**fill), description=facts.format(**fill), region=village,
                       specialty=specialty, source="police_110" if seed_story else rng.choice(["grid", "police_110"]),
                       parties=[p.party("applicant", a), p.party("respondent", b)], dispute_source="police")
    police = p.roster.police.get(village.id)
    if police is None:
        return
    officer = p.roster.user(police)
    yield p.clock_now() + dt.timedelta(hours=rng.uniform(0.5, 6))
    event_actions.event_acknowledge(event=event, actor=officer)
    members = p.registry.pools[village.id]
    member = p.registry.qunying if seed_story and p.registry.qunying else rng.choice(members)
    task = actions.task_dispatch(actor=officer, event=event, member=member, instructions="请尽快联系双方当事人,就地化解")
    p.count("task_dispatch")
    yield p.clock_now() + dt.timedelta(minutes=rng.randint(10, 240))
    if not seed_story and rng.random() < 0.06:
        actions.task_decline(task=task, actor=p.roster.user(member.person), reason="与当事人有亲属关系,需要回避")
        p.count("task_decline")
        yield p.clock_now() + dt.timedelta(hours=rng.uniform(1, 8))
        member = rng.choice([m for m in members if m.pk != member.pk])
        actions.task_reassign(task=task, actor=officer, member=member)
        p.count("task_reassign")
        yield p.clock_now() + dt.timedelta(minutes=rng.randint(10, 120))
    who = p.roster.user(member.person)
    actions.task_accept(task=task, actor=who)
    p.count("task_accept")
    # Seed 004: "这场历时半个月的薪资纠纷" — past the 7 days.
    days = 14.5 if seed_story else (rng.uniform(1, 6) if rng.random() < 0.85 else rng.uniform(8, 14))
    yield p.clock_now() + dt.timedelta(days=days)
    settled = seed_story or rng.random() < 0.92
    actions.task_report(task=task, actor=who, settled=settled,
                        report=("在村干部、民警共同努力下,双方达成一致," + agreed_text.format(**fill)) if settled
                        else "双方分歧较大,未能化解,建议提交镇调委会")
    p.count("task_report")
    yield p.clock_now() + dt.timedelta(hours=rng.uniform(2, 30))
    actions.task_close(task=task, actor=officer, note="已核实")
    p.count("task_close")
    event = Event.objects.get(pk=event.pk)
    if settled and event.status == EventStatus.IN_PROGRESS:
        event_actions.event_resolve(event=event, actor=officer, result=f"群英{member.person.name}调解化解:"
                                    + agreed_text.format(**fill))
        yield p.clock_now() + dt.timedelta(days=rng.uniform(1, 3))
        event_actions.event_call_back(event=event, actor=p.operator, satisfaction="satisfied")
        event_actions.event_close(event=event, actor=p.operator)
        p.count("event_close")


def scan_story(p: Player, start: dt.datetime) -> Step:
    """The clock scanner, every morning at eight (the platform runs it every minute)."""
    moment = start
    while True:
        clocks.scan(now=moment.astimezone(dt.UTC))
        moment += DAY
        yield moment


# ------------------------------------------------------------------------------ entry


def build_mediation(*, county: County, roster: Roster, as_of: dt.datetime, seed: int = 2026,
                    cases: int = 400, tasks: int = 150, days: int = 365) -> MediationReport:
    """The centre's registry, roster and a year (`days`) of `cases` cases and `tasks` 群英 tasks."""
    rng = random.Random(f"{seed}-mediation")
    report = MediationReport()
    first = _local(timezone.localtime(as_of).date() - dt.timedelta(days=days + 3), 9.0)
    registry = build_registry(county=county, roster=roster, rng=rng, at=first, report=report)
    build_roster(registry=registry, roster=roster, county=county, as_of=as_of, days=30, report=report)
    player = Player(county=county, roster=roster, registry=registry, as_of=as_of, rng=rng, report=report)
    start_day = timezone.localtime(as_of).date() - dt.timedelta(days=days)
    for i in range(cases):
        day = start_day + dt.timedelta(days=int(days * i / max(cases, 1)))
        hour = rng.uniform(8.5, 17.5) if rng.random() < 0.9 else rng.choice([7.2, 19.5, 21.0, 22.5])
        moment = _local(day, hour)
        player.add(moment, case_story(player, moment, i))
    for i in range(tasks):
        day = start_day + dt.timedelta(days=int(days * i / max(tasks, 1)))
        moment = _local(day, rng.uniform(8.5, 20))
        player.add(moment, task_story(player, moment, i))
    seed_day = timezone.localtime(as_of).date() - dt.timedelta(days=40)
    player.add(_local(seed_day, 10.2), task_story(player, _local(seed_day, 10.2), tasks, seed_story=True))
    player.add(_local(start_day, 8.0), scan_story(player, _local(start_day, 8.0)))
    scanner_log = logging.getLogger("fengqiao.workflow.clocks")
    level = scanner_log.level
    scanner_log.setLevel(logging.WARNING)  # a year of daily scans need not be told one by one
    try:
        player.run()
    finally:
        scanner_log.setLevel(level)
    report.cases = Counter(Case.objects.values_list("kind", flat=True))
    report.statuses = Counter(Case.objects.values_list("status", flat=True))
    report.tasks = Counter(Task.objects.values_list("status", flat=True))
    return report
