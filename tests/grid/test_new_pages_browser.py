"""The rented rooms', posts' and rules' pages in a browser at desktop and phone size: they render,
a bad form shows its errors in place, and nothing is wider than a phone's screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from fengqiao.grid import actions
from tests.browser.support import MARKS, login
from tests.grid.world import build_grid_world

pytestmark = MARKS
SHOTS = Path("/tmp/grid-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def gw_live(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    gw = build_grid_world()
    admin = gw.base.admin.user
    for i in range(1, 4):
        actions.room_save(actor=admin, room=None, code=f"YB-R{i:02d}", address=f"洋坂村出租楼{i}幢",
                          region=gw.grid_a, landlord_name="柯房东", phone=f"1381111000{i}", rooms=4 + i,
                          tenants=6 + i, household=gw.households[0] if i == 1 else None)
    actions.household_head_appoint(actor=admin, household=gw.households[0], name="柯大爷", phone="13800000001")
    return gw


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_new_grid_pages(live_server, gw_live, browser, size):
    base = live_server.url
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, base, "secretary_a")
    page.goto(f"{base}/grid/rooms/")
    expect(page.get_by_test_id("rooms").locator("tbody tr")).to_have_count(3)
    _fits(page)
    page.screenshot(path=str(SHOTS / f"rooms-{size}.png"), full_page=True)
    page.get_by_test_id("new-room").click()
    form = page.get_by_test_id("room-form")
    form.locator("input[name=code]").fill("YB-R01")  # taken
    form.locator("input[name=address]").fill("洋坂村出租楼9幢")
    form.locator("input[name=landlord_name]").fill("林房东")
    form.locator("input[name=household_code]").fill("JS-001")
    form.get_by_test_id("save").click()
    expect(page.locator("[data-field=household_code] .error")).to_have_count(1)
    _fits(page)
    page.screenshot(path=str(SHOTS / f"room-form-errors-{size}.png"), full_page=True)
    page.goto(f"{base}/grid/posts/")
    page.locator("summary", has_text="户长").click()
    expect(page.get_by_test_id("household-head-form")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(SHOTS / f"posts-{size}.png"), full_page=True)
    page.goto(f"{base}/grid/import/")
    page.screenshot(path=str(SHOTS / f"import-{size}.png"), full_page=True)
    context.clear_cookies()
    login(page, base, "towncadre")
    page.goto(f"{base}/grid/rooms/")
    page.locator("a", has_text="YB-R01").click()
    expect(page.get_by_test_id("room-form").locator("input[name=phone]")).to_have_count(0)
    page.screenshot(path=str(SHOTS / f"room-edit-masked-{size}.png"), full_page=True)
    context.clear_cookies()
    login(page, base, "admin_user")
    page.goto(f"{base}/grid/rules/")
    page.select_option("select[name=household_level]", "unit")
    page.fill("input[name=unit_name]", "楼院")
    page.locator("form:has(input[value=rules]) button[type=submit]").click()
    expect(page.locator("select[name=household_level]")).to_have_value("unit")
    _fits(page)
    page.screenshot(path=str(SHOTS / f"rules-{size}.png"), full_page=True)
    context.close()
