"""Triage in a real browser (Debian's chromium, Playwright): a town cadre dispatches an event
whose address fitted two villages, then merges a 110 call into the 12345 ticket it repeats."""

from __future__ import annotations

import re

from django.db import transaction

from fengqiao.events.models import Status
from fengqiao.triage.actions import triage_open
from fengqiao.triage.models import TriageItem
from tests.browser.support import MARKS, login
from tests.browser.test_closed_loop import SHOTS
from tests.factories import register

pytestmark = MARKS


def test_town_cadre_dispatches_and_merges_from_the_triage_page(live_server, world, browser):
    ambiguous = register(world, region=world.town, title="水压不足,地址不详", category="other", source="police_110")
    kept = register(world, title="洋坂村菜溪线路灯不亮", source="hotline_12345")
    dup = register(world, title="报警称菜溪线路灯坏了", source="police_110")
    with transaction.atomic():
        triage_open(event=ambiguous, reasons=["ambiguous_address"], region_candidates=[
            {"code": world.village_a.code, "name": "洋坂村"}, {"code": world.village_b.code, "name": "剑山村"}])
        triage_open(event=dup, reasons=["duplicate"], twins=[(kept, 0.83)])

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.url, "towncadre")
    page.goto(f"{live_server.url}/triage/")
    assert page.locator("tr[data-item]").count() == 2
    page.screenshot(path=str(SHOTS / "triage-queue.png"), full_page=True)

    page.click(f"tr[data-item] a:text('{ambiguous.code}')")
    page.click(f"button[data-candidate='{world.village_b.code}']")
    page.wait_for_url(re.compile(r"/triage/$"))
    assert page.locator("tr[data-item]").count() == 1
    ambiguous.refresh_from_db()
    assert ambiguous.status == Status.DISPATCHED and ambiguous.village_id == world.village_b.pk

    page.click(f"tr[data-item] a:text('{dup.code}')")
    # Duplicates are the command centre's to decide (merge is an operator's action).
    assert page.locator("[data-testid=operator-decides]").count() == 1
    page.click("form[action='/logout/'] button[type=submit]")
    login(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/triage/")
    page.click(f"tr[data-item] a:text('{dup.code}')")
    page.screenshot(path=str(SHOTS / "triage-item.png"), full_page=True)
    page.click(f"tr[data-twin='{kept.pk}'] button[data-decision='merge']")
    page.wait_for_url(re.compile(r"/triage/$"))
    assert page.locator("tr[data-item]").count() == 0
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into_id == kept.pk
    assert TriageItem.objects.filter(closed_at__isnull=True).count() == 0
    context.close()
