"""The 六好六无 rubric scored per period with stars by thresholds, the red and black lists (page
and .docx), elections with the figures behind each nominee, and the figures for the command
centre."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from docx import Document

from fengqiao.audit.models import AuditEntry
from fengqiao.grid import actions as grid_actions
from fengqiao.incentives import actions, queries
from fengqiao.incentives.models import PeriodStatus, Rubric
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, IllegalTransition, InvalidInput
from tests.grid.world import START
from tests.incentives.helpers import earn, shop_with

TZ = dt.timezone(dt.timedelta(hours=8))


def _period(gw, name="2026年第三季度"):
    return actions.period_open(actor=gw.user("secretary_a"), region=gw.base.village_a,
                               rubric=Rubric.objects.get(), name=name, starts_on=dt.date(2026, 7, 1),
                               ends_on=dt.date(2026, 9, 30))


def _full(period, minus=0):
    items = list(period.rubric.items.all())
    points = {i.pk: i.points for i in items}
    points[items[0].pk] -= minus
    return points


def test_the_rubric_has_twelve_items_adding_to_one_hundred(gw):
    rubric = Rubric.objects.get()
    assert rubric.items.count() == 12 and sum(i.points for i in rubric.items.all()) == 100
    with pytest.raises(InvalidInput):
        actions.rubric_save(actor=gw.base.admin.user, rubric=None, name="x", items=[("good", "遵纪守法好", 90)])


def test_scores_give_stars_by_the_thresholds(gw):
    period = _period(gw)
    top = actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[0],
                                  points=_full(period))
    mid = actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[1],
                                  points=_full(period, minus=10) | {})
    assert (top.total, top.stars) == (100, 4) and (mid.total, mid.stars) == (90, 4)
    items = list(period.rubric.items.all())
    low_points = {i.pk: 0 for i in items}
    low_points[items[0].pk], low_points[items[1].pk], low_points[items[2].pk] = 10, 10, 10
    low_points[items[3].pk], low_points[items[4].pk], low_points[items[6].pk] = 10, 10, 7
    low = actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[2],
                                  points=low_points)
    assert (low.total, low.stars) == (57, 0)
    # Changed thresholds apply to the next score.
    actions.thresholds_save(actor=gw.base.admin.user, thresholds={1: 50, 2: 70, 3: 85, 4: 95})
    again = actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[1],
                                    points=_full(period, minus=10))
    assert again.stars == 3 and again.lines.count() == 12


def test_an_item_over_its_points_or_missing_is_refused(gw):
    period = _period(gw)
    points = _full(period)
    first = next(iter(points))
    with pytest.raises(InvalidInput):
        actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[0],
                                points=points | {first: 11})
    points.pop(first)
    with pytest.raises(InvalidInput):
        actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[0], points=points)


def test_closing_a_period_goes_through_the_transition_and_freezes_it(gw):
    period = _period(gw)
    actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[0], points=_full(period))
    actions.period_close(actor=gw.user("secretary_a"), period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    assert list(AuditEntry.objects.filter(stream=f"scoring:{period.pk}").values_list("action", flat=True)) == [
        "register", "score", "close"]
    with pytest.raises(Conflict):
        actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[1],
                                points=_full(period))
    with pytest.raises(IllegalTransition):
        actions.period_close(actor=gw.user("secretary_a"), period=period)
    stars = queries.star_households(gw.base.admin.user)
    assert stars["star_households"] == 1 and stars["by_stars"] == {4: 1}


def test_star_households_count_in_a_zone_like_a_town(gw):
    period = _period(gw)
    actions.household_score(actor=gw.user("worker_a"), period=period, household=gw.households[0], points=_full(period))
    actions.period_close(actor=gw.user("secretary_a"), period=period)
    from fengqiao.grid.queries import Area

    assert queries.star_households(gw.base.admin.user, Area(zone=gw.zone))["star_households"] == 1
    assert queries.star_households(gw.base.admin.user, Area(region=gw.base.village_b))["star_households"] == 0


def test_red_and_black_lists_as_a_page_and_a_docx(gw, client):
    secretary = gw.user("secretary_a")
    actions.list_add(actor=secretary, village=gw.base.village_a, period="2026年9月", kind="red",
                     household=gw.households[0], reason="积极参与矛盾调解")
    actions.list_add(actor=secretary, village=gw.base.village_a, period="2026年9月", kind="black",
                     household=gw.households[2], reason="违章搭建拒不整改")
    with pytest.raises(InvalidInput):
        actions.list_add(actor=secretary, village=gw.base.village_a, period="2026年9月", kind="red",
                         household=gw.households[2], reason="重复")
    with pytest.raises(InvalidInput):
        actions.list_add(actor=gw.base.admin.user, village=gw.base.village_a, period="2026年9月", kind="red",
                         household=gw.household_b, reason="别村")
    client.force_login(secretary)
    page = client.get("/incentives/lists/", {"village": gw.base.village_a.code, "period": "2026年9月"})
    html = page.content.decode()
    assert "柯大爷" in html and "吴**" in html and "吴某某" not in html
    response = client.get("/incentives/lists.docx", {"village": gw.base.village_a.code, "period": "2026年9月"})
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "洋坂村2026年9月红黑榜" in text and "红榜（1户）" in text and "黑榜（1户）" in text
    assert "柯大爷" in cells and "吴**" in cells and "违章搭建拒不整改" in cells


def test_an_election_keeps_the_figures_behind_each_nominee_and_declares_the_seats(gw):
    admin = gw.base.admin.user
    head = grid_actions.appoint(actor=admin, person=gw.worker_a, role="grid_head", region=gw.grid_a)
    other = grid_actions.appoint(actor=admin, person=gw.worker_b, role="grid_head", region=gw.grid_b)
    with clock.frozen(START):
        grid_actions.visit_log(actor=gw.user("worker_a"), submission=grid_actions.VisitInput(
            client_uuid=uuid.uuid4(), household_id=gw.households[0].pk, demand="路灯不亮"))
        grid_actions.visit_log(actor=gw.user("worker_a"), submission=grid_actions.VisitInput(
            client_uuid=uuid.uuid4(), household_id=gw.households[1].pk))
    election = actions.election_open(actor=gw.user("town_cadre"), region=gw.base.town, kind="grid_head",
                                     name="2026年度优秀网格长", starts_on=dt.date(2026, 9, 1),
                                     ends_on=dt.date(2026, 9, 30), seats=1)
    first = actions.nominate(actor=gw.user("town_cadre"), election=election, appointment=head)
    second = actions.nominate(actor=gw.user("town_cadre"), election=election, appointment=other)
    assert first.figures["visits"] == 2 and first.figures["demands"] == 1
    assert first.figures["grid_households_visited"] == 2 and second.figures["visits"] == 0
    actions.votes_record(actor=gw.user("town_cadre"), nominee=first, votes=31)
    actions.votes_record(actor=gw.user("town_cadre"), nominee=second, votes=12)
    actions.election_close(actor=gw.user("town_cadre"), election=election)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.elected and not second.elected
    assert queries.elected_counts(gw.base.admin.user) == {"grid_head": 1}
    with pytest.raises(InvalidInput):
        actions.nominate(actor=gw.user("town_cadre"), election=election, appointment=other)


def test_figures_for_the_command_centre(gw):
    household = gw.households[0]
    earn(gw, household, times=6)
    _shop, item = shop_with(gw, points=10, stock=5, value="25.50")
    actions.redeem(actor=gw.user("secretary_a"), item=item, household=household, quantity=2, request_uuid=uuid.uuid4())
    figures = queries.redemptions(gw.base.admin.user)
    assert figures["redemptions"] == 1 and figures["items"] == 2 and figures["points"] == 20
    assert str(figures["value"]) == "51.00"
    assert queries.points_totals(gw.base.admin.user) == {"balance": 10, "earned": 30, "spent": 20, "n": 1}
