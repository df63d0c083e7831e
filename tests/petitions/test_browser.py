"""A petition in a real browser (Debian's chromium through Playwright, against the live server):
the county's petition office registers a visit and routes it to 县人社局; the department
accepts it, handles it and answers it — the clocks of 信访工作条例 on the page at every step,
with their due dates — at desktop size and on a phone. Screenshots go to /tmp/pet-shots/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from fengqiao.petitions.models import Petition, PetitionerRead, Status
from tests.browser.support import MARKS, login
from tests.petitions.helpers import ID_KE

SHOTS = Path("/tmp/pet-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = MARKS


def _logout(page) -> None:
    page.click("form[action='/logout/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/login/"))


def _act(page, action: str, fill=None) -> None:
    page.click(f"summary[data-action={action}]")
    if fill is not None:
        fill()
    page.click(f"[data-submit={action}]")
    page.wait_for_load_state("networkidle")


def _due(page, key: str) -> str:
    return page.locator(f"[data-testid='due-{key}']").inner_text().strip()


def _day(moment: dt.datetime, days: int = 0) -> str:
    return (timezone.localtime(moment).date() + dt.timedelta(days=days)).isoformat()


def test_register_route_accept_handle_answer_with_the_clocks_on_the_page(live_server, world, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)

    # 1. The county's petition office registers a visit from 洋坂村.
    login(page, base, "operator")
    page.goto(f"{base}/petitions/")
    page.click("[data-testid=petition-new]")
    page.wait_for_url(re.compile(r"/petitions/new/$"))
    page.check("input[name=form][value=visit]")
    page.check("input[name=kind][value=first]")
    page.fill("#id_title", "反映企业拖欠工资问题")
    page.fill("#id_content", "信访人反映在度尾镇某鞋服企业务工,企业拖欠其三个月工资共一万二千元。")
    page.select_option("#id_category", "dispute.wages")
    region = page.locator("select[name=region]")
    region.nth(1).select_option(world.town.code)
    page.wait_for_selector(f"select[name=region] option[value='{world.village_a.code}']", state="attached")
    page.locator("select[name=region]").nth(2).select_option(world.village_a.code)
    page.fill("input[name=parties-0-name]", "柯志明")
    page.fill("input[name=parties-0-id_number]", ID_KE)
    page.fill("input[name=parties-0-phone]", "13912345678")
    page.fill("input[name=parties-0-address]", "仙游县度尾镇洋坂村3组18号")
    page.screenshot(path=str(SHOTS / "01-register-desktop.png"), full_page=True)
    page.click("[data-testid=petition-submit]")
    page.wait_for_url(re.compile(r"/petitions/\d+/$"))
    petition = Petition.objects.get(title="反映企业拖欠工资问题")
    expect(page.locator("[data-testid=status]")).to_have_text("已登记")
    received = petition.received_at
    assert _due(page, "petition.route") == _day(received, 15)
    assert _due(page, "petition.village_week") == _day(received, 7)
    expect(page.locator("[data-testid=petitioners]")).to_contain_text(ID_KE)  # the office sees it

    # 2. It routes it to 县人社局: 15 days to decide and 5 working days to object start.
    _act(page, "route", lambda: page.select_option("#id_route-body", "dept:rsj"))
    expect(page.locator("[data-testid=status]")).to_have_text("待受理")
    expect(page.locator("[data-testid=body]")).to_contain_text("县人社局")
    routed = Petition.objects.get(pk=petition.pk).routed_at
    assert _due(page, "petition.accept") == _day(routed, 15)
    expect(page.locator("[data-clock='petition.object']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "02-routed-desktop.png"), full_page=True)
    _logout(page)

    # 3. The department's liaison accepts it: the 60 days run from now, a notice is issued.
    login(page, base, "dept")
    page.goto(f"{base}/petitions/?tab=to_accept")
    page.click(f"tr[data-petition='{petition.pk}'] .col-title a")
    page.wait_for_url(re.compile(rf"/petitions/{petition.pk}/$"))
    expect(page.locator("summary[data-action=route]")).to_have_count(0)  # not the department's move
    _act(page, "accept", lambda: page.fill("#id_accept-note", "属本局职责,依法受理"))
    expect(page.locator("[data-testid=status]")).to_have_text("已受理")
    accepted = Petition.objects.get(pk=petition.pk).accepted_at
    assert _due(page, "petition.handle") == _day(accepted, 60)
    expect(page.locator("[data-clock='petition.accept']")).to_have_attribute("data-state", re.compile("met|late"))
    expect(page.locator("[data-testid=documents] a[data-doc=acceptance]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "03-accepted-desktop.png"), full_page=True)

    # 4. Handles it and answers: the 60 days stop, 30 days to ask for a review start.
    _act(page, "start")
    expect(page.locator("[data-testid=status]")).to_have_text("办理中")
    _act(page, "answer", lambda: page.fill("#id_answer-answer", "经劳动保障监察调查,企业已同意于十日内足额支付拖欠工资。"))
    expect(page.locator("[data-testid=status]")).to_have_text("已答复")
    expect(page.locator("[data-clock='petition.handle']")).to_have_attribute("data-state", "met")
    answered = Petition.objects.get(pk=petition.pk).answered_at
    assert _due(page, "petition.review_apply") == _day(answered, 30)
    expect(page.locator("[data-testid=timeline] .tl-action")).to_have_text(
        ["登记", "转送/交办", "受理", "开始办理", "出具处理意见"])
    page.screenshot(path=str(SHOTS / "04-answered-desktop.png"), full_page=True)
    context.close()

    # 5. The same on a phone: the worklist as cards, the petition page with its clocks.
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15000)
    login(page, base, "dept")
    page.goto(f"{base}/petitions/?tab=answered")
    expect(page.locator(f"tr[data-petition='{petition.pk}']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "05-worklist-phone.png"))
    page.goto(f"{base}/petitions/{petition.pk}/")
    expect(page.locator("[data-testid=clocks]")).to_be_visible()
    assert _due(page, "petition.review_apply") == _day(answered, 30)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(SHOTS / "06-petition-phone.png"), full_page=True)
    page.screenshot(path=str(SHOTS / "06a-petition-phone-top.png"))
    for name, testid in (("06b-clocks-phone.png", "clocks"), ("06c-petitioners-phone.png", "petitioners"),
                         ("06d-timeline-phone.png", "timeline")):
        page.locator(f"[data-testid={testid}]").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / name))
    phone.close()

    p = Petition.objects.get(pk=petition.pk)
    assert p.status == Status.ANSWERED and p.handler_id == world.dept_liaison.pk
    assert PetitionerRead.objects.filter(petition=p, user=world.dept_liaison.user, via="page").exists()
