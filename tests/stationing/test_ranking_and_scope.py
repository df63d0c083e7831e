"""Compliance per person, department and town, week by week; the paired departments in their
lagging villages; scope (a town sees its own cadres, 404 outside); the pages and the API."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.lib import clock
from fengqiao.people.models import Pairing
from fengqiao.stationing import actions, queries
from tests.majors.world import IN_A, IN_C
from tests.stationing.helpers import at, night, plan

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 23)  # a Monday: the two weeks before are decided


@pytest.fixture
def cadres(mw):
    """Two weeks, 9–22 November 2026 (no holiday): police A meets Mon+Fri both weeks; the liaison of A
    half of it; 郊尾镇's secretary once; the 县人社局 cadre (stationed in 洋坂村, paired) once a week."""
    with clock.frozen(at(D(2026, 9, 1), 9)):
        station = actions.station_create(actor=mw.user("operator"), department=mw.rsj, village=mw.village_a,
                                         starts_on=D(2026, 9, 1))
        Pairing.objects.create(department=mw.rsj, village=mw.village_a, created_at=clock.now())
    police = plan(mw)
    liaison = plan(mw, person="liaison_a", identity="town_cadre")
    other = plan(mw, person="secretary_c", region=mw.village_c, identity="village_cadre", actor="other_town_cadre")
    dept = plan(mw, person="rsj_cadre", rule="village_weekly", identity="dept_cadre", station=station,
                actor="operator")
    for day in (D(2026, 11, 9), D(2026, 11, 13), D(2026, 11, 16), D(2026, 11, 20)):
        night(mw, police, day)
    for day in (D(2026, 11, 9), D(2026, 11, 20)):
        night(mw, liaison, day, who="liaison_a")
    night(mw, other, D(2026, 11, 13), who="secretary_c", where=IN_C)
    for day in (D(2026, 11, 11), D(2026, 11, 18)):
        night(mw, dept, day, who="rsj_cadre", where=IN_A)
    return {"police": police, "liaison": liaison, "other": other, "dept": dept, "station": station}


def _rows(user, by, weeks=2):
    win = queries.window(weeks, today=TODAY, until=TODAY - dt.timedelta(days=1))
    return win, queries.ranking(queries.plan_results(queries.visible_plans(user), win), by, win)


def test_per_person_ranked_by_the_share_of_nights_met(mw, cadres):
    win, rows = _rows(mw.user("operator"), "person")
    assert win.weeks == [D(2026, 11, 9), D(2026, 11, 16)]
    table = [(r.rank, r.label, r.tally.required, r.tally.met, r.tally.rate_text()) for r in rows]
    assert table == [(1, "林民警", 4, 4, "100%"), (1, "许人社", 2, 2, "100%"), (3, "傅包村", 4, 2, "50.0%"),
                     (4, "梅书记", 4, 1, "25.0%")]
    police = next(r for r in rows if r.label == "林民警")
    assert [(police.by_week[w].met, police.by_week[w].required) for w in win.weeks] == [(2, 2), (2, 2)]


def test_per_department_and_per_town(mw, cadres):
    _win, by_department = _rows(mw.user("operator"), "department")
    assert [(r.label, r.tally.met, r.tally.required) for r in by_department] == [("县人社局", 2, 2)]
    _win, by_town = _rows(mw.user("operator"), "town")
    assert [(r.label, r.tally.met, r.tally.required, r.tally.rate_text()) for r in by_town] == [
        ("度尾镇", 8, 10, "80.0%"), ("郊尾镇", 1, 4, "25.0%")]


def test_the_paired_department_in_its_lagging_village(mw, cadres):
    win = queries.window(2, today=TODAY, until=TODAY - dt.timedelta(days=1))
    (row,) = queries.paired_results(mw.user("operator"), win)
    assert (row.pairing.department, row.station, row.plans, row.tally.met, row.tally.required) == (
        mw.rsj, cadres["station"], 1, 2, 2)
    assert queries.paired_results(mw.user("other_town_cadre"), win) == []


def test_a_town_sees_its_own_cadres_only(mw, cadres, client, api):
    user = mw.user("town_cadre")
    assert set(queries.visible_plans(user)) == {cadres["police"], cadres["liaison"], cadres["dept"]}
    _win, rows = _rows(user, "person")
    assert "梅书记" not in {r.label for r in rows}
    client.force_login(user)
    assert client.get(f"/stationing/plans/{cadres['police'].pk}/").status_code == 200
    assert client.get(f"/stationing/plans/{cadres['other'].pk}/").status_code == 404
    assert api.get(f"/stationing/plans/{cadres['other'].pk}", user=user).status_code == 404
    stay = cadres["other"].stays.first()
    r = api.post(f"/stationing/stays/{stay.pk}/checkout", {}, user=user)
    assert r.status_code == 404
    # A cadre sees their own plan, not their colleagues'.
    assert set(queries.visible_plans(mw.user("police_a"))) == {cadres["police"]}
    # The department's liaison sees its cadres' plans.
    assert set(queries.visible_plans(mw.user("dept"))) == set()
    assert set(queries.visible_plans(mw.user("rsj_cadre"))) >= {cadres["dept"]}


def test_the_ranking_page_its_export_and_the_api_agree(mw, cadres, client, api):
    client.force_login(mw.user("operator"))
    with clock.frozen(at(D(2026, 11, 22), 9)):  # Sunday: the window is the weeks of 9 and 16 November
        html = client.get("/stationing/compliance/?by=town&weeks=2").content.decode()
        assert "度尾镇" in html and "郊尾镇" in html
        assert re.search(r'data-testid="total-rate">([^<]+)<', html).group(1) == "64.2%"  # 9 of 14, truncated
        assert "挂钩部门在滞后村的驻村情况" in html and "县人社局" in html
        sheet = load_workbook(io.BytesIO(client.get("/stationing/compliance.xlsx?by=town&weeks=2").content)).active
        rows = [[c.value for c in r] for r in sheet.iter_rows()]
        assert rows[0][:6] == ["排名", "名称", "说明", "应住", "实住达标", "达标率"]
        assert rows[1][1:6] == ["度尾镇", None, 10, 8, "80.0%"]  # an empty cell stays empty
        body = api.get("/stationing/compliance", user=mw.user("operator"), by="person", weeks=2).json()
    assert body["total"]["text"] == "64.2%" and len(body["weeks"]) == 2
    assert body["rows"][0]["tally"]["text"] == "100%"


def test_the_check_in_page_fits_a_phone_and_shows_this_week(mw, cadres, client):
    client.force_login(mw.user("police_a"))
    with clock.frozen(at(D(2026, 11, 24), 17)):
        html = client.get("/stationing/checkin/").content.decode()
        assert 'data-testid="check-in"' in html and "stationing/checkin.js" in html and "<script>" not in html
        r = client.post(f"/stationing/checkin/{cadres['police'].pk}/arrive",
                        {"in-latitude": str(IN_A[0]), "in-longitude": str(IN_A[1]), "in-accuracy": "20"})
        assert r.status_code == 302
        html = client.get("/stationing/checkin/").content.decode()
    assert 'data-testid="present"' in html and "在辖区范围内" in html
    stay = cadres["police"].stays.get(status="present")
    with clock.frozen(at(D(2026, 11, 25), 7)):
        r = client.post(f"/stationing/stays/{stay.pk}/depart", {
            "out-latitude": str(IN_A[0]), "out-longitude": str(IN_A[1]), "out-accuracy": "30",
            "out-households": "4", "out-events_handled": "1", "out-meetings": "0", "out-notes": "入户走访4户"})
    assert r.status_code == 302
    stay.refresh_from_db()
    assert stay.verified and stay.households == 4


def test_plans_and_stations_through_the_pages_and_the_api(mw, client, api):
    client.force_login(mw.user("operator"))
    with clock.frozen(at(D(2026, 11, 2), 9)):
        r = client.post("/stationing/stations/new/", {"department": "zjj", "region": [
            mw.county.code, mw.town.code, mw.village_b.code], "starts_on": "2026-11-02", "note": "挂钩帮扶"})
        assert r.status_code == 302
        r = client.post("/stationing/plans/new/", {"identity": "police", "person": mw.police_a.pk,
                                                   "rule": "village_mon_fri", "region": [
                                                       mw.county.code, mw.town.code, mw.village_a.code]})
        assert r.status_code == 302
        r = api.post("/stationing/plans", {"person_id": mw.leader.pk, "identity": "county_leader",
                                           "rule": "town_biweekly", "region_code": mw.town.code},
                     user=mw.user("operator"))
        assert r.status_code == 201, r.json()
        wrong = api.post("/stationing/plans", {"person_id": mw.leader.pk, "identity": "county_leader",
                                               "rule": "town_biweekly", "region_code": mw.village_a.code},
                         user=mw.user("operator"))
        assert wrong.status_code == 400 and wrong.json()["field"] == "region_code"  # a town rule, a village
        refused = api.post("/stationing/plans", {"person_id": mw.leader.pk, "identity": "county_leader",
                                                 "rule": "town_biweekly", "region_code": mw.town.code},
                           user=mw.user("police_a"))
        assert refused.status_code == 403
        assert client.get("/stationing/").status_code == 200
        listed = api.get("/stationing/plans", user=mw.user("operator")).json()
    assert listed["count"] == 2 and {i["rule"] for i in listed["items"]} == {"village_mon_fri", "town_biweekly"}
