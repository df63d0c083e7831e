"""Check-ins from the phone: the position against the outline, only the plan's own cadre, one
stay open at a time, what was done (and what the platform saw them do), the check-out limit
noticed by the scanner, every step on the plan's audit stream."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions as event_actions
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput, NotPermitted
from fengqiao.notify.models import OutboxMessage
from fengqiao.stationing import actions
from fengqiao.stationing.models import Plan, PlanStatus, Stay
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock
from tests.majors.world import IN_A, IN_B, IN_C
from tests.stationing.helpers import at, night, plan

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_position_is_checked_against_the_villages_outline(mw):
    p = plan(mw)
    with clock.frozen(at(D(2026, 11, 2), 17)):
        inside = actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1], accuracy=12)
    assert (inside.arrival_check, inside.arrival_distance) == ("inside", None)
    with clock.frozen(at(D(2026, 11, 3), 7)):
        out = actions.check_out(actor=mw.user("police_a"), stay=inside, latitude=IN_B[0], longitude=IN_B[1])
    assert out.departure_check == "outside" and 950 < out.departure_distance < 1060  # 1 km into 剑山村
    with clock.frozen(at(D(2026, 11, 6), 17)):
        far = actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_C[0], longitude=IN_C[1])
    assert far.arrival_check == "outside" and far.arrival_distance > 10_000


def test_a_town_plan_is_checked_against_every_village_of_the_town(mw):
    p = plan(mw, person="leader", rule="town_biweekly", region=mw.town, identity="county_leader", actor="operator")
    with clock.frozen(at(D(2026, 11, 2), 17)):
        stay = actions.check_in(actor=mw.user("leader"), plan=p, latitude=IN_B[0], longitude=IN_B[1])
    assert stay.arrival_check == "inside"


def test_only_the_plans_own_cadre_checks_in_and_out(mw, api):
    p = plan(mw)
    with clock.frozen(at(D(2026, 11, 2), 17)):
        with pytest.raises(NotPermitted):
            actions.check_in(actor=mw.user("town_cadre"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
        r = api.post("/stationing/checkins", {"plan_id": p.pk, "latitude": IN_A[0], "longitude": IN_A[1]},
                     user=mw.user("secretary_a"))
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
        stay = actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
        with pytest.raises(NotPermitted):
            actions.check_out(actor=mw.user("town_cadre"), stay=stay, latitude=IN_A[0], longitude=IN_A[1])
        with pytest.raises(Conflict) as twice:
            actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
    assert twice.value.code == "already_present"
    assert Stay.objects.count() == 1


def test_a_plan_checks_in_only_on_its_days_and_not_once_ended(mw):
    p = plan(mw, starts_on=D(2026, 11, 10))
    with clock.frozen(at(D(2026, 11, 9), 17)), pytest.raises(Conflict) as early:
        actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
    assert early.value.code == "plan_not_running"
    with clock.frozen(at(D(2026, 11, 20), 9)):
        actions.plan_end(actor=mw.user("town_cadre"), plan=p, reason="调整岗位")
        from fengqiao.lib.errors import IllegalTransition

        with pytest.raises(IllegalTransition):
            actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
    assert Plan.objects.get(pk=p.pk).status == PlanStatus.ENDED


def test_a_position_off_the_earth_is_refused(mw):
    p = plan(mw)
    with clock.frozen(at(D(2026, 11, 2), 17)), pytest.raises(InvalidInput):
        actions.check_in(actor=mw.user("police_a"), plan=p, latitude=123.0, longitude=IN_A[1])


def test_checking_out_records_what_was_done_and_what_the_platform_saw(mw):
    from tests.factories import ensure_default_catalogue

    ensure_default_catalogue()
    from fengqiao.events.models import Category

    p = plan(mw)
    with clock.frozen(at(D(2026, 11, 2), 17)):
        stay = actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
    with clock.frozen(at(D(2026, 11, 2), 19)):
        event = event_actions.event_register(actor=mw.user("operator"), title="邻里排水沟纠纷",
                                             category=Category.objects.get(code="dispute.neighbours"),
                                             source="walk_in", region=mw.village_a)
        event_actions.event_acknowledge(event=event, actor=mw.user("police_a"))
    with clock.frozen(at(D(2026, 11, 3), 7)):
        out = actions.check_out(actor=mw.user("police_a"), stay=stay, latitude=IN_A[0], longitude=IN_A[1],
                                households=6, events_handled=1, meetings=1, notes="调处排水沟纠纷。")
    assert (out.households, out.events_handled, out.meetings, out.platform_events) == (6, 1, 1, 1)
    rows = list(AuditEntry.objects.filter(stream=f"stay_plan:{p.pk}").order_by("seq").values_list("action", flat=True))
    assert rows == ["register", "check_in", "check_out"]
    last = AuditEntry.objects.filter(stream=f"stay_plan:{p.pk}", action="check_out").get()
    assert (last.from_state, last.to_state, last.details["platform_events"]) == ("present", "left", 1)
    assert audit.verify() is None


def test_a_stay_left_open_is_noticed_once_and_then_no_longer_counts(mw):
    p = plan(mw)
    with clock.frozen(at(D(2026, 11, 2), 17)):
        stay = actions.check_in(actor=mw.user("police_a"), plan=p, latitude=IN_A[0], longitude=IN_A[1])
    limit = Clock.objects.get(workflow="stay", record_id=stay.pk)
    assert limit.due_at == at(D(2026, 11, 4), 23, 59).replace(second=59)
    assert clocks.scan(now=at(D(2026, 11, 4), 20)) == {"warned": 0, "overdue": 0, "errors": 0}
    assert clocks.scan(now=at(D(2026, 11, 5), 8)) == {"warned": 0, "overdue": 1, "errors": 0}
    assert clocks.scan(now=at(D(2026, 11, 5), 9)) == {"warned": 0, "overdue": 0, "errors": 0}
    notice = AuditEntry.objects.get(stream=f"stay_plan:{p.pk}", action="clock_overdue")
    assert notice.actor_id is None
    text = OutboxMessage.objects.get(template="clock_overdue", person=mw.police_a).body
    assert "林民警的住村签到" in text and "离村签退时限" in text
    with clock.frozen(at(D(2026, 11, 5), 10)):
        out = actions.check_out(actor=mw.user("police_a"), stay=stay, latitude=IN_A[0], longitude=IN_A[1])
    assert out.late_checkout and not out.verified


def test_ending_a_station_ends_its_cadres_plans(mw):
    from fengqiao.stationing.models import Station

    with clock.frozen(at(D(2026, 9, 1), 9)):
        station = actions.station_create(actor=mw.user("operator"), department=mw.rsj, village=mw.village_a,
                                         starts_on=D(2026, 9, 1), note="挂钩帮扶滞后村")
        with pytest.raises(Conflict):
            actions.station_create(actor=mw.user("operator"), department=mw.rsj, village=mw.village_a)
        with pytest.raises(NotPermitted):  # a town does not station county departments
            actions.station_create(actor=mw.user("town_cadre"), department=mw.zjj, village=mw.village_a)
    p = plan(mw, person="rsj_cadre", rule="village_weekly", identity="dept_cadre", station=station,
             actor="operator")
    assert p.department == mw.rsj
    night(mw, p, D(2026, 11, 3), who="rsj_cadre")
    with clock.frozen(at(D(2026, 11, 30), 9)):
        actions.station_end(actor=mw.user("operator"), station=station, reason="村居已转为一般类。")
    assert Station.objects.get(pk=station.pk).status == "ended"
    p.refresh_from_db()
    assert (p.status, p.ends_on) == ("ended", D(2026, 11, 30))
    assert AuditEntry.objects.filter(stream=f"stay_plan:{p.pk}", action="end").exists()
