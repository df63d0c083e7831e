"""The mediation centre over JSON, under /api/v1/mediation/: cases (list, open from an event, the
single window or a court's referral, read, act, timeline, suggestions, attachments, export),
the worklist, 群英 tasks (list, dispatch, read, act, export), mediators, organisations, pool
members for an event, the duty roster and the figures.

Everything goes through `mediation.queries` (404 outside scope) and `mediation.actions` (the posts
before the state, 403 before 409, both before the input's 400); parties are masked unless the
reader's work needs them, every unmasked read logged (`PartyRead`). Errors are the API's
{"code", "message"}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from fengqiao.events.models import Category
from fengqiao.events.scope import access_event_for_user
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_INT, MAX_PAGE, MAX_PAGE_SIZE
from fengqiao.lib.masking import mask_phone
from fengqiao.mediation import actions, exports, machine, queries, suggest
from fengqiao.mediation import permissions as perms
from fengqiao.mediation.models import (
    LEVEL_CHINESE,
    TASK_OPEN_STATUSES,
    Case,
    CaseMediator,
    Kind,
    MediationOrg,
    Mediator,
    PoolMember,
    SeatKind,
    Specialty,
    Status,
    Task,
    TaskStatus,
)
from fengqiao.mediation.schemas import (
    AgreementOut,
    AgreementTermOut,
    CaseActionIn,
    CaseActionOut,
    CaseAttachmentOut,
    CaseClockOut,
    CaseFollowUpOut,
    CaseMediatorOut,
    CaseOpenIn,
    CaseOut,
    CasePage,
    CaseSummary,
    CaseTimelineEntry,
    CaseWorklistOut,
    ConfirmationOut,
    CourtIn,
    DutyShiftOut,
    InvestigationOut,
    MediationFigureOut,
    MediationOrgOut,
    MediationRegionRef,
    MediatorOut,
    MediatorSuggestionOut,
    PartyOut,
    PoolMemberOut,
    PoolTaskActionIn,
    PoolTaskIn,
    PoolTaskOut,
    PoolTaskPage,
    SessionOut,
    SessionSeatOut,
    WindowIn,
)
from fengqiao.regions.models import Region

router = Router(tags=["mediation"])
MAX_EXPORT_ROWS = exports.MAX_ROWS


# ----------------------------------------------------------------------------- shaping


def _region(r: Region) -> MediationRegionRef:
    return MediationRegionRef(code=r.code, name=r.display_name, level=r.level)


def _lead_name(case: Case) -> str | None:
    for cm in case.mediators.all():
        if cm.active and cm.role == CaseMediator.Role.LEAD:
            return cm.mediator.person.name
    return None


def _summary_fields(c: Case) -> dict[str, Any]:
    return {
        "id": c.id, "code": c.code, "title": c.title, "kind": c.kind, "kind_label": str(Kind(c.kind).label),
        "specialty": c.specialty, "status": c.status, "status_label": str(Status(c.status).label),
        "channel": c.channel, "event_id": c.event_id, "event_code": c.event.code, "org": c.org.name,
        "region": _region(c.region), "lead_mediator": _lead_name(c), "applied_at": c.applied_at,
        "outcome": c.outcome, "joint": c.joint, "court_case_number": c.court_case_number,
    }


def _summaries(qs) -> list[CaseSummary]:
    rows = qs.select_related("event", "org", "region").prefetch_related("mediators__mediator__person")
    return [CaseSummary(**_summary_fields(c)) for c in rows]


def _mediator_out(m: Mediator, load: int) -> MediatorOut:
    return MediatorOut(
        id=m.id, person_id=m.person_id, name=m.person.name, level=m.level, level_label=LEVEL_CHINESE[m.level],
        specialties=list(m.specialties or []), region=_region(m.region), org=m.org.name if m.org else None,
        title=m.title, load=load, phone=mask_phone(m.person.phone))


def _clocks(rows, now: dt.datetime) -> list[CaseClockOut]:
    return [CaseClockOut(key=k.policy.key, name=k.policy.name, started_at=k.started_at, due_at=k.due_at,
                     stopped_at=k.stopped_at, outcome=k.outcome, overdue=k.overdue_at(now),
                     extended_days=k.extended_days, approximate=k.approximate) for k in rows]


def case_out(user, case: Case, *, via: str = "api") -> CaseOut:
    c = (Case.objects.select_related("event", "org", "region")
         .prefetch_related("mediators__mediator__person").get(pk=case.pk))
    now = clock.now()
    agreement = None
    found = getattr(c, "agreement", None) if hasattr(c, "agreement") else None
    if found is not None:
        confirmation = getattr(found, "confirmation", None) if hasattr(found, "confirmation") else None
        agreement = AgreementOut(
            number=found.number, kind=found.kind, facts=found.facts, disputes=found.disputes, responsibility=found.responsibility,
            performance_manner=found.performance_manner, signed_at=found.signed_at, effective_at=found.effective_at,
            performance=found.performance,
            terms=[AgreementTermOut(id=t.id, seq=t.seq, content=t.content, obligor_id=t.obligor_id, due_on=t.due_on,
                           amount=None if t.amount is None else f"{t.amount:.2f}", manner=t.manner, place=t.place,
                           status=t.status, checked_at=t.checked_at, check_note=t.check_note)
                   for t in found.terms.all()],
            confirmation=ConfirmationOut(
                applied_at=confirmation.applied_at, court_name=confirmation.court_name,
                court_case_number=confirmation.court_case_number, decision=confirmation.decision,
                decided_at=confirmation.decided_at, decision_note=confirmation.decision_note)
            if confirmation is not None else None)
    seat_labels = dict(SeatKind.choices)
    sessions = []
    for s in c.sessions.prefetch_related("seats", "parties_present", "photos"):
        sessions.append(SessionOut(
            id=s.id, state=s.state, scheduled_for=s.scheduled_for, held_at=s.held_at, ended_at=s.ended_at,
            place=s.place, mode=s.mode, attendees=list(s.attendees or []),
            parties_present=[p.pk for p in s.parties_present.all()],
            seats=[SessionSeatOut(kind=seat.kind, kind_label=str(seat_labels.get(seat.kind, seat.kind)),
                           unit_name=seat.unit_name, representative=seat.representative) for seat in s.seats.all()],
            notes=s.notes, result=s.result, recorder=s.recorder, photos=[p.pk for p in s.photos.all()]))
    return CaseOut(
        **_summary_fields(c),
        facts=c.facts, claims=c.claims, court_name=c.court_name, court_deadline=c.court_deadline,
        court_reported_at=c.court_reported_at, court_report=c.court_report,
        received_out_of_hours=c.received_out_of_hours, accepted_at=c.accepted_at, refuse_reason=c.refuse_reason,
        outcome_at=c.outcome_at, outcome_note=c.outcome_note, closed_at=c.closed_at, filed_by=c.filed_by,
        retention=c.retention,
        mediators=[CaseMediatorOut(mediator_id=cm.mediator_id, name=cm.mediator.person.name,
                                   level=cm.mediator.level, role=cm.role, reason=cm.reason, active=cm.active,
                                   assigned_at=cm.assigned_at) for cm in c.mediators.all()],
        parties=[PartyOut(**p) for p in queries.parties_for(user, c, via=via)],
        sessions=sessions,
        investigations=[InvestigationOut(id=i.id, held_at=i.held_at, place=i.place,
                                         investigators=list(i.investigators or []), subject=i.subject,
                                         content=i.content, recorder=i.recorder) for i in c.investigations.all()],
        agreement=agreement,
        follow_ups=[CaseFollowUpOut(id=f.id, visited_at=f.visited_at, method=f.method, visitor_name=f.visitor_name,
                                note=f.note, dispute_settled=f.dispute_settled) for f in c.follow_ups.all()],
        clocks=_clocks(queries.clocks_for(c), now),
        attachments=[CaseAttachmentOut(id=a.id, name=a.name, size=a.size, content_type=a.content_type,
                                   session_id=a.session_id, document=a.document) for a in c.attachments.all()],
        available_actions=queries.case_actions_for(user, c),
    )


def _member_out(m: PoolMember, open_tasks: int = 0) -> PoolMemberOut:
    return PoolMemberOut(id=m.id, person_id=m.person_id, name=m.person.name, pool=m.pool.name, source=m.source,
                     specialties=list(m.specialties or []), open_tasks=open_tasks)


TASK_RELATED = ("event", "member__person", "member__pool", "dispatcher", "region")


def _running_due(tasks: list[Task]) -> dict[int, dt.datetime]:
    """Each task's running limit, in one query."""
    from fengqiao.workflow.models import Clock

    rows = Clock.objects.filter(workflow=machine.TASK_MACHINE.name, record_id__in=[t.pk for t in tasks],
                                stopped_at=None).order_by("started_at", "id").values_list("record_id", "due_at")
    return dict(rows)


def task_outs(user, tasks: list[Task]) -> list[PoolTaskOut]:
    """Tasks as the user may see them (loaded with TASK_RELATED), two queries plus the buttons'."""
    now = clock.now()
    dues = _running_due(tasks)
    out = []
    for t in tasks:
        due = dues.get(t.pk)
        out.append(PoolTaskOut(
            id=t.id, status=t.status, status_label=str(TaskStatus(t.status).label), event_id=t.event_id,
            event_code=t.event.code, title=t.event.title, region=_region(t.region), member=_member_out(t.member),
            dispatcher=t.dispatcher.name, instructions=t.instructions, dispatched_at=t.dispatched_at,
            accepted_at=t.accepted_at, decline_reason=t.decline_reason, report=t.report, settled=t.settled,
            reported_at=t.reported_at, closed_at=t.closed_at, close_note=t.close_note, due_at=due,
            overdue=bool(due and now > due), case_id=t.case_id,
            available_actions=queries.task_actions_for(user, t)))
    return out


def task_out(user, task: Task) -> PoolTaskOut:
    return task_outs(user, [Task.objects.select_related(*TASK_RELATED).get(pk=task.pk)])[0]


def _page(qs, page: int, page_size: int) -> tuple[int, list]:
    start = (page - 1) * page_size
    return qs.count(), list(qs[start:start + page_size])


def _lookup(exc: LookupError) -> InvalidInput:
    field, _sep, value = str(exc.args[0]).partition(":")
    return InvalidInput(_("Unknown %(f)s: %(v)s") % {"f": field, "v": value[:60]}, field=field)


def _org(org_id: int) -> MediationOrg:
    found = MediationOrg.objects.filter(pk=org_id, active=True).select_related("region").first()
    if found is None:
        raise InvalidInput(_("No such mediation organisation."), field="org_id")
    return found


def _region_by_code(code: str) -> Region:
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput(_("No region with code %(c)s.") % {"c": code[:32]}, field="region_code")
    return found


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=code, active=True).first()
    if found is None:
        raise InvalidInput(_("No category with code %(c)s.") % {"c": code[:32]}, field="category_code")
    return found


# ------------------------------------------------------------------------------- cases


def _case_filters(status, kind, channel, org_id, region_code, applied_from, applied_to, q, mine):
    return queries.CaseFilters(status=status, kind=kind, channel=channel, org_id=org_id, region_code=region_code,
                               applied_from=applied_from, applied_to=applied_to, q=q, mine=mine)


@router.get("/mediation/cases", response=CasePage, summary="Cases in the caller's scope")
def list_cases(
    request,
    status: str | None = Query(None, max_length=12, description="A status, or 'open'"),
    kind: str | None = Query(None, max_length=16),
    channel: str | None = Query(None, max_length=8),
    org_id: int | None = Query(None, ge=1, le=MAX_INT),
    region_code: str | None = Query(None, max_length=32),
    applied_from: dt.date | None = None,
    applied_to: dt.date | None = None,
    q: str | None = Query(None, max_length=100),
    mine: bool = Query(False, description="Only the cases I mediate"),
    page: int = Query(1, ge=1, le=MAX_PAGE, description="1-based; past the last page the list is empty"),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    try:
        qs = queries.filter_cases(request.auth, _case_filters(status, kind, channel, org_id, region_code,
                                                              applied_from, applied_to, q, mine))
    except LookupError as exc:
        raise _lookup(exc) from None
    count, rows = _page(qs.order_by("-applied_at", "-id"), page, page_size)
    return CasePage(count=count, page=page, page_size=page_size,
                    items=_summaries(Case.objects.filter(pk__in=[c.pk for c in rows]).order_by("-applied_at", "-id")))


@router.get("/mediation/cases.xlsx", summary="The same cases as a spreadsheet (cases, parties, terms)")
def export_cases(
    request,
    status: str | None = Query(None, max_length=12),
    kind: str | None = Query(None, max_length=16),
    channel: str | None = Query(None, max_length=8),
    org_id: int | None = Query(None, ge=1, le=MAX_INT),
    region_code: str | None = Query(None, max_length=32),
    applied_from: dt.date | None = None,
    applied_to: dt.date | None = None,
    q: str | None = Query(None, max_length=100),
    mine: bool = False,
):
    try:
        qs = queries.filter_cases(request.auth, _case_filters(status, kind, channel, org_id, region_code,
                                                              applied_from, applied_to, q, mine))
    except LookupError as exc:
        raise _lookup(exc) from None
    if qs.count() > MAX_EXPORT_ROWS:
        raise InvalidInput(_("More than %(n)d cases match: narrow the filters to export.") % {"n": MAX_EXPORT_ROWS},
                           code="too_many_rows")
    return _xlsx(exports.cases_workbook(request.auth, qs), "mediation-cases.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post("/mediation/cases", response={201: CaseOut}, summary="Open a case on a dispute event")
def open_case(request, payload: CaseOpenIn):
    event = access_event_for_user(request.auth, payload.event_id)
    org = _org(payload.org_id)
    perms.require_open(request.auth, org.region, event)
    case = actions.case_open(actor=request.auth, event=event, org=org, kind=payload.kind, title=payload.title,
                             specialty=payload.specialty, facts=payload.facts, claims=payload.claims,
                             parties=[p.dict() for p in payload.parties], mediator=payload.mediator_id,
                             mediator_reason=payload.mediator_reason)
    return Answer(201, case_out(request.auth, case))


@router.post("/mediation/cases/window", response={201: CaseOut},
             summary="一窗受理: register the dispute and open its case")
def open_window_case(request, payload: WindowIn):
    perms.require_centre(request.auth)
    region = _region_by_code(payload.region_code)
    perms.require_open(request.auth, region)
    case = actions.case_open_from_window(
        actor=request.auth, org=_org(payload.org_id), kind=payload.kind, title=payload.title,
        description=payload.description, region=region, category=_category(payload.category_code),
        specialty=payload.specialty, facts=payload.facts, claims=payload.claims, address=payload.address,
        parties=[p.dict() for p in payload.parties], mediator=payload.mediator_id,
        mediator_reason=payload.mediator_reason)
    return Answer(201, case_out(request.auth, case))


@router.post("/mediation/cases/court", response={201: CaseOut},
             summary="诉调对接: a court's referral with its case number and deadline")
def open_court_case(request, payload: CourtIn):
    perms.require_centre(request.auth)
    region = _region_by_code(payload.region_code)
    perms.require_open(request.auth, region)
    case = actions.case_open_from_court(
        actor=request.auth, org=_org(payload.org_id), court_name=payload.court_name,
        court_case_number=payload.court_case_number, court_deadline=payload.court_deadline, kind=payload.kind,
        title=payload.title, description=payload.description, region=region,
        category=_category(payload.category_code), specialty=payload.specialty, facts=payload.facts,
        claims=payload.claims, parties=[p.dict() for p in payload.parties], mediator=payload.mediator_id,
        mediator_reason=payload.mediator_reason)
    return Answer(201, case_out(request.auth, case))


@router.get("/mediation/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: int):
    return case_out(request.auth, queries.access_case_for_user(request.auth, case_id))


@router.post("/mediation/cases/{case_id}/actions", response=CaseActionOut,
             summary="Perform one move: {\"action\": …, its fields}")
def act_on_case(request, case_id: int, payload: CaseActionIn):
    case = queries.access_case_for_user(request.auth, case_id)
    data = payload.dict(exclude_none=True)
    action = data.pop("action")
    created = actions.perform_case(case=case, actor=request.auth, action=action, data=data)
    return CaseActionOut(case=case_out(request.auth, case), created=created)


@router.get("/mediation/cases/{case_id}/timeline", response=list[CaseTimelineEntry])
def case_timeline(request, case_id: int):
    case = queries.access_case_for_user(request.auth, case_id)
    return [CaseTimelineEntry(seq=a.seq, action=a.action, action_label=machine.MACHINE.label(a.action),
                          actor=a.actor_name, from_state=a.from_state, to_state=a.to_state, note=a.note,
                          details=a.details, created_at=a.created_at) for a in queries.timeline(case)]


@router.get("/mediation/cases/{case_id}/suggestions", response=list[MediatorSuggestionOut],
            summary="Mediators suggested for the case, with the reason")
def case_suggestions(request, case_id: int, limit: int = Query(5, ge=1, le=20)):
    case = queries.access_case_for_user(request.auth, case_id)
    return _suggestions(suggest.suggest_for_case(case, limit=limit))


def _suggestions(found) -> list[MediatorSuggestionOut]:
    return [MediatorSuggestionOut(mediator=_mediator_out(s.mediator, s.load), reason=s.reason,
                          specialty_match=s.specialty_match, area=s.area, load=s.load) for s in found]


@router.get("/mediation/suggestions", response=list[MediatorSuggestionOut],
            summary="Mediators for a matter not yet opened (the window's form)")
def suggestions(request, specialty: str = Query(..., max_length=12), region_code: str = Query(..., max_length=32),
                kind: str | None = Query(None, max_length=16), limit: int = Query(5, ge=1, le=20)):
    perms.require_centre(request.auth)
    if specialty not in Specialty.values:
        raise InvalidInput(_("Unknown specialty: %(v)s") % {"v": specialty}, field="specialty")
    if kind is not None and kind not in Kind.values:
        raise InvalidInput(_("Unknown kind: %(v)s") % {"v": kind}, field="kind")
    region = queries.region_for_user(request.auth, region_code)
    return _suggestions(suggest.suggest_mediators(specialty=specialty, region=region, kind=kind, limit=limit))


@router.post("/mediation/cases/{case_id}/attachments", response={201: CaseAttachmentOut},
             summary="A session's photo, a signed scan of a document, evidence (sniffed by its bytes)")
def upload_case_attachment(request, case_id: int, file: File[UploadedFile],
                           session_id: int | None = Form(None, ge=1, le=MAX_INT),
                           document: str = Form("", max_length=30)):
    case = queries.access_case_for_user(request.auth, case_id)
    att = actions.case_attach(case=case, actor=request.auth, upload=file, session=session_id, document=document)
    return Answer(201, CaseAttachmentOut(id=att.id, name=att.name, size=att.size, content_type=att.content_type,
                                     session_id=att.session_id, document=att.document))


@router.get("/mediation/worklist", response=CaseWorklistOut, summary="The mediator's tabs and one tab's cases")
def worklist(request, bucket: str | None = Query(None, max_length=20),
             limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    if bucket is not None and bucket not in queries.CASE_BUCKETS:
        raise InvalidInput(_("bucket must be one of: %(b)s") % {"b": ", ".join(queries.CASE_BUCKETS)}, field="bucket")
    counts = queries.case_worklist_counts(request.auth)
    chosen = bucket or next((b for b in queries.CASE_BUCKETS if counts[b]), None)
    items = []
    if chosen:
        items = _summaries(queries.case_worklist(request.auth, chosen).order_by("applied_at", "id")[:limit])
    return CaseWorklistOut(counts=counts, bucket=chosen, items=items)


# ------------------------------------------------------------------------------- tasks


@router.get("/mediation/tasks", response=PoolTaskPage, summary="群英 tasks in the caller's scope")
def list_tasks(request, status: str | None = Query(None, max_length=12, description="A status, or 'open'"),
               mine: bool = Query(False, description="Only the tasks handed to me"),
               page: int = Query(1, ge=1, le=MAX_PAGE), page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    qs = queries.my_tasks(request.auth) if mine else queries.visible_tasks(request.auth)
    if status == "open":
        qs = qs.filter(status__in=TASK_OPEN_STATUSES)
    elif status:
        if status not in TaskStatus.values:
            raise InvalidInput(_("Unknown status: %(v)s") % {"v": status}, field="status")
        qs = qs.filter(status=status)
    count, rows = _page(qs.select_related(*TASK_RELATED).order_by("-dispatched_at", "-id"), page, page_size)
    return PoolTaskPage(count=count, page=page, page_size=page_size, items=task_outs(request.auth, rows))


@router.get("/mediation/tasks.xlsx", summary="The 群英 tasks in scope as a spreadsheet")
def export_tasks(request, status: str | None = Query(None, max_length=12)):
    qs = queries.visible_tasks(request.auth)
    if status:
        if status not in TaskStatus.values:
            raise InvalidInput(_("Unknown status: %(v)s") % {"v": status}, field="status")
        qs = qs.filter(status=status)
    if qs.count() > MAX_EXPORT_ROWS:
        raise InvalidInput(_("More than %(n)d tasks match: narrow the filters to export.") % {"n": MAX_EXPORT_ROWS},
                           code="too_many_rows")
    return _xlsx(exports.tasks_workbook(request.auth, qs), "qunying-tasks.xlsx")


@router.post("/mediation/tasks", response={201: PoolTaskOut}, summary="派单: hand the event to a 群英 member")
def dispatch_task(request, payload: PoolTaskIn):
    event = access_event_for_user(request.auth, payload.event_id)
    perms.require_dispatch(request.auth, event)
    member = PoolMember.objects.filter(pk=payload.member_id, active=True).select_related("person", "pool").first()
    if member is None:
        raise InvalidInput(_("No such 群英 member."), field="member_id")
    case = None
    if payload.case_id is not None:
        case = queries.access_case_for_user(request.auth, payload.case_id)
    task = actions.task_dispatch(actor=request.auth, event=event, member=member, instructions=payload.instructions,
                                 case=case)
    return Answer(201, task_out(request.auth, task))


@router.get("/mediation/tasks/{task_id}", response=PoolTaskOut)
def get_task(request, task_id: int):
    return task_out(request.auth, queries.access_task_for_user(request.auth, task_id))


@router.post("/mediation/tasks/{task_id}/actions", response=PoolTaskOut,
             summary="接单, 拒单, 反馈, 办结 …: {\"action\": …, its fields}")
def act_on_task(request, task_id: int, payload: PoolTaskActionIn):
    task = queries.access_task_for_user(request.auth, task_id)
    data = payload.dict(exclude_none=True)
    action = data.pop("action")
    actions.perform_task(task=task, actor=request.auth, action=action, data=data)
    return task_out(request.auth, task)


@router.get("/mediation/tasks/{task_id}/timeline", response=list[CaseTimelineEntry])
def task_timeline(request, task_id: int):
    task = queries.access_task_for_user(request.auth, task_id)
    return [CaseTimelineEntry(seq=a.seq, action=a.action, action_label=machine.TASK_MACHINE.label(a.action),
                          actor=a.actor_name, from_state=a.from_state, to_state=a.to_state, note=a.note,
                          details=a.details, created_at=a.created_at) for a in queries.task_timeline(task)]


@router.get("/mediation/events/{event_id}/members", response=list[PoolMemberOut],
            summary="The 群英 members who may take a task on this event (its place's pools)")
def members_for_event(request, event_id: int):
    event = access_event_for_user(request.auth, event_id)
    return [_member_out(m, n) for m, n in queries.members_for_event(event)]


# -------------------------------------------------------------------- registry, figures


@router.get("/mediation/mediators", response=list[MediatorOut], summary="Mediators, with their load")
def list_mediators(request, region_code: str | None = Query(None, max_length=32),
                   specialty: str | None = Query(None, max_length=12),
                   limit: int = Query(200, ge=1, le=MAX_PAGE_SIZE)):
    perms.require_centre(request.auth)
    qs = Mediator.objects.filter(active=True).select_related("person", "region", "org")
    if region_code:
        region = queries.region_for_user(request.auth, region_code)
        qs = qs.filter(county_id=region.county_id) if region.county_id else qs
    if specialty:
        if specialty not in Specialty.values:
            raise InvalidInput(_("Unknown specialty: %(v)s") % {"v": specialty}, field="specialty")
        qs = qs.filter(pk__in=[m.pk for m in qs if specialty in (m.specialties or [])])
    rows = list(qs.order_by("id")[:limit])
    loads = queries.mediator_loads(m.pk for m in rows)
    return [_mediator_out(m, loads.get(m.pk, 0)) for m in rows]


@router.get("/mediation/orgs", response=list[MediationOrgOut], summary="Committees, rooms and centres")
def list_orgs(request, kind: str | None = Query(None, max_length=12)):
    qs = MediationOrg.objects.filter(active=True).select_related("region", "lead__person")
    if kind:
        qs = qs.filter(kind=kind)
    return [MediationOrgOut(id=o.id, name=o.name, kind=o.kind, host=o.host, level=o.region.level, region=_region(o.region),
                   lead=o.lead.person.name if o.lead else None, address=o.address, phone=o.phone)
            for o in qs.order_by("region__code", "kind", "name")[:MAX_PAGE_SIZE]]


@router.get("/mediation/duty", response=list[DutyShiftOut], summary="Who is on duty at the centres")
def duty(request, at: dt.datetime | None = None):
    perms.require_centre(request.auth)
    moment = at or clock.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if not actions.EARLIEST <= moment < actions.LATEST:
        raise InvalidInput(_("“%(f)s” must lie between 2000 and 2100.") % {"f": "at"}, field="at")
    return [DutyShiftOut(org=s.org.name, person_id=s.person_id, name=s.person.name, role=s.role, starts_at=s.starts_at,
                    ends_at=s.ends_at) for s in queries.on_duty(moment)]


@router.get("/mediation/figures", response=list[MediationFigureOut],
            summary="Counts per mediator, organisation, room, committee, kind, department or town")
def figures(request, by: str = Query("kind", max_length=12), applied_from: dt.date | None = None,
            applied_to: dt.date | None = None):
    perms.require_centre(request.auth)
    if by not in queries.FIGURE_DIMENSIONS:
        raise InvalidInput(_("by must be one of: %(b)s") % {"b": ", ".join(queries.FIGURE_DIMENSIONS)}, field="by")
    start = queries.local_start(applied_from) if applied_from else None
    end = queries.local_start(min(applied_to, dt.date(2200, 1, 1)) + dt.timedelta(days=1)) if applied_to else None
    rows = queries.figures(by=by, cases=queries.visible_cases(request.auth), start=start, end=end)
    return [MediationFigureOut(key=r.key, name=r.name, cases=r.cases, settled=r.settled, ended=r.ended,
                      average_days=None if r.average_days is None else round(r.average_days, 2),
                      performed=r.performed, performance_checked=r.performance_checked, terms_due=r.terms_due,
                      terms_performed=r.terms_performed) for r in rows]
