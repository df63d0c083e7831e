"""The command dashboard in a real browser (Debian's chromium through Playwright): the operator
opens it, the ECharts charts and the Leaflet map draw, one click on a town drills down, and the
overdue list urges with one click. Screenshots go to var/screenshots/ and /tmp."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from django.conf import settings

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions as ev
from fengqiao.lib import clock
from fengqiao.regions.actions import region_create
from tests.browser.support import MARKS, login
from tests.factories import register

SHOTS = Path(settings.VAR_DIR) / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = MARKS


@pytest.fixture
def county(world):
    """Grids in every village, synthetic outlines drawn through the shape importer, and events."""
    from fengqiao.demo.geography import create_shapes

    region_create(parent=world.village_b, code="350322103209G01", level="grid", name="剑山村第一网格")
    region_create(parent=world.village_c, code="350322102201G01", level="grid", name="梅塘村第一网格")
    create_shapes(county=world.county, rng=random.Random(7))
    for region, secretary, n_done, n_open in ((world.village_a, world.secretary_a, 3, 2),
                                              (world.village_b, world.secretary_b, 1, 1),
                                              (world.village_c, world.secretary_c, 0, 2)):
        for i in range(n_done):
            e = register(world, region=region, title=f"已办结{i}", category="dispute.neighbours")
            ev.event_acknowledge(event=e, actor=secretary.user)
            ev.event_resolve(event=e, actor=secretary.user, result="已调解")
        for i in range(n_open):
            register(world, region=region, title=f"办理中{i}", source="hotline_12345")
    with clock.frozen(clock.now() - dt.timedelta(days=40)):
        late = register(world, region=world.village_a, title="拖了很久的工资纠纷")
    world.late = late
    return world


def _size(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "el => { const r = el.getBoundingClientRect();"
                                           " return {w: r.width, h: r.height}; }")


def test_the_operator_sees_charts_and_map_drawn_and_drills_down(live_server, county, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "operator")
    page.goto(f"{base}/command/")
    assert page.locator("[data-testid=kpi-received]").inner_text().strip() == "9"

    # ECharts draws into canvases with a size; every chart is marked drawn.
    for testid in ("chart-bars", "chart-line", "chart-category", "chart-source"):
        page.wait_for_selector(f"[data-testid={testid}][data-drawn='1'] canvas")
        size = _size(page, f"[data-testid={testid}] canvas")
        assert size["w"] > 100 and size["h"] > 100, (testid, size)

    # Leaflet draws the towns' outlines as SVG paths, coloured by the chosen measure.
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    assert page.get_attribute("[data-testid=map]", "data-features") == "2"
    paths = page.locator("[data-testid=map] svg path.leaflet-interactive")
    assert paths.count() == 2
    box = _size(page, "[data-testid=map] svg")
    assert box["w"] > 200 and box["h"] > 200
    fills = {paths.nth(i).get_attribute("fill") for i in range(paths.count())}
    assert len(fills) == 2  # 度尾镇 (4 of 7 resolved) and 郊尾镇 (none) are coloured apart
    page.wait_for_timeout(300)
    shot = Path("/tmp/fq-commandpages/dashboard.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    page.screenshot(path=str(SHOTS / "command-dashboard.png"), full_page=True)
    assert not errors, errors

    # The bulletin button: the pack is built (inline here) and its two files are offered.
    page.click("[data-testid=bulletin-button]")
    page.wait_for_selector("[data-testid=bulletin-docx]")
    assert page.get_attribute("[data-testid=bulletin-docx]", "href").endswith("/docx")

    # Drill down: a click on 度尾镇 in the spread opens its villages.
    page.click("table.spread tr[data-region='350322103'] a")
    page.wait_for_url(re.compile(r"region=350322103"))
    assert page.locator("[data-testid=region-name]").inner_text() == "度尾镇"
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    assert page.get_attribute("[data-testid=map]", "data-features") == "2"  # its two villages
    # … and a village opens its events.
    page.click("table.spread tr[data-region='350322103208'] a")
    page.wait_for_url(re.compile(r"/command/events/"))
    assert "已办结0" in page.locator("table.events").inner_text()

    # The overdue list: one click urges; the row says so without a page load.
    page.goto(f"{base}/command/rankings/")
    page.evaluate("window.__noReload = true")
    row = page.locator(f"tr[data-event='{county.late.pk}']")
    row.locator("[data-testid=urge]").click()  # opens the confirmation; nothing is sent yet
    assert AuditEntry.objects.filter(event=county.late, action="urge").count() == 0
    row.locator("[data-testid=urge-confirm]").click()
    page.wait_for_selector(f"#result-{county.late.pk} [data-testid=action-ok]")
    assert page.evaluate("window.__noReload") is True
    assert AuditEntry.objects.filter(event=county.late, action="urge").count() == 1
    page.screenshot(path=str(SHOTS / "command-rankings.png"), full_page=True)

    # The big screen draws too.
    page.goto(f"{base}/command/screen/")
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    page.wait_for_selector("[data-chart=bars][data-drawn='1'] canvas")
    # A chart's tooltip is styled from script (CSSOM), which style-src 'self' allows: hovering
    # a bar shows it, and the browser fixture fails the test on any CSP violation.
    bars = page.locator("[data-chart=bars] canvas").first
    box = bars.bounding_box()
    assert box is not None
    for fraction in (0.2, 0.35, 0.5, 0.65, 0.8):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(150)
    page.screenshot(path="/tmp/fq-commandpages/screen.png")
    assert not errors, errors
    context.close()


def test_a_town_cadre_on_a_phone_sees_their_villages(live_server, county, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, live_server.url, "towncadre")
    page.goto(f"{live_server.url}/command/")
    assert page.locator("[data-testid=region-name]").inner_text() == "度尾镇"
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    assert page.get_attribute("[data-testid=map]", "data-features") == "2"
    page.wait_for_selector("[data-testid=chart-bars][data-drawn='1'] canvas")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # nothing wider than the phone
    page.screenshot(path="/tmp/fq-commandpages/phone.png", full_page=True)
    context.close()
