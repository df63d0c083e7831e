import re
import pytest
from tests.browser.test_closed_loop import SHOTS, _login, browser  # noqa: F401
from tests.factories import register
from fengqiao.events import actions

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_shots(live_server, world, browser):  # noqa: F811
    e = register(world, parties=[actions.PartyInput(name="柯某", phone="13912345678", id_number="350322199001011234")])
    actions.event_acknowledge(event=e, actor=world.secretary_a.user)
    register(world, title="剑山村消防隐患", category="hazard.fire", region=world.village_b, high_risk=True)
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    _login(page, live_server.url, "towncadre")
    page.goto(f"{live_server.url}/events/?status=dispatched,in_progress")
    page.goto(f"{live_server.url}/events/")
    page.click("details.filters summary")
    page.screenshot(path=str(SHOTS / "x-list.png"), full_page=True)
    page.goto(f"{live_server.url}/events/{e.id}/")
    page.screenshot(path=str(SHOTS / "x-town-event.png"), full_page=True)
    page.click("form[action='/logout/'] button")
    _login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/events/{e.id}/")
    page.click("summary[data-action=resolve]")
    page.fill("textarea[name=resolve-result]", " ")
    with page.expect_navigation():
        page.click("button[data-submit=resolve]")
    page.screenshot(path=str(SHOTS / "x-resolve-error.png"), full_page=True)
    with page.expect_navigation():
        page.click(".lang-switch button[value=en]")
    assert page.url.endswith(f"/events/{e.id}/")
    page.goto(f"{live_server.url}/events/{e.id}/")
    page.screenshot(path=str(SHOTS / "x-english.png"), full_page=True)
    page.goto(f"{live_server.url}/events/new/")
    with page.expect_navigation():
        page.click("[data-testid=register-submit]")
    page.screenshot(path=str(SHOTS / "x-new-errors.png"), full_page=True)
    page.goto(f"{live_server.url}/inbox/")
    page.screenshot(path=str(SHOTS / "x-inbox.png"), full_page=True)
