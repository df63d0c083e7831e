"""A case's moves through the real actions: each legal from its states and refused (409) from
the others, the posts asked before the state (403 first), one audit row per move on the stream
mediation:<id>, and the dispute event carried along."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions as event_actions
from fengqiao.events.models import Assignment
from fengqiao.events.models import Status as EventStatus
from fengqiao.lib.errors import Conflict, IllegalTransition, InvalidInput, NotPermitted
from fengqiao.mediation import actions, machine
from fengqiao.mediation.models import (
    Case,
    CaseMediator,
    Channel,
    Outcome,
    Performance,
    Session,
    Status,
)
from fengqiao.notify.models import OutboxMessage
from fengqiao.workflow.models import Clock
from tests.factories import register
from tests.mediation.world import NIGHT_TIME, OFFICE_TIME, Centre, build_centre, frozen

APPLICANT = {"side": "applicant", "name": "柯某", "phone": "13912345678", "id_number": "350322199001011234"}
RESPONDENT = {"side": "respondent", "name": "吴某", "phone": "13987654321"}


def _valid_id(prefix17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(prefix17, weights, strict=True))
    return prefix17 + "10X98765432"[total % 11]


APPLICANT["id_number"] = _valid_id("35032219900101123")


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def stream(case: Case) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(stream=f"mediation:{case.pk}").order_by("seq"))


def open_case(centre: Centre, *, actor=None, at=OFFICE_TIME, **kwargs) -> Case:
    w = centre.world
    with frozen(at):
        event = register(w, actor=w.operator.user)
        return actions.case_open(actor=actor or centre.user("town_mediator"), event=event,
                                 org=centre.town_committee, kind=kwargs.pop("kind", "people"),
                                 parties=kwargs.pop("parties", [APPLICANT, RESPONDENT]), **kwargs)


def case_in(centre: Centre, status: str) -> Case:
    """A case in `status`, built through the actions."""
    actor = centre.user("town_mediator")
    case = open_case(centre)
    if status == Status.APPLIED:
        return case
    if status == Status.REFUSED:
        actions.case_refuse(case=case, actor=actor, reason="不属于人民调解范围")
        return Case.objects.get(pk=case.pk)
    actions.case_accept(case=case, actor=actor)
    if status == Status.ACCEPTED:
        return Case.objects.get(pk=case.pk)
    actions.case_assign(case=case, actor=actor, mediator=centre.town_mediator)
    actions.case_hold_session(case=case, actor=actor, place="度尾镇调委会", notes="双方陈述")
    if status == Status.MEDIATING:
        return Case.objects.get(pk=case.pk)
    if status in (Status.AGREED, Status.CLOSED):
        actions.case_agree(case=case, actor=actor, form="written", terms=[{"content": "吴某支付工资8000元",
                                                                          "due_on": "2025-03-20"}])
    elif status == Status.FAILED:
        actions.case_fail(case=case, actor=actor, reason="差距过大")
    elif status == Status.WITHDRAWN:
        actions.case_withdraw(case=case, actor=actor, reason="自行和解")
    elif status == Status.REFERRED:
        actions.case_refer(case=case, actor=actor, to="arbitration", note="引导劳动仲裁")
    if status == Status.CLOSED:
        actions.case_close(case=case, actor=actor)
    return Case.objects.get(pk=case.pk)


def test_opening_a_case_on_an_event_keeps_the_dispute_one_event(centre):
    case = open_case(centre)
    assert case.status == Status.APPLIED and case.channel == Channel.EVENT
    assert case.code.startswith("TJ-350322-2025-")
    assert case.region_id == centre.world.village_a.pk and case.town_id == centre.world.town.pk
    assert case.specialty == "labour"  # from the event's category 劳资纠纷
    assert [p.name for p in case.parties.all()] == ["柯某", "吴某"]
    rows = stream(case)
    assert [r.action for r in rows] == ["open"]
    assert rows[0].event_id is None  # the case's stream is its own; the event's timeline is untouched
    assert Clock.objects.get(workflow="mediation", record_id=case.pk).policy.key == "mediation.accept"
    with pytest.raises(Conflict):
        actions.case_open(actor=centre.user("town_mediator"), event=case.event, org=centre.town_committee,
                          kind="people")


def test_every_move_is_refused_from_a_state_that_does_not_allow_it(centre):
    actor = centre.user("town_mediator")
    refused = case_in(centre, Status.REFUSED)
    for action in ("accept", "assign", "agree", "close", "hold_session"):
        with pytest.raises(IllegalTransition):
            actions.perform_case(case=refused, actor=actor, action=action, data={})
    applied = case_in(centre, Status.APPLIED)
    for action in ("agree", "fail", "refer", "close", "hold_session", "check_term", "report_to_court"):
        with pytest.raises(IllegalTransition):
            actions.perform_case(case=applied, actor=actor, action=action, data={})
    closed = case_in(centre, Status.CLOSED)
    for action in ("accept", "agree", "close", "note", "withdraw"):
        with pytest.raises(IllegalTransition):
            actions.perform_case(case=closed, actor=actor, action=action, data={})


def test_the_whole_way_from_application_to_closed_case(centre):
    actor = centre.user("town_mediator")
    case = case_in(centre, Status.CLOSED)
    assert case.status == Status.CLOSED and case.outcome == Outcome.WRITTEN
    assert [r.action for r in stream(case)] == ["open", "accept", "assign", "hold_session", "agree", "close"]
    assert [(r.from_state, r.to_state) for r in stream(case)][1:] == [
        ("applied", "accepted"), ("accepted", "accepted"), ("accepted", "mediating"),
        ("mediating", "agreed"), ("agreed", "closed")]
    terms = list(case.agreement.terms.all())
    assert [t.content for t in terms] == ["吴某支付工资8000元"] and terms[0].due_on == dt.date(2025, 3, 20)
    actions.case_check_term(case=case, actor=actor, term=terms[0].pk, status="performed", note="已转账")
    case.agreement.refresh_from_db()
    assert case.agreement.performance == Performance.PERFORMED


def test_permission_is_asked_before_the_state(centre):
    """The other town's mediator may not act on this town's case — 403 even where the state would
    also refuse (409)."""
    outsider = centre.user("other_mediator")
    closed = case_in(centre, Status.CLOSED)
    with pytest.raises(NotPermitted):
        actions.perform_case(case=closed, actor=outsider, action="accept", data={})
    applied = case_in(centre, Status.APPLIED)
    with pytest.raises(NotPermitted):
        actions.perform_case(case=applied, actor=outsider, action="agree", data={"form": "nonsense"})


def test_a_mediator_on_the_case_handles_but_does_not_decide(centre):
    """李中秋 (no post) is put on the case: he records sessions and outcomes, but acceptance and
    closing are the officers'."""
    officer = centre.user("town_mediator")
    case = case_in(centre, Status.APPLIED)
    li = centre.user("brand_mediator")
    with pytest.raises(NotPermitted):
        actions.case_accept(case=case, actor=li)
    actions.case_accept(case=case, actor=officer)
    actions.case_assign(case=case, actor=officer, mediator=centre.brand_mediator, reason="专长:土地山林")
    actions.case_hold_session(case=case, actor=li, place="和合说事工作室", mode="back_to_back", notes="分头做工作")
    actions.case_fail(case=case, actor=li, reason="双方分歧过大")
    with pytest.raises(NotPermitted):
        actions.case_close(case=case, actor=li)
    actions.case_close(case=case, actor=officer)


def test_refusal_needs_a_reason_and_stops_the_acceptance_clock(centre):
    case = case_in(centre, Status.APPLIED)
    with pytest.raises(InvalidInput):
        actions.case_refuse(case=case, actor=centre.user("town_mediator"), reason="  ")
    with frozen(OFFICE_TIME + dt.timedelta(days=1)):
        actions.case_refuse(case=case, actor=centre.user("town_mediator"), reason="已起诉至法院")
    clock_row = Clock.objects.get(workflow="mediation", record_id=case.pk, policy__key="mediation.accept")
    assert clock_row.stopped_at is not None and clock_row.outcome == "met"
    assert stream(case)[-1].note == "已起诉至法院"


def test_acceptance_starts_the_thirty_day_handling_limit(centre):
    case = case_in(centre, Status.APPLIED)
    with frozen(OFFICE_TIME):
        actions.case_accept(case=case, actor=centre.user("town_mediator"))
    handle = Clock.objects.get(workflow="mediation", record_id=case.pk, policy__key="mediation.handle")
    assert handle.stopped_at is None
    # 2025-03-04 + 30 calendar days = 2025-04-03, the end of the day, local time
    assert handle.due_at.astimezone(OFFICE_TIME.tzinfo).date() == dt.date(2025, 4, 3)


def test_assigning_binds_the_mediator_to_the_event_and_the_lead_is_one(centre):
    case = case_in(centre, Status.ACCEPTED)
    officer = centre.user("town_mediator")
    actions.case_assign(case=case, actor=officer, mediator=centre.town_mediator)
    actions.case_assign(case=case, actor=officer, mediator=centre.county_mediator)  # the new lead
    leads = CaseMediator.objects.filter(case=case, role="lead", active=True)
    assert [cm.mediator_id for cm in leads] == [centre.county_mediator.pk]
    bound = Assignment.objects.filter(event=case.event, role="mediator", active=True)
    assert {a.person_id for a in bound} == {centre.town_mediator.person_id, centre.county_mediator.person_id}
    assert AuditEntry.objects.filter(stream=f"event:{case.event_id}", action="add_assignee").count() == 2
    assert OutboxMessage.objects.filter(template="mediation_assigned").count() == 2
    with pytest.raises(Conflict):
        actions.case_assign(case=case, actor=officer, mediator=centre.county_mediator)


def test_agreement_by_the_bound_mediator_resolves_the_event(centre):
    case = case_in(centre, Status.MEDIATING)
    event = case.event
    assert event.status == EventStatus.DISPATCHED
    actions.case_agree(case=case, actor=centre.user("town_mediator"), form="written",
                       terms=[{"content": "吴某一次性支付工资8000元", "due_on": "2025-03-20"}])
    event.refresh_from_db()
    assert event.status == EventStatus.RESOLVED  # acknowledged, then resolved, by the mediator
    resolved = AuditEntry.objects.get(stream=f"event:{event.pk}", action="resolve")
    assert resolved.actor == centre.user("town_mediator")
    assert "达成书面调解协议" in resolved.note and case.code in resolved.note
    assert stream(case)[-1].details["event"] == "resolve"


def test_agreement_recorded_by_someone_not_bound_leaves_the_event_to_its_people(centre):
    """The county operator records the agreement: the events' rules do not let them resolve an
    event they are not bound to, so the outcome is a comment and the bound people are texted."""
    case = case_in(centre, Status.MEDIATING)
    operator = centre.world.operator.user
    actions.case_agree(case=case, actor=operator, form="oral", terms=[{"content": "互相道歉"}])
    event = case.event
    event.refresh_from_db()
    assert event.status == EventStatus.DISPATCHED
    comment = AuditEntry.objects.get(stream=f"event:{event.pk}", action="comment")
    assert "达成口头调解协议" in comment.note
    told = OutboxMessage.objects.filter(template="mediation_outcome")
    bound = {a.person_id for a in Assignment.objects.filter(event=event, active=True)}
    assert {m.person_id for m in told} == bound and centre.world.police_a.pk in bound
    # An oral agreement is not for judicial confirmation: no §33 clock.
    assert not Clock.objects.filter(workflow="mediation", record_id=case.pk, policy__key="mediation.confirm").exists()


def test_no_agreement_comments_on_the_event_which_goes_on(centre):
    case = case_in(centre, Status.FAILED)
    event = case.event
    event.refresh_from_db()
    assert event.status == EventStatus.DISPATCHED
    assert "调解不成" in AuditEntry.objects.get(stream=f"event:{event.pk}", action="comment").note
    assert case.outcome == Outcome.NO_AGREEMENT


def test_an_event_resolved_meanwhile_is_left_alone(centre):
    case = case_in(centre, Status.MEDIATING)
    police = centre.world.police_a.user
    event_actions.event_acknowledge(event=case.event, actor=police)
    event_actions.event_resolve(event=case.event, actor=police, result="村里已调处")
    actions.case_agree(case=case, actor=centre.user("town_mediator"), form="written", terms=[{"content": "付款"}])
    assert stream(case)[-1].details["event"] == "none"
    assert AuditEntry.objects.filter(stream=f"event:{case.event_id}", action="resolve").count() == 1


def test_session_scheduling_seats_departments_and_tells_parties(centre):
    case = case_in(centre, Status.ACCEPTED)
    actor = centre.user("town_mediator")
    actions.case_assign(case=case, actor=actor, mediator=centre.town_mediator)
    session = actions.case_schedule_session(
        case=case, actor=actor, scheduled_for="2025-03-06T09:30", place="县矛调中心联合调解室",
        seats=[{"kind": "labour", "representative": "劳动保障所张所长"},
               {"kind": "safety", "representative": "安监中队李队长"},
               {"kind": "legal_adviser", "representative": "法律顾问陈律师"}])
    case.refresh_from_db()
    assert case.joint and session.state == Session.State.SCHEDULED
    assert [s.kind for s in session.seats.all()] == ["labour", "safety", "legal_adviser"]
    to_parties = OutboxMessage.objects.filter(template="mediation_session_party")
    assert sorted(m.recipient for m in to_parties) == ["13912345678", "13987654321"]
    party_ids = list(case.parties.values_list("pk", flat=True))
    held = actions.case_hold_session(case=case, actor=actor, session=session.pk, attendees=["程忠定", "张所长"],
                                     parties_present=party_ids, notes="一个多小时达成一致")
    assert held.state == Session.State.HELD and held.parties_present.count() == 2
    case.refresh_from_db()
    assert case.status == Status.MEDIATING
    with pytest.raises(IllegalTransition):
        actions.case_hold_session(case=case, actor=actor, session=session.pk, notes="again")
    with pytest.raises(InvalidInput):
        actions.case_schedule_session(case=case, actor=actor, scheduled_for="tomorrow", place="x")
    with pytest.raises(InvalidInput):
        actions.case_schedule_session(case=case, actor=actor, scheduled_for="2025-03-07T09:00", place="x",
                                      seats=[{"kind": "army", "representative": "x"}])


def test_parties_are_checked(centre):
    w = centre.world
    event = register(w, actor=w.operator.user)
    actor = centre.user("town_mediator")
    for bad in ([{"side": "applicant", "name": "柯某", "id_number": "350322199001011230"}],
                [{"side": "applicant", "name": "柯某", "phone": "call me"}],
                [{"side": "respondent", "name": "吴某"}],
                [{"side": "judge", "name": "x"}]):
        with pytest.raises(InvalidInput):
            actions.case_open(actor=actor, event=event, org=centre.town_committee, kind="people", parties=bad)
    # A firm's unified social credit code passes its own check digit (a real one: 91110000802100433B).
    assert actions.valid_id_number("91110000802100433B")
    assert not actions.valid_id_number("91110000802100433C")
    firm = actions.case_open(actor=actor, event=event, org=centre.town_committee, kind="people", parties=[
        APPLICANT, {"side": "respondent", "name": "某某鞋业有限公司", "is_organisation": True,
                    "id_number": "91110000802100433b"}])
    assert firm.parties.get(side="respondent").id_number == "91110000802100433B"


def test_window_case_registers_its_event_through_the_door(centre):
    w = centre.world
    with frozen(OFFICE_TIME):
        case = actions.case_open_from_window(
            actor=centre.user("town_mediator"), org=centre.town_committee, kind="people", title="王某工伤赔偿",
            description="车间受伤,十级伤残,与企业主赔偿金额分歧", region=w.village_a, specialty="work_injury",
            parties=[{"side": "applicant", "name": "王某", "phone": "13911112222"},
                     {"side": "respondent", "name": "李某"}])
    assert case.channel == Channel.WINDOW
    event = case.event
    assert event.source == "walk_in" and event.category.code == "dispute.work_injury"
    assert event.status == EventStatus.DISPATCHED  # filed under the village, 3 bound at once
    assert AuditEntry.objects.filter(stream=f"event:{event.pk}", action="intake").exists()
    assert [p.name for p in event.parties.all()] == ["王某", "李某"]
    assert not case.received_out_of_hours


def test_court_referral_runs_the_courts_deadline_and_reports_back(centre):
    w = centre.world
    actor = centre.user("town_mediator")
    with frozen(OFFICE_TIME):
        case = actions.case_open_from_court(
            actor=actor, org=centre.court_room, court_name="仙游县人民法院", court_case_number="(2025)闽0322民诉前调1号",
            court_deadline="2025-03-25T17:00", title="买卖合同纠纷", description="货款未付", region=w.village_a,
            parties=[APPLICANT, RESPONDENT])
    assert case.kind == "pre_litigation" and case.event.dispute_source == "litigation"
    court = Clock.objects.get(workflow="mediation", record_id=case.pk, policy__key="mediation.court")
    assert court.due_at == dt.datetime(2025, 3, 25, 17, 0, tzinfo=OFFICE_TIME.tzinfo)
    with pytest.raises(Conflict):
        actions.case_open_from_court(
            actor=actor, org=centre.court_room, court_name="仙游县人民法院", court_case_number="(2025)闽0322民诉前调1号",
            title="again", description="", region=w.village_a, parties=[APPLICANT])
    actions.case_accept(case=case, actor=actor)
    actions.case_fail(case=case, actor=actor, reason="被告不同意调解")
    with pytest.raises(IllegalTransition) as refused:
        actions.case_close(case=case, actor=actor)
    assert refused.value.code == "report_to_court_first"
    with frozen(OFFICE_TIME + dt.timedelta(days=10)):
        actions.case_report_to_court(case=case, actor=actor, report="调解不成,退回立案")
    court.refresh_from_db()
    assert court.outcome == "met"
    with pytest.raises(IllegalTransition):
        actions.case_report_to_court(case=case, actor=actor, report="again")
    actions.case_close(case=case, actor=actor)


def test_a_case_arriving_out_of_hours_texts_who_is_on_duty(centre):
    w = centre.world
    police = centre.world.police_a
    actions.duty_shift_add(actor=None, org=centre.centre, person=police, role="police",
                           starts_at=NIGHT_TIME - dt.timedelta(hours=4), ends_at=NIGHT_TIME + dt.timedelta(hours=10))
    actions.duty_shift_add(actor=None, org=centre.centre, person=centre.county_mediator.person, role="mediator",
                           starts_at=NIGHT_TIME - dt.timedelta(hours=4), ends_at=NIGHT_TIME + dt.timedelta(hours=10))
    with frozen(NIGHT_TIME):
        case = actions.case_open_from_window(
            actor=w.operator.user, org=centre.centre, kind="people", title="夜间来访",
            description="邻里噪音", region=w.village_b, parties=[{"side": "applicant", "name": "蔡某"}])
    assert case.received_out_of_hours
    told = OutboxMessage.objects.filter(template="mediation_arrived")
    assert {m.person_id for m in told} == {police.pk, centre.county_mediator.person_id}
    assert set(stream(case)[0].details["on_duty"]) == {police.pk, centre.county_mediator.person_id}


def test_office_hours_follow_the_holiday_schedule(centre):
    from fengqiao.mediation.queries import is_office_hours

    assert is_office_hours(OFFICE_TIME)
    assert not is_office_hours(NIGHT_TIME)
    # 2025-04-27 (a Sunday) was a make-up working day for 劳动节; 2025-05-02 (a Friday) a holiday.
    assert is_office_hours(dt.datetime(2025, 4, 27, 10, 0, tzinfo=OFFICE_TIME.tzinfo))
    assert not is_office_hours(dt.datetime(2025, 5, 2, 10, 0, tzinfo=OFFICE_TIME.tzinfo))


def test_extension_moves_the_handling_limit(centre):
    case = case_in(centre, Status.ACCEPTED)
    handle = Clock.objects.get(workflow="mediation", record_id=case.pk, policy__key="mediation.handle")
    before = handle.due_at
    actions.case_extend(case=case, actor=centre.user("town_mediator"), days=15, reason="双方同意延长")
    handle.refresh_from_db()
    assert handle.due_at - before == dt.timedelta(days=15) and handle.extended_days == 15
    with pytest.raises(InvalidInput):
        actions.case_extend(case=case, actor=centre.user("town_mediator"), days=90, reason="x")


def test_the_machine_names_every_move_and_its_label():
    assert set(machine.ACTIONS) >= {"accept", "refuse", "assign", "hold_session", "agree", "fail", "withdraw",
                                    "refer", "report_to_court", "check_term", "follow_up", "apply_confirmation",
                                    "record_confirmation", "close"}
    assert all(len(s) <= 12 for s in Status.values)


STATES = [Status.APPLIED, Status.ACCEPTED, Status.MEDIATING, Status.AGREED, Status.FAILED, Status.WITHDRAWN,
          Status.REFERRED, Status.REFUSED, Status.CLOSED]


@pytest.mark.parametrize("status", STATES)
def test_each_move_is_legal_exactly_from_the_states_the_machine_names(centre, status):
    """For every state and every move: a move the table does not allow from the state is a 409
    naming the state; one it allows gets past the state (it may still want input: 400, or a
    guard: 409 with the guard's own code)."""
    case = case_in(centre, status)
    assert case.status == status
    actor = centre.user("town_mediator")
    for action, move in machine.MOVES.items():
        try:
            actions.perform_case(case=case.pk, actor=actor, action=action, data={})
        except IllegalTransition as refused:
            if status in move.sources:
                assert refused.code != "illegal_transition", (action, status, refused.message)
            else:
                assert refused.code == "illegal_transition" and status in refused.message, (action, status)
            continue
        except (InvalidInput, Conflict):
            assert status in move.sources, (action, status)
            continue
        assert status in move.sources, (action, status)
        case = Case.objects.get(pk=case.pk)
        if case.status != status:  # the move moved it (accept, close …): start again from the state
            case = case_in(centre, status)
