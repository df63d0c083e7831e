"""Major matters over JSON: the lists with their completion figure, one matter, its timeline, every
move of the matter and of its milestones — the same actions and scope as the pages (404 outside)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.majors import actions, permissions, queries
from fengqiao.majors.machine import (
    ACTIONS,
    MACHINE,
    MILESTONE_ACTIONS,
    MILESTONE_MACHINE,
    assessment_gaps,
    current_assessment,
)
from fengqiao.majors.models import Matter
from fengqiao.people.models import Department
from fengqiao.people.queries import visible_regions

router = Router(tags=["majors"])

TEXT = 10_000
BIG = 10_000_000
ID = 2**62


class CompletionOut(Schema):
    listed: int
    done: int
    open: int
    rate: str | None = Field(description="done / listed in percent, truncated to one decimal (lib/rates)")
    text: str = Field(description="as the pages print it: 92.5%, 100%, —")


class BreakdownOut(Schema):
    key: str
    label: str
    completion: CompletionOut
    underway: int
    overdue: int
    red: int


class FiguresOut(Schema):
    completion: CompletionOut
    by: str
    rows: list[BreakdownOut]


class MatterOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    area: str
    level: str
    listing_region: str
    listing_region_name: str
    region: str
    region_name: str
    town: str | None
    owner: str
    owner_name: str
    leader_id: int
    leader_name: str
    status: str
    card: str
    target_on: dt.date
    registered_at: dt.datetime
    listed_at: dt.datetime | None
    closed_at: dt.datetime | None
    breakthroughs: int
    milestones_total: int
    milestones_done: int
    next_due: dt.datetime | None
    overdue: bool


class MatterPage(Schema):
    count: int
    page: int
    page_size: int
    completion: CompletionOut
    items: list[MatterOut]


class MilestoneOut(Schema):
    id: int
    seq: int
    title: str
    due_on: dt.date
    status: str
    state: str = Field(description="planned, running, due_soon, overdue, met, late, cancelled")
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    completed_at: dt.datetime | None
    late: bool
    rescheduled: int
    offered: list[str]


class MemberOut(Schema):
    id: int
    person_id: int
    name: str
    post: str
    identity: str
    unit: str


class AssessmentOut(Schema):
    round: int
    number: str
    subject: str
    grade: str
    decision: str
    decided_at: dt.datetime | None
    risks: int
    experts: int
    reached: int
    support: int
    oppose: int
    gaps: list[str]


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ReportOut(Schema):
    id: int
    text: str
    breakthrough: bool
    reported_at: dt.datetime
    reported_by: str
    milestone_id: int | None
    evidence: list[EvidenceOut]


class MatterDetail(MatterOut):
    description: str
    target: str
    needs_assessment: bool
    assessment: AssessmentOut | None
    milestones: list[MilestoneOut]
    team: list[MemberOut]
    reports: list[ReportOut]
    close_summary: str
    offered: list[str] = Field(description="the moves legal now that the caller's posts allow")


class MatterTimelineEntry(Schema):
    seq: int
    action: str
    label: str
    actor: str
    from_state: str
    to_state: str
    note: str
    details: dict[str, Any]
    created_at: dt.datetime


class MatterIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=TEXT)
    kind: str = Field(description="key_project, decision, reform, activity, risk", max_length=20)
    level: str = Field(description="city, county, town: where it is listed and its closing approved", max_length=10)
    region_code: str = Field(max_length=32, description="where the matter lies (at or below its level)")
    owner_code: str = Field(max_length=32, description="the owner unit (a department's code)")
    leader_id: int = Field(ge=1, le=ID, description="the leader in charge (a person)")
    target_on: dt.date
    target: str = Field("", max_length=TEXT)
    area: str = Field("", max_length=20)


class MilestoneItem(Schema):
    title: str = Field(max_length=200)
    due_on: dt.date


class MemberItem(Schema):
    person_id: int | None = Field(None, ge=1, le=ID)
    name: str = Field("", max_length=50)
    post: str = Field("member", max_length=10)
    identity: str = Field("cadre", max_length=20)
    unit: str = Field("", max_length=100)


API_ACTIONS = ("assess", "add_risk", "add_opinion", "add_expert", "remove_part", "conclude", "decide", "start",
               "plan", "team", "report", "breakthrough", "urge", "supervise", "escalate", "reassign",
               "request_close", "approve_close", "reject_close")
# The API's steps of the assessment are one move of the machine.
MOVE_OF = {"add_risk": "edit_assessment", "add_opinion": "edit_assessment", "add_expert": "edit_assessment",
           "remove_part": "edit_assessment", "conclude": "edit_assessment"}


class MatterActionIn(Schema):
    action: str = Field(description="One of: " + ", ".join(API_ACTIONS), max_length=32)
    note: str | None = Field(None, max_length=TEXT)
    reason: str | None = Field(None, max_length=1000)
    summary: str | None = Field(None, max_length=TEXT)
    subject: str | None = Field(None, max_length=200)
    scope: str | None = Field(None, max_length=TEXT)
    decision: str | None = Field(None, max_length=20, description="go, go_measures, postpone, stop")
    body_name: str | None = Field(None, max_length=200)
    grade: str | None = Field(None, max_length=10, description="high, medium, low")
    grade_reason: str | None = Field(None, max_length=TEXT)
    measures: str | None = Field(None, max_length=TEXT)
    contingency: str | None = Field(None, max_length=TEXT)
    dimension: str | None = Field(None, max_length=20, description="legality, reasonable, feasibility, control")
    description: str | None = Field(None, max_length=TEXT)
    likelihood: str | None = Field(None, max_length=10)
    impact: str | None = Field(None, max_length=10)
    measure: str | None = Field(None, max_length=TEXT)
    responsible: str | None = Field(None, max_length=200)
    channel: str | None = Field(None, max_length=20)
    held_on: dt.date | None = None
    reached: int | None = Field(None, ge=0, le=BIG)
    support: int | None = Field(None, ge=0, le=BIG)
    oppose: int | None = Field(None, ge=0, le=BIG)
    concerns: str | None = Field(None, max_length=TEXT)
    name: str | None = Field(None, max_length=50)
    title: str | None = Field(None, max_length=100)
    conclusion: str | None = Field(None, max_length=20)
    opinion: str | None = Field(None, max_length=TEXT)
    part: str | None = Field(None, max_length=10, description="risk, opinion, expert (remove_part)")
    part_id: int | None = Field(None, ge=1, le=ID)
    milestones: list[MilestoneItem] = Field(default_factory=list, max_length=30)
    remove: list[int] = Field(default_factory=list, max_length=80)
    members: list[MemberItem] = Field(default_factory=list, max_length=80)
    text: str | None = Field(None, max_length=TEXT)
    milestone_id: int | None = Field(None, ge=1, le=ID)
    owner_code: str | None = Field(None, max_length=32)
    leader_id: int | None = Field(None, ge=1, le=ID)


class MilestoneActionIn(Schema):
    action: str = Field(description="One of: " + ", ".join(MILESTONE_ACTIONS), max_length=32)
    result: str | None = Field(None, max_length=TEXT)
    note: str | None = Field(None, max_length=500)
    due_on: dt.date | None = None
    reason: str | None = Field(None, max_length=1000)


# ----------------------------------------------------------------------------------- output


def _completion(c: queries.Completion) -> CompletionOut:
    return CompletionOut(listed=c.listed, done=c.done, open=c.open, rate=None if c.rate is None else str(c.rate),
                         text=c.text)


def _summary(m: Matter) -> dict[str, Any]:
    return {
        "id": m.pk, "code": m.code, "title": m.title, "kind": m.kind, "area": m.area, "level": m.level,
        "listing_region": m.listing_region.code, "listing_region_name": m.listing_region.name,
        "region": m.region.code, "region_name": m.region.name, "town": m.town.code if m.town else None,
        "owner": m.owner.code, "owner_name": m.owner.name, "leader_id": m.leader_id, "leader_name": m.leader.name,
        "status": m.status, "card": m.card, "target_on": m.target_on, "registered_at": m.registered_at,
        "listed_at": m.listed_at, "closed_at": m.closed_at, "breakthroughs": m.breakthroughs,
        "milestones_total": getattr(m, "milestones_total", 0), "milestones_done": getattr(m, "milestones_done", 0),
        "next_due": getattr(m, "next_due", None), "overdue": bool(getattr(m, "overdue", False)),
    }


def _offered(user, m: Matter) -> list[str]:
    return [a for a in ACTIONS if MACHINE.legal_now(m, a) and permissions.may(user, m, a)]


def matter_detail(user, matter: Matter) -> MatterDetail:
    now = clock.now()
    m = queries.with_progress(Matter.objects.filter(pk=matter.pk), now).select_related(*queries.DETAIL_RELATED).get()
    a = current_assessment(m)
    assessment = None
    if a is not None:
        opinions = list(a.opinions.all())
        assessment = AssessmentOut(
            round=a.round, number=a.number, subject=a.subject, grade=a.grade, decision=a.decision,
            decided_at=a.decided_at, risks=a.risks.count(), experts=a.experts.count(),
            reached=sum(o.reached for o in opinions), support=sum(o.support for o in opinions),
            oppose=sum(o.oppose for o in opinions), gaps=[] if a.decided else assessment_gaps(a))
    milestones = []
    for r in queries.milestone_rows(m, now):
        ms = r.milestone
        milestones.append(MilestoneOut(
            id=ms.pk, seq=ms.seq, title=ms.title, due_on=ms.due_on, status=ms.status, state=r.state,
            due_at=r.clock.due_at if r.clock else None, warn_at=r.clock.warn_at if r.clock else None,
            completed_at=ms.completed_at, late=ms.late, rescheduled=ms.rescheduled,
            offered=[x for x in MILESTONE_ACTIONS if MILESTONE_MACHINE.legal_now(ms, x)
                     and permissions.may_milestone(user, ms, x)]))
    team = [MemberOut(id=t.pk, person_id=t.person_id, name=t.person.name, post=t.post, identity=t.identity,
                      unit=t.unit) for t in queries.team_of(m)]
    reports = [ReportOut(id=r.pk, text=r.text, breakthrough=r.breakthrough, reported_at=r.reported_at,
                         reported_by=r.reported_by_name, milestone_id=r.milestone_id,
                         evidence=[EvidenceOut(id=e.pk, name=e.name, content_type=e.content_type, size=e.size)
                                   for e in r.evidence.all()])
               for r in m.reports.prefetch_related("evidence")[:50]]
    return MatterDetail(**_summary(m), description=m.description, target=m.target,
                        needs_assessment=m.needs_assessment, assessment=assessment, milestones=milestones,
                        team=team, reports=reports, close_summary=m.close_summary, offered=_offered(user, m))


# -------------------------------------------------------------------------------- endpoints


@router.get("/majors", response=MatterPage, summary="Major matters in your area, with their completion figure")
def matter_list(request, level: str | None = None, kind: str | None = None, area: str | None = None,
                status: str | None = None, card: str | None = None, owner: str | None = Query(None, max_length=32),
                leader: int | None = Query(None, ge=1, le=ID), region: str | None = Query(None, max_length=32),
                q: str | None = Query(None, max_length=100), overdue: bool = False,
                page: int = Query(1, ge=1, le=MAX_PAGE, description="1-based; past the last page the list is empty"),
                page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    filters = queries.MatterFilters(level=level or "", kind=kind or "", area=area or "", status=status or "",
                                    card=card or "", owner=owner or "", leader=leader, region=region or "",
                                    q=(q or "").strip(), overdue=overdue)
    try:
        qs = queries.filter_matters(request.auth, filters)
    except queries.UnknownFilter as exc:
        raise InvalidInput(_("Unknown %(f)s: %(v)s") % {"f": exc.field, "v": exc.value[:40]}, field=exc.field) from None
    rows = queries.with_progress(qs).select_related(*queries.LIST_RELATED).order_by("-registered_at", "-id")
    start = (page - 1) * page_size
    return MatterPage(count=qs.count(), page=page, page_size=page_size, completion=_completion(queries.completion(qs)),
                      items=[MatterOut(**_summary(m)) for m in rows[start:start + page_size]])


@router.get("/majors/figures", response=FiguresOut,
            summary="Listed and done (completion rate) of the matters in your area, broken down")
def matter_figures(request, by: str = Query("level", description=", ".join(queries.BREAKDOWNS)),
                   level: str | None = None, kind: str | None = None, region: str | None = Query(None, max_length=32)):
    try:
        qs = queries.filter_matters(request.auth, queries.MatterFilters(level=level or "", kind=kind or "",
                                                                        region=region or ""))
        rows = queries.breakdown(qs, by)
    except queries.UnknownFilter as exc:
        raise InvalidInput(_("Unknown %(f)s: %(v)s") % {"f": exc.field, "v": exc.value[:40]}, field=exc.field) from None
    return FiguresOut(completion=_completion(queries.completion(qs)), by=by, rows=[
        BreakdownOut(key=r.key, label=r.label, completion=_completion(r.completion), underway=r.underway,
                     overdue=r.overdue, red=r.red) for r in rows])


@router.post("/majors", response={201: MatterDetail}, summary="Register a major matter at its listing level")
def matter_create(request, payload: MatterIn):
    user = request.auth
    permissions.require_register(user)  # the posts before the input
    region = visible_regions(user).filter(code=payload.region_code, retired_at=None).first()
    if region is None:
        raise InvalidInput(_("No region %(c)s in your area.") % {"c": payload.region_code[:32]}, field="region_code")
    owner = Department.objects.filter(code=payload.owner_code).first()
    if owner is None:
        raise InvalidInput(_("No department %(c)s.") % {"c": payload.owner_code[:32]}, field="owner_code")
    matter = actions.matter_register(
        actor=user, title=payload.title, description=payload.description, kind=payload.kind, level=payload.level,
        region=region, owner=owner, leader=payload.leader_id, target_on=payload.target_on, target=payload.target,
        area=payload.area)
    return Status(201, matter_detail(user, matter))


@router.get("/majors/{matter_id}", response=MatterDetail, summary="One major matter")
def matter_get(request, matter_id: int):
    return matter_detail(request.auth, queries.access_matter_for_user(request.auth, matter_id))


@router.get("/majors/{matter_id}/timeline", response=list[MatterTimelineEntry], summary="The matter's audit stream")
def matter_timeline(request, matter_id: int):
    from fengqiao.majors.machine import action_label

    matter = queries.access_matter_for_user(request.auth, matter_id)
    return [MatterTimelineEntry(seq=e.seq, action=e.action, label=action_label(e.action),
                          actor=e.actor_name, from_state=e.from_state, to_state=e.to_state, note=e.note,
                          details=e.details, created_at=e.created_at) for e in queries.timeline(matter)]


def _need(value, field: str):
    if value is None or value == "":
        raise InvalidInput(_("“%(field)s” is required.") % {"field": field}, field=field)
    return value


def _perform(user, matter: Matter, action: str, p: MatterActionIn) -> None:
    if action == "assess":
        actions.assessment_open(actor=user, matter=matter, subject=p.subject or "", scope=p.scope or "")
    elif action == "add_risk":
        actions.assessment_add_risk(actor=user, matter=matter, dimension=_need(p.dimension, "dimension"),
                                    description=_need(p.description, "description"),
                                    likelihood=_need(p.likelihood, "likelihood"), impact=_need(p.impact, "impact"),
                                    measure=p.measure or "", responsible=p.responsible or "")
    elif action == "add_opinion":
        actions.assessment_add_opinion(actor=user, matter=matter, channel=_need(p.channel, "channel"),
                                       held_on=_need(p.held_on, "held_on"), reached=_need(p.reached, "reached"),
                                       support=_need(p.support, "support"), oppose=_need(p.oppose, "oppose"),
                                       concerns=p.concerns or "")
    elif action == "add_expert":
        actions.assessment_add_expert(actor=user, matter=matter, name=_need(p.name, "name"),
                                      title=_need(p.title, "title"), conclusion=_need(p.conclusion, "conclusion"),
                                      opinion=_need(p.opinion, "opinion"))
    elif action == "remove_part":
        actions.assessment_remove(actor=user, matter=matter, part=_need(p.part, "part"),
                                  part_id=_need(p.part_id, "part_id"))
    elif action == "conclude":
        actions.assessment_conclude(actor=user, matter=matter, grade=_need(p.grade, "grade"),
                                    grade_reason=_need(p.grade_reason, "grade_reason"),
                                    measures=_need(p.measures, "measures"), contingency=p.contingency or "")
    elif action == "decide":
        actions.assessment_decide(actor=user, matter=matter, decision=_need(p.decision, "decision"),
                                  note=p.note or "", body_name=p.body_name or "")
    elif action == "start":
        actions.matter_start(actor=user, matter=matter, note=p.note or "")
    elif action == "plan":
        actions.milestones_plan(actor=user, matter=matter, remove=p.remove, add=[
            actions.MilestoneInput(title=i.title, due_on=i.due_on) for i in p.milestones])
    elif action == "team":
        actions.team_change(actor=user, matter=matter, remove=p.remove, add=[
            actions.MemberInput(person_id=i.person_id, name=i.name, post=i.post, identity=i.identity, unit=i.unit)
            for i in p.members])
    elif action in ("report", "breakthrough"):
        actions.report_add(actor=user, matter=matter, text=_need(p.text, "text"), milestone_id=p.milestone_id,
                           breakthrough=action == "breakthrough")
    elif action == "urge":
        actions.matter_urge(actor=user, matter=matter, note=p.note or "")
    elif action == "supervise":
        actions.matter_supervise(actor=user, matter=matter, note=p.note or "")
    elif action == "escalate":
        actions.matter_escalate(actor=user, matter=matter, reason=_need(p.reason, "reason"))
    elif action == "reassign":
        owner = None
        if p.owner_code:
            owner = Department.objects.filter(code=p.owner_code).first()
            if owner is None:
                raise InvalidInput(_("No department %(c)s.") % {"c": p.owner_code[:32]}, field="owner_code")
        actions.matter_reassign(actor=user, matter=matter, owner=owner, leader=p.leader_id,
                                reason=_need(p.reason, "reason"))
    elif action == "request_close":
        actions.close_request(actor=user, matter=matter, summary=_need(p.summary, "summary"))
    elif action == "approve_close":
        actions.close_approve(actor=user, matter=matter, note=p.note or "")
    else:
        actions.close_reject(actor=user, matter=matter, reason=_need(p.reason, "reason"))


@router.post("/majors/{matter_id}/actions", response=MatterDetail,
             summary="A move of the matter (403 for the posts before 409 for its state)",
             openapi_extra={"x-fengqiao-errors": [409]})
def matter_act(request, matter_id: int, payload: MatterActionIn):
    user = request.auth
    matter = queries.access_matter_for_user(user, matter_id)
    if payload.action not in API_ACTIONS:
        raise InvalidInput(_("Unknown action “%(action)s”.") % {"action": payload.action[:32]}, field="action",
                           code="unknown_action")
    actions.WORKFLOW.require_first(matter, user, MOVE_OF.get(payload.action, payload.action))
    _perform(user, matter, payload.action, payload)
    return matter_detail(user, queries.access_matter_for_user(user, matter.pk))


@router.post("/majors/{matter_id}/milestones/{milestone_id}/actions", response=MatterDetail,
             summary="A move of one milestone: complete, urge, reschedule", openapi_extra={"x-fengqiao-errors": [409]})
def milestone_act(request, matter_id: int, milestone_id: int, payload: MilestoneActionIn):
    user = request.auth
    ms = queries.access_milestone_for_user(user, matter_id, milestone_id)
    if payload.action not in MILESTONE_ACTIONS:
        raise InvalidInput(_("Unknown action “%(action)s”.") % {"action": payload.action[:32]}, field="action",
                           code="unknown_action")
    actions.MILESTONE_WORKFLOW.require_first(ms, user, payload.action)
    if payload.action == "complete":
        actions.milestone_complete(actor=user, milestone=ms, result=_need(payload.result, "result"))
    elif payload.action == "urge_milestone":
        actions.milestone_urge(actor=user, milestone=ms, note=payload.note or "")
    else:
        actions.milestone_reschedule(actor=user, milestone=ms, due_on=_need(payload.due_on, "due_on"),
                                     reason=_need(payload.reason, "reason"))
    return matter_detail(user, ms.matter)
