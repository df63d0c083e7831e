"""Issue 13's command centre in a real browser (Debian's chromium), at a desktop's and a phone's
size: the dashboard's 当前超期 equals the worklist's 已逾期 and the API's count; every card says
what it counts; the bulletins page makes a meeting pack with its progress and offers its files;
the home page's alarm leads to the worst overdue event; the ledger lists the orders. Screenshots
of the command centre, the big screen, the bulletins page and the ledger go to
/tmp/fq-issue13/ and var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from fengqiao.events import actions as ev
from fengqiao.lib import clock
from tests.browser.support import MARKS, login
from tests.factories import register

pytestmark = MARKS

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHOTS = Path("/tmp/fq-issue13")
KEPT = Path(settings.VAR_DIR) / "screenshots"
# Latin words a Chinese page may carry: the file formats it offers and the command's name.
ALLOWED_LATIN = {"Word", "Excel", "fengqiao", "serve", "docx", "xlsx"}


@pytest.fixture
def county(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    now = clock.now()
    world.late = []
    for i, region in enumerate((world.village_a, world.village_b, world.village_c)):
        with clock.frozen(now - dt.timedelta(days=40 - i)):
            world.late.append(register(world, region=region, title=f"拖了{40 - i}天的纠纷"))
    ev.event_supervise(event=world.late[0], actor=world.operator.user, level="red", note="限三日内办结")
    ev.event_urge(event=world.late[0], actor=world.operator.user, note="请今天反馈")
    for region, secretary in ((world.village_a, world.secretary_a), (world.village_b, world.secretary_b)):
        e = register(world, region=region, title="已办结的事")
        ev.event_acknowledge(event=e, actor=secretary.user)
        ev.event_resolve(event=e, actor=secretary.user, result="已调解")
    register(world, region=world.village_c, title="今天的事", source="hotline_12345")
    return world


def _latin_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED_LATIN}


def _shot(page, name: str, size: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    KEPT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
    page.screenshot(path=str(KEPT / f"issue13-{name}-{size}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}-top.png"))  # what the first screen shows


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_command_centre_numbers_bulletins_alarm_and_ledger(live_server, county, browser, size):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size], is_mobile=size == "phone")
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "operator")

    # The home page's alarm: three overdue, the longest first; a click opens that event.
    alarm = page.locator("[data-testid=overdue-alarm]")
    assert alarm.locator("[data-testid=overdue-alarm-count]").inner_text() == "3"
    assert "件事项当前超期未办结" in alarm.inner_text()
    worklist_count = int(page.locator("a[data-tab=overdue] .count").inner_text())
    _shot(page, "home-alarm", size)
    alarm.locator("[data-testid=overdue-alarm-row] a").first.click()
    page.wait_for_url(re.compile(rf"/events/{county.late[0].pk}/"))

    # The dashboard: 当前超期 beside the period's 超期未办结, the same as the worklist and the API.
    page.goto(f"{base}/command/")
    now_card = page.locator("[data-testid=kpi-overdue_now]").inner_text().strip()
    api = page.request.get(f"{base}/api/v1/stats/overdue?region={county.county.code}").json()
    assert now_card == str(worklist_count) == str(api["count"]) == "3"
    assert page.locator("[data-testid=kpi-open_overdue]").inner_text().strip() == "0"
    assert page.locator("[data-testid=caption-open_overdue]").inner_text() == "本期受理、现已超期未办结"
    assert page.locator("[data-testid=caption-overdue_now]").is_visible()
    assert page.locator("input[name=period][value='30d']").is_checked()
    assert page.locator("label.period-choice", has_text="近30天").count() == 1
    cards = page.locator(".kpis").first.inner_text()
    assert not _latin_words(cards), _latin_words(cards)
    page.wait_for_selector("[data-testid=chart-line][data-drawn='1'] canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"] + 10
    _shot(page, "command-centre", size)

    # The big screen: the same 当前超期, overdue drawn red.
    page.goto(f"{base}/command/screen/")
    page.wait_for_selector("[data-chart=line][data-drawn='1'] canvas")
    assert page.locator("[data-testid=screen-overdue_now]").inner_text().strip() == "3"
    page.wait_for_timeout(300)
    _shot(page, "big-screen", size)

    # The bulletins page: its tab, a Monday meeting's pack at one click, progress, then the files.
    page.goto(f"{base}/command/")
    page.click("[data-testid=tab-bulletins]")
    page.wait_for_url(re.compile(r"/supervision/bulletins/$"))
    assert page.locator("h1").inner_text() == "通报与调度会材料"
    page.click("[data-testid=quick-monday]")
    page.wait_for_selector("#bulletin-slot [data-testid=bulletin-docx]")
    docx = page.get_attribute("#bulletin-slot [data-testid=bulletin-docx]", "href")
    assert page.request.get(base + docx).status == 200
    page.reload()
    assert page.locator("[data-testid=bulletin-list] tr[data-run]").count() == 1
    text = page.locator("main").inner_text()
    assert not _latin_words(text), _latin_words(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"] + 10
    _shot(page, "bulletins", size)

    # The 督办 ledger: the red card, who gave it and the urge that followed.
    page.click("[data-testid=tab-ledger]")
    page.wait_for_url(re.compile(r"/supervision/ledger/"))
    row = page.locator(f"[data-testid=ledger] tr[data-event='{county.late[0].pk}']")
    assert "红牌督办" in row.inner_text() and "陈调度" in row.inner_text() and "催办" in row.inner_text()
    text = page.locator("main").inner_text()
    assert not _latin_words(text), _latin_words(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"] + 10
    _shot(page, "ledger", size)
    assert not errors, errors
    context.close()
