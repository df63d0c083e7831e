"""The field app with the network cut, for publicity and patrols: a patrol whose route the phone
records (watchPosition) and a publicity log, both kept offline; the page reloaded, a second tab
opened, the network back — exactly one record of each arrives, and the route is on /grid/map/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from fengqiao.grid import actions
from fengqiao.grid.models import Patrol, Publicity
from tests.browser.support import MARKS, login
from tests.grid.world import build_grid_world

pytestmark = MARKS
SHOTS = Path("/tmp/grid-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"width": 390, "height": 844}
ROUTE = [(25.5010, 118.8010), (25.5020, 118.8025), (25.5035, 118.8030), (25.5050, 118.8045)]


@pytest.fixture
def gw_live(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    gw = build_grid_world()
    team = actions.team_create(actor=gw.base.admin.user, region=gw.grid_a, name="洋坂红袖标巡防队",
                               kind="red_armband")
    return gw, team


def _ready(page):
    expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=20000)


def test_a_patrol_with_its_route_and_a_publicity_log_made_offline_arrive_exactly_once(live_server, gw_live, browser):
    gw, team = gw_live
    base = live_server.url
    context = browser.new_context(service_workers="allow", viewport=PHONE, locale="zh-CN", is_mobile=True,
                                  has_touch=True, permissions=["geolocation"],
                                  geolocation={"latitude": ROUTE[0][0], "longitude": ROUTE[0][1]})
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, base, "worker_a")
    page.goto(f"{base}/grid/app/")
    _ready(page)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => caches.match('/grid/app/')).then(r => !!r)")
    page.reload()
    _ready(page)

    context.set_offline(True)
    expect(page.get_by_test_id("net")).to_have_class("ga-net off")

    # A publicity log.
    page.locator("[data-tab=publicity]").click()
    pub = page.get_by_test_id("publicity-form")
    pub.locator("input[name=theme]").fill("防范电信网络诈骗")
    pub.locator("input[name=households_visited]").fill("36")
    pub.locator("input[name=leaflets]").fill("150")
    pub.locator("input[name=online_pushes]").fill("2")
    page.screenshot(path=str(SHOTS / "app-publicity-offline-phone.png"), full_page=True)
    pub.get_by_test_id("publicity-save").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("1")

    # A patrol: started, the phone walks the route, the page reloaded mid-patrol, ended, saved.
    page.locator("[data-tab=patrol]").click()
    patrol = page.get_by_test_id("patrol-form")
    patrol.locator("select[name=team]").select_option(str(team.pk))
    patrol.locator("input[name=members_count]").fill("3")
    patrol.get_by_test_id("patrol-start").click()
    track = page.get_by_test_id("track")
    expect(track).to_have_attribute("data-running", "1")
    for lat, lng in ROUTE[1:3]:
        context.set_geolocation({"latitude": lat, "longitude": lng})
        page.wait_for_timeout(700)
    expect(track).to_have_attribute("data-points", "3", timeout=10000)
    page.reload()  # still no signal: the service worker serves the app, the track is kept
    _ready(page)
    page.locator("[data-tab=patrol]").click()
    expect(track).to_have_attribute("data-points", "3")
    context.set_geolocation({"latitude": ROUTE[3][0], "longitude": ROUTE[3][1]})
    expect(track).to_have_attribute("data-points", "4", timeout=10000)
    page.screenshot(path=str(SHOTS / "app-patrol-offline-phone.png"), full_page=True)
    patrol.get_by_test_id("patrol-end").click()
    expect(track).to_have_attribute("data-running", "0")
    patrol.locator("textarea[name=findings]").fill("巡至村口，无异常")
    patrol.get_by_test_id("patrol-save").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("2")
    assert not Patrol.objects.exists() and not Publicity.objects.exists()

    page.reload()
    _ready(page)
    expect(page.get_by_test_id("waiting-count")).to_have_text("2")
    second = context.new_page()
    second.set_default_timeout(20000)
    second.goto(f"{base}/grid/app/")
    _ready(second)
    expect(second.get_by_test_id("waiting-count")).to_have_text("2")
    page.locator("[data-tab=outbox]").click()
    page.screenshot(path=str(SHOTS / "app-outbox-patrol-offline-phone.png"), full_page=True)

    context.set_offline(False)
    expect(page.get_by_test_id("waiting-count")).to_have_text("0", timeout=40000)
    expect(second.get_by_test_id("waiting-count")).to_have_text("0", timeout=40000)
    expect(page.get_by_test_id("sent").locator("li")).to_have_count(2)

    assert Publicity.objects.count() == 1 and Patrol.objects.count() == 1
    log = Publicity.objects.get()
    assert (log.theme, log.households_visited, log.leaflets, log.online_pushes, log.offline) == (
        "防范电信网络诈骗", 36, 150, 2, True)
    walked = Patrol.objects.get()
    assert walked.team_id == team.pk and walked.offline and walked.members_count == 3
    assert [tuple(p) for p in walked.route] == ROUTE and walked.distance_m > 400
    assert walked.findings == "巡至村口，无异常" and walked.ended_at > walked.started_at

    # The route on the map.
    page.goto(f"{base}/grid/map/?area={gw.grid_a.code}")
    expect(page.locator("#g-map[data-loaded]")).to_have_count(1, timeout=20000)
    geo = page.evaluate("fetch(document.querySelector('#g-map').dataset.data).then(r => r.json())")
    lines = [f for f in geo["features"] if f["properties"]["kind"] == "patrol"]
    assert len(lines) == 1 and len(lines[0]["geometry"]["coordinates"]) == 4
    page.screenshot(path=str(SHOTS / "map-patrol-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "map-patrol-desktop.png"))
    context.close()
