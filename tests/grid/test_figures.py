"""The figures the command centre shows: demands collected and solved (seed 000: 141 → 125),
publicity totals as seed 000 reports them, hazards found and closed, visit coverage — printed
with the platform's one rounding rule."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.events import actions as event_actions
from fengqiao.events.models import Source
from fengqiao.grid import actions, queries
from fengqiao.grid.queries import Area
from fengqiao.intake.actions import Report, intake_submit
from fengqiao.lib import clock, rates
from tests.grid.world import START


@pytest.fixture
def half_up():
    previous = rates._source
    rates.use_rounding_from(lambda: rates.HALF_UP)
    yield
    rates.use_rounding_from(previous)


def _demands(gw, collected: int, solved: int) -> None:
    secretary = gw.user("secretary_a")
    with clock.frozen(START):
        for n in range(collected):
            result = intake_submit(report=Report(source=Source.GRID, title=f"走访诉求{n}", description="路灯不亮",
                                                 region=gw.grid_a, channel="grid:test", external_id=f"d{n}"),
                                   actor=gw.user("worker_a"))
            if n < solved:
                event_actions.event_acknowledge(event=result.event.pk, actor=secretary)
                event_actions.event_resolve(event=result.event.pk, actor=secretary, result="已解决")


def test_141_demands_and_125_solved(gw, half_up):
    _demands(gw, 141, 125)
    figures = queries.demands(gw.base.admin.user, Area(zone=gw.zone))
    assert (figures["collected"], figures["solved"], figures["rate"]) == (141, 125, "88.7%")


def test_the_same_counts_truncated_by_the_default_rule(gw):
    _demands(gw, 14, 12)  # 85.714…%
    assert queries.demands(gw.base.admin.user, None)["rate"] == "85.7%"
    assert rates.format_rate(125, 141) == "88.6%"  # 88.652…% truncated; the admin's half up shows 88.7%


def test_publicity_totals_add_up_as_seed_000_reports_them(gw):
    worker = gw.user("worker_a")
    logs = [(1200, 9000, 16000, 700), (523, 7000, 14000, 500)]
    with clock.frozen(START):
        for firms, households, leaflets, pushes in logs:
            actions.publicity_log(actor=worker, region=gw.grid_a, day=START.date() - dt.timedelta(days=1),
                                  theme="消防", firms_visited=firms, households_visited=households,
                                  leaflets=leaflets, online_pushes=pushes, sessions=7)
    totals = queries.publicity_totals(gw.base.admin.user, None)
    assert (totals["firms"], totals["households"], totals["leaflets"], totals["pushes"]) == (1723, 16000, 30000, 1200)


def test_hazards_found_and_closed_and_coverage(gw):
    import uuid

    from fengqiao.grid.models import Checklist, Finding

    fire = Checklist.objects.get(kind="fire")
    items = list(fire.items.all())
    with clock.frozen(START):
        for n, h in enumerate(gw.households):
            actions.hazard_check_log(actor=gw.user("worker_a"), submission=actions.CheckInput(
                client_uuid=uuid.uuid4(), checklist_id=fire.pk, household_id=h.pk,
                results={i.pk: i is not items[n] for i in items}))
        actions.finding_recheck(actor=gw.user("worker_a"), finding=Finding.objects.first(), fixed=True)
        assert queries.hazards(gw.base.admin.user, None) == {"found": 3, "closed": 1, "rate": "33.3%"}
        actions.visit_log(actor=gw.user("worker_a"), submission=actions.VisitInput(
            client_uuid=uuid.uuid4(), household_id=gw.households[0].pk))
        assert queries.visit_coverage(gw.base.admin.user, Area(region=gw.base.village_a)) == {
            "subjects": 4, "covered": 1, "rate": "25.0%"}
