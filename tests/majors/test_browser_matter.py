"""A new major matter in a real browser (Debian's chromium through Playwright): registered by the
county office, assessed (risks, opinion, experts, grade, decision), listed with a milestone,
the milestone completed, closing requested — and approved by another member of the county's
office on the closing page. Screenshots at 1366×900 and 390×844 go to /tmp/maj-shots/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import expect

from fengqiao.audit.models import AuditEntry
from fengqiao.majors.models import Matter, Status
from tests.browser.support import MARKS, login

SHOTS = Path("/tmp/maj-shots")
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = MARKS


def _logout(page) -> None:
    page.click("form[action='/logout/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/login/"))


def _submit(page, selector: str) -> None:
    """Click a form's button and wait for the page it leads to (the same URL, often)."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def _status(page):
    return page.locator("[data-testid=status]")


def test_a_new_matter_through_its_assessment_to_closing(live_server, mw, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    today = dt.date.today()

    # 1. The county office lists a key project (重点项目) at the county.
    login(page, base, "operator")
    page.goto(f"{base}/majors/")
    expect(page.locator("[data-testid=completion-rate]")).to_have_text("—")
    page.click("[data-testid=new-matter]")
    page.fill("#id_title", "郊尾镇商贸城建设项目")
    page.select_option("#id_kind", "key_project")
    page.select_option("#id_area", "infrastructure")
    page.select_option("#id_level", "county")
    region = page.locator("select[name=region]")
    expect(region.nth(0)).to_have_value(mw.county.code)
    region.nth(1).select_option(mw.other_town.code)  # htmx brings 郊尾镇's villages
    expect(page.locator(f"select[name=region] option[value='{mw.village_c.code}']")).to_be_attached()
    page.locator("select[name=region]").nth(2).select_option(mw.village_c.code)
    page.select_option("#id_owner", label="县住建局")
    page.select_option("#id_leader", label=mw.leader.name)
    page.fill("#id_target_on", (today + dt.timedelta(days=200)).isoformat())
    page.fill("#id_description", "新建商贸城,征收土地约八十亩,涉及农户36户。")
    page.screenshot(path=str(SHOTS / "desktop-01-new-matter.png"), full_page=True)
    _submit(page, "[data-testid=register-matter]")
    matter = Matter.objects.get(title="郊尾镇商贸城建设项目")
    expect(_status(page)).to_have_text("已登记")
    expect(page.locator("[data-testid=assessment-badge]")).to_have_text("须先评估")
    expect(page.locator("summary[data-action=start]")).to_have_count(0)  # 应评尽评: not offered

    # 2. The stability risk assessment.
    page.click("summary[data-action=assess]")
    _submit(page, "button[data-submit=assess]")
    expect(_status(page)).to_have_text("评估中")
    page.click("[data-testid=assessment-link]")
    page.wait_for_url(re.compile(rf"/majors/{matter.pk}/assessment/$"))
    expect(page.locator("[data-testid=gaps]")).to_be_visible()
    page.click("summary[data-step=add_risk]")
    page.select_option("select[name=add_risk-dimension]", "reasonable")
    page.fill("textarea[name=add_risk-description]", "征收补偿标准与相邻项目不一致,部分农户有意见。")
    page.fill("textarea[name=add_risk-measure]", "统一补偿标准,逐户解释政策。")
    _submit(page, "button[data-submit=add_risk]")
    page.click("summary[data-step=add_opinion]")
    page.select_option("select[name=add_opinion-channel]", "visit")
    page.fill("input[name=add_opinion-held_on]", today.isoformat())
    page.fill("input[name=add_opinion-reached]", "36")
    page.fill("input[name=add_opinion-support]", "31")
    page.fill("input[name=add_opinion-oppose]", "2")
    _submit(page, "button[data-submit=add_opinion]")
    expect(page.locator("[data-testid=opinions]")).to_contain_text("入户走访")
    page.click("summary[data-step=add_expert]")
    page.fill("input[name=add_expert-name]", "林律师")
    page.fill("input[name=add_expert-title]", "律师 征地拆迁")
    page.select_option("select[name=add_expert-conclusion]", "conditional")
    page.fill("textarea[name=add_expert-opinion]", "程序合法,须先公示补偿方案。")
    _submit(page, "button[data-submit=add_expert]")
    page.check("input[name=conclude-grade][value=medium]")
    page.fill("textarea[name=conclude-grade_reason]", "多数农户支持,少数对补偿标准有意见。")
    page.fill("textarea[name=conclude-measures]", "公示补偿方案;设立群众接待点;镇村干部包户做工作。")
    page.fill("textarea[name=conclude-contingency]", "发生聚集时由郊尾镇启动应急预案。")
    _submit(page, "button[data-submit=conclude]")
    expect(page.locator("[data-testid=gaps]")).to_have_count(0)
    expect(page.locator("[data-testid=grade]")).to_have_text("中风险")
    # A medium risk offers no plain "proceed".
    expect(page.locator("input[name=decide-decision][value=go]")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "desktop-02-assessment.png"), full_page=True)
    page.check("input[name=decide-decision][value=go_measures]")
    page.fill("textarea[name=decide-note]", "落实防范化解措施后实施。")
    _submit(page, "button[data-submit=decide]")
    expect(_status(page)).to_have_text("评估通过")
    expect(page.locator("[data-testid=decision]")).to_contain_text("采取措施后实施")

    # 3. A milestone, the start (挂账), the milestone completed, closing requested.
    page.click("summary[data-action=plan]")
    page.fill("input[name=plan-title]", "完成36户征收协议签订")
    page.fill("input[name=plan-due_on]", (today + dt.timedelta(days=60)).isoformat())
    _submit(page, "button[data-submit=plan]")
    page.click("summary[data-action=start]")
    _submit(page, "button[data-submit=start]")
    expect(_status(page)).to_have_text("推进中")
    expect(page.locator("[data-testid=ms-state]")).to_have_text("计时中")  # the platform's word for a running limit
    page.screenshot(path=str(SHOTS / "desktop-03-underway.png"), full_page=True)
    page.click("summary[data-ms-action=complete]")
    page.fill("textarea[name$=-result]", "36户全部签订征收协议。")
    _submit(page, "button[data-ms-submit=complete]")
    expect(page.locator("[data-testid=ms-state]")).to_have_text("按期完成")
    page.click("summary[data-action=request_close]")
    page.fill("textarea[name=request_close-summary]", "征收协议全部签订,群众无异议,申请销号。")
    _submit(page, "button[data-submit=request_close]")
    expect(_status(page)).to_have_text("待销号")
    # Whoever asked does not approve: the button is not theirs.
    expect(page.locator("summary[data-action=approve_close]")).to_have_count(0)
    _logout(page)

    # 4. Another member of the county's office approves it on the closing page.
    login(page, base, "operator2")
    page.goto(f"{base}/majors/closing/")
    request = page.locator(f"section[data-matter='{matter.pk}']")
    expect(request).to_contain_text("征收协议全部签订")
    page.screenshot(path=str(SHOTS / "desktop-04-closing.png"), full_page=True)
    request.locator("textarea[name=approve_close-note]").fill("经实地核查,同意销号。")
    with page.expect_navigation(wait_until="load"):
        request.locator("button[data-submit=approve_close]").click()
    page.goto(f"{base}/majors/{matter.pk}/")
    expect(_status(page)).to_have_text("已销号")
    timeline = page.locator("[data-testid=timeline]")
    for step in ["登记", "开展风险评估", "评估决策", "节点计划", "启动实施并挂账", "节点完成", "申请销号", "审核销号"]:
        expect(timeline).to_contain_text(step)
    page.screenshot(path=str(SHOTS / "desktop-05-closed.png"), full_page=True)
    page.goto(f"{base}/majors/")
    expect(page.locator("[data-testid=completion-rate]")).to_have_text("100%")
    context.close()

    # The same matter on a phone.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    login(page, base, "operator")
    page.goto(f"{base}/majors/{matter.pk}/")
    expect(_status(page)).to_have_text("已销号")
    page.screenshot(path=str(SHOTS / "phone-01-matter.png"), full_page=True)
    page.goto(f"{base}/majors/")
    page.screenshot(path=str(SHOTS / "phone-02-ledger.png"), full_page=True)
    phone.close()

    matter.refresh_from_db()
    assert matter.status == Status.CLOSED and matter.closed_by == mw.operator2
    actions = list(AuditEntry.objects.filter(stream=f"major:{matter.pk}").order_by("seq")
                   .values_list("action", flat=True))
    assert actions[:2] == ["register", "assess"] and actions[-2:] == ["request_close", "approve_close"]
    assert "complete" in actions and "start" in actions
