"""Every measure and its edges, through the real actions under a frozen clock. Each figure is read
by the fast path (rollups) and checked against the plain GROUP BY (helpers.measured)."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.command import queries
from fengqiao.events import actions
from fengqiao.events.models import Event
from fengqiao.lib import clock
from tests.command.helpers import assert_rollups_match_a_rebuild, at, measured
from tests.factories import register

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def county_measures(world, span=MARCH, *, now, **kw):
    return measured(world.operator.user, world.county, *span, now=now, **kw)


def resolved_event(world, *, satisfaction: str | None = "satisfied"):
    """Registered, acknowledged and resolved by the village; called back by the operator."""
    e = register(world)
    actions.event_acknowledge(event=e, actor=world.secretary_a.user)
    actions.event_resolve(event=e, actor=world.secretary_a.user, result="已调解")
    if satisfaction:
        actions.event_call_back(event=e, actor=world.operator.user, satisfaction=satisfaction)
    return Event.objects.get(pk=e.pk)


def test_an_empty_period_counts_nothing_and_shows_no_rates(world):
    m = county_measures(world, now=at(2026, 4, 2))
    assert set(m.counts().values()) == {0}
    assert {r.display for r in m.rates().values()} == {"—"}
    assert m.score() is None


def test_the_closed_loop_counts_each_step(world):
    with clock.frozen(at(2026, 3, 2)):
        waiting = register(world, region=world.town)  # only the town known: waits for dispatch
        dispatched = register(world)
        handled = register(world)
        actions.event_acknowledge(event=handled, actor=world.secretary_a.user)
        closed = resolved_event(world)
        actions.event_close(event=closed, actor=world.operator.user)
        resolved_event(world, satisfaction="basically_satisfied")
    m = county_measures(world, now=at(2026, 3, 3))
    assert m.received == 5
    assert m.dispatched == 4  # all but the one waiting
    assert m.handled == 3  # acknowledged
    assert m.resolved == 2 and m.closed == 1 and m.on_time == 2
    assert m.called_back == 2 and m.satisfied == 2
    assert m.rate("handling_rate").display == "60.0%"
    assert m.rate("resolution_rate").display == "40.0%"
    assert m.rate("on_time_rate").display == "100%"
    assert m.rate("satisfaction_rate").display == "100%"
    assert waiting.status == "registered" and dispatched.status == "dispatched"
    assert_rollups_match_a_rebuild()


def test_events_count_in_the_period_they_were_registered_in_local_time(world):
    # 2026-03-31 23:30 in Shanghai is 15:30 UTC: March. 00:10 on 1 April is still 31 March in UTC.
    with clock.frozen(at(2026, 3, 31, 23, 30)):
        march = register(world)
    with clock.frozen(at(2026, 4, 1, 0, 10)):
        april = register(world)
    with clock.frozen(at(2026, 4, 2)):  # resolved in April: counts for March's cohort
        actions.event_acknowledge(event=march, actor=world.secretary_a.user)
        actions.event_resolve(event=march, actor=world.secretary_a.user, result="已办结")
    m_march = county_measures(world, MARCH, now=at(2026, 4, 3))
    m_april = county_measures(world, APRIL, now=at(2026, 4, 3))
    assert (m_march.received, m_march.resolved) == (1, 1)
    assert (m_april.received, m_april.resolved) == (1, 0)
    one_day = measured(world.operator.user, world.county, dt.date(2026, 4, 1), dt.date(2026, 4, 1),
                       now=at(2026, 4, 3))
    assert one_day.received == 1 and april.created_at.astimezone(dt.UTC).date() == dt.date(2026, 3, 31)


def test_a_dissatisfied_call_back_reopens_and_counts_as_rework(world):
    with clock.frozen(at(2026, 3, 2)):
        e = resolved_event(world, satisfaction="dissatisfied")
    m = county_measures(world, now=at(2026, 3, 3))
    assert (m.resolved, m.reworked, m.called_back, m.satisfied) == (0, 1, 1, 0)
    assert m.rate("rework_rate").display == "100%"
    assert m.rate("satisfaction_rate").display == "0%"
    with clock.frozen(at(2026, 3, 4)):
        actions.event_resolve(event=e, actor=world.secretary_a.user, result="重新处理")
        actions.event_call_back(event=e, actor=world.operator.user, satisfaction="satisfied")
    m = county_measures(world, now=at(2026, 3, 5))
    assert (m.resolved, m.reworked, m.called_back, m.satisfied) == (1, 1, 1, 1)
    assert_rollups_match_a_rebuild()


def test_escalation_is_counted_and_the_event_stays_in_its_village(world):
    with clock.frozen(at(2026, 3, 2)):
        e = register(world)
        actions.event_acknowledge(event=e, actor=world.secretary_a.user)
        actions.event_escalate(event=e, actor=world.secretary_a.user, reason="村里调解不成")
    m = county_measures(world, now=at(2026, 3, 3))
    assert (m.escalated, m.dispatched, m.handled) == (1, 1, 1)
    rows = queries.spread(user=world.operator.user, region=world.town, start=MARCH[0], end=MARCH[1],
                          level="village", now=at(2026, 3, 3))
    assert {r.region.code: r.measures.escalated for r in rows} == {
        world.village_a.code: 1, world.village_b.code: 0}


def test_merged_and_refused_are_counted_apart_and_nowhere_else(world):
    op = world.operator.user
    with clock.frozen(at(2026, 3, 2)):
        keeper = register(world)
        duplicate = register(world)
        actions.event_acknowledge(event=duplicate, actor=world.secretary_a.user)
        actions.event_merge(event=duplicate, actor=op, into=keeper)
        refused = register(world, region=world.town)
        actions.event_refuse(event=refused, actor=op, reason="不属于受理范围")
    m = county_measures(world, now=at(2026, 4, 30))
    assert (m.registered, m.merged, m.refused, m.received) == (3, 1, 1, 1)
    assert (m.dispatched, m.handled, m.overdue) == (1, 0, 1)  # the keeper, never acknowledged
    assert m.rate("overdue_rate").display == "100%"


def test_overdue_is_open_past_the_deadline_now_or_resolved_late(world):
    with clock.frozen(at(2026, 3, 2)):
        late = register(world)
        open_one = register(world)
    deadline = late.deadline
    assert deadline is not None
    before = county_measures(world, now=deadline - dt.timedelta(minutes=1))
    assert before.overdue == 0
    after = county_measures(world, now=deadline + dt.timedelta(minutes=1))
    assert (after.open_overdue, after.overdue) == (2, 2)
    with clock.frozen(deadline + dt.timedelta(hours=2)):
        actions.event_acknowledge(event=late, actor=world.secretary_a.user)
        actions.event_resolve(event=late, actor=world.secretary_a.user, result="超期办结")
    m = county_measures(world, now=deadline + dt.timedelta(days=3))
    assert (m.open_overdue, m.resolved_late, m.overdue, m.on_time) == (1, 1, 2, 0)
    assert m.rate("on_time_rate").display == "0%"
    assert open_one.deadline == deadline


def test_a_deadline_passed_today_counts_at_once(world):
    # Deadlines fall at 23:59:59 local: half a second later it is still the same day, so the
    # open-deadline rollup (deadline days before today) does not hold it; the live arm does.
    with clock.frozen(at(2026, 3, 2, 8)):
        e = register(world)
    assert e.deadline.astimezone(at(2026, 1, 1).tzinfo).time() == dt.time(23, 59, 59)
    assert county_measures(world, now=e.deadline - dt.timedelta(seconds=1)).open_overdue == 0
    assert county_measures(world, now=e.deadline + dt.timedelta(milliseconds=500)).open_overdue == 1
    assert county_measures(world, now=e.deadline + dt.timedelta(days=1)).open_overdue == 1


def test_an_approved_extension_counts_a_rejected_one_does_not(world):
    with clock.frozen(at(2026, 3, 2)):
        a, b = register(world), register(world)
        for e in (a, b):
            actions.event_acknowledge(event=e, actor=world.secretary_a.user)
            actions.event_request_extension(event=e, actor=world.secretary_a.user, days=5, reason="需要鉴定")
        actions.event_approve_extension(event=a, actor=world.town_cadre.user)
        actions.event_reject_extension(event=b, actor=world.town_cadre.user, reason="不必")
    m = county_measures(world, now=at(2026, 3, 3))
    assert m.extended == 1
    assert m.rate("extension_rate").display == "50.0%"


def test_a_returned_event_is_no_longer_dispatched_or_handled(world):
    with clock.frozen(at(2026, 3, 2)):
        e = register(world)
        actions.event_acknowledge(event=e, actor=world.secretary_a.user)
        actions.event_return(event=e, actor=world.secretary_a.user, reason="不属本村")
    m = county_measures(world, now=at(2026, 3, 3))
    assert (m.received, m.dispatched, m.handled, m.open_overdue) == (1, 0, 0, 0)
    with clock.frozen(at(2026, 3, 3)):  # dispatched again, to the other village
        actions.event_dispatch(event=e, actor=world.operator.user, region=world.village_b)
    rows = queries.spread(user=world.operator.user, region=world.town, start=MARCH[0], end=MARCH[1],
                          level="village", now=at(2026, 3, 4))
    assert {r.region.code: r.measures.dispatched for r in rows} == {
        world.village_a.code: 0, world.village_b.code: 1}
    assert_rollups_match_a_rebuild()


def test_category_and_source_filters_and_a_parent_category_takes_its_children(world):
    with clock.frozen(at(2026, 3, 2)):
        register(world, category="dispute.wages", source="walk_in")
        register(world, category="dispute.wages", source="hotline_12345")
        register(world, category="other", source="walk_in")
    now = at(2026, 3, 3)
    assert county_measures(world, now=now, category="dispute.wages").received == 2
    assert county_measures(world, now=now, category="dispute").received == 2
    assert county_measures(world, now=now, source="walk_in").received == 2
    assert county_measures(world, now=now, category="dispute.wages", source="walk_in").received == 1


def test_compare_gives_period_on_period_and_year_on_year_changes(world):
    with clock.frozen(at(2025, 3, 10)):
        register(world)
    with clock.frozen(at(2026, 2, 10)):
        for _ in range(4):
            register(world)
    with clock.frozen(at(2026, 3, 10)):
        for _ in range(2):
            resolved_event(world)
    prev, cur = queries.pair("month", today=dt.date(2026, 3, 20))
    assert (prev.start, prev.end, cur.start, cur.end) == (
        dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 20))
    c = queries.compare(user=world.operator.user, region=world.county, a=prev, b=cur,
                        now=at(2026, 3, 20))
    mom, yoy = c.period_on_period["received"], c.year_on_year["received"]
    assert (mom.current, mom.baseline, mom.difference, str(mom.percent)) == (2, 4, -2, "-50.0")
    assert (yoy.baseline, yoy.difference, str(yoy.percent)) == (1, 1, "100.0")
    assert c.year_earlier_span.start == dt.date(2025, 3, 1)
    rate = c.period_on_period["resolution_rate"]
    assert (str(rate.current), str(rate.baseline), str(rate.difference)) == ("100.0", "0.0", "100.0")
    plain = queries.compare(user=world.operator.user, region=world.county, a=prev, b=cur,
                            now=at(2026, 3, 20), path="plain")
    assert plain.as_dict() == c.as_dict()


def test_spans():
    wed = dt.date(2026, 3, 4)
    assert queries.pair("day", wed) == (queries.Span(dt.date(2026, 3, 3), dt.date(2026, 3, 3)),
                                        queries.Span(wed, wed))
    last, this = queries.pair("week", wed)
    assert (last.start, last.end, this.start, this.end) == (
        dt.date(2026, 2, 23), dt.date(2026, 3, 1), dt.date(2026, 3, 2), wed)
    assert queries.Span(dt.date(2028, 2, 29), dt.date(2028, 3, 1)).year_earlier() == queries.Span(
        dt.date(2027, 2, 28), dt.date(2027, 3, 1))
    assert queries.Span(dt.date(2026, 3, 1), dt.date(2026, 3, 10)).previous() == queries.Span(
        dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    last_month, _ = queries.pair("month", dt.date(2026, 1, 15))
    assert (last_month.start, last_month.end) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    from fengqiao.lib.errors import InvalidInput

    with pytest.raises(InvalidInput):
        queries.Span(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        queries.pair("fortnight", wed)


def test_drilling_down_gives_the_events_behind_a_number(world):
    with clock.frozen(at(2026, 3, 2)):
        done = resolved_event(world)
        other = register(world, region=world.village_b)
        register(world, region=world.village_c)
    later = other.deadline + dt.timedelta(days=1)
    op = world.operator.user
    kw = {"user": op, "start": MARCH[0], "end": MARCH[1], "now": later}
    assert list(queries.cohort_events(region=world.town, measure="resolved", **kw)) == [done]
    assert list(queries.cohort_events(region=world.town, measure="resolution_rate", **kw)) == [done]
    assert list(queries.cohort_events(region=world.town, measure="overdue", **kw)) == [other]
    assert queries.cohort_events(region=world.county, **kw).count() == 3
    m = measured(op, world.town, *MARCH, now=later)
    assert (m.resolved, m.overdue, m.received) == (1, 1, 2)
    from fengqiao.lib.errors import InvalidInput

    with pytest.raises(InvalidInput, match="loudness"):
        queries.cohort_events(region=world.town, measure="loudness", **kw)


def test_below_the_village_the_plain_count_answers(world):
    with clock.frozen(at(2026, 3, 2)):
        register(world, region=world.grid_a)
        register(world)
    m = queries.measures_for(user=world.grid_head_a.user, region=world.grid_a, start=MARCH[0],
                             end=MARCH[1], now=at(2026, 3, 3))
    assert m.received == 1
    assert county_measures(world, now=at(2026, 3, 3)).received == 2


def test_a_campaign_applies_its_span_region_and_filters(world):
    from fengqiao.command.models import Campaign
    from fengqiao.events.models import Category

    with clock.frozen(at(2026, 3, 2)):
        register(world, category="dispute.wages")
        register(world, category="hazard.fire")
        register(world, region=world.village_c, category="dispute.land")
    with clock.frozen(at(2026, 5, 2)):
        register(world, category="dispute.wages")  # after the campaign
    c = Campaign.objects.create(name="百日攻坚", start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30),
                                region=world.town, category=Category.objects.get(code="dispute"))
    now = at(2026, 5, 3)
    m = queries.measures_for(user=world.operator.user, region=None, campaign=c, now=now)
    assert m.received == 1
    assert queries.measures_for(user=world.town_cadre.user, region=world.village_a, campaign=c,
                                now=now).received == 1
    from fengqiao.lib.errors import InvalidInput

    with pytest.raises(InvalidInput):  # 梅塘村 lies in the other town, outside the campaign
        queries.measures_for(user=world.operator.user, region=world.village_c, campaign=c, now=now)
    assert [x.pk for x in queries.visible_campaigns(world.town_cadre.user)] == [c.pk]
    assert queries.visible_campaigns(world.other_town_cadre.user) == []
