"""The demo's second act: what the channels, triage, command and supervision apps add to the year.

After the year of events (stories.py), everything here goes through each app's own actions under
the frozen platform clock, at the moment it would have happened:

- two months before "now" the county connects its 12345 platform, the 110 desk and the
  online-opinion monitor (`intake_system_create`, keys shown once) and saves the column mapping
  of its 12345 export (`column_mapping_save`); from then on a share of those channels' matters
  arrive through the intake door (`intake_submit`) with the sender's ticket ids, and their
  stories are played like the year's;
- campaigns (`campaign_create`): 百日攻坚 on disputes over the last 100 days, and a hazard month;
  the composite score's weights (the admin's settings row);
- citizens' own reports with tracking codes (`citizen_report`), handled, one rated
  (`citizen_rate`); a city app speaking Open311 and two of its requests (`open311_request_submit`);
- the proxy service: an agency in every village and town, four with seed 001's brands, their agents,
  and the matters the town agents took over the last two months (`proxy_register`);
- last night's classifier (`classify.train`);
- this morning's triage queue (分流): an address nothing matches, one that fits two villages
  (Xianyou has two 半岭村), one naming only a town, a matter with no category, and one matter
  reported by 12345, a grid worker (`field_report`) and 110 — likely twins;
- yesterday's dispatch meeting: thresholds, village categories suggested from the measures and
  confirmed, departments paired (挂钩) with the lagging villages, accountability records (通报,
  约谈, 问责, 考评) linked to real overdue events;
- the rollups rebuilt from the events (`command.rollups.rebuild`) and checked.

Its random streams are its own (`random.Random("demo-extras…")`): the year's events do not shift.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fengqiao.demo import names, stories
from fengqiao.demo.people import DEMO_VILLAGE, Roster
from fengqiao.demo.places import County
from fengqiao.events.models import Category, Event, Satisfaction, Source, Status
from fengqiao.regions.models import Region

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
FEED_DAYS = 60  # the feeds were connected this many days before "now"
FEED_SHARE = 0.02  # fed events, as a share of --events (at least FEED_MIN)
FEED_MIN = 12
# The channels' shares among the fed events (as in stories.SOURCE_WEIGHTS).
FEED_SOURCES = {Source.HOTLINE_12345: 16, Source.POLICE_110: 8, Source.ONLINE_OPINION: 3}
SYSTEMS = [
    ("仙游县12345政务服务便民热线", Source.HOTLINE_12345),
    ("仙游县公安局110非警务警情分流", Source.POLICE_110),
    ("仙游县网络舆情监测平台", Source.ONLINE_OPINION),
]
MAPPING_NAME = "仙游县12345工单导出"
# The composite score's weights (综合指标值) the county's admin set.
SCORE_WEIGHTS = {"handling_rate": 10, "resolution_rate": 20, "on_time_rate": 20, "overdue_rate": 15,
                 "extension_rate": 5, "rework_rate": 5, "satisfaction_rate": 25}
LAGGING_SHARE = 0.22  # seed 004: 72 lagging villages of 325
REASSURING_SHARE = 0.12


@dataclass
class ExtrasReport:
    systems: list[tuple[str, str, str]] = field(default_factory=list)  # name, source, raw key
    fed: int = 0
    fed_triaged: Counter = field(default_factory=Counter)
    triage_open: int = 0
    tracking: list[tuple[str, str]] = field(default_factory=list)  # display code, state
    classifier: str = ""
    campaigns: list[str] = field(default_factory=list)
    categories: Counter = field(default_factory=Counter)
    pairings: int = 0
    records: list[str] = field(default_factory=list)
    mapping: str = ""
    open311: list[str] = field(default_factory=list)  # codes of the events Open311 requests made
    proxy: str = ""  # the proxy service: agencies, agents, matters
    rollups: dict[str, int] = field(default_factory=dict)
    actions: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = ["sending systems (each key is shown only this once; they post to /api/v1/intake/<source> "
               "with the header X-Api-Key):"]
        out += [f"  {name} ({source}): {key}" for name, source, key in self.systems]
        out.append(f"fed through the intake door: {self.fed} events with the sender's ticket ids")
        if self.open311:
            out.append("Open311 requests: " + ", ".join(self.open311))
        out.append(f"triage queue (分流): {self.triage_open} open")
        for code, state in self.tracking:
            out.append(f"citizen report {state}: /track/{code}/")
        out.append(f"classifier: {self.classifier}")
        out.append("campaigns: " + "; ".join(self.campaigns))
        out.append("village categories: " + ", ".join(f"{k} {n}" for k, n in sorted(self.categories.items()))
                   + f"; {self.pairings} department pairings")
        out.append("accountability records: " + "; ".join(self.records))
        out.append(f"column mapping: {self.mapping}")
        if self.proxy:
            out.append(f"proxy service (代办): {self.proxy}")
        out.append("rollups rebuilt: " + ", ".join(f"{t} {n}" for t, n in self.rollups.items()))
        return out


def _at(moment: dt.datetime):
    return stories._at(moment)


def _local(day: dt.date, hour: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour)
    return timezone.make_aware(naive.replace(second=0, microsecond=0), timezone.get_current_timezone())


def build_extras(*, county: County, roster: Roster, as_of: dt.datetime, events: int,
                 seed: int = 2026) -> ExtrasReport:
    """Everything the new apps add, in the order it happened. Deterministic for (seed, as_of),
    except the API keys and tracking codes (secrets, by design)."""
    report = ExtrasReport()
    today = timezone.localtime(as_of).date()
    admin = roster.user(roster.admin)
    operator = roster.user(roster.duty_operator)
    connected = _local(today - dt.timedelta(days=FEED_DAYS), 9.5)

    systems = _systems(report, county, admin, connected)
    _mapping(report, operator, connected + 2 * HOUR)
    _settings_and_campaigns(report, county, roster, today)
    player = FeedPlayer(county=county, roster=roster, as_of=as_of, seed=seed, systems=systems)
    _feeds(report, player, county, as_of, n=max(FEED_MIN, round(events * FEED_SHARE)), seed=seed)
    _citizens(report, county, roster, as_of, seed=seed)
    _proxy_service(report, county, roster, as_of, seed=seed)
    _open311(report, county, admin, as_of, seed=seed)
    _train(report, as_of)
    _triage_cases(report, county, roster, systems, as_of, seed=seed)
    _supervision(report, county, roster, as_of, events=events)
    from fengqiao.command.rollups import rebuild
    from fengqiao.triage.models import TriageItem

    report.triage_open = TriageItem.objects.filter(closed_at__isnull=True).count()
    report.rollups = rebuild()
    return report


# ------------------------------------------------------------------------- sending systems


def _systems(report: ExtrasReport, county: County, admin, moment: dt.datetime) -> dict:
    from fengqiao.intake.actions import intake_system_create

    systems = {}
    with _at(moment):
        for name, source in SYSTEMS:
            system, raw = intake_system_create(name=name, source=source, within=county.county, actor=admin)
            systems[source] = system
            report.systems.append((name, source, raw))
    return systems


def _mapping(report: ExtrasReport, operator, moment: dt.datetime) -> None:
    """The county's 12345 export: its own headers, and labels the built-in table does not know."""
    from fengqiao.imports import mappings as m
    from fengqiao.imports.actions import column_mapping_save

    columns = {
        m.TICKET_ID: "工单编号", m.RECEIVED_AT: "受理时间", m.CONTENT: "诉求内容", m.ADDRESS: "事发地址",
        m.CATEGORY: "问题分类", m.TITLE: "工单标题", m.REPORTER_NAME: "来电人", m.REPORTER_PHONE: "联系电话",
        m.AREA_TOWN: "所属乡镇", m.TIME_LIMIT: "办理时限",
    }
    categories = dict(m.LABELS_12345)
    categories.update({"欠薪讨薪": "dispute.wages", "山林权属": "dispute.land", "宅基地": "dispute.land",
                       "红木家具消费": "dispute.consumer", "农村道路": "livelihood.infrastructure",
                       "自来水": "livelihood.utilities", "养老保险": "livelihood.social_security"})
    with _at(moment):
        row = column_mapping_save(name=MAPPING_NAME, source=Source.HOTLINE_12345, columns=columns,
                                  categories=categories, date_format="%Y/%m/%d %H:%M", actor=operator)
    report.mapping = f"{row.name} ({len(row.columns)} columns, {len(row.categories)} labels)"


# ---------------------------------------------------------------------- settings, campaigns


def _settings_and_campaigns(report: ExtrasReport, county: County, roster: Roster, today: dt.date) -> None:
    from fengqiao.command.models import CommandSettings
    from fengqiao.supervision.actions import campaign_create

    # The score's weights: the admin's one settings row (edited in the admin; no action of its own).
    row = CommandSettings.current()
    for rate, weight in SCORE_WEIGHTS.items():
        setattr(row, CommandSettings.WEIGHT_FIELDS[rate], weight)
    row.full_clean()
    row.save()

    leader = roster.user(roster.leaders[0])
    operator = roster.user(roster.duty_operator)
    disputes = Category.objects.get(code="dispute")
    hazards = Category.objects.get(code="hazard")
    start = today - dt.timedelta(days=99)
    with _at(_local(start, 9)):
        c = campaign_create(actor=leader, name="矛盾纠纷化解百日攻坚", start=start, end=today,
                            region=county.county, category=disputes,
                            notes="全县矛盾纠纷排查化解百日攻坚行动:存量纠纷清零,新发纠纷按期化解,"
                                  "重点盯住逾期未结和重复反映事项。")
    report.campaigns.append(f"{c.name} {c.start}–{c.end}")
    start = today - dt.timedelta(days=29)
    with _at(_local(start, 10)):
        c = campaign_create(actor=operator, name="安全隐患排查整治月", start=start, end=today,
                            region=county.county, category=hazards,
                            notes="消防、出租房、道路、地质灾害隐患集中排查整治。")
    report.campaigns.append(f"{c.name} {c.start}–{c.end}")


# ---------------------------------------------------------------------------------- feeds


TICKET_FORMATS: dict[str, str] = {
    Source.HOTLINE_12345: "PT12345-{day:%Y%m%d}-{n:04d}",
    Source.POLICE_110: "J350322{day:%Y%m%d}{n:05d}",
    Source.ONLINE_OPINION: "YQ{day:%Y%m%d}{n:03d}",
}


class FeedPlayer(stories.StoryPlayer):
    """Plays plans whose registration arrives through the intake door from a sending system."""

    def __init__(self, *, systems: dict, **kwargs):
        super().__init__(**kwargs)
        self.systems = systems
        self.tickets: Counter[tuple[str, dt.date]] = Counter()
        self.fed: list[Event] = []
        self.triaged: Counter[str] = Counter()
        self.operator_user: object = None  # the duty operator's login, set before playing

    def play(self, plan: stories.Plan) -> Event:
        story = _FedStory(self, plan)
        try:
            story.play()
        except stories.Cut:
            self.stats.cut += 1
        story.scan(self.as_of)
        self.event_ids[plan.index] = story.event.pk
        return story.event

    def ticket(self, source: str, moment: dt.datetime) -> str:
        day = timezone.localtime(moment).date()
        self.tickets[(source, day)] += 1
        return TICKET_FORMATS[source].format(day=day, n=self.tickets[(source, day)] + 100)


class _FedStory(stories._Story):
    p: FeedPlayer  # a fed story is always played by a FeedPlayer
    def register(self, region: Region) -> None:
        from fengqiao.intake.actions import Report, intake_submit

        p, player = self.plan, self.p
        moment = p.created_at
        if moment >= player.as_of:
            raise stories.Cut
        latitude, longitude = player.point_in(p.grid or p.village, p.index)
        if p.source == Source.HOTLINE_12345 and _locates(p.address, p.village, self.p.county.county):
            latitude = longitude = None  # 12345 sends the caller's address (with a point when it has one)
        reporter = p.parties[0] if p.parties else None
        category = player.categories[p.category]
        with _at(moment):
            result = intake_submit(report=Report(
                source=p.source, title=p.title, description=p.description, address=p.address,
                latitude=latitude, longitude=longitude, category_hint=category.name,
                within=self.p.county.county, reporter_name=reporter.name if reporter else "",
                reporter_phone=reporter.phone if reporter else "", parties=p.parties[1:],
                system=player.systems[p.source], external_id=player.ticket(p.source, moment),
                occurred_at=moment - dt.timedelta(minutes=self.rng.randint(5, 90)),
                dispute_source=p.dispute_source, high_risk="high_risk" in p.flags,
            ), actor=None)
        self.event = Event.objects.select_related("region", "category").get(pk=result.event.pk)
        self.t = moment
        player.stats.actions["intake"] += 1
        player.fed.append(self.event)
        player.triaged.update(result.triage_reasons)
        if "duplicate" in result.triage_reasons and moment < player.as_of - 2 * DAY:
            self._dismiss_twins()

    def _dismiss_twins(self) -> None:
        """Older likely twins the operator already looked at: not the same matter."""
        from fengqiao.triage.actions import triage_dismiss_twin
        from fengqiao.triage.models import TriageItem, TwinFlag

        item = TriageItem.objects.filter(event=self.event, closed_at__isnull=True).first()
        if item is None:
            return
        for flag in list(item.twin_flags.filter(state=TwinFlag.State.OPEN)):
            self.at(self.after(0.5), triage_dismiss_twin, item=item.pk, actor=self.p.operator_user,
                    twin_id=flag.twin_id, note="核实为不同事项")


def _locates(address: str, village: Region, county: Region) -> bool:
    """Whether the address alone finds the plan's village (else the sender adds the point)."""
    from fengqiao.regions.locate import locate

    found = locate(address, within=county)
    return found.code is not None and found.code.startswith(village.code)


def plan_feeds(*, n: int, seed: int, county: County, as_of: dt.datetime) -> list[stories.Plan]:
    """`n` matters from the sending systems over the days since they were connected: plain
    closed loops, a few escalated, late or urged; the recent ones still open."""
    rng = random.Random(f"demo-extras-feeds-{seed}")
    weights = stories._village_weights(rng, county)
    days = [(d, w) for d, w in stories._day_weights(as_of)][-FEED_DAYS + 1:]
    sources = list(FEED_SOURCES)
    drafts: list[dict[str, Any]] = []  # one plan's fields, of their various types
    for _ in range(n):
        day = rng.choices([d for d, _w in days], weights=[w for _d, w in days])[0]
        category = stories._category(rng, day.month)
        source = rng.choices(sources, weights=[FEED_SOURCES[s] for s in sources])[0]
        village = rng.choices(county.villages, weights=weights)[0]
        created_at = stories._moment(rng, day, source, as_of)
        scenario = rng.choices(["normal", "escalated_town", "reworked"], weights=[92, 6, 2])[0]
        draft: dict[str, Any] = {"scenario": scenario, "category": category, "source": source,
                                 "village": village, "grid": None, "created_at": created_at}
        draft.update(stories._content(rng, draft, as_of))
        flags = {f for f, share in (("comment", 0.3), ("phone_call", 0.25), ("late", 0.05),
                                    ("urged", 0.05), ("extension_approved", 0.03)) if rng.random() < share}
        draft["flags"] = flags
        drafts.append(draft)
    drafts.sort(key=lambda d: d["created_at"])
    return [stories.Plan(index=1_000_000 + i, created_at=d["created_at"], scenario=d["scenario"],
                         category=d["category"], source=d["source"], village=d["village"], grid=None,
                         title=d["title"], description=d["description"], address=d["address"],
                         result=d["result"], dispute_source=d["dispute_source"], parties=d["parties"],
                         flags=d["flags"]) for i, d in enumerate(drafts)]


def _feeds(report: ExtrasReport, player: FeedPlayer, county: County, as_of: dt.datetime, *, n: int,
           seed: int) -> None:
    player.operator_user = player.roster.user(player.roster.duty_operator)
    for plan in plan_feeds(n=n, seed=seed, county=county, as_of=as_of):
        player.play(plan)
    report.fed = len(player.fed)
    report.fed_triaged = player.triaged
    report.actions.update(player.stats.actions)


# -------------------------------------------------------------------------------- citizens


CITIZEN_MATTERS = [
    ("livelihood.infrastructure", "村口路灯坏了好几盏,晚上出行很不方便,希望尽快修复。",
     "已联系电工更换损坏路灯6盏,夜间照明恢复正常。"),
    ("city.sanitation", "小区门口垃圾桶满了好几天没人清运,气味很大。",
     "已协调保洁公司清运垃圾并增加清运频次为每日两次。"),
    ("environment.noise", "楼下烧烤店每天营业到凌晨两点,噪音很大影响休息。",
     "已约谈店主,调整营业时间至晚上十一点,并加装隔音设施。"),
    ("livelihood.utilities", "我们组自来水水压太低,三楼以上经常没水。",
     "已更换老化管段并调整加压泵运行时间,水压恢复正常。"),
    ("hazard.road", "路边护栏被车撞坏了一直没修,旁边就是水沟,很危险。",
     "已设置临时警示标志并修复护栏。"),
    ("dispute.neighbours", "邻居在公共楼道堆放杂物,沟通多次无果,存在消防隐患。",
     "网格员上门协调,邻居已清理楼道杂物。"),
]


def _citizens(report: ExtrasReport, county: County, roster: Roster, as_of: dt.datetime, *, seed: int) -> None:
    """Citizens' own reports over the last ten days: each handled as far as time allows; the
    oldest rated by the citizen (the call-back) and closed, the next resolved and waiting for
    the citizen's rating."""
    import shapely

    from fengqiao.citizen.actions import CitizenSubmission, citizen_rate, citizen_report
    from fengqiao.citizen.models import CitizenReport
    from fengqiao.events import actions
    from fengqiao.regions.models import RegionShape

    rng = random.Random(f"demo-extras-citizens-{seed}")
    categories = {c.code: c for c in Category.objects.filter(code__in=[m[0] for m in CITIZEN_MATTERS])}
    demo_village = county.village(DEMO_VILLAGE)
    villages = [demo_village] + rng.sample([v for v in county.villages if v.code != DEMO_VILLAGE], 4)
    operator = roster.user(roster.duty_operator)
    back = [9.5, 7.2, 5.1, 3.3, 1.4, 0.3]
    for i, (code, description, result) in enumerate(CITIZEN_MATTERS):
        village = villages[i % len(villages)]
        shape = RegionShape.objects.filter(region=village).first()
        latitude = longitude = None
        if shape is not None:
            point = shapely.Point(shape.geometry().representative_point())
            longitude, latitude = round(point.x, 6), round(point.y, 6)
        moment = stories._recent(rng, as_of, (back[i], back[i] + 0.2))
        with _at(moment):
            receipt = citizen_report(submission=CitizenSubmission(
                description=description, phone=names.mobile(rng), category=categories[code],
                address=f"{village.town.name}{village.display_name}", latitude=latitude, longitude=longitude,
                name=names.person_name(rng) if rng.random() < 0.6 else "", ip=f"10.35.{i}.{rng.randint(2, 250)}",
            ))
        report.actions["citizen_report"] += 1
        event = receipt.event
        handler = roster.user(roster.secretary[village.id])
        steps: list[tuple[dt.datetime, Callable[..., Event], dict[str, Any]]] = [
            (moment + dt.timedelta(hours=1.5), actions.event_acknowledge, {}),
            (moment + dt.timedelta(hours=26), actions.event_resolve, {"result": result})]
        t = moment
        for when, fn, kwargs in steps:
            if when >= as_of - HOUR or event.status not in {Status.DISPATCHED, Status.IN_PROGRESS}:
                break
            with _at(when):
                event = fn(event=event.pk, actor=handler, **kwargs)
            t = when
        states: dict[str, str] = {Status.DISPATCHED: "dispatched", Status.IN_PROGRESS: "in progress",
                 Status.RESOLVED: "resolved, waiting for the citizen's rating",
                 Status.REGISTERED: "registered, waiting for dispatch"}
        state = states.get(event.status, event.status)
        if i == 0 and event.status == Status.RESOLVED:
            t += dt.timedelta(hours=5)
            with _at(t):
                event = citizen_rate(report=CitizenReport.objects.get(pk=receipt.report.pk), satisfaction=Satisfaction.SATISFIED,
                                     comment="处理很及时,谢谢!")
            t += HOUR
            with _at(t):
                event = actions.event_close(event=event.pk, actor=operator)
            state = "rated satisfied and closed"
        if i <= 1 or i == len(CITIZEN_MATTERS) - 1:
            report.tracking.append((receipt.display_code, state))


# --------------------------------------------------------------------------------- Open311


OPEN311_APP = "莆田随手拍(Open311)"


def _open311(report: ExtrasReport, county: County, admin, as_of: dt.datetime, *, seed: int) -> None:
    """A city app speaking Open311 GeoReport v2, connected a week ago: two requests with points."""
    from fengqiao.intake.actions import intake_system_create
    from fengqiao.open311.actions import open311_request_submit
    from fengqiao.open311.parsing import Submission
    from fengqiao.regions.models import RegionShape

    rng = random.Random(f"demo-extras-open311-{seed}")
    connected = as_of - dt.timedelta(days=7, hours=3)
    with _at(connected):
        system, raw = intake_system_create(name=OPEN311_APP, source=Source.CITIZEN, within=county.county,
                                           actor=admin)
    report.systems.append((OPEN311_APP, "citizen, via /open311/v2/requests.json", raw))
    requests = [
        ("hazard.fire", "楼道里好几辆电动车在充电,电线从窗户拉进来,晚上也在充。", {"HAZARD_KIND": ["ebike_indoor"]}),
        ("livelihood.infrastructure", "桥头两盏路灯不亮已经一个星期了,晚上过桥很黑。", {}),
    ]
    villages = rng.sample(county.villages, len(requests))
    for i, ((code, description, attributes), village) in enumerate(zip(requests, villages, strict=True)):
        point = RegionShape.objects.get(region=village).geometry().representative_point()
        moment = stories._recent(rng, as_of, (1.0 + 2 * i, 1.5 + 2 * i))
        with _at(moment):
            received = open311_request_submit(system=system, actor=None, idempotency_key=f"demo-{i + 1}",
                                              submission=Submission(fields={
                "service_code": code, "description": description, "lat": str(round(point.y, 6)),
                "long": str(round(point.x, 6)), "first_name": names.person_name(rng)[1:],
                "last_name": names.person_name(rng)[0], "phone": names.mobile(rng),
            }, attributes=attributes))
        report.actions["open311_request"] += 1
        report.open311.append(received.request.event.code)


# ------------------------------------------------------------------------------ classifier


def _train(report: ExtrasReport, as_of: dt.datetime) -> None:
    """Last night's run of the nightly task (02:00)."""
    from fengqiao.triage import classify

    local = timezone.localtime(as_of)
    night = _local(local.date() - (DAY if local.hour < 3 else dt.timedelta()), 2)
    with _at(night):
        trained = classify.train()
    if trained.version is None:
        report.classifier = f"not enough data ({trained.events} events)"
    else:
        report.classifier = (f"v{trained.version} trained on {trained.events} events, {trained.categories} "
                             f"categories, {trained.features} features")


# --------------------------------------------------------------------------- triage cases


def _triage_cases(report: ExtrasReport, county: County, roster: Roster, systems: dict, as_of: dt.datetime,
                  *, seed: int) -> None:
    """This morning's queue: what the door could not settle by itself."""
    from fengqiao.citizen.actions import FieldSubmission, field_report
    from fengqiao.intake.actions import Report, intake_submit

    rng = random.Random(f"demo-extras-triage-{seed}")
    start = as_of - dt.timedelta(hours=5)
    hotline, police = systems[Source.HOTLINE_12345], systems[Source.POLICE_110]
    tickets: Counter[str] = Counter()

    def ticket(source: str, moment: dt.datetime) -> str:
        tickets[source] += 1
        day = timezone.localtime(moment).date()
        return TICKET_FORMATS[source].format(day=day, n=900 + tickets[source])

    def submit(moment: dt.datetime, system, **kw):
        with _at(moment):
            result = intake_submit(report=Report(source=system.source, system=system, within=county.county,
                                                 external_id=ticket(system.source, moment), **kw), actor=None)
        report.actions["intake"] += 1
        return result

    road = Category.objects.get(code="hazard.road")
    cases = [
        # An address that names no village of the county.
        dict(title="工地拖欠农民工工资", description="来电人反映在县城周边某工地务工三个月,包工头拖欠工资约两万元,"
             "具体地址说不清楚,只知道在高速路口附近。", address="高速路口附近的工地", category_hint="劳资纠纷",
             reporter_name=names.person_name(rng), reporter_phone=names.mobile(rng)),
        # Xianyou has two 半岭村 (西苑乡 and 社硎乡): the address fits both.
        dict(title="半岭村山林界址纠纷", description="来电人反映与邻组村民因山林界址发生争执,双方各执一词,"
             "请求村里组织调处。", address="仙游县半岭村后山", category_hint="山林权属",
             reporter_name=names.person_name(rng), reporter_phone=names.mobile(rng)),
        # Only the town is known.
        dict(title="度尾镇集市周边占道经营", description="来电人反映度尾镇集市周边流动摊贩占道经营,"
             "车辆通行困难。", address="仙游县度尾镇", category_hint="",
             reporter_name=names.person_name(rng), reporter_phone=names.mobile(rng)),
        # A label the door does not know: the classifier reads the text instead.
        dict(title="楼上装修噪音扰民", description="来电人反映楼上住户装修,每天从早上七点到晚上十点电钻声不断,"
             "多次沟通无果,影响老人和小孩休息。", address="仙游县度尾镇洋坂村", category_hint="综合类",
             reporter_name=names.person_name(rng), reporter_phone=names.mobile(rng)),
    ]
    for i, case in enumerate(cases):
        submit(start + dt.timedelta(minutes=20 * i), hotline, **case)

    # One matter, three channels: the 12345 caller, the grid worker on patrol, then 110.
    village = county.village(DEMO_VILLAGE)
    grid = county.grids_of[village.id][0]
    from fengqiao.regions.models import RegionShape

    shape = RegionShape.objects.get(region=grid).geometry()
    point = shape.representative_point()
    latitude, longitude = round(point.y, 6), round(point.x, 6)
    phone = names.mobile(rng)
    caller = names.person_name(rng)
    moment = start + dt.timedelta(hours=1, minutes=30)
    submit(moment, hotline, title="洋坂村路边电线杆倾斜存在倒塌隐患",
           description="来电人反映度尾镇洋坂村3组村道路边一根电线杆严重倾斜,电线下垂,存在倒塌隐患,"
                       "请尽快处理。", address="仙游县度尾镇洋坂村3组村道", latitude=latitude, longitude=longitude,
           category=road, reporter_name=caller, reporter_phone=phone)
    worker = roster.user(roster.grid_worker[grid.id])
    with _at(moment + dt.timedelta(minutes=35)):
        field_report(actor=worker, submission=FieldSubmission(
            description="洋坂村3组村道路边电线杆严重倾斜,电线下垂,存在倒塌隐患,已在现场设置警示。",
            category=road, grid=grid, latitude=latitude + 0.0002, longitude=longitude - 0.0001,
            address="洋坂村3组村道"))
    report.actions["field_report"] += 1
    submit(moment + dt.timedelta(minutes=80), police, title="村道电线杆倾斜",
           description="报警人称度尾镇洋坂村3组村道路边电线杆倾斜,电线下垂,担心倒塌伤人。",
           address="仙游县度尾镇洋坂村3组", latitude=latitude - 0.0001, longitude=longitude + 0.0001,
           category_hint="道路隐患", reporter_name=caller, reporter_phone=phone)


# ---------------------------------------------------------------------------- supervision


def _supervision(report: ExtrasReport, county: County, roster: Roster, as_of: dt.datetime, *,
                 events: int) -> None:
    """Yesterday afternoon's dispatch meeting: categories, pairings, records."""
    from fengqiao.command import queries as cq
    from fengqiao.supervision import actions as sv
    from fengqiao.supervision.categories import suggest

    admin = roster.user(roster.admin)
    operator = roster.user(roster.duty_operator)
    leader = roster.user(roster.leaders[0])
    today = timezone.localtime(as_of).date()
    meeting = _local(today - DAY, 15)
    span_days = 365
    end = today - DAY  # the figures as the meeting saw them: up to yesterday
    start = end - dt.timedelta(days=span_days - 1)
    min_events = max(1, min(5, events // 300))  # the admin asks for 5; a small demo has fewer

    # The admin sets the cut-offs from the county's own spread of scores.
    with _at(meeting):
        ranked = cq.ranking(user=admin, region=county.county, level="village", measure="score",
                            start=start, end=end, min_denominator=min_events)
        values = sorted(Decimal(r.value) for r in ranked if r.value is not None and r.denominator >= min_events)
    if len(values) < 4:
        return
    cuts = _cuts(values)
    with _at(meeting):
        thresholds = sv.thresholds_set(actor=admin, measure="score", reassuring_at=cuts[0], good_at=cuts[1],
                                       average_at=cuts[2], min_events=min_events, span_days=span_days)
    lagging: list[Region] = []
    t = meeting + dt.timedelta(minutes=10)
    for r in ranked:
        value = None if r.value is None else Decimal(r.value)  # the score: a Decimal already
        suggested = suggest(value, r.denominator, thresholds)
        if not suggested:
            continue
        with _at(t):
            sv.village_category_confirm(actor=operator, village=r.region, category=suggested,
                                        suggested=suggested, measure="score", value=value,
                                        events=r.denominator, span=(start, end))
        report.categories[suggested] += 1
        if suggested == "lagging":
            lagging.append(r.region)
    report.actions["confirm_village_category"] += sum(report.categories.values())

    # 挂钩: each lagging village paired with the department that owns most of its open matters.
    now = as_of
    t += dt.timedelta(minutes=30)
    load: Counter = Counter()
    for village in lagging:
        cats = Counter(Event.objects.filter(village=village).values_list("category__code", flat=True))
        wanted = [roster.department_for(c) for c, _n in cats.most_common()]
        department = min(wanted or list(roster.departments.values()),
                         key=lambda d: (load[d.code] >= 5, load[d.code], wanted.index(d) if d in wanted else 99))
        load[department.code] += 1
        with _at(t):
            sv.pairing_create(actor=leader, department=department, village=village,
                              note="滞后村挂钩帮扶:部门联络员每周到村督办逾期事项。")
        report.pairings += 1

    # Records, each linked to real overdue events.
    open_overdue = Event.objects.filter(county=county.county, status__in=[Status.DISPATCHED, Status.IN_PROGRESS],
                                        deadline__lt=now).order_by("deadline")
    t += dt.timedelta(minutes=30)
    per_town = Counter(open_overdue.values_list("town_id", flat=True))
    if per_town:
        town = Region.objects.get(pk=per_town.most_common(1)[0][0])
        ids = list(open_overdue.filter(town=town).values_list("pk", flat=True)[:30])
        with _at(t):
            rec = sv.record_create(
                actor=operator, kind="bulletin", target_region=town, events=ids,
                title=f"关于{town.name}超期未办结事项的通报",
                text=f"截至{today:%Y年%m月%d日},{town.name}有{per_town[town.pk]}件事项超过办理时限仍未办结,"
                     "请各村(社区)于三个工作日内办结并说明逾期原因。")
        report.records.append(f"通报 {rec.target_label} ({len(ids)} events)")
    per_village = Counter(open_overdue.exclude(village=None).values_list("village_id", flat=True))
    lagging_ids = {v.pk for v in lagging}
    ranked_villages = sorted(per_village, key=lambda v: (v not in lagging_ids, -per_village[v], v))
    if ranked_villages:
        village = Region.objects.get(pk=ranked_villages[0])
        secretary = roster.secretary[village.id]
        ids = list(open_overdue.filter(village=village).values_list("pk", flat=True))
        with _at(t + dt.timedelta(minutes=10)):
            rec = sv.record_create(
                actor=leader, kind="summons", target_person=secretary, events=ids,
                title=f"约谈{village.display_name}党组织书记{secretary.name}",
                text=f"{village.display_name}逾期未办结事项{len(ids)}件,群众反映集中。约谈要求:"
                     "逐件明确责任人和办结时限,一周内报送整改情况。")
        report.records.append(f"约谈 {rec.target_label} ({len(ids)} events)")
    red = Event.objects.filter(county=county.county, supervision="red").exclude(department=None).order_by("-id")
    red_event = red.first()
    if red_event is not None and red_event.department is not None:
        ids = list(red.filter(department=red_event.department).values_list("pk", flat=True)[:10])
        with _at(t + dt.timedelta(minutes=20)):
            rec = sv.record_create(
                actor=leader, kind="accountability", target_department=red_event.department, events=ids,
                title=f"对{red_event.department.name}红牌督办事项办理不力问责",
                text="红牌督办事项逾期未办结,按照考核办法予以问责,取消本季度评先评优资格。")
        report.records.append(f"问责 {rec.target_label} ({len(ids)} events)")
    demo_village = county.village(DEMO_VILLAGE)
    row = next((r for r in ranked if r.region.pk == demo_village.pk), None)
    with _at(t + dt.timedelta(minutes=30)):
        rec = sv.record_create(
            actor=operator, kind="evaluation", target_region=demo_village,
            score=row.value if row is not None and row.value is not None else None,
            events=list(Event.objects.filter(village=demo_village, created_at__date__gte=start)
                        .filter(resolved_late=True).values_list("pk", flat=True)[:20]),
            title=f"{demo_village.display_name}{start:%Y年%m月}至{end:%m月}综治中心工作考评",
            text="按综合指标值考评:办结率、按期办结率、满意率较高,逾期办结事项需进一步压减。")
    report.records.append(f"考评 {rec.target_label} (score {rec.score})")


def _cuts(values: list[Decimal]) -> list[Decimal]:
    """The admin's cut-offs from the county's spread: 放心 for the top ~12% (at least the best
    score), 较好 down to about the median, 一般 down to the bottom ~22%, the rest 滞后. Villages
    sharing a value share a category, so the cuts fall between distinct values; each category
    gets at least one value while there are enough."""
    values = sorted((Decimal(v).quantize(Decimal("0.01")) for v in values), reverse=True)
    distinct = sorted(set(values), reverse=True)
    count = Counter(values)
    targets = [REASSURING_SHARE, 0.5, 1 - LAGGING_SHARE]
    cuts: list[Decimal] = []
    taken, i = 0, 0
    for g, target in enumerate(targets):
        after = len(targets) - g  # the groups after this one, 滞后 included: one value each
        while i < len(distinct) and len(distinct) - i > after:
            taken += count[distinct[i]]
            i += 1
            if taken >= target * len(values) or len(distinct) - i <= after:
                break
        cuts.append(distinct[max(0, i - 1)] if i else distinct[0])
    step = Decimal("0.01")
    for k in (1, 2):  # strictly falling, whatever the spread
        if cuts[k] >= cuts[k - 1]:
            cuts[k] = cuts[k - 1] - step
    return cuts


# ------------------------------------------------------------------------- proxy service


# (town code, agency name, brand, kind) — seed 001's brands given to some of Xianyou's towns.
PROXY_BRANDS = [
    ("350322103", "度尾镇民情代办中心", "“老村长”代办", "town"),
    ("350322104", "鲤南工业园区代办站", "平安超市", "park"),
    ("350322102", "郊尾镇乡贤代办队", "乡贤调解", "volunteer"),
    ("350322101", "榜头镇老干部代办队", "“银领议事”", "volunteer"),
]
PROXY_MATTERS = [
    ("livelihood.social_security", "老人腿脚不便,养老保险资格认证委托代办。", "已上门采集认证,资格认证通过。"),
    ("livelihood.social_security", "残疾人两项补贴申请材料不会填,委托代办员帮助申报。", "已协助填报并送镇民政办,补贴已获批。"),
    ("dispute.wages", "在外务工子女被拖欠工资,家中老人委托代办反映。", "已联系劳动保障所,企业同意分两次支付。"),
    ("livelihood.infrastructure", "组里道路塌陷一处,群众委托代办员反映请求修复。", "已报镇村建办,完成修复。"),
    ("dispute.land", "宅基地边界与邻居有争议,委托代办员联系村调委会调解。", "村调委会调解,双方签订协议。"),
]


def _proxy_service(report: ExtrasReport, county: County, roster: Roster, as_of: dt.datetime, *, seed: int) -> None:
    """代办 (seed 001: agencies in every village, coverage 100%; agents full- and part-time; the
    matters they took): a station in every village and a centre in every town (four with seed
    001's brands), set up a year ago by the county's operator; each town's agent full-time at its
    centre, a part-time agent in every village (a roster import of proxy-agent posts); over the
    last two months the town agents take citizens' matters (`proxy_register`), handled as far as
    time allows."""
    from fengqiao.citizen.actions import (
        ProxySubmission,
        agency_create,
        agent_appoint,
        proxy_register,
    )
    from fengqiao.events import actions
    from fengqiao.people.actions import people_import
    from fengqiao.people.importer import RosterRow
    from fengqiao.people.models import Person, Role

    rng = random.Random(f"demo-extras-proxy-{seed}")
    operator = roster.user(roster.duty_operator)
    brands = {code: (name, brand, kind) for code, name, brand, kind in PROXY_BRANDS}
    set_up = as_of - dt.timedelta(days=400)
    centres = {}
    with _at(set_up):
        for town in county.towns:
            name, brand, kind = brands.get(town.code, (f"{town.display_name}代办中心", "", "town"))
            centres[town.id] = agency_create(actor=operator, name=name, brand=brand, kind=kind, region=town)
            report.actions["agency_create"] += 1
        stations = {}
        for village in county.villages:
            stations[village.id] = agency_create(actor=operator, name=f"{village.display_name}代办点", kind="village",
                                                 region=village)
            report.actions["agency_create"] += 1
        rows = [RosterRow(row=i, name=names.person_name(rng), phone=names.mobile(rng), role=Role.PROXY_AGENT,
                          region=v) for i, v in enumerate(county.villages, start=2)]
        people_import(rows=rows, actor=operator, source="代办员花名册")
        for row in rows:
            person = Person.objects.get(name=row.name, posts__role=Role.PROXY_AGENT, posts__region=row.region)
            agent_appoint(actor=operator, agency=stations[row.region.id], person=person, full_time=False)
            report.actions["agent_appoint"] += 1
        for town in county.towns:
            agent = roster.proxy.get(town.id)
            if agent is not None:
                agent_appoint(actor=operator, agency=centres[town.id], person=agent, full_time=True)
                report.actions["agent_appoint"] += 1
    categories = {c.code: c for c in Category.objects.filter(code__in=[m[0] for m in PROXY_MATTERS])}
    taken = resolved = 0
    for town in county.towns:
        agent = roster.proxy.get(town.id)
        villages = county.villages_of.get(town.id, [])
        if agent is None or not villages:
            continue
        for _n in range(rng.randint(2, 6)):
            code, description, result = rng.choice(PROXY_MATTERS)
            village = rng.choice(villages)
            moment = stories._recent(rng, as_of, (0.5, 60))
            with _at(moment):
                receipt = proxy_register(actor=roster.user(agent), submission=ProxySubmission(
                    citizen_name=names.person_name(rng), citizen_phone=names.mobile(rng), description=description,
                    category=categories[code], region=village, address=f"{town.name}{village.display_name}"))
            taken += 1
            event = receipt.event
            handler = roster.user(roster.secretary[village.id])
            steps: list[tuple[dt.datetime, Callable[..., Event], dict[str, Any]]] = [
                (moment + dt.timedelta(hours=3), actions.event_acknowledge, {}),
                (moment + dt.timedelta(days=rng.uniform(1, 6)), actions.event_resolve, {"result": result})]
            for when, fn, kwargs in steps:
                if when >= as_of - HOUR or event.status not in {Status.DISPATCHED, Status.IN_PROGRESS}:
                    break
                with _at(when):
                    event = fn(event=event.pk, actor=handler, **kwargs)
            resolved += int(event.status == Status.RESOLVED)
    report.actions["proxy_register"] += taken
    report.proxy = (f"{len(centres) + len(stations)} agencies ({len(brands)} with seed 001's brands), "
                    f"{len(rows) + len(centres)} agents, {taken} matters taken ({resolved} resolved)")
