"""The figure panels in a real browser (Debian's chromium), at desktop 1366×900 and phone 390×844:
the three sources' charts draw from the page's JSON under the CSP (no inline script; the
`browser` fixture fails on any violation), the figures read as the queries say, the proxy panel,
the mediation tables (re-ranked from the select, no inline handler) and the 清零 column show;
screenshots go to /tmp/fig-shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fengqiao.citizen import actions as citizen
from fengqiao.events.models import Category
from tests.browser.support import MARKS, login
from tests.factories import make_person, register

SHOTS = Path("/tmp/fig-shots")
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = MARKS
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def figures_world(world):
    from fengqiao.people.models import Role

    for source, n in (("police", 3), ("litigation", 1), ("petition", 2)):
        for i in range(n):
            register(world, dispute_source=source, title=f"{source}{i}")
    register(world, dispute_source="litigation", region=world.village_c, title="郊尾诉源")
    agency = citizen.agency_create(actor=world.operator.user, name="洋坂村代办点", brand="“老村长”代办",
                                   kind="village", region=world.village_a)
    agent = make_person("张代办", Role.PROXY_AGENT, world.town, login="zhang", phone="13900000041")
    citizen.agent_appoint(actor=world.operator.user, agency=agency, person=agent, full_time=True)
    citizen.proxy_register(actor=agent.user, submission=citizen.ProxySubmission(
        citizen_name="林阿公", citizen_phone="13711114444", description="养老金认证不会操作,委托代办。",
        category=Category.objects.get(code="livelihood.social_security"), region=world.village_a))
    from tests.command.test_mediation_figures import _case
    from tests.mediation.world import build_centre

    centre = build_centre(world)
    for days in (1, 2):
        _case(centre, org=centre.brand_room, mediator=centre.brand_mediator, outcome_after=days)
    _case(centre, org=centre.town_committee, mediator=centre.town_mediator, outcome_after=5, term_status="not")
    _case(centre, org=centre.town_committee, mediator=centre.town_mediator, outcome_after=9, outcome="fail")
    return world


@pytest.mark.parametrize("size", list(SIZES))
def test_the_figure_panels_draw_at_desktop_and_phone_size(live_server, figures_world, browser, size):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "operator")

    page.goto(f"{base}/command/sources/?period=month")
    expect(page.get_by_test_id("kpi-police")).to_have_text("3")
    expect(page.get_by_test_id("kpi-litigation")).to_have_text("2")
    expect(page.get_by_test_id("kpi-petition")).to_have_text("2")
    expect(page.get_by_test_id("kpi-total")).to_have_text("7")
    for chart in ("chart-sources", "chart-source-places"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-drawn", "1")
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)
    page.screenshot(path=str(SHOTS / f"browser-sources-{size}.png"), full_page=True)

    page.goto(f"{base}/command/proxy/?period=month")
    expect(page.get_by_test_id("kpi-agencies")).to_have_text("1")
    expect(page.get_by_test_id("kpi-coverage")).to_have_text("33.3%")  # 1 of 3 villages
    expect(page.get_by_test_id("kpi-matters")).to_have_text("1")
    expect(page.get_by_test_id("agency-ranking")).to_contain_text("“老村长”代办")
    page.screenshot(path=str(SHOTS / f"browser-proxy-{size}.png"), full_page=True)

    page.goto(f"{base}/command/mediation/?period=custom&start=2025-03-01&end=2025-03-31")
    expect(page.get_by_test_id("kpi-cases")).to_have_text("4")
    expect(page.get_by_test_id("kpi-success")).to_have_text("75%")
    expect(page.get_by_test_id("kpi-success-exact")).to_have_text("75.00%")
    expect(page.get_by_test_id("kpi-performance")).to_have_text("66.6%")  # 2 of 3 terms due
    expect(page.get_by_test_id("mediation-room")).to_contain_text("和合说事工作室")
    page.get_by_test_id("rank-by").locator("select").select_option("cases")
    page.wait_for_url(re.compile(r"measure=cases"))
    # Two cases each: by cases they share the first rank (by success rate: 100% and 50.00%).
    expect(page.get_by_test_id("mediation-mediator").get_by_test_id("rank")).to_have_text(["1", "1"])
    page.screenshot(path=str(SHOTS / f"browser-mediation-{size}.png"), full_page=True)

    page.goto(f"{base}/command/petitions/")
    expect(page.get_by_test_id("campaign")).to_contain_text("化解一批")
    expect(page.get_by_test_id("chart-campaign")).to_have_attribute("data-drawn", "1")
    page.screenshot(path=str(SHOTS / f"browser-petitions-{size}.png"), full_page=True)
    assert not errors, errors
    context.close()
