"""当前超期 — the events open past their deadline now, whenever received — is one number: the
dashboard's card, the worklist's 已逾期 tab and /api/v1/stats/overdue agree for the same scope and
moment, while the period's 超期未办结 counts only the period's own events. The dashboard defaults
to the last 30 days, labels every card, and overdue is drawn red."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import translation

from fengqiao.command import queries
from fengqiao.command.measures import measure_label
from fengqiao.command.views import CARD_CAPTIONS, SERIES_COLOURS
from fengqiao.events import actions as ev
from fengqiao.events.queries import worklist_counts
from fengqiao.lib import clock
from tests.factories import register

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _kpi(html: str, name: str) -> str:
    m = re.search(rf'data-testid="kpi-{name}">\s*(?:<a [^>]*>)?\s*([^<]+?)\s*<', html)
    assert m, name
    return m.group(1)


def _tab_count(html: str, tab: str) -> int:
    m = re.search(rf'data-tab="{tab}".*?<span class="count[^"]*">\s*(\d+)\s*<', html)
    assert m, tab
    return int(m.group(1))


@pytest.fixture
def county(world):
    """Three events received 40 days ago and still open (past any deadline): two in 度尾镇, one in
    郊尾镇; one received 40 days ago and resolved (late, not open); two received today, open."""
    long_ago = clock.now() - dt.timedelta(days=40)
    with clock.frozen(long_ago):
        world.late_a1 = register(world, region=world.village_a, title="拖了很久的工资纠纷")
        world.late_a2 = register(world, region=world.village_b, title="拖了很久的邻里纠纷")
        world.late_c = register(world, region=world.village_c, title="梅塘村的老问题")
        done = register(world, region=world.village_a, title="后来办结的事")
    ev.event_acknowledge(event=done, actor=world.secretary_a.user)
    ev.event_resolve(event=done, actor=world.secretary_a.user, result="已调解")
    register(world, region=world.village_a, title="今天的事")
    register(world, region=world.village_c, title="今天的另一件事")
    return world


@pytest.mark.parametrize(("who", "where", "expected"), [("operator", "county", 3), ("town_cadre", "town", 2)])
def test_dashboard_worklist_and_api_show_the_same_overdue_now(county, client, api, who, where, expected):
    user = getattr(county, who).user
    region = getattr(county, where)
    moment = clock.now()
    with clock.frozen(moment):
        client.force_login(user)
        dashboard = _html(client.get("/command/", {"region": region.code}))
        worklist = _html(client.get("/", {"tab": "overdue"}))
        body = api.get("/stats/overdue", user=user, region=region.code).json()
        counts = worklist_counts(user)
    assert _kpi(dashboard, "overdue_now") == str(expected)
    assert _tab_count(worklist, "overdue") == expected == counts["overdue"]
    assert body["count"] == expected == len(body["items"])
    assert queries.overdue_count(user=user, region=region, now=moment) == expected
    # The period's 超期未办结 counts what was received in the last 30 days only: none of them.
    assert _kpi(dashboard, "open_overdue") == "0"
    # The alarm says how many and links to the overdue list.
    assert 'data-testid="overdue-alert"' in dashboard and "#overdue" in dashboard


def test_an_event_resolved_drops_out_of_every_overdue_now(county, client, api):
    ev.event_acknowledge(event=county.late_c, actor=county.secretary_c.user)
    ev.event_resolve(event=county.late_c, actor=county.secretary_c.user, result="已处理")
    user = county.operator.user
    client.force_login(user)
    assert _kpi(_html(client.get("/command/")), "overdue_now") == "2"
    assert worklist_counts(user)["overdue"] == 2
    assert api.get("/stats/overdue", user=user, region=county.county.code).json()["count"] == 2


def test_the_api_count_is_every_one_while_items_stop_at_the_limit(county, api):
    body = api.get("/stats/overdue", user=county.operator.user, region=county.county.code, limit=1).json()
    assert body["count"] == 3 and len(body["items"]) == 1
    assert body["items"][0]["title"] == "拖了很久的工资纠纷"  # the longest overdue first


def test_the_dashboard_defaults_to_the_last_30_days_and_keeps_the_other_periods(county, client):
    client.force_login(county.operator.user)
    html = _html(client.get("/command/"))
    today = clock.local_date()
    start = today - dt.timedelta(days=29)
    assert re.search(r'<input type="radio" name="period" value="30d" checked>', html)
    assert f"{start:%Y-%m-%d} – {today:%Y-%m-%d}" in html
    for kind in ("day", "week", "month", "custom"):
        assert f'name="period" value="{kind}"' in html
    # Two events received today: the rolling window counts them whatever day of the month it is.
    assert _kpi(html, "received") == "2"
    month = _html(client.get("/command/", {"period": "month"}))
    assert re.search(r'value="month" checked', month)


def test_every_card_says_what_it_counts_in_chinese(county, client):
    client.force_login(county.operator.user)
    html = _html(client.get("/command/"))
    for name in CARD_CAPTIONS:
        assert f'data-testid="caption-{name}"' in html, name
    assert "当前超期" in html
    assert "本期受理、现已超期未办结" in html
    assert "全部在办事项中已超期的,不论何时受理" in html


def test_overdue_is_red_on_the_dashboard_and_the_big_screen(county, client):
    client.force_login(county.operator.user)
    red = SERIES_COLOURS["overdue"]
    for path, ids in (("/command/", ("line-data", "bars-data")), ("/command/screen/", ("screen-line", "screen-bars"))):
        html = client.get(path).content.decode()
        for element in ids:
            data = json.loads(re.search(rf'<script id="{element}" type="application/json">(.*?)</script>',
                                        html, re.S).group(1))
            series = {s["label"]: s["colour"] for s in data["series"]}
            with translation.override("zh-hans"):
                overdue, resolved = measure_label("overdue"), measure_label("resolved")
            assert series[overdue] == red and series[resolved] != red, (path, element, series)
    screen = _html(client.get("/command/screen/"))
    assert re.search(r'data-testid="screen-overdue_now">\s*3\s*<', screen)
    assert "近30天" in screen
