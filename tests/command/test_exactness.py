"""The fast path is exact: on random histories built through the real actions under a frozen clock,
every measure from the rollups equals a plain recomputation from the raw events — for the county,
each town and village (spread), with and without filters, at several moments — and the rollups
kept current by the hook equal the rollups rebuilt from scratch."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from fengqiao.command import queries
from fengqiao.events import actions
from fengqiao.events.models import Category, Event
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from tests.command.helpers import assert_rollups_match_a_rebuild, at
from tests.factories import build_world

START = at(2026, 3, 1, 8)
CATEGORIES = ["dispute.wages", "dispute.neighbours", "hazard.fire", "other"]
SOURCES = ["walk_in", "hotline_12345", "grid"]
PLACES = ["village_a", "village_b", "village_c", "grid_a", "town", "other_town", None]
MOVES = ["dispatch", "acknowledge", "acknowledge", "resolve", "resolve", "call_back", "call_back",
         "close", "refuse", "escalate", "request_extension", "approve_extension",
         "reject_extension", "return", "merge"]

register_op = st.tuples(st.just("register"), st.sampled_from(PLACES), st.sampled_from(CATEGORIES),
                        st.sampled_from(SOURCES))
move_op = st.tuples(st.just("move"), st.sampled_from(MOVES), st.integers(0, 1000),
                    st.sampled_from(["satisfied", "basically_satisfied", "dissatisfied"]))
history = st.lists(st.tuples(st.one_of(register_op, register_op, move_op, move_op, move_op),
                             st.integers(0, 96)),  # hours that pass before the step
                   min_size=5, max_size=60)


def _run(world, steps) -> dt.datetime:
    moment = START
    events: list[int] = []
    categories = {c.code: c for c in Category.objects.filter(code__in=CATEGORIES)}
    for op, hours in steps:
        moment += dt.timedelta(hours=hours, minutes=7)
        with clock.frozen(moment):
            try:
                if op[0] == "register":
                    _, place, cat, source = op
                    e = actions.event_register(
                        actor=None, title="随机事项", category=categories[cat], source=source,
                        region=getattr(world, place) if place else None)
                    events.append(e.pk)
                elif events:
                    _, move, pick, satisfaction = op
                    _move(world, events, events[pick % len(events)], move, satisfaction, pick)
            except DomainError:
                pass  # not allowed in this state: the history just goes on
    return moment


def _move(world, events, pk, move, satisfaction, pick) -> None:
    if move == "dispatch":
        region = [world.village_a, world.village_b, world.village_c][pick % 3]
        actions.event_dispatch(event=pk, actor=None, region=region)
    elif move == "acknowledge":
        actions.event_acknowledge(event=pk, actor=None)
    elif move == "resolve":
        actions.event_resolve(event=pk, actor=None, result="已办结")
    elif move == "call_back":
        actions.event_call_back(event=pk, actor=None, satisfaction=satisfaction)
    elif move == "close":
        actions.event_close(event=pk, actor=None)
    elif move == "refuse":
        actions.event_refuse(event=pk, actor=None, reason="不予受理")
    elif move == "escalate":
        actions.event_escalate(event=pk, actor=None, reason="提级")
    elif move == "request_extension":
        actions.event_request_extension(event=pk, actor=None, days=1 + pick % 9, reason="延期")
    elif move == "approve_extension":
        actions.event_approve_extension(event=pk, actor=None)
    elif move == "reject_extension":
        actions.event_reject_extension(event=pk, actor=None)
    elif move == "return":
        actions.event_return(event=pk, actor=None, reason="退回")
    elif move == "merge":
        into = Event.objects.get(pk=events[(pick // 7) % len(events)])
        actions.event_merge(event=pk, actor=None, into=into)


def _assert_paths_agree(user, world, span, *, now, **filters) -> None:
    kw = {"user": user, "start": span[0], "end": span[1], "now": now, **filters}
    for region in (world.county, world.town, world.village_a):
        fast = queries.measures_for(region=region, **kw)
        plain = queries.measures_for(region=region, path="plain", **kw)
        assert fast.counts() == plain.counts(), (region, span, now, filters)
        assert fast.as_dict() == plain.as_dict()
    for level in ("town", "village"):
        fast_rows = queries.spread(region=world.county, level=level, **kw)
        plain_rows = queries.spread(region=world.county, level=level, path="plain", **kw)
        assert [r.as_dict() for r in fast_rows] == [r.as_dict() for r in plain_rows], (level, span, now)
    fast_rank = queries.ranking(region=world.town, level="village", measure="overdue_rate", **kw)
    plain_rank = queries.ranking(region=world.town, level="village", measure="overdue_rate",
                                 path="plain", **kw)
    assert [r.as_dict() for r in fast_rank] == [r.as_dict() for r in plain_rank]


class RandomHistories(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=history, cut=st.integers(0, 40), width=st.integers(0, 30))
    def test_fast_path_equals_plain_recomputation(self, steps, cut, width):
        world = build_world()
        end = _run(world, steps)
        user = world.operator.user
        first = START.date()
        some_span = (first + dt.timedelta(days=cut), first + dt.timedelta(days=cut + width))
        everything = (first - dt.timedelta(days=1), end.date() + dt.timedelta(days=1))
        deadlines = list(Event.objects.exclude(deadline=None).values_list("deadline", flat=True)[:3])
        moments = [end, end + dt.timedelta(days=9), *(d + dt.timedelta(milliseconds=500) for d in deadlines)]
        for now in moments:
            for span in (everything, some_span):
                _assert_paths_agree(user, world, span, now=now)
        _assert_paths_agree(user, world, everything, now=end, category="dispute")
        _assert_paths_agree(user, world, some_span, now=end, source="walk_in")
        _assert_paths_agree(user, world, everything, now=end, category="hazard.fire", source="grid")
        assert_rollups_match_a_rebuild()
