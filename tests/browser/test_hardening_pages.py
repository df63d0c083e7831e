"""What the hardening shows a person, in the browser at desktop and phone size: the sign-in
lockout in Chinese, a call placed through the platform for someone who may not see the number,
and the platform's own 404 page. Screenshots go to var/screenshots/hardening/ to be looked at."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from fengqiao.events.actions import PartyInput
from fengqiao.notify.models import OutboxMessage
from fengqiao.people.models import LoginLock
from tests.browser.support import MARKS, login
from tests.factories import register

SHOTS = Path(settings.VAR_DIR) / "screenshots" / "hardening"
SHOTS.mkdir(parents=True, exist_ok=True)
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = MARKS


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_five_wrong_passwords_lock_the_account_and_the_page_says_so_in_chinese(live_server, world, browser):
    for size, viewport in SIZES.items():
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        username = "secretary_a" if size == "desktop" else "police_a"
        for _ in range(5):
            page.fill("#id_username", username)
            page.fill("#id_password", "wrong-password")
            page.click("form[action='/login/'] button[type=submit]")
            page.wait_for_load_state()
        page.screenshot(path=str(SHOTS / f"login-locked-{size}.png"), full_page=True)
        expect(page.locator("main")).to_contain_text("该账号已被锁定")
        # The right password is refused too while the lock lasts.
        page.fill("#id_username", username)
        page.fill("#id_password", "Fengqiao@2026")
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_load_state()
        assert "/login/" in page.url
        _fits(page, viewport["width"])
        page.screenshot(path=str(SHOTS / f"login-locked-{size}.png"), full_page=True)
        context.close()
    assert LoginLock.objects.filter(key__in=["account:secretary_a", "account:police_a"]).count() == 2


def test_a_town_cadre_calls_a_party_through_the_platform_without_seeing_the_number(live_server, world, browser):
    event = register(world, parties=[PartyInput(name="柯某", phone="13912345678")])
    for size, viewport in SIZES.items():
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        login(page, live_server.url, "towncadre")
        page.goto(f"{live_server.url}/events/{event.pk}/")
        assert "13912345678" not in page.content()
        confirm = page.locator("#action-call details.call-confirm", has_text="柯某")
        confirm.locator("summary").click()  # one click opens the confirmation, it sends nothing
        assert OutboxMessage.objects.filter(template="call_request").count() == (0 if size == "desktop" else 1)
        confirm.locator("button[data-submit=call]").click()
        page.wait_for_url(re.compile(rf"/events/{event.pk}/"))
        notice = page.locator(".messages, .message, [role=status]").first
        expect(notice).to_be_visible()
        assert "13912345678" not in page.content()
        assert page.locator("[data-testid=tel]").count() == 0  # nothing to dial
        _fits(page, viewport["width"])
        page.screenshot(path=str(SHOTS / f"call-request-{size}.png"), full_page=True)
        context.close()
    texts = OutboxMessage.objects.filter(template="call_request")
    assert texts.count() == 2 and "林镇干" in texts.first().body


def test_an_unknown_page_answers_the_platforms_404_in_chinese(live_server, world, browser):
    for size, viewport in SIZES.items():
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        login(page, live_server.url, "secretary_a")
        response = page.goto(f"{live_server.url}/events/999999/")
        assert response is not None and response.status == 404
        expect(page.locator("main")).to_contain_text("未找到")
        _fits(page, viewport["width"])
        page.screenshot(path=str(SHOTS / f"not-found-{size}.png"), full_page=True)
        context.close()
