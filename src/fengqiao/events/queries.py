"""Reads on events: the worklist buckets, list filters and the timeline. Scope always comes from
`fengqiao.events.scope.visible_events`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils.translation import pgettext_lazy

from fengqiao.audit.models import AuditEntry
from fengqiao.events import statemachine as sm
from fengqiao.events.models import Assignment, Event, Status, Tier
from fengqiao.events.permissions import APPROVERS, DISPATCHERS, may_decide_extension
from fengqiao.events.scope import follows_whole_scope, visible_events
from fengqiao.lib import clock
from fengqiao.people.models import Role
from fengqiao.people.queries import paired_village_ids, person_of, posts_of, sees_everything

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise

OPEN = [Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS]


@dataclass(frozen=True)
class Bucket:
    key: str
    label: StrOrPromise  # lazy: the tab's name in the page language
    # Whose tab it is (None: everyone's): a decision's tab is shown to those whose posts decide it.
    shown: Callable[[Any], bool] | None = None
    # The tab's events from the user's visible ones, for a tab a higher app registers
    # (`register_bucket`: triage's 待分流); None: selected here, in `_worklist`.
    select: Callable[[Any, QuerySet], QuerySet] | None = None

    def shown_to(self, user) -> bool:
        return self.shown is None or sees_everything(user) or self.shown(user)


def _holds(*roles: str) -> Callable[[Any], bool]:
    wanted = set(roles)
    return lambda user: any(p.role in wanted for p in posts_of(user))


# Every decision waiting on a person has a tab with its count, shown to those who decide it:
# 待审批 extension requests one tier down, 提级待签收 escalations received at the user's tier,
# 退回待分拨 returns to re-dispatch, and (registered by the triage app) 待分流.
WORKLIST_BUCKETS = [
    Bucket("to_dispatch", pgettext_lazy("worklist", "To dispatch")),  # 待分拨
    Bucket("to_approve", pgettext_lazy("worklist", "To approve"), shown=_holds(*APPROVERS)),  # 待审批
    Bucket("escalated", pgettext_lazy("worklist", "Escalated to me"),  # 提级待签收
           shown=_holds(Role.TOWN_CADRE, Role.OPERATOR, Role.COUNTY_LEADER, Role.ADMIN)),
    Bucket("returned", pgettext_lazy("worklist", "Returned"), shown=_holds(*DISPATCHERS)),  # 退回待分拨
    Bucket("to_acknowledge", pgettext_lazy("worklist", "To acknowledge")),  # 待签收
    Bucket("in_progress", pgettext_lazy("worklist", "In progress")),  # 处置中
    Bucket("due_soon", pgettext_lazy("worklist", "Due soon")),  # 即将逾期
    Bucket("overdue", pgettext_lazy("worklist", "Overdue")),  # 已逾期
    Bucket("to_call_back", pgettext_lazy("worklist", "To call back")),  # 待回访
    Bucket("supervised", pgettext_lazy("worklist", "Supervised by me")),  # 我督办的
]
BUCKET_KEYS = [b.key for b in WORKLIST_BUCKETS]


def register_bucket(bucket: Bucket, *, after: str) -> None:
    """A tab of a higher app's decisions over events (in its AppConfig.ready), placed after
    `after`; registering the same key twice keeps the first."""
    if bucket.key in BUCKET_KEYS or bucket.select is None:
        return
    index = BUCKET_KEYS.index(after) + 1
    WORKLIST_BUCKETS.insert(index, bucket)
    BUCKET_KEYS.insert(index, bucket.key)


def buckets_for(user) -> list[Bucket]:
    """The tabs this user's posts have, in order."""
    return [b for b in WORKLIST_BUCKETS if b.shown_to(user)]


def overdue_now_q(now: dt.datetime) -> Q:
    """已逾期 / 当前超期: open and past the deadline at `now`, whenever received. The one
    definition behind the worklist's tab, the command centre's 当前超期, the home page's alarm
    and /api/v1/stats/overdue (the partial index over open events' deadlines serves it)."""
    return Q(status__in=OPEN, deadline__lt=now)


def _mine(user) -> Q:
    """Events the user is bound to now."""
    person = person_of(user)
    if person is None:
        return Q(pk__in=[])
    return Q(pk__in=Assignment.objects.filter(person=person, active=True).values("event_id"))


def _commands(user) -> bool:
    return getattr(user, "is_superuser", False) or any(
        p.role in {Role.OPERATOR, Role.ADMIN, Role.TOWN_CADRE, Role.COUNTY_LEADER} for p in posts_of(user)
    )


def worklist(user, bucket: str) -> QuerySet:
    """One tab of the worklist, in its own order. Operators see their whole scope; handlers what
    they are bound to."""
    qs = _worklist(user, bucket)
    # Registered events have no deadline yet: oldest first is fairest and index-friendly.
    return qs.order_by("created_at", "id") if bucket == "to_dispatch" else qs.order_by("deadline", "-id")


def _worklist(user, bucket: str) -> QuerySet:
    now = clock.now()
    base = visible_events(user)
    registered = next((b for b in WORKLIST_BUCKETS if b.key == bucket and b.select is not None), None)
    if registered is not None:
        return registered.select(user, base)  # type: ignore[misc]
    commander = _commands(user)
    if commander or follows_whole_scope(user):  # a grid worker follows their grid and reports
        scope = base
    else:
        # A department liaison's department is paired (挂钩) with lagging villages: their events
        # are the liaison's work too, bound or not.
        paired = paired_village_ids(user)
        scope = base.filter(_mine(user) | Q(village_id__in=paired)) if paired else base.filter(_mine(user))
    warn = dt.timedelta(hours=settings.FENGQIAO_DEADLINE_WARNING_HOURS)
    if bucket == "to_dispatch":
        return base.filter(status=Status.REGISTERED)
    if bucket == "to_approve":  # the pending extensions this user's posts decide (one tier up)
        pending = base.filter(sm.legal_q("approve_extension")).select_related("village", "town", "county")
        return Event.objects.filter(pk__in=[e.pk for e in pending if may_decide_extension(user, e)])
    if bucket == "escalated":  # escalated to the user's tier, waiting to be acknowledged there
        return base.filter(_escalated_to(user), status=Status.DISPATCHED, escalation_count__gt=0)
    if bucket == "returned":  # sent back as misrouted: waiting to be dispatched again
        return base.filter(status=Status.REGISTERED, return_count__gt=0)
    if bucket == "to_acknowledge":
        return scope.filter(status=Status.DISPATCHED)
    if bucket == "in_progress":
        return scope.filter(status=Status.IN_PROGRESS)
    if bucket == "due_soon":
        return scope.filter(status__in=OPEN, deadline__gt=now, deadline__lte=now + warn)
    if bucket == "overdue":
        return scope.filter(overdue_now_q(now))
    if bucket == "to_call_back":  # exactly where 回访 is legal now: resolved, not yet called back
        return base.filter(sm.legal_q("call_back"))
    if bucket == "supervised":
        person = person_of(user)
        if person is None:
            return base.none()
        return base.filter(supervised_by=person, status__in=OPEN)
    raise ValueError(bucket)


def _escalated_to(user) -> Q:
    """Events at the tier of one of the user's posts (a town cadre's town, an operator's
    county), or bound to the user at the event's current tier."""
    if sees_everything(user):
        return ~Q(tier=Tier.VILLAGE)
    q = Q(pk__in=[])
    for post in posts_of(user):
        if post.region.level in (Tier.TOWN, Tier.COUNTY):
            q |= Q(tier=post.region.level, **post.region.subtree_kwargs(self_field="region_id"))
    person = person_of(user)
    if person is not None:
        q |= Q(pk__in=Assignment.objects.filter(person=person, active=True, tier=F("event__tier"))
               .values("event_id"))
    return q


def worklist_counts(user) -> dict[str, int]:
    """Every tab's count (0 for a tab the user's posts do not have)."""
    shown = {b.key for b in buckets_for(user)}
    return {key: _worklist(user, key).count() if key in shown else 0 for key in BUCKET_KEYS}


@dataclass
class EventFilters:
    status: str | None = None
    region_code: str | None = None
    category_code: str | None = None
    source: str | None = None
    overdue: bool | None = None
    high_risk: bool | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    q: str | None = None


def filter_events(user, f: EventFilters) -> QuerySet:
    """The event list with the API's and the pages' filters, within the user's scope.

    Raises LookupError naming the filter when a code does not exist."""
    from django.utils import timezone

    from fengqiao.events.models import Category
    from fengqiao.regions.models import Region

    qs = visible_events(user)
    if f.status:
        statuses = [s for s in f.status.split(",") if s]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise LookupError(f"status:{unknown[0]}")
        qs = qs.filter(status__in=statuses)
    if f.region_code:
        region = Region.objects.filter(code=f.region_code).first()
        if region is None:
            raise LookupError(f"region_code:{f.region_code}")
        qs = qs.filter(**region.subtree_kwargs(self_field="region_id"))
    if f.category_code:
        category = Category.objects.filter(code=f.category_code).first()
        if category is None:
            raise LookupError(f"category_code:{f.category_code}")
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if f.source:
        qs = qs.filter(source=f.source)
    now = clock.now()
    if f.overdue is True:
        qs = qs.filter(Q(status__in=OPEN, deadline__lt=now) | Q(resolved_late=True))
    elif f.overdue is False:
        qs = qs.exclude(Q(status__in=OPEN, deadline__lt=now) | Q(resolved_late=True))
    if f.high_risk is not None:
        qs = qs.filter(high_risk=f.high_risk)
    tz = timezone.get_current_timezone()
    if f.created_from:
        qs = qs.filter(created_at__gte=timezone.make_aware(dt.datetime.combine(f.created_from, dt.time.min), tz))
    if f.created_to:
        qs = qs.filter(created_at__lt=timezone.make_aware(dt.datetime.combine(f.created_to + dt.timedelta(days=1), dt.time.min), tz))
    if f.q:
        qs = qs.filter(Q(code__icontains=f.q) | Q(title__icontains=f.q) | Q(address__icontains=f.q))
    return qs


def timeline(event: Event) -> QuerySet:
    return AuditEntry.objects.filter(event=event).order_by("seq").select_related("actor")
