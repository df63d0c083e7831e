"""Reads on petitions: the one place their scope is decided, the worklists, the clocks as a page
shows them, the timeline, the backlog lists, and the figures (counts only; the command centre
formats them with its rounding, `fengqiao.lib.rates`).

Scope: the petitions under the regions of the user's posts (`workflow.scope.region_scope_q`,
the roles in `permissions.REGIONAL_ROLES`), plus those routed to their department or office,
plus those they handle, lead (领导包案, also as a backlog case's leader) or work on (专班).
`access_petition_for_user` raises 404 outside — never a 403 that tells the petition exists.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, sees_everything
from fengqiao.petitions import permissions as perms
from fengqiao.petitions.machine import NAME
from fengqiao.petitions.models import (
    BATCH_CHINESE,
    OPEN_STATUSES,
    BacklogCase,
    Batch,
    Kind,
    Petition,
    Status,
)
from fengqiao.regions.models import Region
from fengqiao.workflow.models import Clock
from fengqiao.workflow.scope import region_scope_q

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise

TEAM = Petition.team.through


# ------------------------------------------------------------------------------------ scope


def petition_scope_q(user) -> Q | None:
    """The Q selecting the petitions a user may see; None: no restriction (a superuser)."""
    if sees_everything(user):
        return None
    q = region_scope_q(user, roles=set(perms.REGIONAL_ROLES))
    assert q is not None
    departments = [p.department_id for p in posts_of(user)
                   if p.role == Role.DEPARTMENT_LIAISON and p.department_id]
    if departments:
        q |= Q(body_department_id__in=departments)
    offices = [p.region_id for p in posts_of(user) if p.role in perms.BODY_REGION_ROLES]
    if offices:
        q |= Q(body_region_id__in=offices)
    person = person_of(user)
    if person is not None:
        q |= (Q(handler=person) | Q(leader=person) | Q(backlog__leader=person)
              | Q(pk__in=TEAM.objects.filter(person=person).values("petition_id")))
    return q


def visible_petitions(user) -> QuerySet[Petition]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Petition.objects.none()
    q = petition_scope_q(user)
    return Petition.objects.all() if q is None else Petition.objects.filter(q)


def access_petition_for_user(user, petition_id: Any) -> Petition:
    """The petition if the user may see it; 404 otherwise."""
    try:
        pk = int(petition_id)
    except (TypeError, ValueError):
        raise Http404("no such petition") from None
    found = visible_petitions(user).filter(pk=pk).select_related(*DETAIL_RELATED).first()
    if found is None:
        raise Http404("no such petition")
    return found


DETAIL_RELATED = ("category", "region", "village", "town", "county", "body_department",
                  "body_region", "handler", "leader", "event")
LIST_RELATED = ("category", "region", "village", "town", "body_department", "body_region", "leader")


# ---------------------------------------------------------------------------------- clocks


# Windows to do something one may do, not must: the body's to object, the petitioner's to ask for a
# review or a re-review. When one passes nobody is late — the body must then decide, the petition
# waits to be closed (办结). They "lapse", they are never "overdue".
OPTION_WINDOWS = ("petition.object", "petition.review_apply", "petition.rereview_apply")


def _clocks(**filters) -> QuerySet[Clock]:
    return Clock.objects.filter(workflow=NAME, **filters)


def _late(**filters) -> QuerySet[Clock]:
    """Running limits past due that someone owes (the apply windows left out)."""
    return _clocks(stopped_at=None, **filters).exclude(policy__key__in=OPTION_WINDOWS)


def with_clock_state(qs: QuerySet[Petition], now: dt.datetime | None = None) -> QuerySet[Petition]:
    """Annotate each petition with its next running limit (`next_due`, `next_clock`) and
    whether a running limit has passed (`overdue`) — for the lists."""
    now = now or clock.now()
    running = _clocks(record_id=OuterRef("pk"), stopped_at=None).order_by("due_at")
    return qs.annotate(
        next_due=Subquery(running.values("due_at")[:1]),
        next_clock=Subquery(running.values("policy__name")[:1]),
        overdue=Exists(_late(record_id=OuterRef("pk"), due_at__lt=now)),
    )


@dataclass(frozen=True)
class ClockRow:
    key: str
    name: str
    basis: str
    days: int
    day_kind: str
    started_at: dt.datetime
    due_at: dt.datetime
    stopped_at: dt.datetime | None
    state: str  # running, due_soon, overdue, lapsed (an option window passed), met, late, cancelled
    extended_days: int
    extension_reason: str
    approximate: bool


def clock_rows(petition: Petition, now: dt.datetime | None = None) -> list[ClockRow]:
    """Every limit that ran or runs on the petition, as the page and the API show it."""
    now = now or clock.now()
    rows = []
    for c in _clocks(record_id=petition.pk).select_related("policy").order_by("started_at", "id"):
        if c.stopped_at is None:
            past = "lapsed" if c.policy.key in OPTION_WINDOWS else "overdue"
            state = past if now > c.due_at else "due_soon" if now >= c.warn_at else "running"
        else:
            state = c.outcome or "met"
        rows.append(ClockRow(
            key=c.policy.key, name=c.policy.name, basis=c.policy.basis, days=c.policy.days,
            day_kind=c.policy.day_kind, started_at=c.started_at, due_at=c.due_at,
            stopped_at=c.stopped_at, state=state, extended_days=c.extended_days,
            extension_reason=c.extension_reason, approximate=c.approximate,
        ))
    return rows


CLOCK_STATE_LABELS: dict[str, StrOrPromise] = {
    "running": pgettext_lazy("clock state", "Running"),
    "due_soon": pgettext_lazy("clock state", "Due soon"),
    "overdue": pgettext_lazy("clock state", "Overdue"),
    "lapsed": pgettext_lazy("clock state", "Passed, not used"),
    "met": pgettext_lazy("clock state", "Met in time"),
    "late": pgettext_lazy("clock state", "Met late"),
    "cancelled": pgettext_lazy("clock state", "No longer needed"),
}


def timeline(petition: Petition) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(stream=f"petition:{petition.pk}").order_by("seq").select_related("actor")


# -------------------------------------------------------------------------------- worklists


@dataclass(frozen=True)
class Bucket:
    key: str
    label: StrOrPromise


WORKLIST_BUCKETS = [
    Bucket("to_route", pgettext_lazy("petition worklist", "To route")),  # 待转送
    Bucket("to_accept", pgettext_lazy("petition worklist", "To accept")),  # 待受理
    Bucket("handling", pgettext_lazy("petition worklist", "Handling")),  # 办理中
    Bucket("due_soon", pgettext_lazy("petition worklist", "Due soon")),  # 即将到期
    Bucket("overdue", pgettext_lazy("petition worklist", "Overdue")),  # 已超期
    Bucket("review", pgettext_lazy("petition worklist", "Review")),  # 待复查 / 复核
    Bucket("answered", pgettext_lazy("petition worklist", "Answered")),  # 已答复待办结
    Bucket("leading", pgettext_lazy("petition worklist", "I lead")),  # 我包案的
]
BUCKET_KEYS = [b.key for b in WORKLIST_BUCKETS]


def _handled_by(user) -> Q:
    """Petitions the user works on: routed to their department or office, or assigned to them."""
    q = Q(pk__in=[])
    for post in posts_of(user):
        if post.role == Role.DEPARTMENT_LIAISON and post.department_id:
            q |= Q(body_department_id=post.department_id)
        elif post.role in perms.BODY_REGION_ROLES:
            q |= Q(body_region_id=post.region_id)
    person = person_of(user)
    if person is not None:
        q |= (Q(handler=person) | Q(leader=person)
              | Q(pk__in=TEAM.objects.filter(person=person).values("petition_id")))
    return q


def _is_office(user) -> bool:
    return sees_everything(user) or any(p.role in perms.REGISTRARS | perms.OVERSEERS for p in posts_of(user))


def worklist(user, bucket: str, now: dt.datetime | None = None) -> QuerySet[Petition]:
    """One tab of the petition clerk's worklist: the office sees its whole scope, a body's clerk
    and the people assigned what they work on."""
    now = now or clock.now()
    base = visible_petitions(user)
    scope = base if _is_office(user) else base.filter(_handled_by(user))
    running = _clocks(record_id=OuterRef("pk"), stopped_at=None)
    if bucket == "to_route":
        qs = base.filter(status=Status.REGISTERED)
    elif bucket == "to_accept":
        qs = scope.filter(status=Status.ROUTED)
    elif bucket == "handling":
        qs = scope.filter(status__in=[Status.ACCEPTED, Status.HANDLING])
    elif bucket == "due_soon":
        qs = scope.filter(Exists(running.filter(warn_at__lte=now, due_at__gte=now)))
    elif bucket == "overdue":
        qs = scope.filter(Exists(_late(record_id=OuterRef("pk"), due_at__lt=now)))
    elif bucket == "review":
        qs = scope.filter(status__in=[Status.IN_REVIEW, Status.IN_REREVIEW])
    elif bucket == "answered":
        qs = scope.filter(status__in=[Status.ANSWERED, Status.REVIEWED, Status.REREVIEWED])
    elif bucket == "leading":
        person = person_of(user)
        qs = base.filter(leader=person, status__in=list(OPEN_STATUSES)) if person else base.none()
    else:
        raise ValueError(bucket)
    return qs


def worklist_counts(user, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    return {key: worklist(user, key, now).count() for key in BUCKET_KEYS}


def led_by(user) -> tuple[QuerySet[Petition], QuerySet[BacklogCase]]:
    """The leader in charge's list: the petitions they lead and the backlog cases they lead."""
    person = person_of(user)
    if person is None:
        return Petition.objects.none(), BacklogCase.objects.none()
    petitions = visible_petitions(user).filter(leader=person).order_by("status", "-registered_at")
    cases = (BacklogCase.objects.filter(leader=person, petition__in=visible_petitions(user))
             .select_related("petition", "petition__town", "petition__region")
             .order_by("settled_at", "first_raised_year"))
    return petitions, cases


@dataclass
class PetitionFilters:
    status: str | None = None
    kind: str | None = None
    form: str | None = None
    region_code: str | None = None
    q: str | None = None
    registered_from: dt.date | None = None
    registered_to: dt.date | None = None
    overdue: bool | None = None


def filter_petitions(user, f: PetitionFilters, now: dt.datetime | None = None) -> QuerySet[Petition]:
    """The ledger with the API's and the pages' filters, within scope. LookupError names a bad
    filter value ("status:xyz")."""
    from fengqiao.petitions.models import Form

    now = now or clock.now()
    qs = visible_petitions(user)
    if f.status:
        statuses = [s for s in f.status.split(",") if s]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise LookupError(f"status:{unknown[0]}")
        qs = qs.filter(status__in=statuses)
    if f.kind:
        if f.kind not in Kind.values:
            raise LookupError(f"kind:{f.kind}")
        qs = qs.filter(kind=f.kind)
    if f.form:
        if f.form not in Form.values:
            raise LookupError(f"form:{f.form}")
        qs = qs.filter(form=f.form)
    if f.region_code:
        region = Region.objects.filter(code=f.region_code).first()
        if region is None:
            raise LookupError(f"region_code:{f.region_code}")
        qs = qs.filter(**region.subtree_kwargs(self_field="region_id"))
    start, end = f.registered_from, f.registered_to
    if start or end:
        lo, hi = span_bounds(start or dt.date(1970, 1, 1), end or dt.date(9999, 12, 30))
        qs = qs.filter(registered_at__gte=lo, registered_at__lt=hi)
    if f.q:
        qs = qs.filter(Q(code__icontains=f.q) | Q(title__icontains=f.q))
    if f.overdue is not None:
        late = Exists(_late(record_id=OuterRef("pk"), due_at__lt=now))
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    return qs


# ---------------------------------------------------------------------------------- backlog


AGE_BUCKETS: list[tuple[str, StrOrPromise, int, int | None]] = [
    ("under_5", _("Under 5 years"), 0, 5),
    ("5_to_10", _("5 to 10 years"), 5, 10),
    ("10_to_20", _("10 to 20 years"), 10, 20),
    ("20_plus", _("20 years and more"), 20, None),
]
AGE_KEYS = [k for k, *_rest in AGE_BUCKETS]


def age_bucket(age: int) -> str:
    for key, _label, low, high in AGE_BUCKETS:
        if age >= low and (high is None or age < high):
            return key
    return AGE_KEYS[-1]


def case_age(case: BacklogCase, today: dt.date | None = None) -> int:
    """Whole years since first raised: at the year it was settled, or this year while open."""
    year = (timezone.localtime(case.settled_at).year if case.settled_at is not None
            else (today or clock.local_date()).year)
    return case.age_at(year)


@dataclass
class BacklogFilters:
    batch: str | None = None
    leader_id: int | None = None
    age: str | None = None
    town_code: str | None = None
    settled: bool | None = None


def backlog_cases(user, f: BacklogFilters | None = None) -> QuerySet[BacklogCase]:
    """Backlog cases of the visible petitions, filtered. LookupError names a bad value."""
    f = f or BacklogFilters()
    qs = (BacklogCase.objects.filter(petition__in=visible_petitions(user))
          .select_related("petition", "petition__town", "petition__region", "leader"))
    if f.batch:
        if f.batch not in Batch.values:
            raise LookupError(f"batch:{f.batch}")
        qs = qs.filter(batch=f.batch)
    if f.leader_id is not None:
        qs = qs.filter(leader_id=f.leader_id)
    if f.town_code:
        town = Region.objects.filter(code=f.town_code).first()
        if town is None:
            raise LookupError(f"town:{f.town_code}")
        qs = qs.filter(petition__town=town)
    if f.settled is not None:
        qs = qs.filter(settled_at__isnull=not f.settled)
    if f.age:
        if f.age not in AGE_KEYS:
            raise LookupError(f"age:{f.age}")
        this_year = clock.local_date().year
        # Open cases by this year; settled ones by their settling year (few rows: in Python).
        ids = [pk for pk, year, settled in qs.values_list("pk", "first_raised_year", "settled_at")
               if age_bucket(max((timezone.localtime(settled).year if settled else this_year) - year, 0)) == f.age]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("settled_at", "batch", "first_raised_year", "id")


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    open: int
    settled: int

    @property
    def total(self) -> int:
        return self.open + self.settled


def _count_rows(cases: list[BacklogCase], key_of, label_of, order: list[str] | None = None,
                labels: dict[str, str] | None = None) -> list[CountRow]:
    """Open and settled cases per key; `order` (with `labels`) lists every row, empty ones too."""
    open_: Tally[str] = Tally()
    settled: Tally[str] = Tally()
    labels = dict(labels or {})
    for c in cases:
        k = key_of(c)
        labels.setdefault(k, label_of(c, k))
        (settled if c.settled_at is not None else open_)[k] += 1
    keys = order if order is not None else sorted(labels, key=lambda k: labels[k])
    return [CountRow(k, labels.get(k, k), open_[k], settled[k]) for k in keys]


BACKLOG_GROUPS = ("batch", "leader", "age", "town")


def backlog_counts_of(cases: list[BacklogCase], by: str, today: dt.date | None = None) -> list[CountRow]:
    """Counts of these backlog cases by batch (四个一批), leader, age or town."""
    if by == "batch":
        return _count_rows(cases, lambda c: c.batch, lambda c, k: BATCH_CHINESE[Batch(k)],
                           order=list(Batch.values), labels={b.value: BATCH_CHINESE[b] for b in Batch})
    if by == "leader":
        return _count_rows(cases, lambda c: str(c.leader_id or ""),
                           lambda c, k: c.leader.name if c.leader else "—")
    if by == "age":
        labels = {k: str(label) for k, label, *_r in AGE_BUCKETS}
        return _count_rows(cases, lambda c: age_bucket(case_age(c, today)), lambda c, k: labels[k],
                           order=AGE_KEYS, labels=labels)
    if by == "town":
        return _count_rows(cases, lambda c: c.petition.town.code if c.petition.town else "",
                           lambda c, k: c.petition.town.display_name if c.petition.town else "—")
    raise ValueError(by)


def backlog_counts(*, region: Region, by: str) -> list[CountRow]:
    """Figures for the command centre: backlog cases under `region` by batch, leader, age, town."""
    cases = list(BacklogCase.objects.filter(**_under(region, "petition__"))
                 .select_related("leader", "petition__town"))
    return backlog_counts_of(cases, by)


# ---------------------------------------------------------------------------------- figures


LEVEL_ORDER = ["province", "city", "county", "town", "village", "grid", "unit"]


def home_region(user) -> Region | None:
    """The region the figures default to: the user's highest post's (the county for a
    superuser)."""
    if sees_everything(user):
        return Region.objects.filter(level="county").order_by("code").first()
    posts = sorted(posts_of(user), key=lambda p: LEVEL_ORDER.index(p.region.level)
                   if p.region.level in LEVEL_ORDER else len(LEVEL_ORDER))
    return posts[0].region if posts else None


def span_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) local time."""
    tz = timezone.get_current_timezone()
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    return lo, hi


def _under(region: Region, prefix: str = "") -> dict[str, Any]:
    """Filter kwargs selecting rows under `region` (its ancestor column), through `prefix`
    ("petition__" for a backlog case)."""
    return {f"{prefix}{k}": v for k, v in region.subtree_kwargs(self_field="region_id").items()}


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class FirstTimeFigure:
    """初信初访 this period against the same dates a year earlier (同比)."""

    current: int
    baseline: int
    current_start: dt.date
    current_end: dt.date
    baseline_start: dt.date
    baseline_end: dt.date


def first_time_petitions(*, region: Region, start: dt.date, end: dt.date) -> FirstTimeFigure:
    b_start, b_end = _year_earlier(start), _year_earlier(end)
    base = Petition.objects.filter(kind=Kind.FIRST, **_under(region))

    def count(lo: dt.date, hi: dt.date) -> int:
        a, b = span_bounds(lo, hi)
        return base.filter(registered_at__gte=a, registered_at__lt=b).count()

    return FirstTimeFigure(count(start, end), count(b_start, b_end), start, end, b_start, b_end)


@dataclass(frozen=True)
class VillageWeekFigure:
    """初信初访一周内不出村解决: first-time petitions filed under a village, and those answered by
    a village-tier body within the 7 days (the petition.village_week clock met)."""

    first_time: int
    settled: int


def settled_in_village_week(*, region: Region, start: dt.date, end: dt.date) -> VillageWeekFigure:
    lo, hi = span_bounds(start, end)
    cohort = Petition.objects.filter(kind=Kind.FIRST, village__isnull=False,
                                     registered_at__gte=lo, registered_at__lt=hi, **_under(region))
    met = _clocks(record_id=OuterRef("pk"), policy__key="petition.village_week",
                  outcome=Clock.Outcome.MET)
    settled = cohort.filter(Exists(met), body_region__level__in=["village", "grid"])
    return VillageWeekFigure(first_time=cohort.count(), settled=settled.count())


@dataclass(frozen=True)
class BacklogSettledFigure:
    """积案化解: backlog cases settled in the span, by age (years since first raised)."""

    settled: int
    by_age: dict[str, int] = field(default_factory=dict)
    over_twenty: int = 0
    open: int = 0  # still unsettled now (under the region)


def backlog_settled(*, region: Region, start: dt.date, end: dt.date) -> BacklogSettledFigure:
    lo, hi = span_bounds(start, end)
    under = BacklogCase.objects.filter(**_under(region, "petition__"))
    settled = list(under.filter(settled_at__gte=lo, settled_at__lt=hi).only("first_raised_year", "settled_at"))
    ages = Tally(age_bucket(case_age(c)) for c in settled)
    by_age = {k: ages[k] for k in AGE_KEYS}
    return BacklogSettledFigure(settled=len(settled), by_age=by_age, over_twenty=by_age["20_plus"],
                                open=under.filter(settled_at=None).count())


@dataclass(frozen=True)
class ThreeSources:
    """三源: disputes by their source tag (警源, 诉源, 访源) and the petitions (访源)."""

    police: int
    litigation: int
    petition_events: int  # events tagged 访源
    petitions: int  # petitions registered
    petition_total: int  # 访源 counted once: tagged events + petitions not linked to one


def three_sources(*, region: Region, start: dt.date, end: dt.date) -> ThreeSources:
    from fengqiao.events.models import DisputeSource, Event
    from fengqiao.events.models import Status as EventStatus

    lo, hi = span_bounds(start, end)
    events = (Event.objects.filter(created_at__gte=lo, created_at__lt=hi, **_under(region))
              .exclude(status__in=[EventStatus.MERGED, EventStatus.REFUSED]))
    tags = Tally({row["dispute_source"]: row["n"] for row in
                  events.exclude(dispute_source="").values("dispute_source").annotate(n=Count("id"))})
    petitions = Petition.objects.filter(registered_at__gte=lo, registered_at__lt=hi, **_under(region))
    n_petitions = petitions.count()
    unlinked = petitions.exclude(event__dispute_source=DisputeSource.PETITION).count()
    return ThreeSources(
        police=tags[DisputeSource.POLICE], litigation=tags[DisputeSource.LITIGATION],
        petition_events=tags[DisputeSource.PETITION], petitions=n_petitions,
        petition_total=tags[DisputeSource.PETITION] + unlinked,
    )
