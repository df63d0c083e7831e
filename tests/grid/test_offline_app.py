"""The field app with the network cut (Playwright offline): a visit and a hazard report with a
photo logged offline, the page reloaded, a second tab opened, the network back — exactly one
record of each arrives, and the app shows what is still waiting until then."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from fengqiao.grid.models import Checklist, Finding, HazardCheck, Photo, Visit
from tests.browser.support import MARKS, login
from tests.grid.world import build_grid_world, png

pytestmark = MARKS
SHOTS = Path("/tmp/grid-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def gw_live(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_grid_world()


def _ready(page):
    expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=20000)


def test_records_made_offline_arrive_exactly_once(live_server, gw_live, browser):
    gw = gw_live
    base = live_server.url
    context = browser.new_context(service_workers="allow", viewport=PHONE, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, base, "worker_a")
    page.goto(f"{base}/grid/app/")
    _ready(page)
    # The service worker is installed and keeps the app page before the signal goes.
    assert page.evaluate("navigator.serviceWorker.ready.then(() => caches.match('/grid/app/')).then(r => !!r)")
    page.reload()
    _ready(page)
    assert page.evaluate("!!navigator.serviceWorker.controller")

    context.set_offline(True)
    expect(page.get_by_test_id("net")).to_have_class("ga-net off")
    household = gw.households[0]

    # A visit with a photo.
    form = page.get_by_test_id("visit-form")
    form.locator("select[name=subject]").select_option(f"h:{household.pk}")
    form.locator("textarea[name=notes]").fill("独居老人柯大爷身体尚好，家中用电安全")
    form.locator("input[name=photos]").set_input_files(
        files=[{"name": "visit.png", "mimeType": "image/png", "buffer": png((20, 120, 200))}])
    expect(form.locator("[data-photo-count]")).to_have_text("📷 1")
    form.get_by_test_id("visit-save").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("1")

    # A hazard check with one failed item and a photo.
    page.locator("[data-tab=check]").click()
    check = page.get_by_test_id("check-form")
    fire = Checklist.objects.get(kind="fire")
    check.locator("select[name=checklist]").select_option(str(fire.pk))
    check.locator("select[name=subject]").select_option(f"h:{household.pk}")
    items = list(fire.items.filter(active=True))
    for item in items:
        value = "0" if item == items[3] else "1"
        check.locator(f"input[name=item-{item.pk}][value='{value}']").check()
    check.locator(f"input[name=note-{items[3].pk}]").fill("楼道里停放电动车充电")
    check.locator("input[name=photos]").set_input_files(
        files=[{"name": "hazard.png", "mimeType": "image/png", "buffer": png((200, 60, 20))}])
    expect(check.locator("[data-photo-count]")).to_have_text("📷 1")
    page.screenshot(path=str(SHOTS / "app-check-offline-phone.png"), full_page=True)
    check.get_by_test_id("check-save").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("2")
    page.locator("[data-tab=outbox]").click()
    expect(page.get_by_test_id("outbox").locator("li")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "app-waiting-offline-phone.png"), full_page=True)
    assert not Visit.objects.exists() and not HazardCheck.objects.exists()

    # Reloaded without signal: the service worker serves the app, IndexedDB still holds both.
    page.reload()
    _ready(page)
    expect(page.get_by_test_id("waiting-count")).to_have_text("2")
    # A second tab on the same phone.
    second = context.new_page()
    second.set_default_timeout(20000)
    second.goto(f"{base}/grid/app/")
    _ready(second)
    expect(second.get_by_test_id("waiting-count")).to_have_text("2")

    # The signal returns: both tabs try to send; each record arrives once.
    context.set_offline(False)
    expect(page.get_by_test_id("waiting-count")).to_have_text("0", timeout=40000)
    expect(second.get_by_test_id("waiting-count")).to_have_text("0", timeout=40000)
    page.locator("[data-tab=outbox]").click()
    expect(page.get_by_test_id("sent").locator("li")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "app-sent-phone.png"), full_page=True)

    assert Visit.objects.count() == 1 and HazardCheck.objects.count() == 1
    visit, hazard = Visit.objects.get(), HazardCheck.objects.get()
    assert visit.offline and visit.household_id == household.pk and "柯大爷" in visit.notes
    assert Photo.objects.filter(visit=visit).count() == 1 and Photo.objects.filter(check_record=hazard).count() == 1
    finding = Finding.objects.get()
    assert finding.item_text == items[3].text and finding.note == "楼道里停放电动车充电"
    assert finding.event is not None and items[3].text in finding.event.title
    context.close()
