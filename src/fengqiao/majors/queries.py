"""Reads on major matters: the one place their scope is decided, the filtered lists, the clocks as
a page shows them, the timeline, the closing queue, and the figures (completion: listed and
done, printed with the platform's one rate rule, `fengqiao.lib.rates`).

Scope: the matters located under the regions of the user's posts (`workflow.scope.region_scope_q`,
the roles in `permissions.REGIONAL_ROLES`) — a town sees its own matters whatever their listing
level —, plus those owned by the user's department, plus those they lead (包案) or work on
(攻坚小组). `access_matter_for_user` raises 404 outside — never a 403 that tells the matter exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils.translation import pgettext_lazy

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.rates import current_rounding, format_rate, rate
from fengqiao.majors import permissions as perms
from fengqiao.majors.machine import MILESTONE_NAME, NAME
from fengqiao.majors.models import (
    LISTED_STATUSES,
    Area,
    Card,
    Kind,
    Level,
    Matter,
    Milestone,
    MilestoneStatus,
    Status,
    TeamMember,
    TeamPost,
)
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, sees_everything
from fengqiao.regions.models import Region
from fengqiao.workflow.models import Clock
from fengqiao.workflow.scope import record_id as _pk
from fengqiao.workflow.scope import region_scope_q

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise

DETAIL_RELATED = ("region", "listing_region", "county", "town", "village", "owner", "leader",
                  "close_requested_by", "closed_by")
LIST_RELATED = ("region", "listing_region", "town", "owner", "leader")


# ------------------------------------------------------------------------------------ scope


def matter_scope_q(user) -> Q | None:
    """The Q selecting the matters a user may see; None: no restriction (a superuser)."""
    if sees_everything(user):
        return None
    q = region_scope_q(user, roles=set(perms.REGIONAL_ROLES))
    assert q is not None
    departments = [p.department_id for p in posts_of(user) if p.role == Role.DEPARTMENT_LIAISON and p.department_id]
    if departments:
        q |= Q(owner_id__in=departments)
    person = person_of(user)
    if person is not None:
        q |= Q(leader=person) | Q(pk__in=TeamMember.objects.filter(person=person, active=True).values("matter_id"))
    return q


def visible_matters(user) -> QuerySet[Matter]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Matter.objects.none()
    q = matter_scope_q(user)
    return Matter.objects.all() if q is None else Matter.objects.filter(q)




def access_matter_for_user(user, matter_id: Any) -> Matter:
    """The matter if the user may see it; 404 otherwise."""
    found = visible_matters(user).filter(pk=_pk(matter_id)).select_related(*DETAIL_RELATED).first()
    if found is None:
        raise Http404("no such major matter")
    return found


def access_milestone_for_user(user, matter_id: Any, milestone_id: Any) -> Milestone:
    matter = access_matter_for_user(user, matter_id)
    found = Milestone.objects.filter(matter=matter, pk=_pk(milestone_id)).select_related(
        "matter", "matter__listing_region", "matter__leader", "matter__owner").first()
    if found is None:
        raise Http404("no such milestone")
    return found


# ---------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class MatterFilters:
    level: str = ""
    kind: str = ""
    area: str = ""
    status: str = ""
    card: str = ""
    owner: str = ""  # a department code
    leader: int | None = None  # a person id
    region: str = ""  # a region code: matters located in its subtree
    q: str = ""
    overdue: bool = False  # a milestone past its date, still pending
    listed: bool = False  # on the ledger only (started)


class UnknownFilter(LookupError):
    """A filter named something that does not exist (the page shows it, the API answers 400)."""

    def __init__(self, field: str, value: str):
        super().__init__(f"{field}:{value}")
        self.field, self.value = field, value


def _running_milestone_clocks(now: dt.datetime | None = None) -> QuerySet[Clock]:
    """The running milestone clocks of the outer matter (past their limit when `now` is given)."""
    ids = Milestone.objects.filter(matter=OuterRef(OuterRef("pk"))).values("pk")
    qs = Clock.objects.filter(workflow=MILESTONE_NAME, stopped_at=None, record_id__in=ids)
    if now is not None:
        qs = qs.filter(due_at__lt=now)
    return qs


def overdue_q(now: dt.datetime) -> Q:
    """A milestone of the matter is past its limit and still running."""
    return Q(Exists(_running_milestone_clocks(now)))


def filter_matters(user, f: MatterFilters, *, now: dt.datetime | None = None) -> QuerySet[Matter]:
    """The user's visible matters narrowed by `f` (UnknownFilter for a value that does not exist)."""
    qs = visible_matters(user)
    for field, value, choices in (("level", f.level, Level), ("kind", f.kind, Kind), ("area", f.area, Area),
                                  ("status", f.status, Status), ("card", f.card, Card)):
        if value:
            if value not in choices.values:
                raise UnknownFilter(field, value)
            qs = qs.filter(**{field: value})
    if f.owner:
        qs = qs.filter(owner__code=f.owner)
    if f.leader is not None:
        qs = qs.filter(leader_id=f.leader)
    if f.region:
        region = Region.objects.filter(code=f.region).first()
        if region is None:
            raise UnknownFilter("region", f.region)
        qs = qs.filter(**region.subtree_kwargs(self_field="region_id"))
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(code__icontains=f.q))
    if f.listed:
        qs = qs.filter(status__in=LISTED_STATUSES)
    if f.overdue:
        qs = qs.filter(overdue_q(now or clock.now()))
    return qs


def with_progress(qs: QuerySet[Matter], now: dt.datetime | None = None) -> QuerySet[Matter]:
    """Each matter with its milestones counted, its next running limit and whether one has passed."""
    now = now or clock.now()
    running = _running_milestone_clocks().order_by("due_at")
    return qs.annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE), distinct=True),
        next_due=Subquery(running.values("due_at")[:1]),
        overdue=Exists(_running_milestone_clocks(now)),
    )


# ---------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Completion:
    """完成率 of listed matters (三级挂账督办): done (销号) over listed (挂账)."""

    listed: int
    done: int
    rounding: str

    @property
    def open(self) -> int:
        return self.listed - self.done

    @property
    def rate(self) -> Decimal | None:
        return rate(self.done, self.listed, 1, self.rounding)

    @property
    def text(self) -> str:
        return format_rate(self.done, self.listed, 1, self.rounding)

    @classmethod
    def of(cls, listed: int, done: int, rounding: str | None = None) -> Completion:
        return cls(listed=listed, done=done, rounding=rounding or current_rounding())


def completion(qs: QuerySet[Matter], rounding: str | None = None) -> Completion:
    row = qs.aggregate(listed=Count("pk", filter=Q(status__in=LISTED_STATUSES)),
                       done=Count("pk", filter=Q(status=Status.CLOSED)))
    return Completion.of(row["listed"], row["done"], rounding)


def completion_in(region: Region, *, level: str = "", kind: str = "", rounding: str | None = None) -> Completion:
    """The figure for a region's subtree (no scope check: the caller checked the region)."""
    qs = Matter.objects.filter(**region.subtree_kwargs(self_field="region_id"))
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    return completion(qs, rounding)


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    completion: Completion
    underway: int
    overdue: int
    red: int


BREAKDOWNS: dict[str, StrOrPromise] = {
    "level": pgettext_lazy("major breakdown", "By level"),
    "kind": pgettext_lazy("major breakdown", "By kind"),
    "owner": pgettext_lazy("major breakdown", "By owner unit"),
    "leader": pgettext_lazy("major breakdown", "By leader in charge"),
    "town": pgettext_lazy("major breakdown", "By town"),
}
_GROUP = {"level": ("level",), "kind": ("kind",), "owner": ("owner__code", "owner__name"),
          "leader": ("leader_id", "leader__name"), "town": ("town__code", "town__name")}


def breakdown(qs: QuerySet[Matter], by: str, *, now: dt.datetime | None = None,
              rounding: str | None = None) -> list[BreakdownRow]:
    """Listed, done, underway, overdue and red-card matters per level, kind, owner, leader or town,
    the completion rate printed by the one rule; sorted by the rate, lowest first (who lags)."""
    if by not in _GROUP:
        raise UnknownFilter("by", by)
    now = now or clock.now()
    rounding = rounding or current_rounding()
    fields = _GROUP[by]
    rows = (qs.order_by().values(*fields).annotate(
        listed=Count("pk", filter=Q(status__in=LISTED_STATUSES)),
        done=Count("pk", filter=Q(status=Status.CLOSED)),
        underway=Count("pk", filter=Q(status__in=(Status.UNDERWAY, Status.CLOSING))),
        overdue=Count("pk", filter=overdue_q(now)),
        red=Count("pk", filter=Q(card=Card.RED, status__in=(Status.UNDERWAY, Status.CLOSING))),
    ))
    out = []
    for r in rows:
        key = r[fields[0]]
        if by == "level":
            label = str(Level(key).label)
        elif by == "kind":
            label = str(Kind(key).label)
        elif key is None:
            label = "—"
        else:
            label = r[fields[1]]
        out.append(BreakdownRow(key=str(key or ""), label=label, completion=Completion.of(r["listed"], r["done"], rounding),
                                underway=r["underway"], overdue=r["overdue"], red=r["red"]))
    out.sort(key=lambda b: (b.completion.rate is None, b.completion.rate or 0, -b.completion.listed, b.label))
    return out


# ----------------------------------------------------------------------------- the matter page


def timeline(matter: Matter) -> QuerySet[AuditEntry]:
    """The matter's audit stream (its milestones' moves included), oldest first."""
    return AuditEntry.objects.filter(stream=f"major:{matter.pk}").order_by("seq").select_related("actor")


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    clock: Clock | None
    state: str  # planned, running, due_soon, overdue, met, late, cancelled


def milestone_rows(matter: Matter, now: dt.datetime | None = None) -> list[MilestoneRow]:
    now = now or clock.now()
    milestones = list(matter.milestones.select_related("completed_by").order_by("seq"))
    latest: dict[int, Clock] = {}
    for running in (Clock.objects.filter(workflow=MILESTONE_NAME, record_id__in=[m.pk for m in milestones])
                    .select_related("policy").order_by("started_at", "id")):
        latest[running.record_id] = running
    rows = []
    for ms in milestones:
        c = latest.get(ms.pk)
        rows.append(MilestoneRow(ms, c, clock_state(c, now) if c is not None else
                                 ("late" if ms.late else "met") if ms.status == MilestoneStatus.DONE else "planned"))
    return rows


def clock_state(c: Clock, now: dt.datetime) -> str:
    if c.stopped_at is None:
        return "overdue" if now > c.due_at else "due_soon" if now >= c.warn_at else "running"
    return c.outcome or "met"


CLOCK_STATE_LABELS: dict[str, StrOrPromise] = {
    "planned": pgettext_lazy("clock state", "Not started"),
    "running": pgettext_lazy("clock state", "Running"),
    "due_soon": pgettext_lazy("clock state", "Due soon"),
    "overdue": pgettext_lazy("clock state", "Overdue"),
    "met": pgettext_lazy("clock state", "Met in time"),
    "late": pgettext_lazy("clock state", "Met late"),
    "cancelled": pgettext_lazy("clock state", "No longer needed"),
}


def matter_clocks(matter: Matter) -> list[Clock]:
    """The matter's own limits (the assessment's, the closing review's)."""
    return list(Clock.objects.filter(workflow=NAME, record_id=matter.pk).select_related("policy")
                .order_by("started_at", "id"))


def team_of(matter: Matter) -> QuerySet[TeamMember]:
    """The task force standing, its head first, then deputies, liaisons, members."""
    order = Case(*[When(post=p, then=Value(i)) for i, p in enumerate(
        [TeamPost.HEAD, TeamPost.DEPUTY, TeamPost.LIAISON, TeamPost.MEMBER])], default=Value(9))
    return (TeamMember.objects.filter(matter=matter, active=True).select_related("person")
            .annotate(rank=order).order_by("rank", "id"))


def closing_queue(user) -> QuerySet[Matter]:
    """待审批销号: matters awaiting closing whose listing region is one of the user's office posts."""
    qs = visible_matters(user).filter(status=Status.CLOSING)
    if sees_everything(user):
        return qs
    regions = [p.region_id for p in posts_of(user)
               if p.role in (perms.TOWN_OFFICE if p.region.level == "town" else perms.COUNTY_APPROVERS)]
    return qs.filter(listing_region_id__in=regions)


def regions_for_listing(user) -> QuerySet[Region]:
    """The regions a user may place a matter in (their posts' subtrees), for the picker."""
    from fengqiao.people.queries import visible_regions

    return visible_regions(user)
