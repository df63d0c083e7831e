"""A year of events for the demo county, planned from a seed and played through the real actions.

`plan_events` decides, from the seed alone, what happens: when each matter arose, where, what it
is about, who reported it through which channel, and how its story goes (a plain closed loop,
an escalation to the town or the county, an extension, a dissatisfied call-back, a merge …).
`StoryPlayer` then plays each story step by step through `fengqiao.events.actions`, with the
platform clock frozen at each step's historic moment, so timestamps, deadlines, bindings, texts
and the audit chain are exactly what the platform would have recorded. Times that depend on the
live deadline (resolving late or on time, the scanner's warnings) are read from the event as it
is. A story whose next step would fall after "now" simply stops there: recent events stay open.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from fengqiao.demo import names, texts
from fengqiao.demo.people import DEMO_VILLAGE, Roster
from fengqiao.demo.places import County
from fengqiao.events import actions
from fengqiao.events.models import Category, Event, Party, Satisfaction, Status
from fengqiao.lib import clock
from fengqiao.regions.models import Region

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
OPEN = frozenset({Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS})

# ------------------------------------------------------------------------------ the mix

# Share of events per top category (disputes most), with the sub-categories' weights.
CATEGORY_WEIGHTS: dict[str, tuple[float, dict[str, float]]] = {
    "dispute": (44, {"dispute.neighbours": 30, "dispute.land": 18, "dispute.family": 14,
                     "dispute.wages": 12, "dispute.traffic": 7, "dispute.work_injury": 5,
                     "dispute.consumer": 5, "dispute.property": 5, "dispute.other": 4}),
    "hazard": (15, {"hazard.fire": 35, "hazard.rental": 20, "hazard.road": 15,
                    "hazard.production": 15, "hazard.geology": 15}),
    "livelihood": (17, {"livelihood.social_security": 25, "livelihood.infrastructure": 25,
                        "livelihood.utilities": 20, "livelihood.health": 15, "livelihood.education": 15}),
    "petition": (5, {"petition.first": 75, "petition.repeat": 20, "petition.backlog": 5}),
    "city": (9, {"city.sanitation": 45, "city.illegal_building": 35, "city.street_vending": 20}),
    "environment": (8, {"environment.air": 40, "environment.noise": 35, "environment.water": 25}),
    "other": (2, {"other": 1}),
}

# Seasons: wage arrears before the Spring Festival, slopes in the typhoon months, fire in winter.
SEASONAL: dict[str, dict[int, float]] = {
    "dispute.wages": {12: 2.2, 1: 2.8, 2: 1.4},
    "hazard.geology": {5: 1.8, 6: 3.0, 7: 3.0, 8: 3.0, 9: 2.0},
    "hazard.fire": {11: 1.4, 12: 1.7, 1: 1.8, 2: 1.6},
    "dispute.land": {3: 1.5, 4: 1.5, 10: 1.3},
    "environment.air": {10: 1.6, 11: 1.4},
}
MONTH_FACTOR = {1: 1.2, 2: 0.8, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.05, 7: 1.1, 8: 1.1, 9: 1.0,
                10: 0.9, 11: 1.0, 12: 1.1}
WEEKDAY_FACTOR = (1.05, 1.0, 1.0, 1.0, 1.0, 0.55, 0.45)

# Channels (grid most), and the channels each kind of matter tends to come through.
SOURCE_WEIGHTS = {"grid": 36, "hotline_12345": 16, "police_110": 8, "citizen": 8, "walk_in": 8,
                  "sweep": 7, "hazard_check": 6, "proxy": 5, "online_opinion": 3, "video": 3}
SOURCE_BY_TOP = {
    "hazard": {"hazard_check": 35, "grid": 30, "sweep": 15, "video": 8, "hotline_12345": 7,
               "citizen": 5},
    "petition": {"walk_in": 45, "hotline_12345": 25, "citizen": 15, "proxy": 10, "online_opinion": 5},
    "livelihood": {"hotline_12345": 35, "grid": 25, "proxy": 15, "citizen": 12, "walk_in": 8, "sweep": 5},
}

# Town sizes: the county seat (鲤城街道) and the big coastal towns see more.
TOWN_FACTOR = {"001": 1.8, "100": 1.4, "101": 1.3, "102": 1.1, "103": 1.0, "104": 1.0,
               "105": 1.0, "106": 1.1, "107": 0.9, "108": 0.9, "109": 0.8, "110": 0.8, "111": 0.7}

# How a story goes: share of events, the minimum count (so a small demo still shows each), and
# for the ones that must still be open today, the window (days before now) they arose in.
SCENARIOS: dict[str, tuple[float, int, tuple[float, float] | None]] = {
    "refused": (0.015, 2, None),
    "merged": (0.015, 2, None),
    "awaiting_dispatch": (0.003, 2, (0.05, 2.0)),
    "stuck_dispatched": (0.004, 2, (1.0, 25.0)),
    "stuck_in_progress": (0.012, 3, (10.0, 90.0)),
    "awaiting_call_back": (0.004, 2, (3.0, 12.0)),
    "returned": (0.005, 2, None),
    "reworked": (0.015, 2, None),
    "escalated_town": (0.05, 3, None),
    "escalated_county": (0.015, 3, None),
}
HANDLED = {"normal", "returned", "reworked", "escalated_town", "escalated_county", "stuck_in_progress",
           "awaiting_call_back"}
# Features on top of a story: share of the stories they apply to, and a minimum count.
FLAGS: dict[str, tuple[float, int, set[str]]] = {
    "comment": (0.30, 3, HANDLED),
    "consultation": (0.05, 2, HANDLED),
    "work_team": (0.08, 2, HANDLED),
    "extension_approved": (0.04, 2, HANDLED),
    "extension_rejected": (0.012, 2, HANDLED),
    "urged": (0.06, 2, HANDLED | {"stuck_dispatched"}),
    "supervised_normal": (0.015, 2, HANDLED),
    "supervised_yellow": (0.006, 2, HANDLED),
    "supervised_red": (0.003, 1, HANDLED),
    "high_risk": (0.01, 1, HANDLED),  # flagged at registration
    "flag_risk": (0.01, 1, HANDLED),  # flagged later by the operator
    "late": (0.06, 3, HANDLED - {"stuck_in_progress"}),
    "town_level": (0.08, 2, {"normal"}),  # reported with only the town known: dispatched by hand
    "phone_call": (0.25, 2, HANDLED),
}
# Hours from acknowledgement to a result, by top category (median).
HANDLING_HOURS = {"dispute": 60, "hazard": 30, "livelihood": 80, "petition": 120, "city": 40,
                  "environment": 60, "other": 24}


@dataclass
class Plan:
    """One event's story, decided from the seed alone."""

    index: int
    created_at: dt.datetime
    scenario: str
    category: str
    source: str
    village: Region
    grid: Region | None
    title: str
    description: str
    address: str
    result: str
    dispute_source: str
    parties: list[actions.PartyInput]
    flags: set[str] = field(default_factory=set)
    merge_into: int | None = None  # index of the plan this duplicate is merged into
    wrong_village: Region | None = None  # first (wrongly) dispatched here, then returned

    @property
    def top(self) -> str:
        return self.category.split(".")[0]


# ------------------------------------------------------------------------------ planning


def _day_weights(as_of: dt.datetime) -> list[tuple[dt.date, float]]:
    today = timezone.localtime(as_of).date()
    days = []
    for back in range(364, -1, -1):
        day = today - dt.timedelta(days=back)
        w = WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month]
        try:
            if chinese_calendar.is_holiday(day) and day.weekday() < 5:
                w *= 0.5
        except NotImplementedError:
            pass
        w *= 0.85 + 0.3 * (364 - back) / 364  # more use of the platform as the year goes on
        days.append((day, w))
    return days


def _hour(rng: random.Random, source: str) -> float:
    if source == "police_110":
        return rng.choices(range(24), weights=[2, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 5, 5, 6, 6, 6,
                                                7, 8, 9, 9, 7, 5, 3])[0] + rng.random()
    return rng.choices(range(7, 22), weights=[2, 8, 12, 12, 10, 5, 6, 10, 11, 10, 8, 5, 3, 2, 1])[0] + rng.random()


def _moment(rng: random.Random, day: dt.date, source: str, as_of: dt.datetime) -> dt.datetime:
    """A time on `day` at the channel's usual hours, before `as_of` (today: an earlier hour)."""
    tz = timezone.get_current_timezone()
    for _ in range(50):
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=_hour(rng, source))
        moment = timezone.make_aware(local.replace(second=0, microsecond=0), tz)
        if moment < as_of - 5 * MINUTE:
            return moment
    return (as_of - HOUR).replace(second=0, microsecond=0)


def _recent(rng: random.Random, as_of: dt.datetime, window: tuple[float, float]) -> dt.datetime:
    """A daytime moment `window` days before `as_of` (for stories that must still be open)."""
    lo, hi = window
    for _ in range(200):
        moment = as_of - dt.timedelta(days=rng.uniform(lo, hi))
        if 7 <= timezone.localtime(moment).hour < 22:
            return moment.replace(second=0, microsecond=0)
    return (as_of - dt.timedelta(days=lo)).replace(second=0, microsecond=0)


def _village_weights(rng: random.Random, county: County) -> list[float]:
    """How busy each village is: town size, urban communities denser, some noise; the demo
    village (the secretary's login) the busiest of all, so its worklist is never empty."""
    weights = []
    for v in county.villages:
        w = rng.lognormvariate(0, 0.45) * TOWN_FACTOR.get(v.code[6:9], 0.55)
        if v.code[9] == "0":  # 社区: urban, denser
            w *= 1.6
        weights.append(w)
    codes = [v.code for v in county.villages]
    if DEMO_VILLAGE in codes:
        weights[codes.index(DEMO_VILLAGE)] = 1.2 * max(weights)
    return weights


def _quota(n: int, share: float, minimum: int, available: int) -> int:
    return min(available, max(minimum, round(share * n)))


def _category(rng: random.Random, month: int) -> str:
    tops = list(CATEGORY_WEIGHTS)
    top = rng.choices(tops, weights=[CATEGORY_WEIGHTS[t][0] for t in tops])[0]
    subs = CATEGORY_WEIGHTS[top][1]
    codes = list(subs)
    return rng.choices(codes, weights=[subs[c] * SEASONAL.get(c, {}).get(month, 1.0) for c in codes])[0]


def _source(rng: random.Random, category: str) -> str:
    table = SOURCE_BY_TOP.get(category.split(".")[0])
    if table is None:  # hazard checks find hazards only
        table = {k: v for k, v in SOURCE_WEIGHTS.items() if k != "hazard_check"}
    sources = list(table)
    return rng.choices(sources, weights=[table[s] for s in sources])[0]


def _content(rng: random.Random, plan_args: dict, as_of: dt.datetime) -> dict:
    """Title, description, result, parties and address for one event."""
    category = plan_args["category"]
    village: Region = plan_args["village"]
    content = texts.CONTENT[category]
    title_t, desc_t = rng.choice(content["items"])
    result_t = rng.choice(content["results"])
    first = names.person_name(rng)
    second = names.person_name(rng)
    community = village.code[9] == "0"
    group = f"{rng.randint(1, 12)}组" if not community else rng.choice(["阳光小区", "东门小区", "学府花园", "滨溪苑"])
    values = {
        "p": first, "q": second, "v": village.display_name, "g": group,
        "n": str(rng.randint(2, 9)), "amt": f"{rng.randrange(3, 120) * 1000:,}",
        "road": rng.choice(texts.ROADS),
    }
    title = texts.fill(title_t, rng, values)[:200]
    description = texts.fill(desc_t, rng, values)
    result = texts.fill(result_t, rng, values)
    town_name = village.town.name if village.town_id else ""
    address = f"{town_name}{village.display_name}{group}{rng.randint(1, 99)}号"
    today = timezone.localtime(as_of).date()
    parties = []
    two_sided = category.startswith("dispute") or category.startswith("petition.") and rng.random() < 0.2
    for i, name in enumerate([first, second] if two_sided else [first]):
        # The reporter leaves a number for the call-back; the other side not always.
        phone = names.mobile(rng) if i == 0 or rng.random() < 0.8 else ""
        id_number = names.id_number(rng, place_code=village.code[:6], today=today) if rng.random() < 0.4 else ""
        parties.append(actions.PartyInput(name=name, phone=phone, id_number=id_number, is_reporter=(i == 0)))
    dispute_source = ""
    if category.startswith("petition"):
        dispute_source = "petition"
    elif category.startswith("dispute"):
        if plan_args["source"] == "police_110":
            dispute_source = "police"
        elif plan_args["source"] == "walk_in" and rng.random() < 0.3:
            dispute_source = "litigation"
    return {"title": title, "description": description, "result": result, "address": address,
            "parties": parties, "dispute_source": dispute_source}


def plan_events(*, n: int, seed: int, county: County, as_of: dt.datetime) -> list[Plan]:
    """Decide every event's story from the seed: the same seed and `as_of` give the same plans."""
    if n < 1:
        raise ValueError("the demo needs at least one event")
    rng = random.Random(seed)
    weighted_days = _day_weights(as_of)
    days = [d for d, _w in weighted_days]
    day_weights = [w for _d, w in weighted_days]
    village_weights = _village_weights(rng, county)

    n_merged = _quota(n, *SCENARIOS["merged"][:2], available=max(0, n // 4))
    base_n = n - n_merged
    scenario_list: list[str] = []
    for name, (share, minimum, _window) in SCENARIOS.items():
        if name == "merged":
            continue
        scenario_list += [name] * _quota(base_n, share, minimum, available=base_n - len(scenario_list))
    scenario_list += ["normal"] * (base_n - len(scenario_list))
    rng.shuffle(scenario_list)

    drafts: list[dict] = []
    for scenario in scenario_list:
        village = rng.choices(county.villages, weights=village_weights)[0]
        window = SCENARIOS.get(scenario, (0, 0, None))[2]
        # The day first (its month sets the season's mix), then what and through which channel,
        # then the hour that channel is used at.
        if window is not None:
            created_at = _recent(rng, as_of, window)
            day = timezone.localtime(created_at).date()
        else:
            day = rng.choices(days, weights=day_weights)[0]
        category = _category(rng, day.month)
        source = _source(rng, category)
        if window is None:
            created_at = _moment(rng, day, source, as_of)
        grid = None
        if source in {"grid", "hazard_check"} and county.grids_of.get(village.id):
            grid = rng.choice(county.grids_of[village.id])
        draft = {"scenario": scenario, "category": category, "source": source, "village": village,
                 "grid": grid, "created_at": created_at}
        if scenario == "returned":
            # Reported to the command centre, first sent to the wrong village of the same town.
            draft["source"] = rng.choice(["hotline_12345", "police_110", "online_opinion"])
            draft["grid"] = None
            neighbours = [v for v in county.villages_of.get(village.town_id or 0, []) if v.id != village.id]
            draft["wrong_village"] = rng.choice(neighbours) if neighbours else None
            if draft["wrong_village"] is None:
                draft["scenario"] = "normal"
        if scenario in {"refused", "awaiting_dispatch"}:
            draft["source"] = rng.choice(["hotline_12345", "police_110", "online_opinion", "walk_in", "citizen"])
            draft["grid"] = None
        draft.update(_content(rng, draft, as_of))
        drafts.append(draft)

    # Duplicates: the same matter reported again through another channel, then merged.
    partners = [i for i, d in enumerate(drafts)
                if d["scenario"] == "normal" and d["created_at"] < as_of - dt.timedelta(days=3)]
    for i in rng.sample(partners, min(n_merged, len(partners))):
        original = drafts[i]
        channel = rng.choice([s for s in ("hotline_12345", "citizen", "police_110", "online_opinion")
                              if s != original["source"]])
        delay = dt.timedelta(hours=rng.uniform(1, 40))
        dup = dict(original, scenario="merged", source=channel, grid=None,
                   created_at=min(original["created_at"] + delay, as_of - 2 * HOUR),
                   partner=i, flags=set())
        dup["title"] = f"{original['title']}(重复反映)"[:200] if rng.random() < 0.3 else original["title"]
        dup["parties"] = [original["parties"][0]] if original["parties"] else []
        drafts.append(dup)

    # Features, by quota over the stories they apply to.
    for d in drafts:
        d.setdefault("flags", set())
    for flag, (share, minimum, applies) in FLAGS.items():
        eligible = [i for i, d in enumerate(drafts) if d["scenario"] in applies]
        if flag == "town_level":
            eligible = [i for i in eligible if drafts[i]["source"] in
                        {"hotline_12345", "police_110", "online_opinion", "citizen", "walk_in"}]
        for i in rng.sample(eligible, _quota(len(eligible), share, minimum, len(eligible))):
            drafts[i]["flags"].add(flag)

    order = sorted(range(len(drafts)), key=lambda i: (drafts[i]["created_at"], i))
    new_index = {old: new for new, old in enumerate(order)}
    plans = []
    for new, old in enumerate(order):
        d = drafts[old]
        plans.append(Plan(
            index=new, created_at=d["created_at"], scenario=d["scenario"], category=d["category"],
            source=d["source"], village=d["village"], grid=d["grid"], title=d["title"],
            description=d["description"], address=d["address"], result=d["result"],
            dispute_source=d["dispute_source"], parties=d["parties"], flags=d["flags"],
            merge_into=new_index[d["partner"]] if "partner" in d else None,
            wrong_village=d.get("wrong_village"),
        ))
    return plans


# ------------------------------------------------------------------------------ playing


class Cut(Exception):
    """The story's next step lies after "now": the event stays as it is."""


@dataclass
class PlayStats:
    actions: Counter = field(default_factory=Counter)
    cut: int = 0


class StoryPlayer:
    """Plays plans through the actions, in order of their first moment."""

    def __init__(self, *, county: County, roster: Roster, as_of: dt.datetime, seed: int):
        self.county = county
        self.roster = roster
        self.as_of = as_of
        self.seed = seed
        self.warn = dt.timedelta(hours=settings.FENGQIAO_DEADLINE_WARNING_HOURS)
        self.categories = {c.code: c for c in Category.objects.all()}
        self.event_ids: dict[int, int] = {}
        self.stats = PlayStats()
        from fengqiao.regions.models import RegionShape

        # The synthetic outlines (demo/geography.py): events get a point in their grid or village.
        self.shapes = {s.region_id: s.geometry() for s in RegionShape.objects.filter(
            level__in=["grid", "village"], region__county=county.county)}

    def point_in(self, region: Region, index: int) -> tuple[float | None, float | None]:
        """A point inside the region's outline, from a random stream of the plan's own (so the
        points never shift the rest of the story); (None, None) without an outline."""
        import shapely

        shape = self.shapes.get(region.id)
        if shape is None:
            return None, None
        rng = random.Random(f"{self.seed}-point-{index}")
        minx, miny, maxx, maxy = shape.bounds
        for _ in range(50):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(shape, x, y):
                return round(y, 6), round(x, 6)
        point = shape.point_on_surface()
        return round(point.y, 6), round(point.x, 6)

    def play(self, plan: Plan) -> Event:
        story = _Story(self, plan)
        try:
            story.play()
        except Cut:
            self.stats.cut += 1
        story.scan(self.as_of)
        self.event_ids[plan.index] = story.event.pk
        return story.event


class _Story:
    def __init__(self, player: StoryPlayer, plan: Plan):
        self.p = player
        self.plan = plan
        self.rng = random.Random(f"{player.seed}:{plan.index}")
        self._event: Event | None = None
        self.t = plan.created_at
        self.roster = player.roster

    @property
    def event(self) -> Event:
        """The story's event: registered first thing in `play`."""
        if self._event is None:
            raise LookupError("the story has not registered its event yet")
        return self._event

    @event.setter
    def event(self, value: Event) -> None:
        self._event = value

    # -- time

    def after(self, median_hours: float, *, spread: float = 0.8, minimum: float = 0.1,
              daytime: bool = True) -> dt.datetime:
        hours = max(minimum, self.rng.lognormvariate(math.log(median_hours), spread))
        moment = self.t + dt.timedelta(hours=hours)
        if daytime:
            local = timezone.localtime(moment)
            if local.hour < 8 or local.hour >= 21:
                nxt = local.date() + dt.timedelta(days=1 if local.hour >= 21 else 0)
                start = dt.datetime.combine(nxt, dt.time(8)) + dt.timedelta(minutes=self.rng.randrange(0, 120))
                moment = timezone.make_aware(start, timezone.get_current_timezone())
        return moment.replace(microsecond=0)

    def at(self, moment: dt.datetime, fn, **kwargs):
        """Run one action at `moment` (after the scanner's notices due before it)."""
        moment = max(moment, self.t + MINUTE)
        if moment >= self.p.as_of:
            raise Cut
        self.scan(moment)
        with _at(moment):
            result = fn(**kwargs)
        self.t = moment
        self.p.stats.actions[kwargs.get("action") or fn.__name__.removeprefix("event_")] += 1
        if isinstance(result, Event):
            self.event = result
        elif isinstance(result, tuple) and result and isinstance(result[0], Event):
            self.event = result[0]
        return result

    def scan(self, until: dt.datetime) -> None:
        """What the deadline scanner (`fengqiao.events.scanner`, every minute) did between the
        last step and `until`: a warning while the deadline is near, the overdue notice once it
        has passed (an event already past its deadline gets the overdue notice only)."""
        for kind in ("deadline_warning", "overdue"):
            e = self._event
            if e is None or e.status not in OPEN or e.deadline is None:
                return
            if kind == "deadline_warning":
                if e.deadline_warned_at is not None:
                    continue
                tick = _next_minute(max(e.deadline - self.p.warn, self.t))
                if tick > e.deadline:
                    continue
            else:
                if e.overdue_notified_at is not None:
                    continue
                tick = _next_minute(max(e.deadline, self.t))
            if tick >= until:
                continue
            with _at(tick):
                noticed = actions.event_deadline_notice(event=e.pk, kind=kind)
            self.p.stats.actions[kind] += 1
            self.t = tick
            if noticed is not None:
                self.event = noticed

    # -- who

    def user(self, person):
        return self.roster.user(person)

    @property
    def operator(self):
        return self.user(self.roster.duty_operator)

    def town_cadre(self):
        return self.user(self.roster.town_cadres[self.plan.village.town_id][0])

    def leader(self):
        return self.user(self.rng.choice(self.roster.leaders))

    def village_handler(self, village: Region):
        """Who takes a village event in hand: mostly the secretary, or the grid head who found it."""
        r = self.rng.random()
        if self.plan.grid is not None and village.id == self.plan.village.id and r < 0.45:
            return self.user(self.roster.grid_head[self.plan.grid.id])
        if self.plan.source == "police_110" or self.plan.category == "dispute.traffic":
            if r < 0.6:
                return self.user(self.roster.police[village.id])
        if r < 0.8:
            return self.user(self.roster.secretary[village.id])
        return self.user(self.roster.liaison[village.id])

    def reporter(self):
        p, v = self.plan, self.plan.village
        if p.source in {"grid", "hazard_check"} and p.grid is not None:
            return self.user(self.roster.grid_worker[p.grid.id])
        if p.source == "sweep":
            return self.user(self.roster.liaison[v.id] if self.rng.random() < 0.5 else self.roster.work_team[v.id])
        if p.source == "proxy":
            return self.user(self.roster.proxy[v.town_id])
        if p.source == "walk_in":
            return self.user(self.rng.choice(self.roster.mediators))
        if p.source == "citizen":
            return None  # the citizen's own report through the public form
        return self.user(self.rng.choice(self.roster.operators))

    # -- the story

    def play(self) -> None:
        p = self.plan
        town_only = p.scenario in {"refused", "awaiting_dispatch"} or "town_level" in p.flags
        region: Region = p.grid or p.village
        if p.scenario == "returned" and p.wrong_village is not None:  # planned with one
            region = p.wrong_village
        elif town_only and p.village.town is not None:  # a village always lies in a town
            region = p.village.town
        self.register(region)
        if p.scenario == "awaiting_dispatch":
            return
        if p.scenario == "refused":
            self.at(self.after(3), actions.event_refuse, event=self.event, actor=self.operator,
                    reason=self.rng.choice(texts.REFUSE_REASONS))
            return
        if self.event.status == Status.REGISTERED:
            dispatcher = self.operator if self.rng.random() < 0.7 else self.town_cadre()
            self.at(self.after(1.5), actions.perform, event=self.event.pk, actor=dispatcher,
                    action="dispatch", data={"region_code": p.village.code})
            self.event = Event.objects.select_related("region", "category").get(pk=self.event.pk)
        if p.scenario == "merged" and p.merge_into is not None:  # planned with one
            into = Event.objects.get(pk=self.p.event_ids[p.merge_into])
            self.at(self.after(4), actions.event_merge, event=self.event, actor=self.operator, into=into)
            return
        if p.scenario == "returned" and p.wrong_village is not None:
            wrong = self.user(self.roster.secretary[p.wrong_village.id])
            self.at(self.after(3), actions.event_return, event=self.event, actor=wrong,
                    reason=self.rng.choice(texts.RETURN_REASONS))
            self.at(self.after(1), actions.perform, event=self.event.pk, actor=self.operator,
                    action="dispatch", data={"region_code": p.village.code})
            self.event = Event.objects.select_related("region", "category").get(pk=self.event.pk)
        if "flag_risk" in p.flags and not self.event.high_risk:
            self.at(self.after(2), actions.event_flag_risk, event=self.event, actor=self.operator,
                    reason=self.rng.choice(texts.RISK_REASONS))
        if p.scenario == "stuck_dispatched":
            self.pressure(village_tier=True)
            raise Cut
        handler = self.village_handler(p.village)
        self.at(self.after(2 if p.source in {"grid", "hazard_check"} else 4), actions.event_acknowledge,
                event=self.event, actor=handler)
        self.handle(handler, tier_approver=self.town_cadre())
        if p.scenario in {"escalated_town", "escalated_county"}:
            handler = self.escalate_to_town(handler)
            if p.scenario == "escalated_county":
                handler = self.escalate_to_county(handler)
        if p.scenario == "stuck_in_progress":
            self.pressure(village_tier=False)
            raise Cut
        self.resolve(handler)
        if p.scenario == "awaiting_call_back":
            raise Cut
        satisfied = self.call_back(dissatisfied=p.scenario == "reworked")
        if not satisfied:
            self.at(self.after(3), actions.event_comment, event=self.event, actor=handler,
                    text="已重新与当事人沟通,针对回访意见再次处置。")
            self.resolve(handler, again=True)
            self.call_back(dissatisfied=False)
        self.at(self.after(2, minimum=0.05), actions.event_close, event=self.event,
                actor=self.call_back_actor)

    def register(self, region: Region) -> None:
        p = self.plan
        moment = p.created_at
        if moment >= self.p.as_of:
            raise Cut
        latitude, longitude = self.p.point_in(p.grid or p.village, p.index)
        with _at(moment):
            self.event = actions.event_register(
                actor=self.reporter(), title=p.title, description=p.description,
                category=self.p.categories[p.category], source=p.source, region=region,
                address=p.address, latitude=latitude, longitude=longitude,
                dispute_source=p.dispute_source,
                high_risk="high_risk" in p.flags,
                parties=p.parties,
            )
        self.t = moment
        self.p.stats.actions["register"] += 1

    def handle(self, handler, *, tier_approver) -> None:
        """The handling at one tier: notes, an added work-team member, a consultation, extension,
        urging and supervision as the plan says."""
        p, rng = self.plan, self.rng
        if "comment" in p.flags:
            self.at(self.after(6), actions.event_comment, event=self.event, actor=handler,
                    text=rng.choice(texts.COMMENTS))
        if "work_team" in p.flags and self.event.tier == "village":
            member = self.roster.work_team[p.village.id]
            self.at(self.after(3), actions.event_add_assignee, event=self.event, actor=handler,
                    person_id=member.pk, role="work_team")
        if "consultation" in p.flags:
            self.at(self.after(10), actions.event_comment, event=self.event, actor=self.town_cadre(),
                    text=rng.choice(texts.CONSULTATIONS), consultation=True)
        if "extension_approved" in p.flags or "extension_rejected" in p.flags:
            deadline = self.event.deadline
            assert deadline is not None, "an event in hand has a deadline"
            ask = max(self.t + HOUR, deadline - dt.timedelta(hours=rng.uniform(20, 60)))
            self.at(ask, actions.event_request_extension, event=self.event, actor=handler,
                    days=rng.choice([3, 5, 7, 10, 15]), reason=rng.choice(texts.EXTENSION_REASONS))
            if "extension_approved" in p.flags:
                self.at(self.after(5), actions.event_approve_extension, event=self.event,
                        actor=tier_approver, note="同意延期,请在新时限内办结。")
            else:
                self.at(self.after(5), actions.event_reject_extension, event=self.event,
                        actor=tier_approver, reason=rng.choice(texts.REJECT_NOTES))
        if "urged" in p.flags:
            urger = self.operator if rng.random() < 0.7 else self.town_cadre()
            self.at(self.after(30), actions.event_urge, event=self.event, actor=urger,
                    note=rng.choice(texts.URGE_NOTES))
        for level in ("normal", "yellow", "red"):
            if f"supervised_{level}" in p.flags:
                who = self.operator if level == "normal" else self.leader()
                self.at(self.after(20), actions.event_supervise, event=self.event, actor=who,
                        level=level, note=texts.SUPERVISE_NOTES[level])

    def pressure(self, *, village_tier: bool) -> None:
        """An event nobody moves: urged after its deadline, then yellow and red cards."""
        e = self.event
        base = max(self.t, e.deadline or self.t)
        if "urged" in self.plan.flags or not village_tier:
            self.at(base + dt.timedelta(hours=self.rng.uniform(6, 48)), actions.event_urge,
                    event=self.event, actor=self.operator, note="该事项已逾期,请立即处置并说明情况。")
        if not village_tier:
            self.at(base + dt.timedelta(days=self.rng.uniform(4, 10)), actions.event_supervise,
                    event=self.event, actor=self.leader(), level="yellow", note=texts.SUPERVISE_NOTES["yellow"])
            self.at(base + dt.timedelta(days=self.rng.uniform(15, 30)), actions.event_supervise,
                    event=self.event, actor=self.leader(), level="red", note=texts.SUPERVISE_NOTES["red"])

    def escalate_to_town(self, handler):
        self.at(self.after(20), actions.event_escalate, event=self.event, actor=handler,
                reason=self.rng.choice(texts.ESCALATE_REASONS))
        cadre = self.town_cadre()
        self.at(self.after(2), actions.event_acknowledge, event=self.event, actor=cadre)
        self.at(self.after(20), actions.event_comment, event=self.event, actor=cadre,
                text=self.rng.choice(texts.CONSULTATIONS), consultation=True)
        return cadre

    def escalate_to_county(self, cadre):
        self.at(self.after(30), actions.event_escalate, event=self.event, actor=cadre,
                reason=self.rng.choice(texts.COUNTY_ESCALATE_REASONS))
        operator = self.operator
        self.at(self.after(1.5), actions.event_acknowledge, event=self.event, actor=operator)
        department = self.roster.department_for(self.plan.category)
        liaison = self.roster.dept_liaison[department.code]
        self.at(self.after(1), actions.event_add_assignee, event=self.event, actor=operator,
                person_id=liaison.pk, role="department_liaison")
        if self.plan.category.startswith("petition") or self.rng.random() < 0.4:
            leader = self.rng.choice(self.roster.leaders)  # 领导包案
            self.at(self.after(2), actions.event_add_assignee, event=self.event, actor=operator,
                    person_id=leader.pk, role="county_leader")
        return self.user(liaison)

    def resolve(self, handler, *, again: bool = False) -> None:
        e, rng = self.event, self.rng
        natural = self.after(HANDLING_HOURS[self.plan.top] * (0.5 if again else 1.0), spread=0.7)
        if e.deadline is not None:
            if "late" in self.plan.flags and not again:
                natural = max(natural, e.deadline + dt.timedelta(hours=rng.uniform(2, 96)))
            elif natural > e.deadline - HOUR:
                natural = max(self.t + 0.5 * HOUR, e.deadline - dt.timedelta(hours=rng.uniform(1, 10)))
        if self.plan.scenario == "awaiting_call_back":  # resolved lately, not yet called back
            natural = max(self.t + 0.5 * HOUR, min(natural, self.p.as_of - dt.timedelta(hours=rng.uniform(2, 20))))
        self.at(natural, actions.event_resolve, event=self.event, actor=handler,
                result=self.plan.result if not again else "二次处置:" + self.plan.result)

    def call_back(self, *, dissatisfied: bool) -> bool:
        rng = self.rng
        self.call_back_actor = (self.operator if self.event.tier == "county" or rng.random() < 0.7
                                else self.town_cadre())
        when = self.after(20, daytime=True)
        if "phone_call" in self.plan.flags:
            party = Party.objects.filter(event=self.event, is_reporter=True).exclude(phone="").first()
            if party is not None:
                self.at(when, actions.event_call, event=self.event, actor=self.call_back_actor,
                        party_id=party.pk)
                when = self.t + dt.timedelta(minutes=rng.randint(2, 15))
        if dissatisfied:
            satisfaction = Satisfaction.DISSATISFIED
        else:
            satisfaction = Satisfaction.SATISFIED if rng.random() < 0.86 else Satisfaction.BASICALLY_SATISFIED
        self.at(when, actions.event_call_back, event=self.event, actor=self.call_back_actor,
                satisfaction=satisfaction, note=rng.choice(texts.CALL_BACK_NOTES[satisfaction]))
        return satisfaction != Satisfaction.DISSATISFIED


def _at(moment: dt.datetime):
    """Freeze the platform clock at `moment`, in UTC as `timezone.now()` gives it (the audit
    hash covers the timestamp's text, which must read the same before and after the database)."""
    return clock.frozen(moment.astimezone(dt.UTC))


def _next_minute(moment: dt.datetime) -> dt.datetime:
    """The scanner's first run strictly after `moment`."""
    return moment.replace(second=0, microsecond=0) + MINUTE
