"""The closed loop in a real browser: Debian's chromium driven by Playwright against the live server.

operator registers → village A's secretary acknowledges and resolves → operator calls back and
closes. Screenshots go to var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Event, Status
from tests.browser.support import MARKS, login

SHOTS = Path(settings.VAR_DIR) / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = MARKS


def _logout(page) -> None:
    page.click("form[action='/logout/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/login/"))


def _status(page) -> str:
    return page.locator("[data-testid=status]").inner_text().strip()


def test_register_acknowledge_resolve_call_back_close(live_server, world, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)

    # 1. The operator registers an event for 洋坂村 through the form (一窗受理).
    login(page, base, "operator")
    page.goto(f"{base}/events/new/")
    page.fill("#id_title", "洋坂村柯某反映工资拖欠")
    page.fill("#id_description", "柯某称老板吴某拖欠三个月工资,共计一万二千元。")
    page.select_option("#id_category", "dispute.wages")
    page.fill("#id_address", "度尾镇洋坂村3组")
    region = page.locator("select[name=region]")
    assert region.nth(0).input_value() == world.county.code  # the operator's one root, preselected
    region.nth(1).select_option(world.town.code)  # htmx brings the villages of 度尾镇
    page.wait_for_selector(f"select[name=region] option[value='{world.village_a.code}']", state="attached")
    page.locator("select[name=region]").nth(2).select_option(world.village_a.code)
    page.wait_for_selector(f"select[name=region] option[value='{world.grid_a.code}']", state="attached")
    page.fill("input[name=parties-0-name]", "柯某")
    page.fill("input[name=parties-0-phone]", "13912345678")
    page.click("[data-add-party]")
    page.fill("input[name=parties-1-name]", "吴某")
    page.screenshot(path=str(SHOTS / "01-register-form.png"), full_page=True)
    page.click("[data-testid=register-submit]")
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    event = Event.objects.get(title="洋坂村柯某反映工资拖欠")
    assert event.village_id == world.village_a.id
    assert sorted(event.parties.values_list("name", flat=True)) == ["吴某", "柯某"]
    assert _status(page) == "待签收"
    assert "已登记受理" in page.locator(".messages").inner_text()
    page.screenshot(path=str(SHOTS / "02-registered.png"), full_page=True)
    _logout(page)

    # 2. The village party secretary finds it under 待签收, acknowledges and resolves it.
    login(page, base, "secretary_a")
    page.evaluate("window.__noReload = true")
    page.click("[data-tab=in_progress]")
    page.wait_for_url(re.compile(r"\?tab=in_progress$"))
    page.wait_for_selector("[data-tab=in_progress][aria-selected=true]")
    assert page.locator(f"tr[data-event='{event.id}']").count() == 0
    page.click("[data-tab=to_acknowledge]")
    page.wait_for_url(re.compile(r"\?tab=to_acknowledge$"))
    page.wait_for_selector("[data-tab=to_acknowledge][aria-selected=true]")
    assert page.evaluate("window.__noReload") is True  # htmx swapped the panel, no full load
    row = page.locator(f"tr[data-event='{event.id}']")
    assert "洋坂村柯某反映工资拖欠" in row.inner_text()
    page.screenshot(path=str(SHOTS / "03-worklist-secretary.png"), full_page=True)
    row.locator(".col-title a").click()
    page.wait_for_url(re.compile(rf"/events/{event.id}/$"))
    page.click("button[data-action=acknowledge]")
    page.wait_for_url(re.compile(rf"/events/{event.id}/$"))
    assert _status(page) == "处置中"
    page.click("summary[data-action=resolve]")
    page.fill("textarea[name=resolve-result]", "经村调委会调解,吴某同意分两期支付,双方签订协议。")
    page.click("button[data-submit=resolve]")
    page.wait_for_url(re.compile(rf"/events/{event.id}/$"))
    assert _status(page) == "已办结"
    page.screenshot(path=str(SHOTS / "04-resolved.png"), full_page=True)
    # Her inbox held the dispatch notice; "mark all as read" posts to the API with the CSRF header.
    page.goto(f"{base}/inbox/")
    assert "待签收" in page.locator(".inbox").inner_text()
    assert page.locator("[data-testid=unread]").inner_text() == "1"
    with page.expect_navigation():
        page.click("[data-reload-after]")
    assert page.locator("[data-testid=unread]").count() == 0
    _logout(page)

    # 3. The operator calls the citizen back (satisfied) and closes the event.
    login(page, base, "operator")
    page.goto(f"{base}/events/{event.id}/")
    page.click("summary[data-action=call_back]")
    page.check("input[name=call_back-satisfaction][value=satisfied]")
    page.click("button[data-submit=call_back]")
    page.wait_for_url(re.compile(rf"/events/{event.id}/$"))
    page.click("button[data-action=close]")
    page.wait_for_url(re.compile(rf"/events/{event.id}/$"))
    assert _status(page) == "已归档"
    timeline = page.locator("[data-testid=timeline]").inner_text()
    for step in ["登记受理", "分拨", "签收", "办结", "回访", "归档"]:
        assert step in timeline
    assert "柯书记" in timeline and "陈调度" in timeline and "满意" in timeline
    page.screenshot(path=str(SHOTS / "05-closed.png"), full_page=True)

    event.refresh_from_db()
    assert event.status == Status.CLOSED and event.satisfaction == "satisfied"
    assert list(AuditEntry.objects.filter(event=event).order_by("seq").values_list("action", flat=True)) == [
        "register", "dispatch", "intake", "acknowledge", "resolve", "call_back", "close",
    ]
    context.close()


def test_worklist_on_a_phone(live_server, world, browser):
    from fengqiao.events import actions
    from fengqiao.events.models import Category

    for title, village in [("洋坂村柯某反映工资拖欠", world.village_a), ("剑山村道路破损", world.village_b)]:
        actions.event_register(actor=world.operator.user, title=title, source="walk_in",
                               category=Category.objects.get(code="dispute.wages"), region=village)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.url, "operator")
    page.wait_for_selector("[data-tab=to_acknowledge][aria-selected=true]")
    # The table becomes cards: no header row, one bordered block per event, nothing wider than
    # the screen.
    assert page.locator("table.events thead").is_hidden()
    assert page.locator("table.events tbody tr[data-event]").count() == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    tab = page.locator("[data-tab=to_acknowledge]").bounding_box()
    assert tab is not None and tab["height"] >= 44  # a thumb-sized target
    page.screenshot(path=str(SHOTS / "06-worklist-phone.png"), full_page=True)
    # The event page on the phone: actions first, nothing wider than the screen.
    page.locator("tr[data-event] .col-title a").first.click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    actions_box = page.locator("#actions").bounding_box()
    details_box = page.locator(".event-main").bounding_box()
    assert actions_box["y"] < details_box["y"]
    page.screenshot(path=str(SHOTS / "07-event-phone.png"), full_page=True)
    context.close()
