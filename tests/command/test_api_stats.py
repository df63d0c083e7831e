"""/api/v1/stats/...: the same numbers as the queries (and so as the pages), as JSON and .xlsx;
bad parameters are 400 {"code","message"}; outside one's scope is 404."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fengqiao.command import queries
from fengqiao.command.measures import COUNT_NAMES, RATES
from fengqiao.command.models import Campaign, CommandSettings
from fengqiao.events import actions
from fengqiao.events.models import Category
from fengqiao.lib import clock
from tests.command.helpers import at
from tests.factories import register

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def history(world):
    """Four events in March: two in 洋坂村 (one resolved, one refused before dispatch), one in
    剑山村 resolved late, one in 梅塘村 (the other town) still open."""
    with clock.frozen(at(2026, 3, 2)):
        done = register(world)
        actions.event_acknowledge(event=done, actor=world.secretary_a.user)
        actions.event_resolve(event=done, actor=world.secretary_a.user, result="已办结")
        actions.event_call_back(event=done, actor=world.operator.user, satisfaction="satisfied")
        refused = register(world, region=world.town)
        actions.event_refuse(event=refused, actor=world.operator.user, reason="不属于受理范围")
        late = register(world, region=world.village_b)
        register(world, region=world.village_c)
    with clock.frozen(late.deadline + dt.timedelta(hours=3)):
        actions.event_acknowledge(event=late, actor=world.secretary_b.user)
        actions.event_resolve(event=late, actor=world.secretary_b.user, result="超期办结")
    return world


def test_measures_json_equals_the_query(api, history):
    w = history
    r = api.get("/stats/measures", user=w.operator.user, region=w.county.code, **MARCH)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["counts"]["received"] == 3 and body["counts"]["refused"] == 1
    assert body["rates"]["resolution_rate"] == {"value": "66.6", "display": "66.6%",  # 2/3, truncated
                                                "numerator": 2, "denominator": 3}
    m = queries.measures_for(user=w.operator.user, region=w.county, start=dt.date(2026, 3, 1),
                             end=dt.date(2026, 3, 31))
    assert body["counts"] == m.counts()
    assert body["score"] == str(m.score())
    assert body["query"]["region"]["code"] == w.county.code


def test_the_rounding_the_admin_sets_applies_to_the_api(api, history):
    w = history
    CommandSettings.objects.create(rounding="half_up")
    body = api.get("/stats/measures", user=w.operator.user, region=w.county.code, **MARCH).json()
    assert body["rates"]["resolution_rate"]["display"] == "66.7%"


def test_bad_parameters_are_400_with_code_and_message(api, history):
    w = history
    user = w.operator.user
    cases = [
        {"region": w.county.code, "start": "2026-13-01", "end": "2026-03-31"},
        {"region": w.county.code, "start": "2026-03-31", "end": "2026-03-01"},
        {"region": w.county.code, "start": "2026-03-01"},
        {"region": w.county.code, **MARCH, "source": "pigeon"},
        {"region": w.county.code, **MARCH, "category": "nope"},
    ]
    for params in cases:
        r = api.get("/stats/measures", user=user, **params)
        assert r.status_code == 400, params
        assert set(r.json()) >= {"code", "message"}
    r = api.get("/stats/ranking", user=user, region=w.county.code, measure="loudness", **MARCH)
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = api.get("/stats/spread", user=user, region=w.village_a.code, level="village", **MARCH)
    assert r.status_code == 400
    r = api.get("/stats/compare", user=user, region=w.county.code, period="fortnight")
    assert r.status_code == 400
    r = api.get("/stats/overdue", user=user, region=w.county.code, limit="lots")
    assert r.status_code == 400


def test_outside_scope_is_404_and_anonymous_is_401(api, history):
    w = history
    r = api.get("/stats/measures", user=w.town_cadre.user, region=w.county.code, **MARCH)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = api.get("/stats/ranking", user=w.town_cadre.user, region=w.other_town.code, **MARCH)
    assert r.status_code == 404
    assert api.get("/stats/measures", user=None, region=w.county.code, **MARCH).status_code == 401


def test_a_town_cadre_defaults_to_their_town_and_ranks_its_villages(api, history):
    w = history
    body = api.get("/stats/ranking", user=w.town_cadre.user, measure="resolution_rate", **MARCH).json()
    assert body["query"]["region"]["code"] == w.town.code
    rows = {row["region"]["code"]: row for row in body["rows"]}
    assert set(rows) == {w.village_a.code, w.village_b.code}
    assert rows[w.village_a.code]["display"] == "100%" and rows[w.village_a.code]["rank"] == 1
    assert rows[w.village_a.code]["small_denominator"] is True  # 1 event < 10


def test_spread_json_and_xlsx_carry_the_same_numbers(api, history):
    w = history
    params = {"region": w.county.code, "level": "village", **MARCH}
    body = api.get("/stats/spread", user=w.operator.user, **params).json()
    by_code = {row["region"]["code"]: row for row in body["rows"] if row["region"]}
    assert by_code[w.village_b.code]["counts"]["resolved_late"] == 1
    assert body["rows"][-1]["region"] is None  # the refused town-level event
    r = api.get("/stats/spread.xlsx", user=w.operator.user, **params)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[1]  # after the query sheet
    sheet = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    received = 2 + COUNT_NAMES.index("received")  # after the code and the name
    rate = 2 + len(COUNT_NAMES) + list(RATES).index("resolution_rate")
    assert len(ws[1]) == 2 + len(COUNT_NAMES) + len(RATES) + 1
    for code, row in by_code.items():
        assert sheet[code][received] == row["counts"]["received"]
        value = row["rates"]["resolution_rate"]["value"]
        assert sheet[code][rate] == (None if value is None else float(value))


def test_compare_by_month(api, history):
    w = history
    r = api.get("/stats/compare", user=w.operator.user, region=w.county.code, period="month",
                today="2026-04-10")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["previous"]["start"] == "2026-03-01" and body["current"]["end"] == "2026-04-10"
    assert body["period_on_period"]["received"] == {"current": 0, "baseline": 3, "difference": -3,
                                                    "percent": "-100.0"}
    assert body["year_on_year"]["received"]["percent"] is None  # nothing a year before
    r = api.get("/stats/compare.xlsx", user=w.operator.user, region=w.county.code,
                a_start="2026-02-01", a_end="2026-02-28", b_start="2026-03-01", b_end="2026-03-31")
    assert r.status_code == 200


def test_overdue_lists_open_events_past_their_deadline(api, history):
    w = history
    with clock.frozen(at(2026, 5, 1)):
        body = api.get("/stats/overdue", user=w.operator.user, region=w.county.code).json()
    assert [i["region"] for i in body["items"]] == [w.village_c.name]
    with clock.frozen(at(2026, 5, 1)):
        body = api.get("/stats/overdue", user=w.town_cadre.user, region=w.town.code).json()
    assert body["items"] == []


def test_a_campaign_ranks_resolution_and_call_backs_within_it(api, history):
    w = history
    c = Campaign.objects.create(name="百日攻坚", start=dt.date(2026, 3, 1), end=dt.date(2026, 6, 8),
                                region=w.county, category=Category.objects.get(code="dispute"))
    body = api.get(f"/stats/campaigns/{c.pk}", user=w.operator.user).json()
    assert body["campaign"]["name"] == "百日攻坚"
    assert body["counts"]["received"] == 3
    assert body["level"] == "town"
    ranks = {row["region"]["code"]: row for row in body["rankings"]["resolution_rate"]}
    assert ranks[w.town.code]["display"] == "100%" and ranks[w.other_town.code]["display"] == "0%"
    assert [row["rank"] for row in body["rankings"]["called_back"]] == [1, 2]
    # A town cadre sees their own town's part of a county campaign, ranked by village.
    body = api.get(f"/stats/campaigns/{c.pk}", user=w.town_cadre.user).json()
    assert body["query"]["region"]["code"] == w.town.code and body["level"] == "village"
    assert api.get(f"/stats/campaigns/{c.pk}", user=w.town_cadre.user,
                   region=w.other_town.code).status_code == 404
    listed = api.get("/stats/campaigns", user=w.town_cadre.user).json()["items"]
    assert [i["id"] for i in listed] == [c.pk]
    assert api.get(f"/stats/campaigns/{c.pk}.xlsx", user=w.operator.user).status_code == 200
    assert api.get("/stats/campaigns/9999", user=w.operator.user).status_code == 404
