"""The admin's rules and the views that follow: each worker's compliance week by week across
holidays (国庆 2026 has weeks of three working days), households overdue, coverage by grid,
village, zone and town."""

from __future__ import annotations

import datetime as dt
import uuid

from fengqiao.grid import actions, queries
from fengqiao.grid.queries import Area
from fengqiao.lib import clock
from tests.grid.world import START

TZ = dt.timezone(dt.timedelta(hours=8))


def _visit_on(gw, day: dt.date, *, who="worker_a", household=None, hour=10):
    at = dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)
    with clock.frozen(at):
        actions.visit_log(actor=gw.user(who), submission=actions.VisitInput(
            client_uuid=uuid.uuid4(), household_id=(household or gw.households[0]).pk))


def _weeks(gw, start, end, who="worker_a"):
    rows = queries.compliance(gw.base.admin.user, Area(region=gw.base.village_a), start=start, end=end)
    return next(r for r in rows if r.person.pk == getattr(gw, who).pk).weeks


def test_four_days_a_week_in_an_ordinary_week_and_three_in_the_national_day_weeks(gw):
    # Week of 21 Sep 2026: 中秋 falls on Friday 25 Sep, four working days remain; visits on three
    # days → below the rule of four.
    for day in (21, 22, 23):
        _visit_on(gw, dt.date(2026, 9, day))
    # Week of 28 Sep: three working days before 国庆 (28, 29, 30): visits on all three → meets it.
    for day in (28, 29, 30):
        _visit_on(gw, dt.date(2026, 9, day))
    # Week of 5 Oct: working days 8, 9 and the make-up Saturday 10: two visits → below.
    _visit_on(gw, dt.date(2026, 10, 8))
    _visit_on(gw, dt.date(2026, 10, 8), hour=15)  # the same day twice counts once
    _visit_on(gw, dt.date(2026, 10, 10))
    with clock.frozen(dt.datetime(2026, 10, 12, 9, tzinfo=TZ)):
        weeks = _weeks(gw, dt.date(2026, 9, 21), dt.date(2026, 10, 11))
    assert [(w.start.isoformat(), w.working_days, w.required, w.days_out, w.ok) for w in weeks] == [
        ("2026-09-21", 4, 4, 3, False),
        ("2026-09-28", 3, 3, 3, True),
        ("2026-10-05", 3, 3, 2, False),
    ]
    assert weeks[2].visits == 3


def test_the_admin_changes_the_rule_and_the_weeks_follow(gw):
    for day in (21, 22, 23):
        _visit_on(gw, dt.date(2026, 9, day))
    actions.grid_settings_update(actor=gw.base.admin.user, household_level="grid", grid_name="网格",
                                 unit_name="单元", visit_interval_days=14, worker_days_per_week=3,
                                 location_tolerance_m=100)
    (week,) = _weeks(gw, dt.date(2026, 9, 21), dt.date(2026, 9, 27))
    assert week.required == 3 and week.ok


def test_compliance_lists_the_workers_of_the_area_only(gw):
    rows = queries.compliance(gw.base.admin.user, Area(region=gw.base.village_a),
                              start=dt.date(2026, 9, 21), end=dt.date(2026, 9, 27))
    assert {r.person.name for r in rows} == {"郑网格员", "黄网格员"}
    zone_rows = queries.compliance(gw.base.admin.user, Area(zone=gw.zone),
                                   start=dt.date(2026, 9, 21), end=dt.date(2026, 9, 27))
    assert {r.person.name for r in zone_rows} == {"郑网格员", "黄网格员", "蔡网格员"}


def test_households_overdue_after_fourteen_days(gw):
    # The households were registered on 15 Aug; household 1 visited on 10 Sep, household 2 on 20 Aug.
    _visit_on(gw, dt.date(2026, 9, 10), household=gw.households[0])
    _visit_on(gw, dt.date(2026, 8, 20), household=gw.households[1])
    with clock.frozen(dt.datetime(2026, 9, 20, 12, tzinfo=TZ)):
        overdue = list(queries.overdue_households(gw.base.admin.user, Area(region=gw.base.village_a)))
    assert [h.code for h in overdue] == ["YB-003", "YB-002"]  # never visited first, then the oldest visit


def test_coverage_by_grid_village_zone_and_town(gw):
    _visit_on(gw, dt.date(2026, 9, 10), household=gw.households[0])
    _visit_on(gw, dt.date(2026, 9, 11), household=gw.households[1])
    _visit_on(gw, dt.date(2026, 9, 12), who="worker_b", household=gw.household_b)
    with clock.frozen(dt.datetime(2026, 9, 14, 12, tzinfo=TZ)):
        admin = gw.base.admin.user
        by_grid = {c.code: (c.covered, c.total, c.rate) for c in queries.coverage(admin, by="grid")}
        by_village = {c.code: (c.covered, c.total) for c in queries.coverage(admin, by="village")}
        by_zone = {c.code: (c.covered, c.total, c.rate) for c in queries.coverage(admin, by="zone")}
        by_town = {c.code: (c.covered, c.total) for c in queries.coverage(admin, by="town")}
    # Grid A: 3 households + 1 firm, 2 covered; 剑山's grid: 1 of 1.
    assert by_grid == {"350322103208G01": (2, 4, "50.0%"), "350322103209G01": (1, 1, "100%")}
    assert by_village == {"350322103208": (2, 4), "350322103209": (1, 1)}
    assert by_zone == {"yxl": (3, 5, "60.0%")}
    assert by_town == {"350322103": (3, 5)}


def test_a_secretary_sees_the_coverage_of_their_village_only(gw):
    _visit_on(gw, dt.date(2026, 9, 12), who="worker_b", household=gw.household_b)
    with clock.frozen(dt.datetime(2026, 9, 14, 12, tzinfo=TZ)):
        rows = queries.coverage(gw.user("secretary_a"), by="village")
    assert [c.code for c in rows] == ["350322103208"]
    assert START  # the world's clock
