"""The worklist page: tabs with counts per user, htmx tab switching, pagination, cards on a phone."""

import datetime as dt
import re

from fengqiao.events import actions
from fengqiao.lib import clock
from tests.factories import register


def _counts(html: str) -> dict[str, int]:
    return {
        key: int(n)
        for key, n in re.findall(r'data-tab="(\w+)".*?<span class="count[^"]*">(\d+)</span>', html, re.S)
    }


def test_operator_sees_every_tab_with_counts_of_the_whole_county(world, as_user):
    register(world, title="待分拨的事", region=world.town)  # a town: not dispatched automatically
    register(world, title="洋坂村的事")
    register(world, title="梅塘村的事", region=world.village_c)
    r = as_user(world.operator).get("/")
    assert r.status_code == 200
    html = r.content.decode()
    counts = _counts(html)
    assert list(counts) == ["to_dispatch", "to_approve", "escalated", "returned", "triage",
                            "to_acknowledge", "in_progress", "due_soon", "overdue",
                            "to_call_back", "supervised"]
    assert counts["to_dispatch"] == 1
    assert counts["to_acknowledge"] == 2
    for label in ["待分拨", "待审批", "提级待签收", "退回待分拨", "待分流", "待签收", "处置中", "即将逾期",
                  "已逾期", "待回访", "我督办的"]:
        assert label in html


def test_secretary_counts_only_what_is_bound_to_them(world, as_user):
    register(world, title="洋坂村的事")
    register(world, title="剑山村的事", region=world.village_b)
    r = as_user(world.secretary_a).get("/?tab=to_acknowledge")
    counts = _counts(r.content.decode())
    assert counts["to_acknowledge"] == 1
    assert counts["to_dispatch"] == 0
    assert "洋坂村的事" in r.content.decode()
    assert "剑山村的事" not in r.content.decode()


def test_htmx_tab_switch_returns_only_the_panel(world, as_user):
    event = register(world, title="洋坂村的事")
    client = as_user(world.secretary_a)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    r = client.get("/?tab=in_progress", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in html and 'id="worklist"' in html
    assert "洋坂村的事" in html
    assert 'aria-selected="true"' in html and 'data-tab="in_progress"' in html
    assert "HX-Request" in r["Vary"]
    # A history restore needs the whole page.
    full = client.get("/?tab=in_progress", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()


def test_overdue_events_carry_a_red_badge(world, as_user):
    with clock.frozen(clock.now() - dt.timedelta(days=30)):
        register(world, title="老问题")
    r = as_user(world.secretary_a).get("/?tab=overdue")
    html = r.content.decode()
    assert "老问题" in html
    assert 'class="badge overdue"' in html


def test_worklist_is_paginated(world, as_user):
    for i in range(23):
        register(world, title=f"事项{i:02d}")
    client = as_user(world.operator)
    first = client.get("/?tab=to_acknowledge").content.decode()
    assert first.count("data-event=") == 20
    second = client.get("/?tab=to_acknowledge&page=2").content.decode()
    assert second.count("data-event=") == 3


def test_anonymous_is_sent_to_login(client, world):
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_table_cells_carry_labels_for_the_phone_card_layout(world, as_user):
    register(world)
    html = as_user(world.operator).get("/?tab=to_acknowledge").content.decode()
    assert 'data-label="标题"' in html and 'data-label="办理时限"' in html


def test_worklist_and_list_query_counts_stay_flat(world, as_user, django_assert_max_num_queries):
    for i in range(25):
        register(world, title=f"事项{i:02d}")
    client = as_user(world.operator)
    client.get("/")  # warm the session and caches
    with django_assert_max_num_queries(20):  # one count per tab: the 4 decision tabs added 4
        client.get("/?tab=to_acknowledge")
    with django_assert_max_num_queries(12):
        client.get("/events/")
