"""Fill a database fast with synthetic events, for benchmarks only.

Unlike the demo, this writes rows directly with `bulk_create`, bypassing the actions: the events
have no audit trail, no parties, no texts and no inbox entries, and their timestamps are only
plausible. What it does fill faithfully is what lists, worklists and dashboards read: status,
tier, the region and its ancestor columns, category and source, deadlines (open ones overdue or
not), resolved/closed/called-back times, satisfaction, supervision, high-risk flags, departments,
and the people bound to each event (the village's "3", the grid head, the tiers' duty people),
active while the event is open. Event codes continue the per-day counters, so events registered
afterwards through the actions do not collide with them.

Never run it on a database that matters: the rows it writes cannot be told from real ones by
anything but their missing audit trail.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fengqiao.demo import people, places, stories
from fengqiao.demo.texts import CONTENT
from fengqiao.events.models import Assignment, Category, Event, EventCodeCounter, Satisfaction
from fengqiao.regions.models import Region

DAY = dt.timedelta(days=1)

# Final states, as a county's ledger looks after a few years: most closed.
STATUS_MIX = {"closed": 87.5, "resolved": 3.0, "in_progress": 4.0, "dispatched": 2.0,
              "registered": 0.7, "refused": 1.5, "merged": 1.3}
TIER_MIX = {"village": 92.0, "town": 6.0, "county": 2.0}
DEADLINE_DAYS = {"village": 7, "town": 14, "county": 30}
TITLES = {code: [title for title, _description in c["items"]] for code, c in CONTENT.items()}


@dataclass
class SeedReport:
    events: int = 0
    assignments: int = 0
    seconds: float = 0.0
    statuses: Counter | None = None


def ensure_demo_county(*, seed: int, stdout=None) -> tuple[places.County, people.Roster]:
    """The demo's places and people, loading them first when the database has none."""
    from fengqiao.demo.builder import build_places
    from fengqiao.demo.slice import XIANYOU

    if not Region.objects.filter(code=XIANYOU).exists():
        rng = random.Random(seed)
        county, _report = build_places(rng=rng, stdout=stdout)
        with transaction.atomic():
            people.create_people(county=county, rng=rng)
    county = places.load_county()
    return county, people.load_roster(county)


def _weighted(rng: random.Random, table: dict[str, float], k: int) -> list[str]:
    keys = list(table)
    return rng.choices(keys, weights=[table[x] for x in keys], k=k)


def seed_bench_events(
    *, n: int, batch: int = 5000, seed: int = 1, days: int = 365, progress: bool = False, stdout=None
) -> SeedReport:
    """Add `n` synthetic events (and their bindings) spread over the last `days` days."""
    if n < 1 or batch < 1:
        raise ValueError("events and batch must be positive")
    started = time.perf_counter()
    county, roster = ensure_demo_county(seed=seed, stdout=stdout)
    rng = random.Random(seed * 7919 + Event.objects.count())
    now = timezone.now()
    tz = timezone.get_current_timezone()
    village_weights = stories._village_weights(random.Random(seed), county)
    villages = county.villages
    categories = {c.code: c.pk for c in Category.objects.filter(parent__isnull=False)}
    categories["other"] = Category.objects.get(code="other").pk
    category_codes = list(categories)
    category_weights = []
    for code in category_codes:
        top = code.split(".")[0]
        share, subs = stories.CATEGORY_WEIGHTS[top]
        category_weights.append(share * subs.get(code, 1) / sum(subs.values()))
    sources = list(stories.SOURCE_WEIGHTS)
    source_weights = list(stories.SOURCE_WEIGHTS.values())
    counters = dict(EventCodeCounter.objects.values_list("key", "last"))
    duty_cadre = {town: lst[0].pk for town, lst in roster.town_cadres.items()}
    operator = roster.duty_operator.pk
    dept_of = {code: roster.department_for(code) for code in category_codes}
    liaison_of = {d.code: roster.dept_liaison[d.code].pk for d in roster.departments.values()}
    leaders = [p.pk for p in roster.leaders]
    report = SeedReport(statuses=Counter())

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, desc="events", unit="ev", unit_scale=True, file=stdout, mininterval=1.0)
    done = 0
    while done < n:
        size = min(batch, n - done)
        rows: list[Event] = []
        plans: list[tuple[str, int, int | None, str, dt.datetime]] = []
        picked_villages = rng.choices(villages, weights=village_weights, k=size)
        statuses = _weighted(rng, STATUS_MIX, size)
        tiers = _weighted(rng, TIER_MIX, size)
        cats = rng.choices(category_codes, weights=category_weights, k=size)
        srcs = rng.choices(sources, weights=source_weights, k=size)
        for village, status, tier, cat, source in zip(picked_villages, statuses, tiers, cats, srcs, strict=True):
            # Open events are mostly recent; an old open event is an overdue one.
            if status in {"registered", "dispatched", "in_progress", "resolved"} and rng.random() < 0.8:
                age = rng.expovariate(1 / 6)
            else:
                age = rng.random() * days
            created = now - dt.timedelta(days=min(age, days), minutes=rng.randrange(1, 600))
            grids = county.grids_of.get(village.id) or []
            grid = rng.choice(grids) if grids and source in {"grid", "hazard_check"} else None
            region = grid or village
            if status in {"registered", "refused"} and rng.random() < 0.7:
                region = village.town  # only the town was known
            if status in {"registered", "refused"}:
                tier = "village"  # a tier is set at dispatch
            key = f"350322-{timezone.localtime(created, tz):%Y%m%d}"
            counters[key] = counters.get(key, 0) + 1
            e = Event(
                code=f"{key}-{counters[key]:04d}", title=rng.choice(TITLES[cat]).format_map(_Blank()),
                category_id=categories[cat], source=source, status=status, tier=tier,
                region_id=region.id, province_id=region.province_id, city_id=region.city_id,
                county_id=region.county_id, town_id=region.town_id, village_id=region.village_id,
                grid_id=region.grid_id, created_at=created,
                high_risk=rng.random() < 0.02,
            )
            if status == "refused":
                e.refuse_reason = "不属于受理范围"
            elif status != "registered":
                _fill_dispatched(e, rng, now, tier)
            if tier == "county" and status not in {"registered", "refused"}:
                e.department = dept_of[cat]
            r = rng.random()
            if status in {"dispatched", "in_progress"} and r < 0.06:
                e.supervision = "normal" if r < 0.04 else "yellow" if r < 0.055 else "red"
                e.supervised_by_id = rng.choice(leaders)
            rows.append(e)
            plans.append((status, village.id, grid.id if grid and region.id == grid.id else None, tier, created))
        with transaction.atomic():
            Event.objects.bulk_create(rows, batch_size=1000)
            bindings = []
            for e, (status, village_id, grid_id, tier, created) in zip(rows, plans, strict=True):
                if status in {"registered", "refused"} or e.village_id is None:
                    continue
                active = status in {"dispatched", "in_progress", "resolved"}
                three_active = active and tier == "village"
                for role, holder in (("village_liaison", roster.liaison), ("party_secretary", roster.secretary),
                                     ("community_police", roster.police)):
                    bindings.append(Assignment(event_id=e.pk, person_id=holder[village_id].pk, role=role,
                                               kind="3", tier="village", active=three_active, created_at=created))
                if grid_id is not None:
                    bindings.append(Assignment(event_id=e.pk, person_id=roster.grid_head[grid_id].pk,
                                               role="grid_head", kind="N", tier="village",
                                               active=three_active, created_at=created))
                if tier in {"town", "county"}:
                    bindings.append(Assignment(event_id=e.pk, person_id=duty_cadre[e.town_id], role="town_cadre",
                                               kind="tier", tier="town", active=active and tier == "town",
                                               created_at=created))
                if tier == "county":
                    bindings.append(Assignment(event_id=e.pk, person_id=operator, role="operator", kind="tier",
                                               tier="county", active=active, created_at=created))
                    bindings.append(Assignment(event_id=e.pk, person_id=liaison_of[e.department.code],
                                               role="department_liaison", kind="N", tier="county",
                                               active=active, created_at=created))
            Assignment.objects.bulk_create(bindings, batch_size=2000)
        report.assignments += len(bindings)
        report.statuses.update(statuses)
        done += size
        if bar is not None:
            bar.update(size)
    if bar is not None:
        bar.close()
    EventCodeCounter.objects.bulk_create(
        [EventCodeCounter(key=k, last=v) for k, v in counters.items()],
        update_conflicts=True, unique_fields=["key"], update_fields=["last"], batch_size=1000,
    )
    report.events = done
    report.seconds = time.perf_counter() - started
    return report


def _fill_dispatched(e: Event, rng: random.Random, now: dt.datetime, tier: str) -> None:
    """The times of a dispatched event's loop, each after the last and none after `now`."""
    e.dispatched_at = min(now, e.created_at + dt.timedelta(minutes=rng.randrange(0, 240)))
    e.deadline = e.dispatched_at + DEADLINE_DAYS[tier] * DAY
    if tier != "village":
        e.escalation_count = 1 if tier == "town" else 2
    if e.status == "dispatched":
        return
    e.acknowledged_at = min(now, e.dispatched_at + dt.timedelta(minutes=rng.randrange(5, 600)))
    if e.status == "in_progress":
        e.extension_count = 1 if rng.random() < 0.05 else 0
        return
    if e.status == "merged":
        return
    late = rng.random() < 0.06
    span = e.deadline - e.acknowledged_at
    resolved = e.acknowledged_at + (span * rng.uniform(0.05, 0.9) if not late else span + dt.timedelta(hours=rng.uniform(2, 96)))
    e.resolved_at = min(now, resolved)
    e.resolved_late = e.resolved_at > e.deadline
    e.result = "已办结"
    if e.status == "resolved":
        return
    e.called_back_at = min(now, e.resolved_at + dt.timedelta(hours=rng.uniform(1, 48)))
    e.satisfaction = Satisfaction.SATISFIED if rng.random() < 0.86 else Satisfaction.BASICALLY_SATISFIED
    e.closed_at = min(now, e.called_back_at + dt.timedelta(minutes=rng.randrange(5, 600)))
    e.reopen_count = 1 if rng.random() < 0.015 else 0


class _Blank(dict):
    """Title templates without the names: {p}等… → 某某等…"""

    def __missing__(self, key: str) -> str:
        return {"p": "某某", "q": "某某", "v": "某村", "g": "某组", "n": "3", "amt": "5,000",
                "road": "村道"}.get(key, "")
