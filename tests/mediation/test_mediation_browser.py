"""The mediation centre in a real browser (Debian's chromium through Playwright, the live server):

(a) a dispute event → the town's mediator opens a case from it (the suggested mediators and why)
    → accepts → schedules a joint session with three departments seated → records it → records the
    agreement → the §33 judicial-confirmation window shows on the case, and once the clock scanner
    has passed its warning day, the warning;
(b) the village's police officer bound to the event hands it to a 群英 member, who takes it (接单)
    and reports back on a phone-sized page (390×844), and the officer confirms and closes it.

Screenshots at desktop (1366×900) and phone (390×844) go to /tmp/doc-shots/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import expect

from fengqiao.mediation.models import Case, Session, Status, Task, TaskStatus
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock
from tests.browser.support import MARKS, login
from tests.factories import register
from tests.mediation.world import build_centre

SHOTS = Path("/tmp/doc-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = MARKS


def _phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True,
                               has_touch=True)


def _logout(page) -> None:
    page.click("form[action='/logout/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/login/"))


def _fits(page, width: int) -> None:
    """Nothing on the page is wider than the screen (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _thumb(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box


def test_dispute_to_joint_session_to_agreement_and_its_section_33_warning(live_server, world, browser):
    centre = build_centre(world)
    base = live_server.url
    event = register(world, actor=world.operator.user, title="洋坂村柯某反映吴某拖欠工资",
                     description="柯某称在吴某的柚子加工厂务工,吴某拖欠其三个月工资共一万二千元。")
    event.parties.create(name="柯某", is_reporter=True)
    event.parties.create(name="吴某")

    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, base, "mediator_town")

    # 1. From the dispute event: 转调解.
    page.goto(f"{base}/events/{event.pk}/")
    expect(page.locator("[data-testid=mediation-links]")).to_be_visible()
    page.click("[data-testid=open-case]")
    page.wait_for_url(re.compile(rf"/mediation/events/{event.pk}/open/$"))
    suggestions = page.locator("[data-testid=suggestions]")
    expect(suggestions).to_contain_text("程忠定")
    expect(suggestions.locator("[data-testid=reason]").first).to_contain_text("劳动争议")
    # The town's full-time mediator leads (the village's part-time one is suggested first: same village).
    page.check(f"input[name=mediator][value='{centre.town_mediator.pk}']")
    page.fill("#id_title", "柯某与吴某劳务报酬纠纷")
    page.fill("#id_claims", "请求吴某支付拖欠工资一万二千元")
    page.screenshot(path=str(SHOTS / "a1-open-case-desktop.png"), full_page=True)
    page.click("[data-testid=open-submit]")
    page.wait_for_url(re.compile(r"/mediation/cases/\d+/$"))
    case = Case.objects.get(event=event)
    expect(page.locator("[data-testid=status]")).to_have_text("待受理")
    assert case.mediators.get(active=True).mediator == centre.town_mediator

    # 2. Accept, then schedule a joint session with three departments seated.
    page.click("summary[data-action=accept]")
    page.click("button[data-submit=accept]")
    page.wait_for_url(re.compile(rf"/mediation/cases/{case.pk}/$"))
    expect(page.locator("[data-testid=status]")).to_have_text("已受理")
    page.click("summary[data-action=schedule_session]")
    tomorrow = (dt.datetime.now() + dt.timedelta(days=1)).replace(hour=14, minute=30)
    page.fill("input[name=schedule_session-scheduled_for]", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=schedule_session-place]", "度尾镇矛调中心联合调解室")
    page.select_option("select[name=schedule_session-seat_1_kind]", "labour")
    page.fill("input[name=schedule_session-seat_1_unit]", "度尾镇劳动保障所")
    page.fill("input[name=schedule_session-seat_1_representative]", "张所长")
    page.click("#action-schedule_session [data-more-rows]")
    page.select_option("select[name=schedule_session-seat_2_kind]", "police")
    page.fill("input[name=schedule_session-seat_2_unit]", "度尾派出所")
    page.fill("input[name=schedule_session-seat_2_representative]", "林辉")
    page.click("#action-schedule_session [data-more-rows]")
    page.select_option("select[name=schedule_session-seat_3_kind]", "legal_adviser")
    page.fill("input[name=schedule_session-seat_3_representative]", "陈律师")
    page.screenshot(path=str(SHOTS / "a2-schedule-joint-session-desktop.png"), full_page=True)
    page.click("button[data-submit=schedule_session]")
    page.wait_for_url(re.compile(rf"/mediation/cases/{case.pk}/$"))
    seats = page.locator("[data-testid=seats]").first
    for name in ("度尾镇劳动保障所", "张所长", "度尾派出所", "林辉", "法律顾问", "陈律师"):
        expect(seats).to_contain_text(name)

    # 3. Record the session held (the scheduled one; both parties came).
    page.click("summary[data-action=hold_session]")
    page.fill("textarea[name=hold_session-notes]", "调解员和劳动保障所向双方解释劳动报酬的法律规定,双方同意分期支付。")
    page.fill("textarea[name=hold_session-attendees]", "柯某之妻")
    page.click("button[data-submit=hold_session]")
    page.wait_for_url(re.compile(rf"/mediation/cases/{case.pk}/$"))
    expect(page.locator("[data-testid=status]")).to_have_text("调解中")
    expect(page.locator("[data-testid=joint]")).to_be_visible()
    assert Session.objects.get(case=case).state == Session.State.HELD

    # 4. The written agreement with two terms.
    page.click("summary[data-action=agree]")
    page.fill("textarea[name=agree-facts]", "吴某拖欠柯某2025年1月至3月工资共计一万二千元。")
    page.fill("textarea[name=agree-disputes]", "拖欠工资的数额和支付时间。")
    page.fill("textarea[name=agree-responsibility]", "吴某应当按时足额支付劳动报酬。")
    page.fill("input[name=agree-performance_manner]", "银行转账")
    page.fill("input[name=agree-term_1_content]", "吴某向柯某支付拖欠工资人民币12000元")
    page.select_option("select[name=agree-term_1_obligor]", label="吴某")
    page.fill("input[name=agree-term_1_due_on]", (dt.date.today() + dt.timedelta(days=20)).isoformat())
    page.click("#action-agree [data-more-rows]")
    page.fill("input[name=agree-term_2_content]", "柯某撤回劳动仲裁申请")
    page.select_option("select[name=agree-term_2_obligor]", label="柯某")
    page.fill("input[name=agree-term_2_due_on]", (dt.date.today() + dt.timedelta(days=5)).isoformat())
    page.click("button[data-submit=agree]")
    page.wait_for_url(re.compile(rf"/mediation/cases/{case.pk}/$"))
    expect(page.locator("[data-testid=status]")).to_have_text("调解成功")
    window = page.locator("[data-testid=confirm-warning]")
    expect(window).to_have_attribute("data-state", "running")
    expect(window).to_contain_text("司法确认")
    expect(page.locator("[data-testid=terms]")).to_contain_text("吴某向柯某支付拖欠工资人民币12000元")
    expect(page.locator("[data-download=agreement]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "a3-agreed-desktop.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == Status.AGREED

    # 5. The scanner reaches the warning day of §33's 30 days (warned 5 days before): the case
    #    says so, in the page and in the timeline.
    confirm = Clock.objects.get(workflow="mediation", record_id=case.pk, policy__key="mediation.confirm")
    counts = clocks.scan(now=confirm.warn_at + dt.timedelta(minutes=1))
    assert counts["warned"] >= 1
    page.reload()
    window = page.locator("[data-testid=confirm-warning]")
    expect(window).to_have_attribute("data-state", "warning")
    expect(window).to_contain_text("提醒双方当事人")
    expect(page.locator("[data-clock='mediation.confirm']")).to_have_attribute("data-state", "warning")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("期限预警")
    page.screenshot(path=str(SHOTS / "a4-section-33-warning-desktop.png"), full_page=True)

    # The same case on a phone: nothing wider than the screen, the warning and the actions first.
    phone = _phone(browser)
    ppage = phone.new_page()
    ppage.set_default_timeout(15000)
    login(ppage, base, "mediator_town")
    ppage.goto(f"{base}/mediation/cases/{case.pk}/")
    expect(ppage.locator("[data-testid=confirm-warning]")).to_be_visible()
    _fits(ppage, PHONE["width"])
    _thumb(ppage.locator("summary[data-action=follow_up]"))
    ppage.screenshot(path=str(SHOTS / "a5-case-phone.png"), full_page=True)
    ppage.goto(f"{base}/mediation/")
    _fits(ppage, PHONE["width"])
    ppage.screenshot(path=str(SHOTS / "a6-worklist-phone.png"), full_page=True)
    phone.close()

    # The centre's duty roster: who is on now (the police officer and a full-time mediator).
    from fengqiao.mediation import actions
    now = dt.datetime.now(dt.UTC)
    actions.duty_shift_add(actor=None, org=centre.centre, person=world.police_a, role="police",
                           starts_at=now - dt.timedelta(hours=3), ends_at=now + dt.timedelta(hours=9))
    actions.duty_shift_add(actor=None, org=centre.centre, person=centre.county_mediator.person, role="mediator",
                           starts_at=now - dt.timedelta(hours=3), ends_at=now + dt.timedelta(hours=9))
    actions.duty_shift_add(actor=None, org=centre.centre, person=centre.town_mediator.person, role="mediator",
                           starts_at=now + dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1, hours=12))
    page.goto(f"{base}/mediation/duty/")
    on_duty = page.locator("[data-testid=on-duty]").first
    expect(on_duty).to_contain_text("林民警")
    expect(on_duty).to_contain_text("王金牌")
    page.screenshot(path=str(SHOTS / "a8-duty-roster-desktop.png"), full_page=True)

    # The worklist on the desktop: the case under 司法确认期内.
    page.goto(f"{base}/mediation/?tab=confirmation")
    expect(page.locator(f"tr[data-case='{case.pk}']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "a7-worklist-desktop.png"), full_page=True)
    context.close()


def test_police_officer_hands_a_task_to_a_qunying_member_who_takes_and_reports_on_a_phone(
        live_server, world, browser):
    centre = build_centre(world)
    base = live_server.url
    event = register(world, actor=world.operator.user, title="洋坂村柯某与老板吴某工资纠纷",
                     description="柯某称老板吴某拖欠工资半个月。")

    # 1. The village's police officer (bound to the event at dispatch) hands it to 吴见来.
    police = _phone(browser)
    page = police.new_page()
    page.set_default_timeout(15000)
    login(page, base, "police_a")
    page.goto(f"{base}/events/{event.pk}/")
    page.click("[data-testid=dispatch-task]")
    page.wait_for_url(re.compile(rf"/mediation/events/{event.pk}/dispatch/$"))
    member_choice = page.locator(f"input[name=member][value='{centre.member.pk}']")
    expect(page.locator("[data-testid=dispatch-form]")).to_contain_text("吴见来")
    _fits(page, PHONE["width"])
    member_choice.check()
    page.fill("textarea[name=instructions]", "请今天联系柯某和吴某,了解拖欠工资情况后调解。")
    page.screenshot(path=str(SHOTS / "b1-dispatch-phone.png"), full_page=True)
    _thumb(page.locator("[data-testid=dispatch-submit]"))
    page.click("[data-testid=dispatch-submit]")
    page.wait_for_url(re.compile(r"/mediation/tasks/\d+/$"))
    task = Task.objects.get(event=event)
    expect(page.locator("[data-testid=task-status]")).to_have_text("待接单")

    # 2. 吴见来 on his phone: the task under 待接单; he takes it and reports back.
    member = _phone(browser)
    mpage = member.new_page()
    mpage.set_default_timeout(15000)
    login(mpage, base, "qunying")
    mpage.goto(f"{base}/mediation/tasks/")
    card = mpage.locator(f"[data-task='{task.pk}']")
    expect(card).to_contain_text("洋坂村柯某与老板吴某工资纠纷")
    expect(mpage.locator("[data-tab=new][aria-selected=true]")).to_be_visible()
    _fits(mpage, PHONE["width"])
    _thumb(card.locator("a"))
    mpage.screenshot(path=str(SHOTS / "b2-member-tasks-phone.png"), full_page=True)
    card.locator("a").click()
    mpage.wait_for_url(re.compile(rf"/mediation/tasks/{task.pk}/$"))
    accept = mpage.locator("button[data-action=accept]")
    _thumb(accept)
    _fits(mpage, PHONE["width"])
    mpage.screenshot(path=str(SHOTS / "b3-member-task-phone.png"), full_page=True)
    accept.click()
    mpage.wait_for_url(re.compile(rf"/mediation/tasks/{task.pk}/$"))
    expect(mpage.locator("[data-testid=task-status]")).to_have_text("已接单")
    mpage.click("summary[data-action=report]")
    mpage.check("input[name=report-settled][value=yes]")
    mpage.fill("textarea[name=report-report]", "已上门调解,吴某同意三日内付清工资,柯某表示满意。")
    mpage.screenshot(path=str(SHOTS / "b4-member-report-phone.png"), full_page=True)
    mpage.click("button[data-submit=report]")
    mpage.wait_for_url(re.compile(rf"/mediation/tasks/{task.pk}/$"))
    expect(mpage.locator("[data-testid=task-status]")).to_have_text("已反馈")
    expect(mpage.locator("[data-testid=task-report]")).to_contain_text("吴某同意三日内付清工资")
    assert mpage.locator("button[data-action=close]").count() == 0  # closing is the officer's
    member.close()

    # 3. The officer confirms and closes it.
    page.goto(f"{base}/mediation/tasks/{task.pk}/")
    page.click("summary[data-action=close]")
    page.fill("textarea[name=close-note]", "已电话核实,工资已付清。")
    page.click("button[data-submit=close]")
    page.wait_for_url(re.compile(rf"/mediation/tasks/{task.pk}/$"))
    expect(page.locator("[data-testid=task-status]")).to_have_text("已办结")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("接单")
    page.screenshot(path=str(SHOTS / "b5-closed-phone.png"), full_page=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.settled is True
    police.close()

    # The member's list at the desktop size too (a volunteer at the village office's PC).
    desk = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    dpage = desk.new_page()
    dpage.set_default_timeout(15000)
    login(dpage, base, "qunying")
    dpage.goto(f"{base}/mediation/tasks/?tab=done")
    expect(dpage.locator(f"[data-task='{task.pk}']")).to_be_visible()
    dpage.screenshot(path=str(SHOTS / "b6-member-tasks-desktop.png"), full_page=True)
    desk.close()
