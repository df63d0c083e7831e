"""The mediation centre's limits on the shared clocks: acceptance in working days across 调休,
handling in calendar days across a month end, the court's own deadline, and §33's 30 days for
judicial confirmation warned by the scanner before they run out."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import IllegalTransition
from fengqiao.mediation import actions
from fengqiao.mediation.models import Case, Confirmation, Status
from fengqiao.notify.models import OutboxMessage
from fengqiao.workflow import clocks
from fengqiao.workflow.models import CalendarDay, Clock, ClockPolicy
from tests.factories import register
from tests.mediation.world import Centre, build_centre, frozen

TZ = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def clock_of(case: Case, key: str) -> Clock:
    return Clock.objects.get(workflow="mediation", record_id=case.pk, policy__key=key)


def opened(centre: Centre, moment: dt.datetime) -> Case:
    w = centre.world
    with frozen(moment):
        event = register(w, actor=w.operator.user)
        return actions.case_open(actor=centre.user("town_mediator"), event=event, org=centre.town_committee,
                                 kind="people", parties=[{"side": "applicant", "name": "柯某"}])


@pytest.mark.django_db
def test_the_policies_ship_with_their_basis():
    rows = {p.key: p for p in ClockPolicy.objects.filter(key__startswith="mediation.")}
    assert {k: (p.days, p.day_kind) for k, p in rows.items()} == {
        "mediation.accept": (3, "working"), "mediation.handle": (30, "calendar"),
        "mediation.court": (30, "calendar"), "mediation.confirm": (30, "calendar"),
        "mediation.task": (7, "calendar")}
    assert "第三十三条" in rows["mediation.confirm"].basis and "一个月" in rows["mediation.handle"].basis


def test_acceptance_counts_working_days_across_the_labour_day_holiday(centre):
    """Opened Wednesday 2025-04-30: 1–5 May are holidays, so the three working days are 6, 7 and 8 May."""
    case = opened(centre, at(2025, 4, 30))
    assert clock_of(case, "mediation.accept").due_at == at(2025, 5, 8, 23, 59).replace(second=59)


def test_acceptance_counts_a_make_up_sunday(centre):
    """Opened Friday 2025-09-26: Sunday the 28th is a working day (调休), so due the 30th."""
    case = opened(centre, at(2025, 9, 26, 16))
    assert clock_of(case, "mediation.accept").due_at.date() == dt.date(2025, 9, 30)


def test_the_admins_calendar_corrects_the_schedule(centre):
    CalendarDay.objects.create(date=dt.date(2025, 9, 29), kind="holiday", note="本地临时放假")
    case = opened(centre, at(2025, 9, 26, 16))
    assert clock_of(case, "mediation.accept").due_at.date() == dt.date(2025, 10, 9)  # 28, 30, then 9 Oct


def test_handling_counts_calendar_days_across_a_month_end(centre):
    case = opened(centre, at(2025, 1, 30))
    with frozen(at(2025, 1, 31, 9)):
        actions.case_accept(case=case, actor=centre.user("town_mediator"))
    assert clock_of(case, "mediation.handle").due_at.date() == dt.date(2025, 3, 2)  # 28 days in February
    assert clock_of(case, "mediation.accept").outcome == "met"


def test_accepting_late_is_recorded_as_late(centre):
    case = opened(centre, at(2025, 3, 4))  # due the end of Friday 7 March
    with frozen(at(2025, 3, 10, 9)):
        actions.case_accept(case=case, actor=centre.user("town_mediator"))
    assert clock_of(case, "mediation.accept").outcome == "late"


def test_the_acceptance_limit_is_warned_and_noticed_through_the_case_stream(centre):
    case = opened(centre, at(2025, 3, 4))  # due 2025-03-07 23:59:59, warned one day before
    actions.case_assign(case=case, actor=centre.user("town_mediator"), mediator=centre.town_mediator)
    assert clocks.scan(now=at(2025, 3, 7, 8))["warned"] == 1
    assert clocks.scan(now=at(2025, 3, 8, 8))["overdue"] == 1
    rows = list(AuditEntry.objects.filter(stream=f"mediation:{case.pk}").order_by("seq"))
    assert [r.action for r in rows][-2:] == ["clock_warning", "clock_overdue"]
    assert rows[-1].details["clock"] == "mediation.accept"
    texts = OutboxMessage.objects.filter(template__in=["clock_warning", "clock_overdue"])
    assert {t.person_id for t in texts} == {centre.town_mediator.person_id}
    assert all(case.code in t.body for t in texts)


def agreed(centre: Centre, signed: dt.datetime, *, form="written", kind="people") -> Case:
    w = centre.world
    actor = centre.user("town_mediator")
    with frozen(signed - dt.timedelta(days=2)):
        event = register(w, actor=w.operator.user)
        case = actions.case_open(actor=actor, event=event, org=centre.town_committee, kind=kind,
                                 parties=[{"side": "applicant", "name": "柯某"}, {"side": "respondent", "name": "吴某"}])
        actions.case_accept(case=case, actor=actor)
        actions.case_assign(case=case, actor=actor, mediator=centre.town_mediator)
    with frozen(signed):
        actions.case_agree(case=case, actor=actor, form=form, terms=[{"content": "吴某支付8000元",
                                                                      "due_on": "2025-03-20"}])
    return Case.objects.get(pk=case.pk)


def test_an_agreement_starts_the_section_33_window_and_it_is_warned_before_it_closes(centre):
    case = agreed(centre, at(2025, 3, 4, 15))
    window = clock_of(case, "mediation.confirm")
    assert window.due_at == dt.datetime(2025, 4, 3, 23, 59, 59, tzinfo=TZ)
    assert clock_of(case, "mediation.handle").outcome == "met"
    assert clocks.scan(now=at(2025, 3, 29, 12))["warned"] == 0
    assert clocks.scan(now=at(2025, 3, 30, 8))["warned"] == 1
    warning = AuditEntry.objects.filter(stream=f"mediation:{case.pk}").order_by("-seq").first()
    assert warning.action == "clock_warning" and warning.details["clock"] == "mediation.confirm"
    assert warning.from_state == warning.to_state == Status.AGREED
    text = OutboxMessage.objects.get(template="clock_warning")
    assert text.person_id == centre.town_mediator.person_id and "司法确认申请期限" in text.body
    assert "2025-04-03 23:59" in text.body
    # Applied within the window: the clock stops in time.
    with frozen(at(2025, 4, 1)):
        actions.case_apply_confirmation(case=case, actor=centre.user("town_mediator"), court_name="仙游县人民法院")
    window.refresh_from_db()
    assert window.outcome == "met"
    assert clocks.scan(now=at(2025, 4, 5))["overdue"] == 0
    with frozen(at(2025, 4, 10)):
        actions.case_record_confirmation(case=case, actor=centre.user("town_mediator"), decision="confirmed",
                                         court_case_number="(2025)闽0322民特12号")
    assert case.agreement.confirmation.decision == Confirmation.Decision.CONFIRMED
    with pytest.raises(IllegalTransition):
        actions.case_apply_confirmation(case=case, actor=centre.user("town_mediator"), court_name="again")


def test_after_thirty_days_the_court_no_longer_takes_the_application(centre):
    case = agreed(centre, at(2025, 3, 4, 15))
    assert clocks.scan(now=at(2025, 4, 4, 1))["overdue"] == 1
    with frozen(at(2025, 4, 4, 9)), pytest.raises(IllegalTransition) as refused:
        actions.case_apply_confirmation(case=case, actor=centre.user("town_mediator"), court_name="仙游县人民法院")
    assert refused.value.code == "confirmation_window_closed"


def test_no_window_for_an_oral_agreement_or_a_judicial_settlement(centre):
    oral = agreed(centre, at(2025, 3, 4), form="oral")
    judicial = agreed(centre, at(2025, 3, 4), kind="judicial")
    for case in (oral, judicial):
        assert not Clock.objects.filter(workflow="mediation", record_id=case.pk, policy__key="mediation.confirm").exists()
        with pytest.raises(IllegalTransition) as refused:
            actions.case_apply_confirmation(case=case, actor=centre.user("town_mediator"), court_name="法院")
        assert refused.value.code == "not_confirmable"


def test_the_window_runs_on_after_the_file_is_closed(centre):
    case = agreed(centre, at(2025, 3, 4))
    with frozen(at(2025, 3, 5)):
        actions.case_close(case=case, actor=centre.user("town_mediator"))
    assert clock_of(case, "mediation.confirm").stopped_at is None
    with frozen(at(2025, 3, 20)):
        actions.case_apply_confirmation(case=case, actor=centre.user("town_mediator"), court_name="仙游县人民法院")
    assert clock_of(case, "mediation.confirm").outcome == "met"
