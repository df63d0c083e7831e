"""A cadre's check-in on a phone-sized page (390×844), in Debian's chromium through Playwright,
with the geolocation permission granted: the position the phone gives goes into the form
(static/stationing/checkin.js — no inline script), is checked against the village outline on
arrival and on departure, and what was done is recorded. A second arrival from outside the
outline is told it will not count. Screenshots go to /tmp/maj-shots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import expect

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.stationing import actions
from fengqiao.stationing.models import Stay
from tests.browser.support import MARKS, login
from tests.majors.world import IN_A, NEAR_A

SHOTS = Path("/tmp/maj-shots")
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = MARKS


def test_a_cadre_checks_in_and_out_from_the_phone(live_server, mw, browser):
    today = clock.local_date()
    plan = actions.plan_create(actor=mw.user("town_cadre"), person=mw.police_a, rule="village_mon_fri",
                               region=mw.village_a, identity="police", starts_on=today - dt.timedelta(days=14))
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True, geolocation={"latitude": IN_A[0], "longitude": IN_A[1], "accuracy": 18},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.url, "police_a")
    expect(page.locator("a[data-nav=stationing_checkin]")).to_be_visible()
    page.click("a[data-nav=stationing_checkin]")
    card = page.locator(f"section[data-plan='{plan.pk}']")
    expect(card).to_contain_text("洋坂村")
    expect(card).to_contain_text("每周一、五住村")
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "phone-10-checkin.png"), full_page=True)

    with page.expect_navigation(wait_until="load"):
        card.locator("[data-testid=check-in]").click()
    expect(page.locator("[data-testid=present]")).to_be_visible()
    expect(page.locator("[data-testid=arrival-check]")).to_have_text("在辖区范围内")
    expect(page.locator(".messages")).to_contain_text("位置在辖区范围内")
    stay = Stay.objects.get(plan=plan)
    assert (round(stay.arrival_lat, 4), round(stay.arrival_lng, 4)) == IN_A and stay.arrival_accuracy == 18
    page.screenshot(path=str(SHOTS / "phone-11-present.png"), full_page=True)

    page.fill("input[name=out-households]", "5")
    page.fill("input[name=out-events_handled]", "1")
    page.fill("input[name=out-meetings]", "1")
    page.fill("textarea[name=out-notes]", "走访五户农户,调处一起邻里纠纷,召开村民小组会。")
    with page.expect_navigation(wait_until="load"):
        page.click("[data-testid=check-out]")
    expect(page.locator(".messages")).to_contain_text("已从洋坂村")
    expect(page.locator("[data-testid=present]")).to_have_count(0)
    stay.refresh_from_db()
    assert (stay.status, stay.departure_check, stay.households, stay.meetings) == ("left", "inside", 5, 1)
    page.screenshot(path=str(SHOTS / "phone-12-left.png"), full_page=True)

    # From the next village over: recorded, and told it will not count.
    context.set_geolocation({"latitude": NEAR_A[0], "longitude": NEAR_A[1], "accuracy": 25})
    with page.expect_navigation(wait_until="load"):
        page.locator(f"section[data-plan='{plan.pk}'] [data-testid=check-in]").click()
    expect(page.locator("[data-testid=arrival-check]")).to_have_text("不在辖区范围内")
    expect(page.locator(".messages")).to_contain_text("本次住村不计入")
    page.screenshot(path=str(SHOTS / "phone-13-outside.png"), full_page=True)
    context.close()

    rows = list(AuditEntry.objects.filter(stream=f"stay_plan:{plan.pk}").order_by("seq")
                .values_list("action", flat=True))
    assert rows == ["register", "check_in", "check_out", "check_in"]
    outside = Stay.objects.filter(plan=plan, status="present").get()
    assert outside.arrival_check == "outside" and 450 < outside.arrival_distance < 560


def test_the_ranking_on_a_desktop(live_server, mw, browser):
    plan = actions.plan_create(actor=mw.user("town_cadre"), person=mw.police_a, rule="village_mon_fri",
                               region=mw.village_a, identity="police", starts_on=clock.local_date() - dt.timedelta(
                                   days=30))
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, live_server.url, "town_cadre")
    page.goto(f"{live_server.url}/stationing/compliance/?by=person&weeks=4")
    expect(page.locator("[data-testid=ranking]")).to_contain_text("林民警")
    page.screenshot(path=str(SHOTS / "desktop-10-ranking.png"), full_page=True)
    page.goto(f"{live_server.url}/stationing/plans/{plan.pk}/")
    expect(page.locator("[data-testid=periods]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "desktop-11-plan.png"), full_page=True)
    context.close()
