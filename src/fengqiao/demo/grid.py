"""The demo's grid network and incentive scheme: 度尾镇's "柚相邻" zone (洋坂, 剑山, 中岳, 帽山:
seed 004) with its households, firms and rented rooms, a year of visits by each grid's worker
(most meet the four-days-a-week rule, a few walk less), demands raised on visits through the one
door, hazard checks with findings and re-checks, publicity, mass-prevention teams with rosters
and patrol routes; and the incentives: points under the rules, a closed round of 六好六无 scoring
with stars, a shop with exchanges, red and black lists, an election of excellent grid heads.

Everything goes through the real actions under `clock.frozen`, as a person would have done it
on the day. The rest of the county keeps its grids and workers without registries (the demo
stays quick to build)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import shapely
from django.utils import timezone

from fengqiao.demo.names import id_number, mobile, person_name
from fengqiao.demo.people import DEMO_TOWN, DEMO_VILLAGE, Roster
from fengqiao.demo.places import County
from fengqiao.events import actions as event_actions
from fengqiao.grid import actions as grid
from fengqiao.grid.models import Checklist, Finding, FindingStatus, GridRole
from fengqiao.incentives import actions as points
from fengqiao.incentives.models import Rubric, Rule
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.regions.models import Region, RegionShape

ZONE_VILLAGES = ("洋坂", "剑山", "中岳", "帽山")
HOUSEHOLDS_PER_GRID = 24
FIRM_NAMES = ["文旦柚合作社", "仙作家具厂", "鞋服加工厂", "农资店", "小吃店", "红木工艺坊", "汽修店"]
FIRM_KIND = {"合作社": "enterprise", "家具厂": "factory", "加工厂": "factory", "农资店": "shop", "小吃店": "restaurant",
             "工艺坊": "factory", "汽修店": "shop"}
DEMANDS = ["村道路灯不亮，晚上出行不便", "自来水水压低，高峰时停水", "屋后排水沟堵塞", "申请低保材料不知如何准备",
           "邻居装修噪音扰民", "独居老人想申请居家养老服务", "村口垃圾清运不及时", "孩子入学需要开具居住证明"]
THEMES = ["消防安全", "防范电信诈骗", "普法宣传", "出租房消防", "平安建设"]


@dataclass
class GridReport:
    households: int = 0
    firms: int = 0
    visits: int = 0
    demands: int = 0
    checks: int = 0
    findings: int = 0
    patrols: int = 0
    redemptions: int = 0
    below_rule: list[str] = field(default_factory=list)
    actions: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        below = "、".join(self.below_rule) or "none"
        return [
            f"grid registries: {self.households} households, {self.firms} firms",
            f"field work: {self.visits} visits ({self.demands} demands raised), {self.checks} hazard checks "
            f"({self.findings} hazards found), {self.patrols} patrols",
            f"below the visit rule: {below}",
            f"exchange shops: {self.redemptions} redemptions",
        ]


def _day_in(start: dt.datetime, as_of: dt.datetime, rng: random.Random, low: float = 0.0, high: float = 0.98) -> dt.date:
    """A day in the fraction [low, high) of the span from `start` to `as_of`."""
    span = (as_of - start).days
    return (start + dt.timedelta(days=rng.randrange(int(span * low), max(int(span * high), int(span * low) + 1)))).date()


def _local(day: dt.date, hour: float) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60)), tzinfo=tz)


def _point_in(geom, rng: random.Random) -> tuple[float, float]:
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(50):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geom.contains(shapely.Point(x, y)):
            return round(y, 6), round(x, 6)
    c = geom.centroid
    return round(c.y, 6), round(c.x, 6)


def zone_villages(county: County) -> list[Region]:
    town = county.town(DEMO_TOWN)
    villages = county.villages_of.get(town.id, [])
    chosen = [v for name in ZONE_VILLAGES for v in villages if name in v.name]
    if len(chosen) < 2:  # a slice without them: the town's first four villages
        chosen = villages[:4]
    demo = [v for v in villages if v.code == DEMO_VILLAGE]
    if demo and demo[0] not in chosen:
        chosen = [demo[0], *chosen[:3]]
    return chosen


def build_grid(*, county: County, roster: Roster, as_of: dt.datetime, seed: int, events: int = 12000) -> GridReport:
    """`events`: the demo's size (12,000 by default: a year of visits in 24 households a grid);
    a smaller demo keeps fewer households and a shorter span of visits."""
    rng = random.Random(seed + 11)
    report = GridReport()
    admin = roster.user(roster.admin)
    villages = zone_villages(county)
    scale = min(1.0, events / 12000)
    per_grid = max(6, round(HOUSEHOLDS_PER_GRID * scale))
    start = as_of - dt.timedelta(days=max(42, round(365 * scale)))
    with clock.frozen(start - dt.timedelta(days=20)):
        zone = grid.zone_save(actor=admin, zone=None, code="yxl", name="“柚相邻”示范片区", county=county.county,
                              villages=villages, note="洋坂、剑山、中岳、帽山4个村13个党支部组建片区党委")
        report.actions["zone"] += 1
    grids = [g for v in villages for g in county.grids_of.get(v.id, [])]
    shapes = {s.region_id: s.geometry() for s in RegionShape.objects.filter(region__in=grids)}
    subjects: dict[int, list] = {}
    heads = {}
    with clock.frozen(start - dt.timedelta(days=15)):
        for g in grids:
            head = roster.grid_head.get(g.id)
            if head is not None:
                heads[g.id] = grid.appoint(actor=admin, person=head, role=GridRole.GRID_HEAD, region=g,
                                           party_member=True)
            worker = roster.grid_worker.get(g.id)
            if worker is not None:
                grid.appoint(actor=admin, person=worker, role=GridRole.GRID_MANAGER, region=g)
            subjects[g.id] = _registries(g, shapes.get(g.id), admin, rng, report, per_grid)
    _visits(grids, roster, subjects, shapes, start, as_of, rng, report)
    _checks(grids, roster, subjects, shapes, start, as_of, rng, report)
    _publicity(grids, roster, start, as_of, rng, report)
    _teams(villages, roster, shapes, grids, start, as_of, rng, report, admin)
    _incentives(county, villages, grids, roster, subjects, heads, start, as_of, rng, report, admin)
    assert zone.pk
    return report


def _registries(g: Region, geom, admin, rng: random.Random, report: GridReport, per_grid: int) -> list:
    out: list = []
    today = clock.local_date()
    for i in range(1, per_grid + 1):
        lat, lng = _point_in(geom, rng) if geom is not None else (None, None)
        h = grid.household_save(actor=admin, household=None, values=grid.HouseholdValues(
            code=f"{g.code}-{i:03d}", head_name=person_name(rng, female=False), address=f"{g.name}{i}号",
            region=g, phone=mobile(rng), members_count=rng.choice([1, 2, 3, 4, 4, 5, 6]),
            elderly_alone=rng.random() < 0.08, disabled=rng.random() < 0.04,
            left_behind_children=rng.random() < 0.07, latitude=lat, longitude=lng))
        for _m in range(rng.choice([1, 2])):
            grid.member_add(actor=admin, household=h, name=person_name(rng), relation=rng.choice(["配偶", "子女", "父母"]),
                            id_number=id_number(rng, today=today), phone=mobile(rng))
        out.append(h)
        report.households += 1
    for j in range(rng.choice([1, 2, 3])):
        name = rng.choice(FIRM_NAMES)
        kind = next(v for k, v in FIRM_KIND.items() if k in name)
        employees = rng.randrange(3, 120)
        out.append(grid.firm_save(actor=admin, firm=None, values=grid.FirmValues(
            code=f"{g.code}-F{j + 1:02d}", name=f"{g.name[:3]}{name}", kind=kind,
            size="micro" if employees < 10 else ("small" if employees < 60 else "medium"),
            address=f"{g.name}工业路{j + 1}号", region=g, employees=employees,
            migrant_workers=rng.randrange(0, employees // 2 + 1), contact_name=person_name(rng), phone=mobile(rng))))
        report.firms += 1
    grid.room_save(actor=admin, room=None, code=f"{g.code}-R01", address=f"{g.name}出租楼1幢", region=g,
                   landlord_name=person_name(rng), phone=mobile(rng), rooms=rng.randrange(3, 12),
                   tenants=rng.randrange(2, 30))
    report.actions["registry"] += 1
    return out


def _visits(grids, roster: Roster, subjects, shapes, start, as_of, rng: random.Random, report: GridReport) -> None:
    slack = set(rng.sample([g.id for g in grids], k=max(1, len(grids) // 5)))  # these workers walk less
    secretary_of = roster.secretary
    for g in grids:
        worker = roster.grid_worker.get(g.id)
        if worker is None:
            continue
        user = roster.user(worker)
        if g.id in slack:
            report.below_rule.append(worker.name)
        queue = list(subjects[g.id])
        rng.shuffle(queue)
        day = start.date()
        week_days = sorted(rng.sample(range(day.weekday(), 7), k=min(2, 7 - day.weekday())))
        while day < as_of.date():
            if day.weekday() == 0:
                days_this_week = rng.choice([2, 3, 3]) if g.id in slack else rng.choice([4, 4, 5])
                week_days = sorted(rng.sample(range(7), k=days_this_week))
            if day.weekday() in week_days:
                for _n in range(rng.choice([2, 3])):
                    subject = queue.pop(0)
                    queue.append(subject)
                    moment = _local(day, rng.uniform(8.5, 17.5))
                    if moment >= as_of:
                        break
                    lat, lng = _point_in(shapes[g.id], rng) if g.id in shapes else (None, None)
                    if lat is not None and rng.random() < 0.03:
                        lat, lng = round(lat + 0.02, 6), lng
                    demand = rng.choice(DEMANDS) if rng.random() < 0.04 else ""
                    is_household = hasattr(subject, "head_name")
                    with clock.frozen(moment):
                        try:
                            logged = grid.visit_log(actor=user, submission=grid.VisitInput(
                                client_uuid=uuid.UUID(int=rng.getrandbits(128)),
                                household_id=subject.pk if is_household else None,
                                firm_id=None if is_household else subject.pk, latitude=lat, longitude=lng,
                                notes=rng.choice(["了解家庭近况", "宣传防诈骗知识", "查看用电用气安全", "询问生产经营情况"]),
                                demand=demand))
                        except DomainError:
                            continue
                    report.visits += 1
                    if logged.record.event_id:
                        report.demands += 1
                        _settle(logged.record.event, secretary_of.get(g.village_id), roster, moment, as_of, rng)
            day += dt.timedelta(days=1)
    report.actions["visit"] += report.visits


def _settle(event, secretary, roster: Roster, moment, as_of, rng: random.Random) -> None:
    """Most demands are solved in a few days (seed 000: 125 of 141)."""
    if secretary is None or rng.random() > 0.886:
        return
    user = roster.user(secretary)
    done = moment + dt.timedelta(days=rng.uniform(0.3, 5))
    if done >= as_of:
        return
    try:
        with clock.frozen(moment + dt.timedelta(hours=2)):
            event_actions.event_acknowledge(event=event.pk, actor=user)
        with clock.frozen(done):
            event_actions.event_resolve(event=event.pk, actor=user, result="已协调相关部门解决，群众表示满意")
    except DomainError:
        return


def _checks(grids, roster: Roster, subjects, shapes, start, as_of, rng: random.Random, report: GridReport) -> None:
    checklists = {c.kind: c for c in Checklist.objects.filter(active=True).prefetch_related("items")}
    for g in grids:
        worker = roster.grid_worker.get(g.id)
        if worker is None:
            continue
        user = roster.user(worker)
        for _n in range(10):
            subject = rng.choice(subjects[g.id])
            kind = "fire" if hasattr(subject, "head_name") else "production"
            checklist = checklists[kind]
            items = [i for i in checklist.items.all() if i.active]
            failed = {rng.choice(items).pk} if rng.random() < 0.25 else set()
            moment = _local(_day_in(start, as_of, rng), rng.uniform(9, 16))
            if moment >= as_of:
                continue
            lat, lng = _point_in(shapes[g.id], rng) if g.id in shapes else (None, None)
            with clock.frozen(moment):
                try:
                    logged = grid.hazard_check_log(actor=user, submission=grid.CheckInput(
                        client_uuid=uuid.UUID(int=rng.getrandbits(128)), checklist_id=checklist.pk,
                        results={i.pk: {"passed": i.pk not in failed, "note": "已现场告知整改" if i.pk in failed else ""}
                                 for i in items},
                        household_id=subject.pk if kind == "fire" else None,
                        firm_id=None if kind == "fire" else subject.pk, latitude=lat, longitude=lng))
                except DomainError:
                    continue
            report.checks += 1
            report.findings += len(logged.events)
    # Re-checks: most hazards are fixed within two weeks.
    for finding in Finding.objects.filter(status=FindingStatus.OPEN, grid__in=grids).select_related("check_record"):
        worker = roster.grid_worker.get(finding.grid_id or 0)
        when = finding.found_at + dt.timedelta(days=rng.uniform(3, 14))
        if worker is None or when >= as_of or rng.random() < 0.15:
            continue
        with clock.frozen(when):
            grid.finding_recheck(actor=roster.user(worker), finding=finding, fixed=rng.random() < 0.9,
                                 note="复查已整改到位")


def _publicity(grids, roster: Roster, start, as_of, rng: random.Random, report: GridReport) -> None:
    for g in grids:
        worker = roster.grid_worker.get(g.id)
        if worker is None:
            continue
        for month in range(max(1, (as_of - start).days // 30)):
            day = (start + dt.timedelta(days=30 * month + rng.randrange(0, 25))).date()
            if _local(day, 18) >= as_of:
                continue
            with clock.frozen(_local(day, 18)):
                grid.publicity_log(actor=roster.user(worker), region=g, day=day, theme=rng.choice(THEMES),
                                   firms_visited=rng.randrange(0, 6), households_visited=rng.randrange(10, 60),
                                   leaflets=rng.randrange(20, 150), online_pushes=rng.randrange(0, 12),
                                   sessions=1)
            report.actions["publicity"] += 1


def _teams(villages, roster: Roster, shapes, grids, start, as_of, rng: random.Random, report: GridReport, admin) -> None:
    kinds = ["red_armband", "party", "police_civil", "property", "elders", "professional"]
    for n, village in enumerate(villages):
        secretary = roster.secretary.get(village.id)
        with clock.frozen(start):
            team = grid.team_create(actor=admin, region=village, name=f"{village.display_name}平安巡防队",
                                    kind=kinds[n % len(kinds)], leader=secretary)
            members = [grid.team_member_add(actor=admin, team=team, name=person_name(rng), phone=mobile(rng))
                       for _i in range(rng.randrange(6, 14))]
        its_grids = [g for g in grids if g.village_id == village.id and g.id in shapes]
        for week in range(0, max(1, (as_of - start).days // 7), 2):
            night = (start + dt.timedelta(days=7 * week + rng.randrange(0, 7))).date()
            begins = _local(night, 19.5)
            if begins + dt.timedelta(hours=3) >= as_of:
                continue
            on = rng.sample(members, k=min(3, len(members)))
            with clock.frozen(begins - dt.timedelta(days=3)):
                shift = grid.shift_create(actor=admin, team=team, starts_at=begins,
                                          ends_at=begins + dt.timedelta(hours=3), members=on)
            route = []
            if its_grids:
                geom = shapes[rng.choice(its_grids).id]
                route = [list(_point_in(geom, rng)) for _p in range(6)]
            with clock.frozen(begins + dt.timedelta(hours=3, minutes=5)):
                grid.patrol_log(actor=admin, team=team, shift=shift, started_at=begins,
                                ended_at=begins + dt.timedelta(hours=2, minutes=40), route=route,
                                members_count=len(on), findings=rng.choice(["", "", "劝离深夜聚集人员", "发现一处路灯损坏"]))
            report.patrols += 1


def _incentives(county: County, villages, grids, roster: Roster, subjects, heads, start, as_of,
                rng: random.Random, report: GridReport, admin) -> None:
    rules = {r.code: r for r in Rule.objects.filter(active=True)}
    earning = [r for r in rules.values() if r.points > 0]
    households = [s for g in grids for s in subjects[g.id] if hasattr(s, "head_name")]
    for h in households:
        worker = roster.grid_worker.get(h.grid_id)
        if worker is None:
            continue
        user = roster.user(worker)
        for _n in range(rng.randrange(2, 9)):
            rule = rng.choice(earning)
            with clock.frozen(_local(_day_in(start, as_of, rng, 0, 0.9), 15)):
                points.points_apply(actor=user, household=h, rule=rule, reason=rule.name)
        if rng.random() < 0.06:
            with clock.frozen(_local(_day_in(start, as_of, rng, 0.55, 0.92), 16)):
                try:
                    points.points_apply(actor=user, household=h, rule=rules["burning"], reason="焚烧秸秆被劝阻")
                except DomainError:
                    pass
    # A closed round of 六好六无 scoring: the town opens it, each grid scores its households, stars follow.
    town = county.town(DEMO_TOWN)
    cadre = roster.user(roster.town_cadres[town.id][0])
    rubric = Rubric.objects.filter(active=True).first()
    if rubric is not None:
        q_start = (start + (as_of - start) * 0.5).date()
        with clock.frozen(as_of - dt.timedelta(days=1)):
            period = points.period_open(actor=cadre, region=town, rubric=rubric, name=f"{q_start.year}年度星级户评定",
                                        starts_on=q_start, ends_on=max(q_start, (as_of - dt.timedelta(days=2)).date()))
            items = list(rubric.items.all())
            for h in households:
                marks = {i.pk: i.points - (rng.randrange(0, i.points // 2 + 1) if rng.random() < 0.3 else 0)
                         for i in items}
                scorer = roster.grid_worker.get(h.grid_id)  # the grid scores its households
                if scorer is not None:
                    points.household_score(actor=roster.user(scorer), period=period, household=h, points=marks)
            points.period_close(actor=cadre, period=period)
    # The demo village's shop.
    demo_village = next((v for v in villages if v.code == DEMO_VILLAGE), villages[0])
    secretary = roster.user(roster.secretary[demo_village.id])
    with clock.frozen(start + (as_of - start) * 0.15):
        shop = points.shop_create(actor=secretary, region=demo_village, name=f"{demo_village.display_name}积分兑换超市")
        goods = [points.item_save(actor=secretary, shop=shop, item=None, name=name, points=cost, value=Decimal(value),
                                  add_stock=stock)
                 for name, cost, value, stock in [("食用油5L", 20, "69.00", 40), ("洗衣液", 8, "29.90", 60),
                                                  ("大米10kg", 15, "58.00", 30), ("保温杯", 10, "35.00", 25),
                                                  ("文旦柚礼盒", 25, "88.00", 10)]]
    village_households = [h for h in households if h.village_id == demo_village.id]
    for _n in range(60):
        h = rng.choice(village_households)
        item = rng.choice(goods)
        with clock.frozen(_local(_day_in(start, as_of, rng, 0.25, 0.98), 10)):
            try:
                points.redeem(actor=secretary, item=item, household=h, quantity=1,
                              request_uuid=uuid.UUID(int=rng.getrandbits(128)))
                report.redemptions += 1
            except DomainError:
                pass
    # Red and black lists of the demo village for the last month.
    month = (as_of - dt.timedelta(days=20)).strftime("%Y年%m月")
    with clock.frozen(as_of - dt.timedelta(days=10)):
        red = rng.sample(village_households, k=min(5, len(village_households)))
        for h in red:
            points.list_add(actor=secretary, village=demo_village, period=month, kind="red", household=h,
                            reason=rng.choice(["积极参与矛盾纠纷调解", "主动报告安全隐患", "参加平安巡防", "获评文明家庭"]))
        rest = [h for h in village_households if h not in red]
        for h in rng.sample(rest, k=min(2, len(rest))):
            try:
                points.list_add(actor=secretary, village=demo_village, period=month, kind="black", household=h,
                                reason=rng.choice(["违章搭建拒不整改", "乱扔垃圾屡教不改"]))
            except DomainError:
                pass
    # An election of excellent grid heads in the town, with the figures behind each nominee.
    if heads:
        with clock.frozen(as_of - dt.timedelta(days=5)):
            election = points.election_open(actor=cadre, region=town, kind="grid_head",
                                            name=f"{as_of.year}年度优秀网格长评选", starts_on=start.date(),
                                            ends_on=(as_of - dt.timedelta(days=6)).date(), seats=max(1, len(heads) // 3))
            for appointment in heads.values():
                nominee = points.nominate(actor=cadre, election=election, appointment=appointment)
                points.votes_record(actor=cadre, nominee=nominee,
                                    votes=nominee.figures.get("grid_visits", 0) // 10 + rng.randrange(0, 20))
            points.election_close(actor=cadre, election=election)
