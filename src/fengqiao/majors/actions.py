"""Every write on a major matter and its milestones. Pages, the API and the demo call these.

Each action is one durable transaction through the shared transition function
(`workflow.transition.perform`): the row locked, the actor's posts (403) before the machine (409),
the body's changes saved with `update_fields`, one audit row on `major:<id>` (milestones write on
their matter's stream too), texts into the outbox (`notify_people`), the clocks started, stopped
or extended (`workflow.clocks`) — all or nothing. `actor=None` is the platform itself.

The clocks: each milestone runs `major.milestone` from the moment the matter is underway, due at
the end of its due date and warned `warn_days` before (the admin sets them); the assessment
runs `major.assessment` from its opening to its decision; a closing request runs
`major.close_review` until the listing level decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput
from fengqiao.lib.filetypes import sniff_attachment
from fengqiao.lib.inputs import text as _text
from fengqiao.lib.inputs import whole_number as _int
from fengqiao.majors import permissions as perms
from fengqiao.majors.machine import (
    MACHINE,
    MILESTONE_MACHINE,
    MILESTONE_NAME,
    NAME,
    current_assessment,
    next_card,
)
from fengqiao.majors.models import (
    CARD_CHINESE,
    DECISION_CHINESE,
    DECISIONS_BY_GRADE,
    LEVEL_CHINESE,
    LEVEL_ORDER,
    Area,
    Assessment,
    Card,
    Channel,
    Counter,
    Decision,
    Dimension,
    Evidence,
    ExpertConclusion,
    ExpertReview,
    Grade,
    Identity,
    Kind,
    Level,
    Likelihood,
    Matter,
    Milestone,
    MilestoneStatus,
    Opinion,
    Report,
    Risk,
    Status,
    TeamMember,
    TeamPost,
)
from fengqiao.notify.actions import notify_people
from fengqiao.people.models import Department, Person, Post, Role
from fengqiao.people.queries import person_of
from fengqiao.regions.models import Region
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock
from fengqiao.workflow.scope import file_under
from fengqiao.workflow.transition import Step, Workflow, create, perform, register

MILESTONE_KEY = "major.milestone"
ASSESSMENT_KEY = "major.assessment"
CLOSE_REVIEW_KEY = "major.close_review"
MAX_MILESTONES = 30
MAX_TEAM = 80
MAX_EVIDENCE = 10
MAX_OPINION_COUNT = 10_000_000
MAX_TEXT = 10_000
MAX_RESCHEDULE_DAYS = 366 * 2


# -------------------------------------------------------------------------------- the people


def _unique(people: Iterable[Person | None]) -> list[Person]:
    seen: set[int] = set()
    out = []
    for p in people:
        if p is not None and p.pk not in seen and p.active:
            seen.add(p.pk)
            out.append(p)
    return out


def office_people(region: Region) -> list[Person]:
    """The office at `region` told of what is theirs to decide: its operators (county, city) or
    cadres (town) on duty — all of them when none is on duty."""
    role = Role.TOWN_CADRE if region.level == "town" else Role.OPERATOR
    posts = list(Post.objects.filter(region=region, role=role, active=True, person__active=True)
                 .select_related("person").order_by("id"))
    on_duty = [p.person for p in posts if p.on_duty]
    return on_duty or [p.person for p in posts]


def owner_liaisons(matter: Matter) -> list[Person]:
    posts = Post.objects.filter(role=Role.DEPARTMENT_LIAISON, department_id=matter.owner_id, active=True,
                                person__active=True).select_related("person").order_by("id")
    return [p.person for p in posts]


def team_heads(matter: Matter) -> list[Person]:
    rows = TeamMember.objects.filter(matter=matter, active=True, post__in=[TeamPost.HEAD, TeamPost.DEPUTY])
    return [m.person for m in rows.select_related("person").order_by("id")]


def responsible(matter: Matter) -> list[Person]:
    """Who is told to act: the leader in charge, the owner unit's liaisons, the task force's heads."""
    return _unique([matter.leader, *owner_liaisons(matter), *team_heads(matter)])


def matter_clock_recipients(matter: Matter, running: Any) -> list[Person]:
    if running.policy.key == CLOSE_REVIEW_KEY:
        return _unique(office_people(matter.listing_region))
    return _unique([*responsible(matter), *office_people(matter.listing_region)])


def milestone_clock_recipients(milestone: Milestone, running: Any) -> list[Person]:
    """A milestone's warning goes to those who must deliver it; its notice also to the office."""
    people = responsible(milestone.matter)
    if clock.now() > running.due_at:
        people += office_people(milestone.matter.listing_region)
    return _unique(people)


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _next_due(matter: Matter) -> dt.datetime | None:
    ids = list(matter.milestones.filter(status=MilestoneStatus.PENDING).values_list("pk", flat=True))
    return (Clock.objects.filter(workflow=MILESTONE_NAME, record_id__in=ids, stopped_at=None)
            .order_by("due_at").values_list("due_at", flat=True).first())


def _params(matter: Matter, **extra: Any) -> dict[str, Any]:
    """The texts' parameters (notify/templates.py, major_*): the matter by its code and title."""
    return {"code": matter.code, "title": matter.title, "deadline": _fmt(_next_due(matter)),
            "level": LEVEL_CHINESE[Level(matter.level)], **{k: str(v) for k, v in extra.items()}}


WORKFLOW = register(Workflow(
    machine=MACHINE,
    model=Matter,
    require=perms.require,
    stream=lambda m: f"major:{m.pk}",
    related=("region", "listing_region", "owner", "leader", "county", "town"),
    clock_recipients=matter_clock_recipients,
    clock_params=lambda m, running: {"code": m.code, "title": f"重大事项「{m.title}」"},
))

MILESTONE_WORKFLOW = register(Workflow(
    machine=MILESTONE_MACHINE,
    model=Milestone,
    require=perms.require_milestone,
    stream=lambda ms: f"major:{ms.matter_id}",  # the matter's timeline tells the whole story
    related=("matter", "matter__listing_region", "matter__leader", "matter__owner"),
    clock_recipients=milestone_clock_recipients,
    clock_params=lambda ms, running: {"code": ms.matter.code,
                                      "title": f"重大事项「{ms.matter.title}」节点「{ms.title}」"},
))


def _act(matter: Matter | int, actor, action: str, body) -> Matter:
    return perform(WORKFLOW, matter, actor=actor, action=action, body=body)


def _first(matter: Matter | int, actor, action: str) -> None:
    """The actor's posts before their input (a 403 never becomes a 400)."""
    WORKFLOW.require_first(matter, actor, action)


# ----------------------------------------------------------------------------------- inputs






def _choice(value: Any, choices, name: str, *, blank: bool = False) -> str:
    text = "" if value is None else str(value)
    if blank and text == "":
        return ""
    if text not in choices.values:
        raise InvalidInput(_("Unknown %(field)s “%(value)s”.") % {"field": name, "value": text[:40]}, field=name)
    return text


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": name}, field=name) from None


def _today() -> dt.date:
    return clock.local_date()


def _person(value: Any, name: str) -> Person:
    if isinstance(value, Person):
        if not value.active:
            raise InvalidInput(_("No such person."), field=name)
        return value
    try:
        return Person.objects.get(pk=int(value), active=True)
    except (TypeError, ValueError, OverflowError, Person.DoesNotExist):
        raise InvalidInput(_("No such person."), field=name) from None


def _actor_person(actor) -> Person | None:
    return person_of(actor) if actor is not None else None


# ----------------------------------------------------------------------------- code numbers


def _next_number(key: str) -> int:
    Counter.objects.get_or_create(key=key)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _matter_code(matter: Matter, moment: dt.datetime) -> str:
    base = matter.region.county.code if matter.region.county_id else matter.listing_region.code
    key = f"ZD-{base}-{timezone.localtime(moment):%Y}"
    return f"{key}-{_next_number(key):04d}"


def _report_number(matter: Matter, moment: dt.datetime) -> str:
    """社会稳定风险评估报告的文号, per listing region and year: 仙稳评〔2026〕3号."""
    year = timezone.localtime(moment).year
    region = matter.listing_region
    n = _next_number(f"SW-{region.code}-{year}")
    return f"{region.display_name[:1]}稳评〔{year}〕{n}号"


# ------------------------------------------------------------------------------ registration


def listing_region_for(region: Region, level: str) -> Region:
    """The region of `level` whose ledger carries a matter located at `region`."""
    rid = getattr(region, f"{level}_id", None)
    if rid is None:
        raise InvalidInput(
            _("A %(level)s-level matter must lie within a %(level)s: %(region)s does not.")
            % {"level": Level(level).label, "region": region.name}, field="region_code")
    return region if rid == region.pk else Region.objects.get(pk=rid)


def matter_register(
    *,
    actor,
    title: str,
    description: str,
    kind: str,
    level: str,
    region: Region,
    owner: Department,
    leader: Person | int,
    target_on: dt.date | str,
    target: str = "",
    area: str = "",
) -> Matter:
    """登记: a matter enters the platform at its listing level. It is listed (挂账) when it
    starts — after its assessment, for the kinds that need one."""
    if actor is not None:
        perms.require_register(actor)  # some office post at all, before the input is looked at
    kind = _choice(kind, Kind, "kind")
    level = _choice(level, Level, "level")
    if region.retired_at is not None:
        raise InvalidInput(_("Region %(c)s has been retired.") % {"c": region.code}, field="region_code")
    if actor is not None:
        perms.require_register(actor, level, region)
    title = _text(title, "title", max_length=200)
    description = _text(description, "description", max_length=MAX_TEXT)
    target = _text(target, "target", required=False, max_length=MAX_TEXT)
    area = _choice(area, Area, "area", blank=True)
    leader_person = _person(leader, "leader_id")
    if not isinstance(owner, Department) or owner.pk is None:
        raise InvalidInput(_("Choose the owner unit."), field="owner_code")
    finish = _date(target_on, "target_on")
    if finish < _today():
        raise InvalidInput(_("The planned completion cannot lie in the past."), field="target_on")
    listing = listing_region_for(region, level)
    now = clock.now()
    with transaction.atomic(durable=True):
        matter = Matter(title=title, description=description, kind=kind, area=area, target=target,
                        target_on=finish, level=level, listing_region=listing, owner=owner,
                        leader=leader_person, registered_at=now,
                        registered_by=actor if getattr(actor, "pk", None) else None)
        file_under(matter, region)
        matter.code = _matter_code(matter, now)
        create(WORKFLOW, matter, actor=actor, action="register", details={
            "code": matter.code, "kind": kind, "level": level, "listed_at": listing.code,
            "region": region.code, "owner": owner.code, "leader": leader_person.name,
            "target_on": finish.isoformat(), "needs_assessment": matter.needs_assessment,
        })
    return matter


def matter_reassign(*, actor, matter: Matter | int, owner: Department | None = None,
                    leader: Person | int | None = None, reason: str) -> Matter:
    """调整责任单位、包案领导."""
    _first(matter, actor, "reassign")
    reason = _text(reason, "reason", max_length=500)
    person = _person(leader, "leader_id") if leader is not None else None
    if owner is None and person is None:
        raise InvalidInput(_("Choose a new owner unit or leader."), field="owner_code")

    def body(m: Matter, step: Step) -> None:
        if owner is not None and owner.pk != m.owner_id:
            step.details["owner"] = [m.owner.code, owner.code]
            m.owner = owner
            step.fields.add("owner")
        if person is not None and person.pk != m.leader_id:
            step.details["leader"] = [m.leader.name, person.name]
            m.leader = person
            step.fields.add("leader")
        if not step.fields:
            raise InvalidInput(_("Nothing changes."), field="owner_code")
        step.note = reason

    return _act(matter, actor, "reassign", body)


# -------------------------------------------------------------------------------- assessment


def assessment_open(*, actor, matter: Matter | int, subject: str = "", scope: str = "") -> Matter:
    """开展社会稳定风险评估: a new round (the first, or again after a postponement)."""
    _first(matter, actor, "assess")
    subject = _text(subject, "subject", required=False, max_length=200)
    scope = _text(scope, "scope", required=False, max_length=MAX_TEXT)

    def body(m: Matter, step: Step) -> None:
        previous = current_assessment(m)
        rnd = (previous.round + 1) if previous is not None else 1
        a = Assessment.objects.create(matter=m, round=rnd, subject=subject or m.owner.name,
                                      scope=scope or m.description, started_at=clock.now())
        clocks.start(workflow=NAME, record=m, key=ASSESSMENT_KEY)
        step.details.update(round=rnd, subject=a.subject, assessment=a.pk)

    return _act(matter, actor, "assess", body)


def _open_assessment(m: Matter) -> Assessment:
    a = current_assessment(m)
    if a is None or a.decided:  # the machine allows editing only while assessing: never here
        raise Conflict(_("No assessment is open."), code="no_assessment")
    return a


def _edit(matter: Matter | int, actor, op: str, apply) -> Matter:
    def body(m: Matter, step: Step) -> None:
        a = _open_assessment(m)
        step.details["op"] = op
        step.details["round"] = a.round
        apply(a, step)

    return _act(matter, actor, "edit_assessment", body)


def assessment_add_risk(*, actor, matter: Matter | int, dimension: str, description: str, likelihood: str,
                        impact: str, measure: str = "", responsible: str = "") -> Matter:
    """风险识别: one risk, the question it answers to, how likely and how grave, and its measure."""
    _first(matter, actor, "edit_assessment")
    dimension = _choice(dimension, Dimension, "dimension")
    description = _text(description, "description", max_length=MAX_TEXT)
    likelihood = _choice(likelihood, Likelihood, "likelihood")
    impact = _choice(impact, Likelihood, "impact")
    measure = _text(measure, "measure", required=False, max_length=MAX_TEXT)
    responsible = _text(responsible, "responsible", required=False, max_length=200)

    def apply(a: Assessment, step: Step) -> None:
        risk = Risk.objects.create(assessment=a, dimension=dimension, description=description,
                                   likelihood=likelihood, impact=impact, measure=measure, responsible=responsible)
        step.details.update(risk=risk.pk, dimension=dimension, likelihood=likelihood, impact=impact)
        step.note = description[:500]

    return _edit(matter, actor, "add_risk", apply)


def assessment_add_opinion(*, actor, matter: Matter | int, channel: str, held_on: dt.date | str, reached: int,
                           support: int, oppose: int, concerns: str = "") -> Matter:
    """民意调查: who was asked through which channel, how many were for and against."""
    _first(matter, actor, "edit_assessment")
    channel = _choice(channel, Channel, "channel")
    day = _date(held_on, "held_on")
    if day > _today():
        raise InvalidInput(_("Opinion cannot be gathered in the future."), field="held_on")
    reached = _int(reached, "reached", 1, MAX_OPINION_COUNT)
    support = _int(support, "support", 0, MAX_OPINION_COUNT)
    oppose = _int(oppose, "oppose", 0, MAX_OPINION_COUNT)
    if support + oppose > reached:
        raise InvalidInput(_("Those in favour and against cannot outnumber those reached."), field="support")
    concerns = _text(concerns, "concerns", required=False, max_length=MAX_TEXT)

    def apply(a: Assessment, step: Step) -> None:
        if day < timezone.localtime(a.started_at).date() - dt.timedelta(days=366):
            raise InvalidInput(_("That date is more than a year before the assessment."), field="held_on")
        row = Opinion.objects.create(assessment=a, channel=channel, held_on=day, reached=reached,
                                     support=support, oppose=oppose, concerns=concerns)
        step.details.update(opinion=row.pk, channel=channel, reached=reached, support=support, oppose=oppose)

    return _edit(matter, actor, "add_opinion", apply)


def assessment_add_expert(*, actor, matter: Matter | int, name: str, title: str, conclusion: str,
                          opinion: str) -> Matter:
    """专家评审: an expert's conclusion and opinion."""
    _first(matter, actor, "edit_assessment")
    name = _text(name, "name", max_length=50)
    title = _text(title, "title", max_length=100)
    conclusion = _choice(conclusion, ExpertConclusion, "conclusion")
    opinion = _text(opinion, "opinion", max_length=MAX_TEXT)

    def apply(a: Assessment, step: Step) -> None:
        row = ExpertReview.objects.create(assessment=a, name=name, title=title, conclusion=conclusion,
                                          opinion=opinion)
        step.details.update(expert=row.pk, name=name, conclusion=conclusion)

    return _edit(matter, actor, "add_expert", apply)


_PARTS = {"risk": (Risk, "risks"), "opinion": (Opinion, "opinions"), "expert": (ExpertReview, "experts")}


def assessment_remove(*, actor, matter: Matter | int, part: str, part_id: int) -> Matter:
    """Take back a risk, an opinion or an expert's review entered by mistake (the audit keeps it)."""
    _first(matter, actor, "edit_assessment")
    if part not in _PARTS:
        raise InvalidInput(_("Unknown part “%(p)s”.") % {"p": str(part)[:20]}, field="part")
    model, _related = _PARTS[part]
    pid = _int(part_id, "part_id", 1, 2**62)

    def apply(a: Assessment, step: Step) -> None:
        deleted, _rows = model.objects.filter(assessment=a, pk=pid).delete()  # type: ignore[attr-defined]
        if not deleted:
            raise InvalidInput(_("No such entry in this assessment."), field="part_id")
        step.details.update(part=part, removed=pid)

    return _edit(matter, actor, f"remove_{part}", apply)


def assessment_conclude(*, actor, matter: Matter | int, grade: str, grade_reason: str, measures: str,
                        contingency: str = "") -> Matter:
    """风险等级评定 and the measures (风险防范化解措施, 应急处置预案)."""
    _first(matter, actor, "edit_assessment")
    grade = _choice(grade, Grade, "grade")
    grade_reason = _text(grade_reason, "grade_reason", max_length=MAX_TEXT)
    measures = _text(measures, "measures", max_length=MAX_TEXT)
    contingency = _text(contingency, "contingency", required=False, max_length=MAX_TEXT)
    if grade in (Grade.HIGH, Grade.MEDIUM) and not contingency:
        raise InvalidInput(_("A medium or high risk needs a contingency plan."), field="contingency")

    def apply(a: Assessment, step: Step) -> None:
        a.grade, a.grade_reason, a.measures, a.contingency = grade, grade_reason, measures, contingency
        a.save(update_fields=["grade", "grade_reason", "measures", "contingency"])
        step.details.update(grade=grade)
        step.note = grade_reason[:500]

    return _edit(matter, actor, "conclude", apply)


def assessment_decide(*, actor, matter: Matter | int, decision: str, note: str = "", body_name: str = "") -> Matter:
    """评估结论与决策: go, go with measures, postpone or stop — within what the grade allows."""
    _first(matter, actor, "decide")
    decision = _choice(decision, Decision, "decision")
    note = _text(note, "note", required=False, max_length=MAX_TEXT)
    body_name = _text(body_name, "body_name", required=False, max_length=200)

    def body(m: Matter, step: Step) -> None:
        a = _open_assessment(m)
        if decision not in DECISIONS_BY_GRADE[Grade(a.grade)]:
            raise InvalidInput(
                _("A %(grade)s risk does not allow “%(decision)s”.")
                % {"grade": Grade(a.grade).label, "decision": Decision(decision).label}, field="decision")
        now = clock.now()
        a.decision, a.decision_note, a.decided_at = decision, note, now
        a.decision_body = body_name or f"{m.listing_region.name}人民政府"
        a.decided_by = _actor_person(actor)
        a.number = _report_number(m, now)
        a.save(update_fields=["decision", "decision_note", "decided_at", "decision_body", "decided_by", "number"])
        clocks.stop(workflow=NAME, record=m, key=ASSESSMENT_KEY)
        step.outcome = decision
        step.note = note
        step.details.update(round=a.round, grade=a.grade, decision=decision, number=a.number,
                            decision_text=DECISION_CHINESE[Decision(decision)])

    return _act(matter, actor, "decide", body)


# ------------------------------------------------------------------------------ milestones


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_on: dt.date | str


def _start_milestone_clock(ms: Milestone, at: dt.datetime) -> Clock:
    return clocks.start(workflow=MILESTONE_NAME, record=ms, key=MILESTONE_KEY, at=at,
                        due=clocks.end_of_local_day(ms.due_on))


def milestones_plan(*, actor, matter: Matter | int, add: Sequence[MilestoneInput] = (),
                    remove: Sequence[int] = ()) -> Matter:
    """节点计划: add milestones (each with its due date) and, before the matter starts, take out
    pending ones. While the matter is underway each new milestone's clock starts at once."""
    _first(matter, actor, "plan")
    items = []
    for i, item in enumerate(add):
        title = _text(item.title, f"milestones[{i}].title", max_length=200)
        due = _date(item.due_on, f"milestones[{i}].due_on")
        if due < _today():
            raise InvalidInput(_("A milestone cannot be due in the past."), field=f"milestones[{i}].due_on")
        items.append((title, due))
    drop = [_int(pk, "remove", 1, 2**62) for pk in remove]
    if not items and not drop:
        raise InvalidInput(_("Add a milestone."), field="milestones")

    def body(m: Matter, step: Step) -> None:
        now = clock.now()
        if drop:
            if m.status == Status.UNDERWAY:
                raise Conflict(_("A listed matter's milestones are rescheduled, not removed."), code="listed")
            gone, _rows = Milestone.objects.filter(matter=m, pk__in=drop, status=MilestoneStatus.PENDING).delete()
            if gone != len(set(drop)):
                raise InvalidInput(_("No such pending milestone."), field="remove")
            step.details["removed"] = drop
        existing = Milestone.objects.filter(matter=m).count()
        if existing + len(items) > MAX_MILESTONES:
            raise InvalidInput(_("At most %(n)d milestones.") % {"n": MAX_MILESTONES}, field="milestones")
        seq = (Milestone.objects.filter(matter=m).order_by("-seq").values_list("seq", flat=True).first() or 0)
        added = []
        for title, due in items:
            if due > m.target_on:
                raise InvalidInput(_("A milestone cannot be due after the planned completion (%(d)s).")
                                   % {"d": m.target_on.isoformat()}, field="milestones")
            seq += 1
            ms = Milestone.objects.create(matter=m, seq=seq, title=title, due_on=due)
            if m.status == Status.UNDERWAY:
                _start_milestone_clock(ms, now)
            added.append({"id": ms.pk, "seq": seq, "title": title, "due_on": due.isoformat()})
        if added:
            step.details["added"] = added

    return _act(matter, actor, "plan", body)


@dataclass(frozen=True)
class MemberInput:
    post: str = TeamPost.MEMBER
    identity: str = Identity.CADRE
    person_id: int | None = None
    name: str = ""  # someone not yet on the platform (a party member, a local worthy)
    unit: str = ""


def team_change(*, actor, matter: Matter | int, add: Sequence[MemberInput] = (),
                remove: Sequence[int] = ()) -> Matter:
    """攻坚小组: add members (a person on the platform, or a name for one who is not) with their
    post, and stand members down."""
    _first(matter, actor, "team")
    rows = []
    for i, item in enumerate(add):
        post = _choice(item.post, TeamPost, f"team[{i}].post")
        identity = _choice(item.identity, Identity, f"team[{i}].identity")
        unit = _text(item.unit, f"team[{i}].unit", required=False, max_length=100)
        if item.person_id is not None:
            person: Person | str = _person(item.person_id, f"team[{i}].person_id")
        else:
            person = _text(item.name, f"team[{i}].name", max_length=50)
        rows.append((person, post, identity, unit))
    drop = [_int(pk, "remove", 1, 2**62) for pk in remove]
    if not rows and not drop:
        raise InvalidInput(_("Add or remove a member."), field="team")

    def body(m: Matter, step: Step) -> None:
        now = clock.now()
        added = []
        for person, post, identity, unit in rows:
            if isinstance(person, str):
                person = Person.objects.create(name=person)
            member, made = TeamMember.objects.get_or_create(
                matter=m, person=person, defaults={"post": post, "identity": identity, "unit": unit, "added_at": now})
            if not made:
                member.post, member.identity, member.unit, member.active = post, identity, unit or member.unit, True
                member.save(update_fields=["post", "identity", "unit", "active"])
            added.append({"person": person.pk, "name": person.name, "post": post, "identity": identity})
        if TeamMember.objects.filter(matter=m, active=True).count() > MAX_TEAM:
            raise InvalidInput(_("At most %(n)d members in a task force.") % {"n": MAX_TEAM}, field="team")
        removed = []
        for pk in drop:
            n = TeamMember.objects.filter(matter=m, pk=pk, active=True).update(active=False)
            if not n:
                raise InvalidInput(_("No such member."), field="remove")
            removed.append(pk)
        step.details.update(added=added, removed=removed)

    return _act(matter, actor, "team", body)


# ------------------------------------------------------------------------------ the listing


def matter_start(*, actor, matter: Matter | int, note: str = "") -> Matter:
    """启动实施、挂账督办: the matter enters its level's ledger; its milestones' clocks start."""
    _first(matter, actor, "start")
    note = _text(note, "note", required=False, max_length=1000)

    def body(m: Matter, step: Step) -> None:
        pending = list(Milestone.objects.filter(matter=m, status=MilestoneStatus.PENDING).order_by("seq"))
        if not pending:
            raise Conflict(_("Plan at least one milestone before the matter starts."), code="no_milestones")
        today = _today()
        past = [ms.title for ms in pending if ms.due_on < today]
        if past:
            raise Conflict(_("Reschedule the milestones already past their date first: %(t)s.")
                           % {"t": "、".join(past)}, code="milestones_past")
        now = clock.now()
        m.listed_at = now
        step.fields.add("listed_at")
        for ms in pending:
            _start_milestone_clock(ms, now)
        step.note = note
        step.details.update(milestones=len(pending), level=m.level, listed_at=m.listing_region.code)
        notify_people(persons=responsible(m), template="major_listed", params=_params(m))

    return _act(matter, actor, "start", body)


def _store_evidence(report: Report, uploads: Sequence[Any], now: dt.datetime) -> list[dict[str, Any]]:
    if len(uploads) > MAX_EVIDENCE:
        raise InvalidInput(_("At most %(n)d files to a report.") % {"n": MAX_EVIDENCE}, field="evidence")
    stored = []
    for upload in uploads:
        size = getattr(upload, "size", 0) or 0
        if size > settings.FENGQIAO_MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                _("Attachment “%(n)s” is larger than %(m)d MB.")
                % {"n": str(upload.name)[:80], "m": settings.FENGQIAO_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
                field="evidence")
        # What is stored is what the bytes are, not what the sender declared.
        content_type = sniff_attachment(upload)
        if content_type is None:
            declared = getattr(upload, "content_type", "") or _("unknown")
            raise InvalidInput(
                _("“%(n)s” (sent as %(t)s) is not a picture, PDF, Office document, audio, video or plain "
                  "text file; only those can be attached.") % {"n": str(upload.name)[:80], "t": declared[:60]},
                field="evidence")
        ev = Evidence(report=report, name=str(upload.name)[:200], content_type=content_type, size=size,
                      uploaded_at=now)
        ev.file.save(str(upload.name)[:100], upload, save=False)
        ev.save()
        stored.append({"id": ev.pk, "name": ev.name, "type": content_type, "size": size})
    return stored


def _milestone_of(m: Matter, milestone_id: int | None) -> Milestone | None:
    if milestone_id is None:
        return None
    found = Milestone.objects.filter(matter=m, pk=milestone_id).first()
    if found is None:
        raise InvalidInput(_("No such milestone."), field="milestone_id")
    return found


def report_add(*, actor, matter: Matter | int, text: str, milestone_id: int | None = None,
               uploads: Sequence[Any] = (), breakthrough: bool = False) -> Report:
    """进展报告 (or 关键性突破) with its evidence, sniffed by their bytes."""
    action = "breakthrough" if breakthrough else "report"
    _first(matter, actor, action)
    text = _text(text, "text", max_length=MAX_TEXT)
    mid = _int(milestone_id, "milestone_id", 1, 2**62) if milestone_id not in (None, "") else None
    made: list[Report] = []

    def body(m: Matter, step: Step) -> None:
        now = clock.now()
        person = _actor_person(actor)
        report = Report.objects.create(matter=m, milestone=_milestone_of(m, mid), text=text,
                                       breakthrough=breakthrough, reported_at=now, reported_by=person,
                                       reported_by_name=person.name if person else "")
        files = _store_evidence(report, uploads, now)
        if breakthrough:
            m.breakthroughs += 1
            step.fields.add("breakthroughs")
            if m.breakthrough_at is None:
                m.breakthrough_at = now
                step.fields.add("breakthrough_at")
        step.note = text[:1000]
        step.details.update(report=report.pk, evidence=files, milestone=mid)
        made.append(report)

    _act(matter, actor, action, body)
    return made[0]


def matter_urge(*, actor, matter: Matter | int, note: str = "") -> Matter:
    """催办: one click, texts the leader in charge, the owner unit and the task force's heads."""
    _first(matter, actor, "urge")
    note = _text(note, "note", required=False, max_length=500)

    def body(m: Matter, step: Step) -> None:
        m.urge_count += 1
        step.fields.add("urge_count")
        people = responsible(m)
        step.note = note
        step.details.update(notified=[p.pk for p in people], texts=notify_people(
            persons=people, template="major_urged", params=_params(m, note=note, what="")))

    return _act(matter, actor, "urge", body)


def matter_supervise(*, actor, matter: Matter | int, note: str = "") -> Matter:
    """督办: one card up (普通 → 黄牌 → 红牌), a leader's formal order."""
    _first(matter, actor, "supervise")
    note = _text(note, "note", required=False, max_length=500)

    def body(m: Matter, step: Step) -> None:
        m.card = next_card(m.card)
        step.fields.add("card")
        people = responsible(m)
        step.note = note
        step.details.update(level=m.card, notified=[p.pk for p in people], texts=notify_people(
            persons=people, template="major_supervised", params=_params(m, card=CARD_CHINESE[Card(m.card)],
                                                                      note=note)))

    return _act(matter, actor, "supervise", body)


def matter_escalate(*, actor, matter: Matter | int, reason: str) -> Matter:
    """提级挂账: list the matter one level up (乡 → 县 → 市); that level's office now approves its
    closing."""
    _first(matter, actor, "escalate")
    reason = _text(reason, "reason", max_length=1000)

    def body(m: Matter, step: Step) -> None:
        new_level = LEVEL_ORDER[LEVEL_ORDER.index(Level(m.level)) + 1]
        listing = listing_region_for(m.region, new_level)
        step.details.update(from_level=m.level, to_level=new_level, listed_at=listing.code)
        m.level, m.listing_region = new_level, listing
        m.escalation_count += 1
        step.fields.update({"level", "listing_region", "escalation_count"})
        step.note = reason
        notify_people(persons=_unique([*office_people(listing), *responsible(m)]), template="major_listed",
                      params=_params(m))

    return _act(matter, actor, "escalate", body)


def close_request(*, actor, matter: Matter | int, summary: str) -> Matter:
    """申请销号: every milestone done, the completion summary for the listing level to review."""
    _first(matter, actor, "request_close")
    summary = _text(summary, "summary", max_length=MAX_TEXT)

    def body(m: Matter, step: Step) -> None:
        m.close_requested_at = clock.now()
        m.close_requested_by = _actor_person(actor)
        m.close_summary = summary
        step.fields.update({"close_requested_at", "close_requested_by", "close_summary"})
        review = clocks.start(workflow=NAME, record=m, key=CLOSE_REVIEW_KEY)
        people = office_people(m.listing_region)
        step.note = summary[:1000]
        step.details.update(approvers_at=m.listing_region.code, notified=[p.pk for p in people],
                            texts=notify_people(persons=people, template="major_close_requested",
                                                params=_params(m, due=_fmt(review.due_at))))

    return _act(matter, actor, "request_close", body)


def close_approve(*, actor, matter: Matter | int, note: str = "") -> Matter:
    """审核销号: the listing level's office closes the matter off its ledger."""
    _first(matter, actor, "approve_close")
    note = _text(note, "note", required=False, max_length=1000)

    def body(m: Matter, step: Step) -> None:
        now = clock.now()
        m.closed_at, m.closed_by, m.close_note = now, _actor_person(actor), note
        step.fields.update({"closed_at", "closed_by", "close_note"})
        clocks.stop(workflow=NAME, record=m, key=CLOSE_REVIEW_KEY)
        clocks.stop_all(workflow=NAME, record=m)
        people = _unique([*responsible(m), m.close_requested_by])
        step.note = note
        step.details.update(level=m.level, approved_at=m.listing_region.code, texts=notify_people(
            persons=people, template="major_close_decided", params=_params(m, decision="已审核销号", note=note)))

    return _act(matter, actor, "approve_close", body)


def close_reject(*, actor, matter: Matter | int, reason: str) -> Matter:
    """退回: not done yet — back to underway with the reason."""
    _first(matter, actor, "reject_close")
    reason = _text(reason, "reason", max_length=1000)

    def body(m: Matter, step: Step) -> None:
        clocks.stop(workflow=NAME, record=m, key=CLOSE_REVIEW_KEY)
        people = _unique([*responsible(m), m.close_requested_by])
        m.close_requested_at, m.close_requested_by = None, None
        step.fields.update({"close_requested_at", "close_requested_by"})
        step.note = reason
        step.details.update(texts=notify_people(
            persons=people, template="major_close_decided", params=_params(m, decision="被退回", note=reason)))

    return _act(matter, actor, "reject_close", body)


# -------------------------------------------------------------------------- milestone moves


def _ms_act(milestone: Milestone | int, actor, action: str, body) -> Milestone:
    return perform(MILESTONE_WORKFLOW, milestone, actor=actor, action=action, body=body)


def milestone_complete(*, actor, milestone: Milestone | int, result: str, uploads: Sequence[Any] = ()) -> Milestone:
    """节点完成: the result and its evidence; the clock stops, met in time or late."""
    MILESTONE_WORKFLOW.require_first(milestone, actor, "complete")
    result = _text(result, "result", max_length=MAX_TEXT)

    def body(ms: Milestone, step: Step) -> None:
        now = clock.now()
        person = _actor_person(actor)
        stopped = clocks.stop(workflow=MILESTONE_NAME, record=ms, key=MILESTONE_KEY, at=now)
        ms.completed_at, ms.completed_by, ms.result = now, person, result
        ms.late = now > clocks.end_of_local_day(ms.due_on)
        step.fields.update({"completed_at", "completed_by", "result", "late"})
        report = Report.objects.create(matter=ms.matter, milestone=ms, text=result, reported_at=now,
                                       reported_by=person, reported_by_name=person.name if person else "")
        files = _store_evidence(report, uploads, now)
        step.note = result[:1000]
        step.details.update(milestone=ms.pk, seq=ms.seq, title=ms.title, due_on=ms.due_on.isoformat(),
                            late=ms.late, clock=stopped.outcome if stopped else None, report=report.pk,
                            evidence=files)

    return _ms_act(milestone, actor, "complete", body)


def milestone_urge(*, actor, milestone: Milestone | int, note: str = "") -> Milestone:
    """节点催办."""
    MILESTONE_WORKFLOW.require_first(milestone, actor, "urge_milestone")
    note = _text(note, "note", required=False, max_length=500)

    def body(ms: Milestone, step: Step) -> None:
        ms.urge_count += 1
        step.fields.add("urge_count")
        people = responsible(ms.matter)
        step.note = note
        params = {**_params(ms.matter, note=note, what=f"节点「{ms.title}」"), "deadline": ms.due_on.isoformat()}
        step.details.update(milestone=ms.pk, seq=ms.seq, title=ms.title, notified=[p.pk for p in people],
                            texts=notify_people(persons=people, template="major_urged", params=params))

    return _ms_act(milestone, actor, "urge_milestone", body)


def milestone_reschedule(*, actor, milestone: Milestone | int, due_on: dt.date | str, reason: str) -> Milestone:
    """调整节点期限: a later date with the reason (the listing level's decision); the clock is
    extended by the days between, and may warn and notice again for the new date."""
    MILESTONE_WORKFLOW.require_first(milestone, actor, "reschedule")
    new_due = _date(due_on, "due_on")
    reason = _text(reason, "reason", max_length=1000)

    def body(ms: Milestone, step: Step) -> None:
        days = (new_due - ms.due_on).days
        if days <= 0:
            raise InvalidInput(_("The new date must be later than %(d)s.") % {"d": ms.due_on.isoformat()},
                               field="due_on")
        if days > MAX_RESCHEDULE_DAYS:
            raise InvalidInput(_("Move a milestone by at most two years."), field="due_on")
        if clocks.running_clock(workflow=MILESTONE_NAME, record=ms, key=MILESTONE_KEY) is not None:
            clocks.extend(workflow=MILESTONE_NAME, record=ms, key=MILESTONE_KEY, days=days, reason=reason)
        step.details.update(milestone=ms.pk, seq=ms.seq, title=ms.title, from_due=ms.due_on.isoformat(),
                            to_due=new_due.isoformat(), days=days)
        ms.due_on = new_due
        ms.rescheduled += 1
        step.fields.update({"due_on", "rescheduled"})
        step.note = reason

    return _ms_act(milestone, actor, "reschedule", body)
