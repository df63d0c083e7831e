"""The incentive scheme's JSON API from outside: the rules, the rubric and stars, periods and
scores (scoring through the page's action: posts, then input, then state), star households,
shops with stock, exchanges filtered, elections — paged, in scope, errors as {"code","message"}."""

from __future__ import annotations

import datetime as dt
import uuid

from fengqiao.incentives import actions
from fengqiao.incentives.models import Rubric, Score
from tests.incentives.helpers import earn, shop_with


def _period(gw):
    return actions.period_open(actor=gw.user("secretary_a"), region=gw.base.village_a, rubric=Rubric.objects.get(),
                               name="2026年第三季度", starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 9, 30))


def _full(period):
    return {str(i.pk): i.points for i in period.rubric.items.all()}


def test_the_rules_rubric_and_stars(gw, api):
    body = api.get("/incentives/rules", user=gw.user("secretary_a")).json()
    assert body["count"] == 14 and len(body["items"]) == 14
    assert api.get("/incentives/rules", user=gw.user("secretary_a"), page_size=5, page=3).json()["items"][-1]
    assert api.get("/incentives/rules", user=gw.user("secretary_a"), page_size="201").status_code == 400
    rubric = api.get("/incentives/rubric", user=gw.user("worker_a")).json()
    assert rubric["total"] == 100 and len(rubric["items"]) == 12 and rubric["thresholds"]


def test_scoring_a_household_through_the_api(gw, api):
    period = _period(gw)
    h = gw.households[0]
    url = f"/incentives/periods/{period.pk}/scores/{h.pk}"
    worker = gw.user("worker_a")  # the village's round is the grid's too
    assert api.get("/incentives/periods", user=worker).json()["count"] == 1
    r = api.client.put("/api/v1" + url, {"points": _full(period)}, content_type="application/json")
    assert r.status_code == 200 and r.json()["total"] == 100 and r.json()["stars"] == 4 and len(r.json()["lines"]) == 12
    bad = api.client.put("/api/v1" + url, {"points": {"1": 7.5}}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()) >= {"code", "message"}
    # An outsider: 404 for the period, whatever they send.
    api.get("/incentives/rules", user=gw.user("secretary_c"))
    r = api.client.put("/api/v1" + url, {"points": "junk"}, content_type="application/json")
    assert r.status_code in (400, 404)
    r = api.client.put("/api/v1" + url, {}, content_type="application/json")
    assert r.status_code == 404
    # The village's police may see the round but not score: 403 before the (empty) input.
    api.get("/incentives/rules", user=gw.user("police_a"))
    r = api.client.put("/api/v1" + url, {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    scores = api.get(f"/incentives/periods/{period.pk}/scores", user=gw.user("secretary_a")).json()
    assert scores["count"] == 1 and scores["items"][0]["household_code"] == "YB-001"
    actions.period_close(actor=gw.user("secretary_a"), period=period)
    api.get("/incentives/rules", user=worker)
    closed = api.client.put("/api/v1" + url, {"points": _full(period)}, content_type="application/json")
    assert closed.status_code == 409
    stars = api.get("/incentives/star-households", user=gw.user("secretary_a")).json()
    assert stars["count"] == 1 and stars["by_stars"] == {"4": 1}
    assert Score.objects.count() == 1


def test_shops_and_exchanges_filtered_and_in_scope(gw, api):
    earn(gw, gw.households[0], times=6)
    shop, item = shop_with(gw, points=10, stock=3)
    secretary = gw.user("secretary_a")
    api.post("/incentives/redemptions", {"item": item.pk, "household": gw.households[0].pk, "quantity": 2,
                                         "request_uuid": str(uuid.uuid4())}, user=secretary)
    shops = api.get("/incentives/shops", user=secretary).json()
    assert shops["items"][0]["items"][0]["stock"] == 1
    listed = api.get("/incentives/redemptions", user=secretary, shop=shop.pk).json()
    assert listed["count"] == 1 and listed["points"] == 20
    assert api.get("/incentives/redemptions", user=secretary, household=gw.households[1].pk).json()["count"] == 0
    assert api.get("/incentives/redemptions", user=secretary, start="2030-01-02", end="2030-01-01").status_code == 400
    assert api.get("/incentives/redemptions", user=gw.user("secretary_c"), shop=shop.pk).status_code == 404
    assert api.get(f"/incentives/shops/{shop.pk}", user=gw.user("secretary_c")).status_code == 404
    ledger = api.get(f"/incentives/households/{gw.households[0].pk}/ledger", user=secretary, page_size=1).json()
    assert ledger["count"] == 2 and len(ledger["entries"]) == 1 and ledger["balance"] == 10


def test_elections_listed_in_scope(gw, api):
    actions.election_open(actor=gw.base.town_cadre.user, region=gw.base.town, kind="grid_head", name="2026年优秀网格长",
                          starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), seats=2)
    assert api.get("/incentives/elections", user=gw.base.town_cadre.user).json()["count"] == 1
    assert api.get("/incentives/elections", user=gw.user("secretary_c")).json()["count"] == 0
