"""The overdue alarm on the home page (工作台): how many of the person's events are open past their
deadline now (the worklist's 已逾期 tab, the same number), the worst first, each linking to it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from fengqiao.events import actions as ev
from fengqiao.events.queries import worklist_counts
from fengqiao.lib import clock
from tests.factories import register

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def late(world):
    """Seven events past their deadline in 洋坂村 (received 40 … 34 days ago), one in 梅塘村."""
    now = clock.now()
    world.late = []
    for i in range(7):
        with clock.frozen(now - dt.timedelta(days=40 - i)):
            world.late.append(register(world, region=world.village_a, title=f"拖了{40 - i}天的事"))
    with clock.frozen(now - dt.timedelta(days=20)):
        world.late_c = register(world, region=world.village_c, title="梅塘村的老问题")
    register(world, region=world.village_a, title="今天的事")
    return world


def test_the_operator_sees_how_many_and_the_worst_first(late, client):
    client.force_login(late.operator.user)
    html = _html(client.get("/"))
    alarm = re.search(r'<section class="overdue-alarm".*?</section>', html).group(0)
    count = re.search(r'data-testid="overdue-alarm-count">(\d+)<', alarm).group(1)
    assert int(count) == 8 == worklist_counts(late.operator.user)["overdue"]
    assert "件事项当前超期未办结" in alarm
    rows = re.findall(r'<li data-testid="overdue-alarm-row"><a href="/events/(\d+)/">', alarm)
    assert [int(r) for r in rows] == [e.pk for e in late.late[:5]]  # the longest overdue first, five of them
    assert "已超期" in alarm and "另有3件,查看全部" in alarm and 'href="/?tab=overdue"' in alarm


def test_the_alarm_is_the_users_own_tab(late, client):
    # The village's secretary is bound to 洋坂村's events: seven overdue, not 梅塘村's.
    client.force_login(late.secretary_a.user)
    html = _html(client.get("/"))
    assert re.search(r'data-testid="overdue-alarm-count">7<', html)
    assert "梅塘村的老问题" not in html
    # Resolved: it leaves the alarm at once.
    for e in late.late:
        ev.event_acknowledge(event=e, actor=late.secretary_a.user)
        ev.event_resolve(event=e, actor=late.secretary_a.user, result="已办")
    assert 'data-testid="overdue-alarm"' not in client.get("/").content.decode()


def test_no_alarm_when_nothing_is_overdue(world, client):
    register(world, region=world.village_a, title="今天的事")
    client.force_login(world.operator.user)
    assert 'data-testid="overdue-alarm"' not in client.get("/").content.decode()


def test_the_alarm_costs_one_query_over_the_tab_counts(late, client, django_assert_max_num_queries):
    client.force_login(late.operator.user)
    client.get("/")
    with django_assert_max_num_queries(60) as with_alarm:
        client.get("/")
    for e in late.late + [late.late_c]:
        ev.event_acknowledge(event=e, actor=(late.secretary_c if e == late.late_c else late.secretary_a).user)
        ev.event_resolve(event=e, actor=(late.secretary_c if e == late.late_c else late.secretary_a).user,
                         result="已办")
    with django_assert_max_num_queries(60) as without:
        client.get("/")
    # The count is the tab's own (no second count); the worst five are one query.
    assert len(with_alarm.captured_queries) - len(without.captured_queries) <= 1
