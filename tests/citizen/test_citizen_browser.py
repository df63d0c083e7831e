"""The citizen page on a phone, in Debian's chromium: fill, submit, get the tracking code, follow
the matter, rate it once resolved. Screenshots go to /tmp/fq-citizen-shots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from fengqiao.citizen.models import CitizenReport
from fengqiao.events import actions
from fengqiao.events.models import Event, Status
from tests.browser.support import MARKS
from tests.citizen.conftest import PNG

SHOTS = Path("/tmp/fq-citizen-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"width": 390, "height": 844}

pytestmark = MARKS


def _phone(browser, **extra):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, **extra)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_citizen_reports_from_a_phone_and_rates_the_result(live_server, world, browser):
    base = live_server.url
    context, page = _phone(browser, geolocation={"latitude": 25.4512, "longitude": 118.7061},
                           permissions=["geolocation"])
    page.goto(f"{base}/report/")
    assert page.locator("h1").inner_text() == "我要反映"
    _fits(page)
    submit = page.locator("[data-testid=citizen-submit]").bounding_box()
    assert submit is not None and submit["height"] >= 44 and submit["width"] >= 300  # thumb-sized

    # Junk first: a short description and a landline come back as errors in Chinese.
    page.fill("#id_description", "有问题")
    page.fill("#id_address", "度尾镇洋坂村3组老街12号")
    page.fill("#id_phone", "0594-1234567")
    page.click("[data-testid=citizen-submit]")
    page.wait_for_selector(".field.has-error")
    errors = page.locator("p.error").all_inner_texts()
    assert any("至少" in e for e in errors) and any("不是手机号码" in e for e in errors)
    assert Event.objects.count() == 0
    page.screenshot(path=str(SHOTS / "01-citizen-errors.png"), full_page=True)

    # Then a real report, with the phone's location and a photo.
    page.select_option("#id_category", "hazard.fire")
    page.fill("#id_description", "洋坂村3组老街的电线私拉乱接,晚上有火花,担心起火。")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_name", "林女士")
    page.click("[data-locate]")
    # expect() polls from Playwright's side: a string predicate would be eval'd in the page, which
    # the page's Content-Security-Policy (script-src 'self', no unsafe-eval) rightly refuses.
    expect(page.locator("input[name=latitude]")).not_to_have_value("")
    assert page.locator("[data-locate-status]").inner_text().startswith("已定位")
    page.set_input_files("#id_photos", files=[{"name": "wires.png", "mimeType": "image/png", "buffer": PNG}])
    assert "1" in page.locator("[data-photo-status]").inner_text()
    page.screenshot(path=str(SHOTS / "02-citizen-form.png"), full_page=True)
    page.click("[data-testid=citizen-submit]")
    page.wait_for_url(re.compile(r"/track/[0-9A-Z-]+/\?new=1$"))
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    _fits(page)
    page.screenshot(path=str(SHOTS / "03-citizen-receipt.png"), full_page=True)

    event = Event.objects.get()
    assert (event.latitude, event.longitude) == (25.4512, 118.7061)
    assert event.attachments.count() == 1
    assert CitizenReport.objects.get().event == event

    # Later, on another phone: type the code (lowercase, without dashes) and follow the matter.
    other, page2 = _phone(browser)
    page2.goto(f"{base}/track/")
    page2.fill("#id_code", code.replace("-", "").lower())
    page2.click("[data-testid=lookup-submit]")
    page2.wait_for_url(re.compile(rf"/track/{code}/$"))
    assert page2.locator("[data-testid=citizen-status]").inner_text() in {"受理", "已分派"}

    if event.status == Status.REGISTERED:
        actions.event_dispatch(event=event, actor=world.operator.user, region=world.village_a)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    actions.event_resolve(event=event, actor=world.secretary_a.user,
                          result="已拆除私拉电线,重新布线并加装漏电保护器。")
    page2.reload()
    assert page2.locator("[data-testid=citizen-status]").inner_text() == "已办结"
    assert "柯书记" not in page2.content()
    page2.check("input[name=satisfaction][value=satisfied]")
    page2.fill("textarea[name=comment]", "处理很及时,谢谢!")
    page2.screenshot(path=str(SHOTS / "04-citizen-rate.png"), full_page=True)
    with page2.expect_navigation():
        page2.click("[data-testid=rating-submit]")
    assert page2.url.endswith(f"/track/{code}/"), page2.locator("main").inner_text()
    assert page2.locator("[data-testid=rated]").inner_text() == "满意"
    assert page2.locator("[data-testid=rating-form]").count() == 0
    _fits(page2)
    page2.screenshot(path=str(SHOTS / "05-citizen-rated.png"), full_page=True)
    event.refresh_from_db()
    assert event.satisfaction == "satisfied"
    other.close()
    context.close()
