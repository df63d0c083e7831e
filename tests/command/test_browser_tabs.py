"""The command centre's fourteen tabs on a desk: every one in sight, none cut at the edge (the row
scrolled sideways and 大屏 stood half outside the page); on a phone the row scrolls."""

from __future__ import annotations

from tests.browser.support import MARKS, login

pytestmark = MARKS


def test_every_command_tab_is_in_sight_on_a_desk_and_the_row_scrolls_on_a_phone(live_server, world, browser):
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        login(page, live_server.url, "operator")
        page.goto(f"{live_server.url}/command/")
        tabs = page.locator("nav.command-nav a.tab")
        assert tabs.count() >= 14
        boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
        row = page.locator("nav.command-nav").bounding_box()
        if width >= 900:  # inside the row's own edges, not clipped by it
            assert all(b and b["x"] >= row["x"] and b["x"] + b["width"] <= row["x"] + row["width"] + 0.5
                       for b in boxes), (row, boxes)
        else:
            nav = page.locator("nav.command-nav")
            assert nav.evaluate("n => n.scrollWidth > n.clientWidth")  # scrolls under the thumb
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page does not
        context.close()
