"""Reads on stations, plans and stays: the one place their scope is decided, and compliance week
by week per person, department and town (the rule itself is `compliance.py`).

Scope: the stations and plans located under the regions of the user's posts
(`workflow.scope.region_scope_q`, the roles in `permissions.REGIONAL_ROLES`) — a town sees its
own cadres —, plus their department's (a department liaison), plus their own plans.
`access_…` raise 404 outside — never a 403 that tells the record exists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.rates import current_rounding
from fengqiao.people.models import Pairing, Role
from fengqiao.people.queries import person_of, posts_of, sees_everything
from fengqiao.stationing import permissions as perms
from fengqiao.stationing.compliance import Period, Tally, monday_of, periods_of
from fengqiao.stationing.models import Plan, PlanStatus, Station, Stay, StayStatus
from fengqiao.workflow.clocks import WorkingCalendar
from fengqiao.workflow.scope import record_id as _pk
from fengqiao.workflow.scope import region_scope_q

MAX_WEEKS = 26
PLAN_RELATED = ("person", "rule", "region", "town", "station", "station__department", "department")


def _departments(user) -> list[int]:
    return [p.department_id for p in posts_of(user) if p.role == Role.DEPARTMENT_LIAISON and p.department_id]


def plan_scope_q(user) -> Q | None:
    if sees_everything(user):
        return None
    q = region_scope_q(user, roles=set(perms.REGIONAL_ROLES))
    assert q is not None
    departments = _departments(user)
    if departments:
        q |= Q(department_id__in=departments)
    person = person_of(user)
    if person is not None:
        q |= Q(person=person)
    return q


def visible_plans(user) -> QuerySet[Plan]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Plan.objects.none()
    q = plan_scope_q(user)
    return Plan.objects.all() if q is None else Plan.objects.filter(q)


def visible_stations(user) -> QuerySet[Station]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Station.objects.none()
    if sees_everything(user):
        return Station.objects.all()
    q = region_scope_q(user, roles=set(perms.REGIONAL_ROLES))
    assert q is not None
    departments = _departments(user)
    if departments:
        q |= Q(department_id__in=departments)
    return Station.objects.filter(q)




def access_plan_for_user(user, plan_id: Any) -> Plan:
    found = visible_plans(user).filter(pk=_pk(plan_id)).select_related(*PLAN_RELATED).first()
    if found is None:
        raise Http404("no such plan")
    return found


def access_station_for_user(user, station_id: Any) -> Station:
    found = visible_stations(user).filter(pk=_pk(station_id)).select_related("department", "region", "town").first()
    if found is None:
        raise Http404("no such station")
    return found


def access_stay_for_user(user, stay_id: Any) -> Stay:
    found = (Stay.objects.filter(pk=_pk(stay_id), plan__in=visible_plans(user))
             .select_related("plan", "plan__rule", "person", "region").first())
    if found is None:
        raise Http404("no such stay")
    return found


def own_plans(user) -> QuerySet[Plan]:
    person = person_of(user)
    if person is None:
        return Plan.objects.none()
    return (Plan.objects.filter(person=person, status=PlanStatus.ACTIVE)
            .select_related(*PLAN_RELATED).order_by("region__code"))


def open_stay(user) -> Stay | None:
    person = person_of(user)
    if person is None:
        return None
    return (Stay.objects.filter(person=person, status=StayStatus.PRESENT)
            .select_related("plan", "plan__rule", "region").first())


def plan_timeline(plan: Plan) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(stream=f"stay_plan:{plan.pk}").order_by("seq").select_related("actor")


def station_timeline(station: Station) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(stream=f"station:{station.pk}").order_by("seq").select_related("actor")


# ------------------------------------------------------------------------------- compliance


@dataclass(frozen=True)
class Window:
    start: dt.date  # a Monday
    end: dt.date  # a Sunday
    today: dt.date

    @property
    def weeks(self) -> list[dt.date]:
        return [self.start + dt.timedelta(weeks=i) for i in range(((self.end - self.start).days + 1) // 7)]


def window(weeks: int, *, today: dt.date | None = None, until: dt.date | None = None) -> Window:
    """The last `weeks` weeks up to the week of `until` (default: this week)."""
    today = today or clock.local_date()
    weeks = max(1, min(MAX_WEEKS, int(weeks)))
    last = monday_of(until or today)
    return Window(start=last - dt.timedelta(weeks=weeks - 1), end=last + dt.timedelta(days=6), today=today)


@dataclass
class PlanResult:
    plan: Plan
    periods: list[Period]
    tally: Tally
    by_week: dict[dt.date, Tally]  # each week's requirements (by their day), for the table


def _week_tallies(periods: list[Period], weeks: list[dt.date]) -> dict[dt.date, Tally]:
    """Each requirement and excused day counted in the week of its day (a two-week period's
    nights fall in the week they are due)."""
    out = {w: Tally() for w in weeks}
    for p in periods:
        for r in p.requirements:
            w = monday_of(r.due)
            if w not in out:
                continue
            t = out[w]
            if r.decided:
                t.required += 1
                t.met += int(r.met)
            else:
                t.pending += 1
        for d in p.excused:
            w = monday_of(d)
            if w in out:
                out[w].excused += 1
        for n in p.nights:
            w = monday_of(n)
            if w in out:
                out[w].nights += 1
    return out


def plan_results(plans: QuerySet[Plan], win: Window) -> list[PlanResult]:
    """Every plan's periods in the window, from one read of its stays and one calendar."""
    rows = list(plans.select_related(*PLAN_RELATED).order_by("region__code", "person__name", "id"))
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(dt.datetime.combine(win.start - dt.timedelta(days=14), dt.time()), tz)
    until = timezone.make_aware(dt.datetime.combine(win.end + dt.timedelta(days=1), dt.time()), tz)
    stays: dict[int, list[Stay]] = defaultdict(list)
    for s in Stay.objects.filter(plan__in=[p.pk for p in rows], arrived_at__gte=since, arrived_at__lt=until,
                                 status=StayStatus.LEFT):
        stays[s.plan_id].append(s)
    cal = WorkingCalendar()
    out = []
    for plan in rows:
        periods = [p for p in periods_of(plan, stays.get(plan.pk, []), start=win.start, end=win.end,
                                         today=win.today, calendar=cal) if p.end >= win.start]
        t = Tally()
        for p in periods:
            t.add(p)
        out.append(PlanResult(plan=plan, periods=periods, tally=t, by_week=_week_tallies(periods, win.weeks)))
    return out


@dataclass
class RankRow:
    key: str
    label: str
    sub: str  # what else names the row (a person's place and rule, a town's county)
    tally: Tally = field(default_factory=Tally)
    by_week: dict[dt.date, Tally] = field(default_factory=dict)
    plans: int = 0
    rank: int | None = None
    link: int | None = None  # a plan id, for a person's row of one plan


BY = ("person", "department", "town")


def _group(result: PlanResult, by: str) -> tuple[str, str, str] | None:
    plan = result.plan
    if by == "person":
        return str(plan.person_id), plan.person.name, f"{plan.region.display_name} · {plan.rule.name}"
    if by == "department":
        if plan.department_id is None:
            return None
        assert plan.department is not None
        return plan.department.code, plan.department.name, ""
    town = plan.town
    if town is None:
        return None
    return town.code, town.name, ""


def ranking(results: list[PlanResult], by: str, win: Window, *, rounding: str | None = None) -> list[RankRow]:
    """Rows per person, department or town, ranked by the share of required nights met (ties
    share a rank; rows with nothing required yet come last, unranked)."""
    if by not in BY:
        raise ValueError(by)
    rounding = rounding or current_rounding()
    rows: dict[str, RankRow] = {}
    for r in results:
        key = _group(r, by)
        if key is None:
            continue
        row = rows.get(key[0])
        if row is None:
            row = rows[key[0]] = RankRow(key=key[0], label=key[1], sub=key[2],
                                         by_week={w: Tally() for w in win.weeks})
        row.tally.merge(r.tally)
        for w, t in r.by_week.items():
            row.by_week[w].merge(t)
        row.plans += 1
        row.link = r.plan.pk if row.plans == 1 else None
        if by == "person" and row.plans > 1:
            row.sub = ""
    ordered = sorted(rows.values(), key=lambda x: (x.tally.required == 0, -(x.tally.rate(rounding) or 0),
                                                   -x.tally.met, x.label))
    rank, previous = 0, None
    for i, row in enumerate(ordered, start=1):
        if row.tally.required == 0:
            continue
        value = row.tally.rate(rounding)
        if value != previous:
            rank, previous = i, value
        row.rank = rank
    return ordered


def totals(results: list[PlanResult]) -> Tally:
    t = Tally()
    for r in results:
        t.merge(r.tally)
    return t


@dataclass
class PairedRow:
    """A department paired (挂钩) with a lagging village: its station there and its cadres' stays."""

    pairing: Pairing
    station: Station | None
    tally: Tally
    plans: int


def paired_results(user, win: Window) -> list[PairedRow]:
    """Every active pairing in the user's scope, with what the department's cadres did there."""
    if sees_everything(user):
        pairings = Pairing.objects.filter(active=True)
    else:
        q = Q(pk__in=[])
        for post in posts_of(user):
            if post.role in perms.REGIONAL_ROLES:
                q |= Q(**{f"village__{k}": v for k, v in post.region.subtree_kwargs().items()})
        departments = _departments(user)
        if departments:
            q |= Q(department_id__in=departments)
        pairings = Pairing.objects.filter(q, active=True)
    pairings = pairings.select_related("department", "village", "village__town").order_by("village__code")
    pairs = list(pairings)
    stations = {(s.department_id, s.region_id): s for s in Station.objects.filter(
        status=PlanStatus.ACTIVE, region_id__in=[p.village_id for p in pairs])}
    plans = Plan.objects.filter(region_id__in=[p.village_id for p in pairs],
                                department_id__in=[p.department_id for p in pairs])
    by_pair: dict[tuple[int | None, int], list[PlanResult]] = defaultdict(list)
    for r in plan_results(plans, win):
        by_pair[(r.plan.department_id, r.plan.region_id)].append(r)
    out = []
    for p in pairs:
        found = by_pair.get((p.department_id, p.village_id), [])
        out.append(PairedRow(pairing=p, station=stations.get((p.department_id, p.village_id)),
                             tally=totals(found), plans=len(found)))
    return out
