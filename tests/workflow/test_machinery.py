"""The shared machinery on its own: a machine's gate, the one transition function, working-day
counting across 调休 and month ends, running limits and the scanner that warns and notices them
once, through the owning workflow's transition (audited, texted)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events.models import Assignment, Event
from fengqiao.lib import clock
from fengqiao.lib.errors import IllegalTransition, InvalidInput, NotPermitted
from fengqiao.notify.models import OutboxMessage
from fengqiao.workflow import clocks
from fengqiao.workflow.machine import Guard, Machine, Move
from fengqiao.workflow.models import CalendarDay, Clock, ClockPolicy, DayKind
from fengqiao.workflow.transition import _REGISTRY, Workflow, perform, register
from tests.factories import register as register_event

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _local(y, m, d, h=10, minute=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=SH)


# ----------------------------------------------------------------------------- the machine

PROBE = Machine(
    "probe",
    moves={
        "flag": Move(frozenset({"dispatched", "in_progress"}), None, "Flag",
                     guard="not_high_risk"),
        "note": Move(frozenset({"dispatched"}), None, "Note"),
    },
    guards={"not_high_risk": Guard(lambda e: not e.high_risk, "already_flagged", "Flagged already.")},
    state_label=lambda s: s.upper(),
    noun="probe",
)


def test_a_machine_refuses_unknown_actions_moves_from_the_wrong_state_and_failed_guards():
    class Rec:
        status = "dispatched"
        high_risk = False

    rec = Rec()
    assert PROBE.offered(rec) == ["flag", "note"]
    with pytest.raises(InvalidInput) as unknown:
        PROBE.check("dispatched", "fly")
    assert unknown.value.code == "unknown_action"
    with pytest.raises(IllegalTransition) as wrong:
        PROBE.check("closed", "note")
    assert "CLOSED" in wrong.value.message and "probe" in wrong.value.message
    rec.high_risk = True
    assert not PROBE.legal_now(rec, "flag") and PROBE.legal_now(rec, "note")
    with pytest.raises(IllegalTransition) as guarded:
        PROBE.check_guard(rec, "flag")
    assert guarded.value.code == "already_flagged"


def test_a_machine_naming_a_guard_it_does_not_have_is_refused_at_once():
    with pytest.raises(ValueError):
        Machine("bad", moves={"x": Move(frozenset({"a"}), "b", "X", guard="nope")},
                state_label=str)


# ------------------------------------------------------------------- the transition function


@pytest.fixture
def probe_flow(world):
    """A second workflow over the events' own rows: the transition, the clocks and the scanner
    have nothing particular to events in them."""

    def require(actor, event, action):
        if actor.username != world.user("secretary_a").username:
            raise NotPermitted("only the secretary")

    def recipients(event, running):
        return [a.person for a in Assignment.objects.filter(event=event, active=True)]

    flow = register(Workflow(
        machine=PROBE, model=Event, require=require, stream=lambda e: f"probe:{e.pk}",
        event_of=lambda e: e, clock_recipients=recipients,
        clock_params=lambda e, running: {"code": e.code, "title": e.title},
    ))
    yield flow
    _REGISTRY.pop("probe", None)


def _flag_body(event, step):
    event.high_risk = True
    step.fields.add("high_risk")
    step.note = "looked at it"
    step.details["why"] = "test"


def test_a_transition_checks_posts_before_state_then_writes_the_row_and_one_audit_row(world, probe_flow):
    event = register_event(world)
    actions.event_acknowledge(event=event, actor=world.user("secretary_a"))  # in progress now
    # "note" is illegal from in progress: the secretary hears 409, the operator 403 — the posts
    # decide first, so nobody learns from the answer what they may not do.
    with pytest.raises(NotPermitted):
        perform(probe_flow, event, actor=world.user("operator"), action="note", body=_flag_body)
    with pytest.raises(IllegalTransition):
        perform(probe_flow, event, actor=world.user("secretary_a"), action="note", body=_flag_body)
    with pytest.raises(InvalidInput):  # an unknown action is refused as such, for anyone
        perform(probe_flow, event, actor=world.user("operator"), action="fly", body=_flag_body)
    perform(probe_flow, event, actor=world.user("secretary_a"), action="flag", body=_flag_body)
    event.refresh_from_db()
    assert event.high_risk
    rows = list(AuditEntry.objects.filter(stream=f"probe:{event.pk}"))
    assert [(r.action, r.note, r.details) for r in rows] == [("flag", "looked at it", {"why": "test"})]
    assert rows[0].actor_name == world.secretary_a.name
    # The guard now refuses a second flag, and nothing more is written.
    with pytest.raises(IllegalTransition):
        perform(probe_flow, event, actor=world.user("secretary_a"), action="flag", body=_flag_body)
    assert AuditEntry.objects.filter(stream=f"probe:{event.pk}").count() == 1
    assert audit.verify() is None


def test_a_body_that_fails_leaves_nothing_written(world, probe_flow):
    event = register_event(world)

    def failing(e, step):
        _flag_body(e, step)
        raise InvalidInput("no")

    with pytest.raises(InvalidInput):
        perform(probe_flow, event, actor=world.user("secretary_a"), action="flag", body=failing)
    event.refresh_from_db()
    assert not event.high_risk
    assert not AuditEntry.objects.filter(stream=f"probe:{event.pk}").exists()


# ---------------------------------------------------------------------------------- counting


def test_working_days_skip_the_national_day_holiday_and_count_its_make_up_saturday():
    # 2026: 国庆 and 中秋 rest 1–7 October; Saturday 10 October is a make-up working day.
    deadline = clocks.compute(start=_local(2026, 9, 30), days=5, day_kind=DayKind.WORKING)
    # Working days after 30 Sep: 8 (Thu), 9 (Fri), 10 (Sat, 调休), 12 (Mon), 13 (Tue).
    assert timezone_date(deadline.at) == dt.date(2026, 10, 13)
    assert not deadline.approximate


def test_calendar_days_run_across_a_month_end_to_the_last_second_of_the_day():
    deadline = clocks.compute(start=_local(2027, 1, 20, 16, 45), days=15, day_kind=DayKind.CALENDAR)
    local = deadline.at.astimezone(SH)
    assert (local.date(), local.time()) == (dt.date(2027, 2, 4), dt.time(23, 59, 59))


def test_the_admins_calendar_overrides_the_published_schedule():
    CalendarDay.objects.create(date=dt.date(2026, 3, 3), kind=CalendarDay.Kind.HOLIDAY, note="local")
    deadline = clocks.compute(start=_local(2026, 3, 2), days=1, day_kind=DayKind.WORKING)
    assert timezone_date(deadline.at) == dt.date(2026, 3, 4)


def test_a_year_no_calendar_covers_is_counted_without_weekends_and_marked_approximate():
    deadline = clocks.compute(start=_local(2099, 3, 6), days=1, day_kind=DayKind.WORKING)  # a Friday
    assert timezone_date(deadline.at) == dt.date(2099, 3, 9) and deadline.approximate


def timezone_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SH).date()


# --------------------------------------------------------------------- running limits, scanner


def _policy(**kw) -> ClockPolicy:
    values = {"key": "probe.answer", "workflow": "probe", "name": "答复期限", "days": 5,
              "day_kind": DayKind.WORKING, "warn_days": 2, "basis": "测试"}
    values.update(kw)
    return ClockPolicy.objects.create(**values)


def test_a_limit_is_warned_once_before_and_noticed_once_after_through_the_workflow(world, probe_flow):
    _policy()
    with clock.frozen(_local(2026, 9, 30)):
        event = register_event(world)
        with transaction.atomic():
            running = clocks.start(workflow="probe", record=event, key="probe.answer")
            assert clocks.start(workflow="probe", record=event, key="probe.answer").pk == running.pk
    assert timezone_date(running.due_at) == dt.date(2026, 10, 13)
    assert timezone_date(running.warn_at) == dt.date(2026, 10, 11)
    bound = Assignment.objects.filter(event=event, active=True).count()
    assert bound >= 3

    assert clocks.scan(now=_local(2026, 10, 10)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert clocks.scan(now=_local(2026, 10, 12)) == {"warned": 1, "overdue": 0, "errors": 0}
    assert clocks.scan(now=_local(2026, 10, 12, 11)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert clocks.scan(now=_local(2026, 10, 14)) == {"warned": 0, "overdue": 1, "errors": 0}
    assert clocks.scan(now=_local(2026, 10, 15)) == {"warned": 0, "overdue": 0, "errors": 0}

    rows = list(AuditEntry.objects.filter(stream=f"probe:{event.pk}").order_by("seq"))
    assert [r.action for r in rows] == ["clock_warning", "clock_overdue"]
    assert rows[0].details["clock"] == "probe.answer" and rows[0].actor_name == "system"
    warned = OutboxMessage.objects.filter(event=event, template="clock_warning")
    assert warned.count() == bound
    assert "答复期限" in warned.first().body and event.code in warned.first().body
    assert OutboxMessage.objects.filter(event=event, template="clock_overdue").count() == bound


def test_a_stopped_limit_is_not_noticed_and_says_whether_it_was_met_in_time(world, probe_flow):
    _policy(day_kind=DayKind.CALENDAR, days=15)
    with clock.frozen(_local(2027, 1, 20)):
        event = register_event(world)
        with transaction.atomic():
            clocks.start(workflow="probe", record=event, key="probe.answer")
    with clock.frozen(_local(2027, 2, 3)), transaction.atomic():
        stopped = clocks.stop(workflow="probe", record=event, key="probe.answer")
    assert stopped is not None and stopped.outcome == Clock.Outcome.MET
    assert clocks.scan(now=_local(2027, 3, 1)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert not AuditEntry.objects.filter(stream=f"probe:{event.pk}").exists()


def test_an_extension_moves_the_limit_as_its_policy_counts_and_warns_again(world, probe_flow):
    _policy()
    with clock.frozen(_local(2026, 9, 30)):
        event = register_event(world)
        with transaction.atomic():
            clocks.start(workflow="probe", record=event, key="probe.answer")
    assert clocks.scan(now=_local(2026, 10, 12))["warned"] == 1
    with transaction.atomic():
        extended = clocks.extend(workflow="probe", record=event, key="probe.answer", days=3,
                                 reason="需补充材料")
    # 13 Oct + 3 working days: 14, 15, 16 October.
    assert timezone_date(extended.due_at) == dt.date(2026, 10, 16)
    assert extended.extended_days == 3 and extended.warned_at is None
    assert clocks.scan(now=_local(2026, 10, 15))["warned"] == 1
    with pytest.raises(InvalidInput), transaction.atomic():
        clocks.extend(workflow="probe", record=event, key="probe.other", days=3, reason="x")


def test_scan_clocks_command_reports_what_it_did(world, probe_flow):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("scan_clocks", stdout=out)
    assert out.getvalue().strip() == "clock warnings: 0, overdue notices: 0, errors: 0"
