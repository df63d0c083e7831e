"""代办 in the command centre: agencies, coverage, agents, matters, compared and ranked — the same
numbers on the page, in /api/v1/stats/proxy and in the export, each printed to the digit; scope."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.citizen import actions as citizen
from fengqiao.command.figures_proxy import proxy_figures
from fengqiao.events import actions
from fengqiao.events.models import Category
from fengqiao.lib import clock
from fengqiao.people.models import Role
from tests.command.helpers import at
from tests.factories import make_person

pytestmark = pytest.mark.django_db

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31",
         "a_start": "2026-02-01", "a_end": "2026-02-28"}


def take(world, agent, village, *, resolve=False):
    receipt = citizen.proxy_register(actor=agent.user, submission=citizen.ProxySubmission(
        citizen_name="林阿公", citizen_phone="13711114444", description="养老金认证不会操作,委托代办。",
        category=Category.objects.get(code="livelihood.social_security"), region=village))
    if resolve:
        secretary = {world.village_a.pk: world.secretary_a, world.village_b.pk: world.secretary_b}[village.pk]
        actions.event_acknowledge(event=receipt.event, actor=secretary.user)
        actions.event_resolve(event=receipt.event, actor=secretary.user, result="已代办完成")
    return receipt.event


@pytest.fixture
def proxy(world):
    """Agencies in 洋坂村 (“老村长”代办) and 剑山村, a park agency (平安超市) of 度尾镇, none in 梅塘村
    (the other town). March 2026: 张 takes 3 (2 resolved), 李 1 (resolved), 王 1 (open);
    February: 张 2; March 2025: 李 1."""
    cadre = world.town_cadre.user
    with clock.frozen(at(2025, 1, 5)):
        a = citizen.agency_create(actor=cadre, name="洋坂村代办点", brand="“老村长”代办", kind="village",
                                  region=world.village_a)
        b = citizen.agency_create(actor=cadre, name="剑山村代办点", kind="village", region=world.village_b)
        park = citizen.agency_create(actor=cadre, name="度尾工业园区代办站", brand="平安超市", kind="park",
                                     region=world.town)
        zhang = make_person("张代办", Role.PROXY_AGENT, world.town, login="zhang", phone="13900000041")
        li = make_person("李代办", Role.PROXY_AGENT, world.village_b, login="li", phone="13900000042")
        wang = make_person("王代办", Role.PROXY_AGENT, world.town, login="wang", phone="13900000043")
        citizen.agent_appoint(actor=cadre, agency=a, person=zhang, full_time=True)
        citizen.agent_appoint(actor=cadre, agency=b, person=li)
        citizen.agent_appoint(actor=cadre, agency=park, person=wang)
    with clock.frozen(at(2025, 3, 10)):
        take(world, li, world.village_b)
    with clock.frozen(at(2026, 2, 9)):
        take(world, zhang, world.village_a)
        take(world, zhang, world.village_a)
    with clock.frozen(at(2026, 3, 3)):
        take(world, zhang, world.village_a, resolve=True)
        take(world, zhang, world.village_a, resolve=True)
        take(world, zhang, world.village_a)
        take(world, li, world.village_b, resolve=True)
        take(world, wang, world.village_a)
    world.agencies = (a, b, park)
    world.agents = (zhang, li, wang)
    return world


def figures(world, who="operator", region=None, **kw):
    return proxy_figures(user=world.user(who), region=region or world.county, start=dt.date(2026, 3, 1),
                         end=dt.date(2026, 3, 31), **kw)


def test_the_county_panel_counts_agencies_coverage_agents_and_matters(proxy):
    f = figures(proxy)
    assert (f.agencies, f.agents, f.full_time) == (3, 3, 1)
    assert (f.covered, f.villages, f.coverage.display) == (2, 3, "66.6%")  # 2/3 cut, not 66.7%
    assert (f.matters, f.resolved, f.open, f.resolution.display) == (5, 3, 2, "60.0%")
    assert f.cumulative == 8  # 1 (2025) + 2 (February) + 5 (March)
    assert (f.period_on_period.baseline, f.period_on_period.display) == (2, "+150.0%")
    assert (f.year_on_year.baseline, f.year_on_year.display) == (1, "+400.0%")
    assert dict((k, n) for k, _label, n in f.by_kind) == {"village": 2, "town": 0, "county": 0, "park": 1,
                                                          "volunteer": 0}
    assert f.without_agency == 0


def test_places_agencies_and_agents_are_ranked_by_matters(proxy):
    f = figures(proxy)
    towns = {p.region.name: (p.covered, p.villages, p.coverage.display, p.agencies, p.agents, p.matters,
                             p.resolution.display) for p in f.places}
    assert towns == {"度尾镇": (2, 2, "100%", 3, 3, 5, "60.0%"), "郊尾镇": (0, 1, "0%", 0, 0, 0, "—")}
    assert [(r.rank, r.name, r.matters, r.resolution.display) for r in f.agency_rows] == [
        (1, "洋坂村代办点", 3, "66.6%"), (2, "度尾工业园区代办站", 1, "0%"), (2, "剑山村代办点", 1, "100%")]
    assert [(r.rank, r.name, r.agency, r.matters) for r in f.agent_rows] == [
        (1, "张代办", "“老村长”代办", 3), (2, "李代办", "剑山村代办点", 1), (2, "王代办", "平安超市", 1)]
    limited = figures(proxy, limit=1)
    assert len(limited.agency_rows) == 1 and limited.agencies_ranked == 3 and limited.agents_ranked == 3


def test_a_town_sees_its_own_and_nothing_else(proxy):
    from django.http import Http404

    f = figures(proxy, who="town_cadre", region=proxy.town)
    assert (f.coverage.display, f.matters, f.level) == ("100%", 5, "village")
    # 张's matters are his agency's (洋坂村), 李's 剑山村's; 王's park agency sits in the town itself.
    assert [(p.region.name if p.region else None, p.coverage.display, p.agencies, p.matters) for p in f.places] == [
        ("洋坂村委会", "100%", 1, 3), ("剑山村委会", "100%", 1, 1), (None, "—", 1, 1)]
    with pytest.raises(Http404):
        figures(proxy, who="other_town_cadre", region=proxy.town)
    with pytest.raises(Http404):
        figures(proxy, who="town_cadre", region=proxy.county)


def test_the_page_prints_the_same_figures(proxy, client):
    client.force_login(proxy.operator.user)
    r = client.get("/command/proxy/", {"region": proxy.county.code, **MARCH})
    assert r.status_code == 200
    html = re.sub(r"\s+", " ", r.content.decode())

    def kpi(name):
        return re.search(rf'data-testid="{name}">([^<]+)<', html).group(1).strip()

    assert (kpi("kpi-agencies"), kpi("kpi-coverage"), kpi("kpi-agents")) == ("3", "66.6%", "3")
    assert (kpi("kpi-matters"), kpi("kpi-resolution"), kpi("kpi-cumulative")) == ("5", "60.0%", "8")
    assert (kpi("pop-matters"), kpi("yoy-matters")) == ("+150.0%", "+400.0%")
    ranking = re.search(r'data-testid="agency-ranking"(.*?)</table>', html).group(1)
    assert re.findall(r'data-testid="rank">(\d+)<', ranking) == ["1", "2", "2"]
    assert "“老村长”代办" in ranking and "平安超市" in ranking
    # Outside one's scope the page is a 404; bad input an error on the page, not a 500.
    client.force_login(proxy.other_town_cadre.user)
    assert client.get("/command/proxy/", {"region": proxy.town.code}).status_code == 404
    client.force_login(proxy.operator.user)
    bad = client.get("/command/proxy/", {"region": proxy.county.code, "period": "custom", "start": "2026-03-31",
                                         "end": "2026-03-01"})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()


def test_the_api_and_the_export_say_the_same(proxy, api, client):
    params = {"region": proxy.county.code, "start": "2026-03-01", "end": "2026-03-31",
              "a_start": "2026-02-01", "a_end": "2026-02-28"}
    r = api.get("/stats/proxy", user=proxy.operator.user, **params)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["agencies"], body["agents"], body["full_time"], body["part_time"]) == (3, 3, 1, 2)
    assert body["coverage"] == {"numerator": 2, "denominator": 3, "value": "66.6", "display": "66.6%"}
    assert (body["matters"], body["cumulative"], body["resolution_rate"]["display"]) == (5, 8, "60.0%")
    assert body["period_on_period"]["percent"] == "150.0"
    assert [a["name"] for a in body["agency_ranking"]] == ["洋坂村代办点", "度尾工业园区代办站", "剑山村代办点"]
    assert api.get("/stats/proxy", user=proxy.operator.user, **params, limit="0").status_code == 400
    assert api.get("/stats/proxy", user=proxy.operator.user, **params, limit="x").status_code == 400
    assert api.get("/stats/proxy", user=proxy.operator.user, region=proxy.county.code,
                   start="2026-03-01").status_code == 400
    assert api.get("/stats/proxy", user=proxy.other_town_cadre.user, region=proxy.town.code).status_code == 404
    assert api.get("/stats/proxy", user=proxy.agents[0].user).status_code == 200  # their own town

    client.force_login(proxy.operator.user)
    x = client.get("/command/proxy.xlsx", {"region": proxy.county.code, **MARCH})
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content))
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert summary["代办机构"] == 3 and summary["代办事项"] == 5 and summary["累计代办事项"] == 8
    assert summary["覆盖率(%)"] == 66.6 and summary["办结率(%)"] == 60.0
    agencies = list(wb["代办机构"].iter_rows(min_row=2, values_only=True))
    assert [(a[0], a[1], a[8]) for a in agencies] == [(1, "洋坂村代办点", 3), (2, "度尾工业园区代办站", 1),
                                                      (2, "剑山村代办点", 1)]
    api_x = api.get("/stats/proxy.xlsx", user=proxy.operator.user, **params)
    assert api_x.status_code == 200


def test_seed_001s_coverage_prints_100_percent_and_the_counts_as_counted(world):
    """372 agencies over every village shows coverage 100% (seed 001), through the same code."""
    from fengqiao.regions.actions import region_create

    cadre = world.operator.user
    villages = [world.village_a, world.village_b, world.village_c]
    for i in range(7):
        villages.append(region_create(parent=world.town, code=f"3503221032{30 + i}", level="village",
                                      name=f"第{i}村委会"))
    for i in range(372):
        citizen.agency_create(actor=cadre, name=f"代办点{i:03d}", kind="village" if i < 360 else "park",
                              region=villages[i % len(villages)] if i < 360 else world.town)
    with clock.frozen(at(2026, 3, 5)):
        f = proxy_figures(user=cadre, region=world.county, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert (f.agencies, f.villages, f.covered, f.coverage.display) == (372, 10, 10, "100%")


def test_the_dashboard_carries_the_proxy_line(proxy, client):
    client.force_login(proxy.operator.user)
    html = re.sub(r"\s+", " ", client.get("/command/", {"region": proxy.county.code, **MARCH}).content.decode())

    def shown(name):
        return re.search(rf'data-testid="{name}">([^<]+)<', html).group(1).strip()

    assert (shown("proxy-agencies"), shown("proxy-coverage"), shown("proxy-agents"), shown("proxy-matters")) == (
        "3", "66.6%", "3", "5")
    assert 'href="/command/proxy/?' in html and 'href="/command/sources/?' in html


@pytest.mark.parametrize("path", ["/stats/proxy", "/stats/sources", "/stats/petitions", "/stats/mediation"])
def test_every_figure_endpoint_answers_bad_spans_with_400_never_500(world, api, path):
    user = world.operator.user
    for params in [{"start": "0001-01-01", "end": "0001-01-02"}, {"start": "9999-12-30", "end": "9999-12-31"},
                   {"start": "2026-03-01", "end": "2026-03-31", "a_start": "0001-01-01", "a_end": "0001-01-05"},
                   {"start": "2026-03-31", "end": "2026-03-01"}, {"start": "2026-03-01", "end": "2036-03-31"},
                   {"start": "2026-13-01", "end": "2026-03-31"}]:
        r = api.get(path, user=user, **params)
        assert r.status_code == 400, (path, params, r.status_code)
        assert set(r.json()) >= {"code", "message"}
    assert api.get(path, user=user, region="x" * 40).status_code == 404
