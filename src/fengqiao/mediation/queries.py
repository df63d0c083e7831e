"""Reads on the mediation centre — and the one place its scope is decided.

A user sees the cases filed under their posts' regions (one indexed equality per post over the
case's ancestor columns, `workflow.scope.region_scope_q`), plus the cases they are (or were) a
mediator on, wherever those lie; a town mediator sees the town's cases and no other town's. A
department liaison's county post and a proxy agent's village post see no cases through the region
(their posts are for the events handed to them). Tasks: those under the posts' regions, plus the
tasks handed to the user as a 群英 member and those they dispatched. Everything else is a 404 —
never a 403 that would tell the record exists. Pages, the API, exports and the case file go
through `visible_cases` / `access_case_for_user` (and the task twins).

Personal data of parties is unmasked for mediators, operators and administrators over the case
and for the mediators on it (`may_see_parties`); each unmasked read writes a `PartyRead` row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.masking import mask_id_number, mask_phone
from fengqiao.mediation import machine
from fengqiao.mediation import permissions as perms
from fengqiao.mediation.models import (
    OPEN_STATUSES,
    Case,
    CaseMediator,
    DutyShift,
    Kind,
    MediationOrg,
    OrgKind,
    PartyRead,
    Performance,
    SeatKind,
    Session,
    Status,
    Task,
    TaskStatus,
    Term,
)
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, roles_over_region, sees_everything
from fengqiao.workflow import clocks
from fengqiao.workflow.scope import record_id as _pk
from fengqiao.workflow.scope import region_scope_q

# Posts that see the cases under their region (not a department liaison's or a proxy agent's).
SCOPE_ROLES = set(Role.values) - {Role.DEPARTMENT_LIAISON, Role.PROXY_AGENT}
CLEAR_ROLES = {Role.MEDIATOR, Role.OPERATOR, Role.ADMIN}


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)




# ------------------------------------------------------------------------------ scope


def case_scope_q(user) -> Q | None:
    """The Q selecting the cases a user may see; None: no restriction."""
    q = region_scope_q(user, self_field="region_id", roles=SCOPE_ROLES)
    if q is None:
        return None
    person = person_of(user)
    if person is not None:
        mediated = list(CaseMediator.objects.filter(mediator__person=person).values_list("case_id", flat=True))
        if mediated:
            q |= Q(pk__in=mediated)
    return q


def visible_cases(user) -> QuerySet[Case]:
    if not _authenticated(user):
        return Case.objects.none()
    q = case_scope_q(user)
    return Case.objects.all() if q is None else Case.objects.filter(q)


def access_case_for_user(user, case_id: Any) -> Case:
    """The case if the user may see it; 404 otherwise."""
    pk = _pk(case_id)
    try:
        return visible_cases(user).select_related("event", "org", "region").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404("no such case") from None


def task_scope_q(user) -> Q | None:
    q = region_scope_q(user, self_field="region_id", roles=SCOPE_ROLES)
    if q is None:
        return None
    person = person_of(user)
    if person is not None:
        q |= Q(member__person=person) | Q(dispatcher=person)
    return q


def visible_tasks(user) -> QuerySet[Task]:
    if not _authenticated(user):
        return Task.objects.none()
    q = task_scope_q(user)
    return Task.objects.all() if q is None else Task.objects.filter(q)


def access_task_for_user(user, task_id: Any) -> Task:
    pk = _pk(task_id)
    try:
        return visible_tasks(user).select_related("event", "member__person", "member__pool", "dispatcher",
                                                  "region", "case").get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("no such task") from None


def my_tasks(user) -> QuerySet[Task]:
    """The tasks handed to the user as a 群英 member (their phone's list)."""
    person = person_of(user)
    if person is None:
        return Task.objects.none()
    return Task.objects.filter(member__person=person)


def dispatched_tasks(user) -> QuerySet[Task]:
    person = person_of(user)
    if person is None:
        return Task.objects.none()
    return Task.objects.filter(dispatcher=person)


def members_for_event(event) -> list[tuple[Any, int]]:
    """The 群英 members who may take a task on `event`: the active members of the pools of its
    village and its town, each with how many open tasks they hold (fewest first)."""
    from fengqiao.mediation.models import PoolMember

    region = event.region
    if region is None:
        return []
    ids = [i for i in (region.village_id, region.town_id) if i]
    members = list(PoolMember.objects.filter(active=True, person__active=True, pool__active=True,
                                             pool__region_id__in=ids).select_related("person", "pool"))
    load = dict(Task.objects.filter(member__in=members, status__in=[TaskStatus.DISPATCHED, TaskStatus.ACCEPTED,
                                                                      TaskStatus.REPORTED])
                .values("member_id").annotate(n=Count("id")).values_list("member_id", "n"))
    return sorted(((m, load.get(m.pk, 0)) for m in members), key=lambda pair: (pair[1], pair[0].pk))


def pool_members_for_event(event) -> QuerySet:
    """The active 群英 of the pools of the event's village, then of its town (the 派单 form)."""
    from django.db.models import Case as When_
    from django.db.models import IntegerField, Value, When

    from fengqiao.mediation.models import PoolMember

    region = event.region
    if region is None:
        return PoolMember.objects.none()
    ids = [i for i in (region.village_id, region.town_id) if i]
    order = When_(*[When(pool__region_id=pk, then=Value(n)) for n, pk in enumerate(ids)],
                  default=Value(len(ids)), output_field=IntegerField())
    return (PoolMember.objects.filter(active=True, person__active=True, pool__active=True, pool__region_id__in=ids)
            .select_related("person", "pool").annotate(nearness=order).order_by("nearness", "pool_id", "id"))


def visible_orgs(user) -> QuerySet[MediationOrg]:
    """The organisations a user may open a case at or keep a roster for: those under their posts'
    regions and those above them (the county's centre and rooms serve every town)."""
    qs = MediationOrg.objects.filter(active=True)
    q = region_scope_q(user, self_field="region_id", roles=SCOPE_ROLES)
    if q is None:
        return qs
    return qs.filter(q | Q(region_id__in=sorted(_above_posts(user))))


def _above_posts(user) -> set[int]:
    """The regions above the user's posts' regions (their ancestors)."""
    return {pk for post in posts_of(user) for pk in post.region.ancestor_ids().values() if pk}


def orgs_to_open_at(user) -> QuerySet[MediationOrg]:
    """The committees and rooms (not centres) under the user's posts: where they may open a case."""
    q = region_scope_q(user, self_field="region_id")
    qs = MediationOrg.objects.filter(active=True).exclude(kind=OrgKind.CENTRE)
    return (qs if q is None else qs.filter(q)).select_related("region").order_by("region__code", "kind", "name")


def duty_centres(user) -> QuerySet[MediationOrg]:
    """The centres whose duty roster a user sees: those under their posts, and those above them
    (a town's mediator works with the county centre's roster: what arrives out of hours there may
    be theirs)."""
    centres = MediationOrg.objects.filter(kind=OrgKind.CENTRE, active=True)
    q = region_scope_q(user, self_field="region_id")
    if q is None:
        return centres
    return centres.filter(q | Q(region_id__in=sorted(_above_posts(user))))


def duty_roster(centres: QuerySet[MediationOrg], *, now: dt.datetime, days: int) -> list[dict[str, Any]]:
    """值班表: each centre's shifts on now and on each of the next `days` days (two queries a
    centre at most: its shifts in the span, read once)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    day_starts = [start + dt.timedelta(days=i) for i in range(days)]
    span_end = day_starts[-1] + dt.timedelta(days=1)
    out = []
    for centre in centres.select_related("region").order_by("region__code"):
        shifts = list(centre.shifts.filter(ends_at__gt=start, starts_at__lt=span_end)
                      .select_related("person").order_by("starts_at", "role", "id"))
        by_day = [{"day": day, "shifts": [s for s in shifts
                                          if s.starts_at < day + dt.timedelta(days=1) and s.ends_at > day]}
                  for day in day_starts]
        out.append({"centre": centre, "now": [s for s in shifts if s.starts_at <= now < s.ends_at],
                    "days": by_day})
    return out


def region_for_user(user, code: str):
    """A region the user may pick (their posts' subtrees), else 404."""
    from fengqiao.people.queries import visible_regions

    found = visible_regions(user).filter(code=code).first()
    if found is None:
        raise Http404("no such region")
    return found


def my_cases(user) -> QuerySet[Case]:
    """The cases the user is an active mediator on."""
    person = person_of(user)
    if person is None:
        return Case.objects.none()
    return Case.objects.filter(mediators__mediator__person=person, mediators__active=True).distinct()


# ------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    kind: str | None = None
    channel: str | None = None
    org_id: int | None = None
    region_code: str | None = None
    applied_from: dt.date | None = None
    applied_to: dt.date | None = None
    q: str | None = None
    mine: bool = False


def local_start(day: dt.date) -> dt.datetime:
    """The start of a local day (clamped to 1900–2200: a filter's far-off date means 'all')."""
    day = min(max(day, dt.date(1900, 1, 1)), dt.date(2200, 12, 31))
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def filter_cases(user, filters: CaseFilters) -> QuerySet[Case]:
    """The user's cases narrowed by the filters; LookupError("field:value") for an unknown value."""
    from fengqiao.mediation.models import Channel
    from fengqiao.regions.models import Region

    qs = my_cases(user) if filters.mine else visible_cases(user)
    if filters.status:
        if filters.status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif filters.status in Status.values:
            qs = qs.filter(status=filters.status)
        else:
            raise LookupError(f"status:{filters.status}")
    if filters.kind:
        if filters.kind not in Kind.values:
            raise LookupError(f"kind:{filters.kind}")
        qs = qs.filter(kind=filters.kind)
    if filters.channel:
        if filters.channel not in Channel.values:
            raise LookupError(f"channel:{filters.channel}")
        qs = qs.filter(channel=filters.channel)
    if filters.org_id is not None:
        qs = qs.filter(org_id=filters.org_id)
    if filters.region_code:
        region = Region.objects.filter(code=filters.region_code).first()
        if region is None:
            raise LookupError(f"region_code:{filters.region_code}")
        qs = qs.filter(**region.subtree_kwargs(self_field="region_id"))
    if filters.applied_from:
        qs = qs.filter(applied_at__gte=local_start(filters.applied_from))
    if filters.applied_to:
        qs = qs.filter(applied_at__lt=local_start(min(filters.applied_to, dt.date(2200, 1, 1)) + dt.timedelta(days=1)))
    if filters.q:
        qs = qs.filter(Q(title__contains=filters.q) | Q(code__contains=filters.q)
                       | Q(court_case_number__contains=filters.q))
    return qs


CASE_BUCKETS = ("to_accept", "mine", "mediating", "performance", "confirmation", "to_report", "overdue")


def case_worklist(user, bucket: str) -> QuerySet[Case]:
    """One tab of the mediator's worklist.

    to_accept (待受理): applications waiting for a decision; mine: open or ended cases the user
    mediates; mediating (调解中): accepted or being mediated; performance (待履行/回访): agreements
    with a term due and not yet checked; confirmation (司法确认期内): written agreements whose §33
    window is still open; to_report: court referrals with a result not yet reported back; overdue
    (已超期): a running limit past its end."""
    now = clock.now()
    if bucket == "to_accept":
        return visible_cases(user).filter(status=Status.APPLIED)
    if bucket == "mine":
        return my_cases(user).exclude(status__in=[Status.CLOSED, Status.REFUSED])
    if bucket == "mediating":
        return visible_cases(user).filter(status__in=[Status.ACCEPTED, Status.MEDIATING])
    if bucket == "overdue":
        late = clocks.Clock.objects.filter(workflow=machine.MACHINE.name, stopped_at=None, due_at__lt=now)
        return visible_cases(user).filter(pk__in=list(late.values_list("record_id", flat=True).distinct()))
    if bucket == "to_report":
        return visible_cases(user).filter(channel="court", court_reported_at=None,
                                          status__in=[Status.AGREED, Status.FAILED, Status.WITHDRAWN,
                                                      Status.REFERRED])
    if bucket == "performance":
        due = Term.objects.filter(status=Performance.PENDING, due_on__lte=timezone.localtime(now).date())
        return visible_cases(user).filter(agreement__terms__in=due).distinct()
    if bucket == "confirmation":
        running = clocks.Clock.objects.filter(workflow=machine.MACHINE.name, policy__key="mediation.confirm",
                                              stopped_at=None, due_at__gte=now).values_list("record_id", flat=True)
        return visible_cases(user).filter(pk__in=list(running))
    raise LookupError(f"bucket:{bucket}")


def case_worklist_counts(user) -> dict[str, int]:
    return {bucket: case_worklist(user, bucket).count() for bucket in CASE_BUCKETS}


# ----------------------------------------------------------------------- personal data


def may_see_parties(user, case: Case) -> bool:
    """Parties' phones and ID numbers unmasked: mediators, operators and administrators over the
    case, and the mediators on it. Everyone else sees 138****1234."""
    if sees_everything(user):
        return True
    if roles_over_region(user, case.region) & CLEAR_ROLES:
        return True
    return perms.is_case_mediator(user, case)


def log_party_read(user, case: Case, *, via: str, party=None, field: str = "") -> PartyRead:
    """Record one unmasked read of a case's parties (`party` None: all of them) — for a page, an
    export, a generated document, whoever shows them clear after `may_see_parties`."""
    return PartyRead.objects.create(user=user if getattr(user, "pk", None) else None, case=case, party=party,
                                    via=via, field=field, created_at=clock.now())


def _mask_address(address: str) -> str:
    if not address:
        return ""
    return address[:6] + "…" if len(address) > 6 else address


def parties_for(user, case: Case, *, via: str) -> list[dict[str, Any]]:
    """The case's parties as this user may see them; an unmasked read is logged."""
    parties = list(case.parties.all())
    clear = may_see_parties(user, case)
    if clear and any(p.phone or p.id_number or p.address or p.birth_date for p in parties):
        log_party_read(user, case, via=via)
    return [
        {
            "id": p.id, "side": p.side, "side_label": str(p.get_side_display()), "name": p.name,
            "is_organisation": p.is_organisation,
            "phone": p.phone if clear else mask_phone(p.phone),
            "id_number": p.id_number if clear else mask_id_number(p.id_number),
            "address": p.address if clear else _mask_address(p.address),
            "sex": p.sex, "occupation": p.occupation, "agent": p.agent, "ethnicity": p.ethnicity,
            "birth_date": p.birth_date if clear else None, "representative": p.representative,
            "masked": not clear,
        }
        for p in parties
    ]


# ----------------------------------------------------------------------- what to offer


def case_actions_for(user, case: Case) -> list[str]:
    """The moves the user's posts allow and the machine allows now (the buttons to offer)."""
    allowed = perms.permitted_actions(user, case)
    out = []
    for action in machine.ACTIONS:
        if action not in allowed or not machine.MACHINE.legal_now(case, action):
            continue
        if action == "cancel_session" and not case.sessions.filter(state=Session.State.SCHEDULED).exists():
            continue
        if action == "release" and not case.mediators.filter(active=True).exists():
            continue
        if action == "extend" and not _running(case, "mediation.handle"):
            continue
        out.append(action)
    return out


def task_actions_for(user, task: Task) -> list[str]:
    allowed = perms.permitted_task_actions(user, task)
    return [a for a in machine.TASK_ACTIONS if a in allowed and machine.TASK_MACHINE.legal_now(task, a)]


def _running(case: Case, key: str) -> bool:
    return clocks.Clock.objects.filter(workflow=machine.MACHINE.name, record_id=case.pk, policy__key=key,
                                       stopped_at=None).exists()


def timeline(case: Case) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(stream=f"mediation:{case.pk}").order_by("seq").select_related("actor")


def task_timeline(task: Task) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(stream=f"mediation_task:{task.pk}").order_by("seq").select_related("actor")


def clocks_for(case: Case) -> list[clocks.Clock]:
    return clocks.clocks_of(workflow=machine.MACHINE.name, record=case)


def task_clocks(task: Task) -> list[clocks.Clock]:
    return clocks.clocks_of(workflow=machine.TASK_MACHINE.name, record=task)


# ------------------------------------------------------------------------ mediators


def mediator_loads(mediator_ids: Iterable[int]) -> dict[int, int]:
    """Open cases (applied, accepted, mediating) each mediator is actively on."""
    ids = list(mediator_ids)
    counts = {pk: 0 for pk in ids}
    rows = (CaseMediator.objects.filter(mediator_id__in=ids, active=True, case__status__in=OPEN_STATUSES)
            .values("mediator_id").annotate(n=Count("case_id", distinct=True)))
    for row in rows:
        counts[row["mediator_id"]] = row["n"]
    return counts


# ----------------------------------------------------------------------------- duty


def _office_hours() -> tuple[dt.time, dt.time]:
    text = getattr(settings, "FENGQIAO_MEDIATION_OFFICE_HOURS", "08:30-17:30")
    start, _sep, end = str(text).partition("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def is_office_hours(at: dt.datetime) -> bool:
    """A working day (China's schedule with its 调休, the admin's corrections) within the
    centre's office hours (FENGQIAO_MEDIATION_OFFICE_HOURS, default 08:30–17:30 local time)."""
    local = timezone.localtime(at)
    opens, closes = _office_hours()
    if not opens <= local.time() < closes:
        return False
    return clocks.WorkingCalendar().is_workday(local.date())


def on_duty(at: dt.datetime, org: MediationOrg | None = None) -> list[DutyShift]:
    """The shifts covering `at` (of one centre, or of every centre)."""
    qs = DutyShift.objects.filter(starts_at__lte=at, ends_at__gt=at, person__active=True)
    if org is not None:
        qs = qs.filter(org=org)
    return list(qs.select_related("person", "org").order_by("org_id", "role", "starts_at", "id"))


def duty_orgs_for(region) -> list[MediationOrg]:
    """The centres over a region whose roster answers what arrives there out of hours: the
    nearest centre up the tree (a town's centre before the county's)."""
    if region is None:
        return []
    ids = [i for i in (region.village_id, region.town_id, region.county_id) if i]
    centres = {o.region_id: o for o in MediationOrg.objects.filter(kind=OrgKind.CENTRE, active=True,
                                                                     region_id__in=ids)}
    return [centres[i] for i in ids if i in centres][:1]


# ----------------------------------------------------------------------------- figures


@dataclass
class FigureRow:
    """Counts for one mediator, organisation, kind, committee or department. Rates are the
    command centre's measures (one rounding rule); this hands the counts."""

    key: str
    name: str
    cases: int = 0  # cases received (refused applications not counted)
    settled: int = 0  # 调解成功: written or oral agreement
    ended: int = 0  # cases with an outcome (agreed, no agreement, withdrawn, referred)
    total_days: float = 0.0  # days from acceptance to outcome, summed over ended cases
    performed: int = 0  # agreements whose every term was performed
    performance_checked: int = 0  # agreements whose performance is decided (performed/partly/not)
    terms_due: int = 0  # agreed terms fallen due by `as_of` (or already decided, even early)
    terms_performed: int = 0  # of those, performed in full (履行率 = terms_performed / terms_due)

    @property
    def average_days(self) -> float | None:
        return self.total_days / self.ended if self.ended else None


FIGURE_DIMENSIONS = ("mediator", "org", "room", "committee", "kind", "department", "town")


def figures(*, by: str, cases: QuerySet[Case] | None = None, start: dt.datetime | None = None,
            end: dt.datetime | None = None, as_of: dt.date | None = None) -> list[FigureRow]:
    """Counts per `by` over `cases` (default all; pass `visible_cases(user)` for a user), received
    in [start, end). A case counts once per row it belongs to: a case with two mediators counts
    for each; a joint session's departments each count the case once.

    Terms: a term is due by `as_of` (default today, local) when its due date has come, when it
    has none and the agreement is in force, or when it has been checked already (performed,
    partly, not — a term performed early counts on both sides, so the rate never passes 100%)."""
    today = as_of or timezone.localtime(clock.now()).date()
    if by not in FIGURE_DIMENSIONS:
        raise LookupError(f"by:{by}")
    qs = (cases if cases is not None else Case.objects.all()).exclude(status=Status.REFUSED)
    if start is not None:
        qs = qs.filter(applied_at__gte=start)
    if end is not None:
        qs = qs.filter(applied_at__lt=end)
    rows = list(qs.values_list("id", "kind", "org_id", "town_id", "outcome", "applied_at", "accepted_at",
                               "outcome_at", "agreement__performance"))
    ids = [r[0] for r in rows]
    keys: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if by == "kind":
        for r in rows:
            keys[r[0]].append((r[1], str(Kind(r[1]).label)))
    elif by in {"org", "room", "committee"}:
        kinds = {"room": {OrgKind.STATIONED, OrgKind.BRAND},
                 "committee": {OrgKind.COMMITTEE, OrgKind.CENTRE, OrgKind.PROFESSIONAL}}.get(by)
        orgs = {o.pk: o for o in MediationOrg.objects.filter(pk__in={r[2] for r in rows})}
        for r in rows:
            org = orgs[r[2]]
            if kinds is None or org.kind in kinds:
                keys[r[0]].append((str(org.pk), org.name))
    elif by == "town":
        from fengqiao.regions.models import Region

        towns = {t.pk: t for t in Region.objects.filter(pk__in={r[3] for r in rows if r[3]})}
        for r in rows:
            if r[3]:
                keys[r[0]].append((towns[r[3]].code, towns[r[3]].display_name))
    elif by == "mediator":
        for case_id, mediator_id, name in CaseMediator.objects.filter(case_id__in=ids).values_list(
                "case_id", "mediator_id", "mediator__person__name").order_by("case_id", "id"):
            keys[case_id].append((str(mediator_id), name))
    else:  # department: the seats of the joint sessions held
        labels = dict(SeatKind.choices)
        seen = set()
        for case_id, kind in (Session.objects.filter(case_id__in=ids, state=Session.State.HELD)
                              .values_list("case_id", "seats__kind")):
            if kind and (case_id, kind) not in seen:
                seen.add((case_id, kind))
                keys[case_id].append((kind, str(labels[kind])))
    due: dict[int, list[bool]] = defaultdict(list)  # case id → performed? for each due term
    for case_id, due_on, status, effective_at in Term.objects.filter(agreement__case_id__in=ids).values_list(
            "agreement__case_id", "due_on", "status", "agreement__effective_at"):
        decided = status != Performance.PENDING
        fallen = (due_on <= today) if due_on is not None else timezone.localtime(effective_at).date() <= today
        if decided or fallen:
            due[case_id].append(status == Performance.PERFORMED)
    table: dict[str, FigureRow] = {}
    for case_id, _kind, _org, _town, outcome, applied_at, accepted_at, outcome_at, performance in rows:
        for key, name in keys.get(case_id, []):
            row = table.setdefault(key, FigureRow(key=key, name=name))
            row.cases += 1
            if outcome:
                row.ended += 1
                if outcome_at is not None:
                    began = accepted_at or applied_at
                    row.total_days += max((outcome_at - began).total_seconds(), 0) / 86400
            if outcome in ("written", "oral"):
                row.settled += 1
            if performance in (Performance.PERFORMED, Performance.PARTLY, Performance.NOT):
                row.performance_checked += 1
                if performance == Performance.PERFORMED:
                    row.performed += 1
            row.terms_due += len(due.get(case_id, ()))
            row.terms_performed += sum(due.get(case_id, ()))
    return sorted(table.values(), key=lambda r: (-r.cases, r.key))


def task_counts(tasks: QuerySet[Task] | None = None) -> dict[str, int]:
    """群英 tasks by status, plus how many were settled (seed 004: 238 settled by 162 members)."""
    qs = tasks if tasks is not None else Task.objects.all()
    counts = {s: 0 for s in TaskStatus.values}
    for row in qs.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["settled"] = qs.filter(status=TaskStatus.CLOSED, settled=True).count()
    return counts
