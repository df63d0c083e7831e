"""Every number on the command pages equals the JSON API's (/api/v1/stats/...)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from fengqiao.command import queries
from fengqiao.lib import clock
from fengqiao.supervision.actions import campaign_create
from tests.command.test_pages import build_history, overdue_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):
    return build_history(world)


def html_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def cell(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">\s*(?:<strong>)?([^<]*?)\s*<', html).group(1)


def test_dashboard_cards_equal_the_compare_endpoint(history, client, api):
    user = history.operator.user
    page = html_of((client.force_login(user), client.get("/command/", {"period": "month"}))[1])
    body = api.get("/stats/compare", user=user, period="month", region=history.county.code).json()
    current = body["current"]
    assert cell(page, "kpi-received") == str(current["counts"]["received"])
    assert cell(page, "kpi-resolved") == str(current["counts"]["resolved"])
    assert cell(page, "kpi-open_overdue") == str(current["counts"]["open_overdue"])
    for rate in ("handling_rate", "resolution_rate", "on_time_rate", "overdue_rate", "satisfaction_rate"):
        assert cell(page, f"kpi-{rate}") == current["rates"][rate]["display"], rate
    assert cell(page, "kpi-score") == (current["score"] or "—")
    # 环比: the received count's change is the API's difference and percent.
    pop = body["period_on_period"]["received"]
    change = cell(page, "pop-received")
    assert str(abs(pop["difference"])) in change


def test_dashboard_spread_equals_the_spread_endpoint(history, client, api):
    user = history.operator.user
    client.force_login(user)
    page = html_of(client.get("/command/", {"period": "month", "measure": "resolution_rate"}))
    span = queries.Span.this_month()
    body = api.get("/stats/spread", user=user, region=history.county.code, level="town",
                   start=span.start.isoformat(), end=span.end.isoformat()).json()
    assert body["rows"]
    for row in body["rows"]:
        if row["region"] is None:
            continue
        tr = re.search(rf'<tr data-region="{row["region"]["code"]}">(.*?)</tr>', page).group(1)
        assert cell(tr, "value") == row["rates"]["resolution_rate"]["display"]
        assert f'>{row["counts"]["received"]}<' in tr.replace("> ", ">").replace(" <", "<")


@pytest.mark.parametrize("measure", ["resolution_rate", "overdue_rate", "score", "received"])
def test_rankings_page_equals_the_ranking_endpoint(history, client, api, measure):
    user = history.operator.user
    client.force_login(user)
    page = html_of(client.get("/command/rankings/", {"period": "month", "measure": measure, "level": "village"}))
    span = queries.Span.this_month()
    body = api.get("/stats/ranking", user=user, region=history.county.code, level="village", measure=measure,
                   start=span.start.isoformat(), end=span.end.isoformat()).json()
    page_rows = re.findall(r'<tr data-region="(\d+)"[^>]*>.*?data-testid="rank">\s*(\S+?)\s*<.*?'
                           r'data-testid="value">\s*<strong>([^<]*)</strong>', page)
    api_rows = [(r["region"]["code"], str(r["rank"]) if r["rank"] is not None else "—", r["display"])
                for r in body["rows"]]
    assert page_rows == api_rows
    small = {r["region"]["code"] for r in body["rows"] if r["small_denominator"]}
    assert small == set(re.findall(r'<tr data-region="(\d+)" class="small-den">', page))


def test_the_overdue_list_equals_the_overdue_endpoint(world, client, api):
    first = overdue_event(world, title="最早逾期")
    second = overdue_event(world, region=world.village_b, title="其次逾期")
    client.force_login(world.town_cadre.user)
    page = html_of(client.get("/command/rankings/"))
    ids = [int(i) for i in re.findall(r'<tr data-event="(\d+)">', page)]
    body = api.get("/stats/overdue", user=world.town_cadre.user).json()
    assert ids == [i["id"] for i in body["items"]] and set(ids) == {first.pk, second.pk}


def test_the_campaign_page_equals_the_campaign_endpoint(history, client, api):
    today = clock.local_date()
    c = campaign_create(actor=history.operator.user, name="百日攻坚", start=today - dt.timedelta(days=3),
                        end=today + dt.timedelta(days=97), region=history.county)
    client.force_login(history.operator.user)
    page = html_of(client.get(f"/command/campaigns/{c.pk}/"))
    body = api.get(f"/stats/campaigns/{c.pk}", user=history.operator.user).json()
    figures = re.findall(r'data-testid="campaign-figure">([^<]*)<', page)
    assert figures[0] == str(body["counts"]["received"]) and figures[1] == str(body["counts"]["resolved"])
    assert figures[2] == body["rates"]["resolution_rate"]["display"]
    assert figures[3] == str(body["counts"]["called_back"])
    table = re.search(r'data-testid="campaign-resolution_rate">(.*?)</table>', page).group(1)
    shown = re.findall(r'<tr data-region="(\d+)"[^>]*><td[^>]*>([^<]*)</td>.*?<strong>([^<]*)</strong>', table)
    expected = [(r["region"]["code"], str(r["rank"]) if r["rank"] else "—", r["display"])
                for r in body["rankings"]["resolution_rate"]]
    assert shown == expected


def test_any_two_spans_compare_like_the_api(history, client, api):
    today = clock.local_date()
    b_start, b_end = today - dt.timedelta(days=2), today
    a_start, a_end = today - dt.timedelta(days=40), today - dt.timedelta(days=20)
    overdue_event(history)  # registered 40 days ago: in the baseline span
    client.force_login(history.operator.user)
    page = html_of(client.get("/command/", {
        "period": "custom", "start": b_start.isoformat(), "end": b_end.isoformat(),
        "a_start": a_start.isoformat(), "a_end": a_end.isoformat()}))
    body = api.get("/stats/compare", user=history.operator.user, region=history.county.code,
                   a_start=a_start.isoformat(), a_end=a_end.isoformat(),
                   b_start=b_start.isoformat(), b_end=b_end.isoformat()).json()
    assert body["previous"]["counts"]["received"] == 1
    assert cell(page, "kpi-received") == str(body["current"]["counts"]["received"])
    pop = body["period_on_period"]["received"]
    assert f'{abs(pop["difference"])} ({abs(float(pop["percent"]))}%)' in cell(page, "pop-received")
    half = client.get("/command/", {"period": "custom", "start": b_start.isoformat(), "end": b_end.isoformat(),
                                    "a_start": a_start.isoformat()})
    assert half.status_code == 400
