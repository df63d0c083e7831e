"""In a browser at desktop and phone sizes: the town cadre's 待审批 tab, the urge confirmation with
a note, 回访 gone once made, and the grid worker's menu and worklist. Screenshots in
var/screenshots/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.people.models import Role
from tests.browser.support import MARKS, login
from tests.events.helpers import event_in
from tests.factories import make_person, register

SHOTS = Path(settings.VAR_DIR) / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
pytestmark = MARKS
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_decisions_urges_call_backs_and_the_grid_worker(live_server, world, browser, size):
    base = live_server.url
    make_person("网格员甲", Role.GRID_WORKER, world.grid_a, login="gw", phone="13900000099")
    asked = event_in(world, "in_progress", world.admin.user)
    actions.event_request_extension(event=asked, actor=world.secretary_a.user, days=3, reason="等待鉴定")
    done = event_in(world, "resolved", world.admin.user)
    in_grid = register(world, region=world.grid_a, title="第一网格内的事")
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)

    login(page, base, "towncadre")
    tab = page.locator("[data-tab=to_approve]")
    assert "待审批" in tab.inner_text() and tab.locator(".count").inner_text() == "1"
    tab.click()
    page.wait_for_selector("[data-tab=to_approve][aria-selected=true]")
    assert page.locator(f"tr[data-event='{asked.pk}']").count() == 1
    page.screenshot(path=str(SHOTS / f"worklist-to-approve-{size}.png"), full_page=True)

    page.goto(f"{base}/events/{asked.pk}/")
    page.click("summary[data-action=urge]")
    page.fill("#id_urge-note", "请今天反馈")
    assert AuditEntry.objects.filter(event=asked, action="urge").count() == 0
    page.click("[data-submit=urge]")
    page.wait_for_selector(".messages")
    assert AuditEntry.objects.get(event=asked, action="urge").note == "请今天反馈"

    page.goto(f"{base}/events/{done.pk}/")
    assert page.locator("[data-action=call_back]").count() == 1
    page.click("summary[data-action=call_back]")
    page.check("input[name='call_back-satisfaction'][value=satisfied]")
    page.click("[data-submit=call_back]")
    page.wait_for_selector(".messages")
    assert page.locator("[data-action=call_back]").count() == 0
    assert page.locator("[data-action=close]").count() == 1
    page.click("form[action='/logout/'] button[type=submit]")

    login(page, base, "gw")
    html = page.content()
    assert "网格采集" in html and 'data-nav="event_new"' not in html
    page.goto(f"{base}/?tab=to_acknowledge")
    assert page.locator(f"tr[data-event='{in_grid.pk}']").count() == 1
    page.screenshot(path=str(SHOTS / f"worklist-grid-worker-{size}.png"), full_page=True)
    context.close()
