"""The 督办 ledger (/supervision/ledger/): every supervision order on an event in the user's area,
with its level, who gave it, when, and what followed — from the event's own audit trail and the
accountability records — filtered, paged and exported to .xlsx with text cells."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.events import actions as ev
from fengqiao.lib import clock
from fengqiao.supervision import ledger
from fengqiao.supervision.actions import record_create
from tests.factories import register

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def supervised(world):
    """洋坂村: a wage dispute supervised (normal) by the operator, urged, raised to a red card by the
    county leader, then acknowledged and resolved; a summons linked to it. 梅塘村: a yellow card
    from the operator, nothing since. 剑山村: an event never supervised."""
    w = world
    start = clock.now() - dt.timedelta(days=3)
    with clock.frozen(start):
        w.wages = register(w, region=w.village_a, title="=SUM(A1)拖欠工资")
        w.c_event = register(w, region=w.village_c, title="梅塘村的噪音")
        register(w, region=w.village_b, title="没人督办的事")
        ev.event_supervise(event=w.wages, actor=w.operator.user, level="normal", note="三日内办结")
    with clock.frozen(start + dt.timedelta(hours=5)):
        ev.event_urge(event=w.wages, actor=w.operator.user, note="请今天反馈")
    with clock.frozen(start + dt.timedelta(days=1)):
        ev.event_supervise(event=w.wages, actor=w.county_leader.user, level="red", note="县领导挂牌督办")
        ev.event_supervise(event=w.c_event, actor=w.operator.user, level="yellow")
    with clock.frozen(start + dt.timedelta(days=2)):
        ev.event_acknowledge(event=w.wages, actor=w.secretary_a.user)
        ev.event_resolve(event=w.wages, actor=w.secretary_a.user, result="已足额支付")
    w.summons = record_create(actor=w.operator.user, kind="summons", title="约谈洋坂村书记", text="督办后仍拖延",
                              target_region=w.village_a, events=[w.wages])
    return w


def test_every_order_is_a_row_with_level_who_when_and_what_followed(supervised, client):
    w = supervised
    client.force_login(w.operator.user)
    r = client.get("/supervision/ledger/")
    assert r.status_code == 200
    html = _html(r)
    assert "督办台账" in html and "共3次督办" in html
    rows = re.findall(r'<tr data-order="(\d+)" data-event="(\d+)">(.*?)</tr>', html)
    assert [int(e) for _o, e, _r in rows] == [w.c_event.pk, w.wages.pk, w.wages.pk]  # newest first
    yellow, red, normal = (r for _o, _e, r in rows)
    assert "黄牌督办" in yellow and "陈调度" in yellow and "尚无进展" in yellow
    assert "红牌督办" in red and "郑县长" in red and "原为普通督办" in red and "县领导挂牌督办" in red
    # After the red card: acknowledged, then resolved; the summons linked to the event.
    followed = re.search(r'data-testid="followed">(.*?)</td>', red).group(1)
    assert "签收" in followed and "办结" in followed and "催办" not in followed
    assert "约谈:约谈洋坂村书记" in red and "督办后1天办结" in red
    # After the first order: the urge, then the next order ends its span.
    followed = re.search(r'data-testid="followed">(.*?)</td>', normal).group(1)
    assert "催办" in followed and "签收" not in followed
    assert "没人督办的事" not in html


def test_the_ledger_keeps_to_the_users_area(supervised, client):
    w = supervised
    client.force_login(w.town_cadre.user)  # 度尾镇: 洋坂村 and 剑山村
    html = _html(client.get("/supervision/ledger/"))
    events = {int(e) for e in re.findall(r'data-event="(\d+)"', html)}
    assert events == {w.wages.pk}
    client.force_login(w.other_town_cadre.user)  # 郊尾镇: 梅塘村
    assert {int(e) for e in re.findall(r'data-event="(\d+)"', _html(client.get("/supervision/ledger/")))} == {
        w.c_event.pk}
    # Another town's region asked for: a form error, not its orders.
    r = client.get("/supervision/ledger/", {"region": w.town.code})
    assert r.status_code == 400 and 'data-event=' not in r.content.decode()


def test_filters_by_level_dates_and_open_events(supervised, client):
    w = supervised
    client.force_login(w.operator.user)
    red = _html(client.get("/supervision/ledger/", {"level": "red"}))
    assert re.findall(r'data-event="(\d+)"', red) == [str(w.wages.pk)]
    still_open = _html(client.get("/supervision/ledger/", {"open_only": "on"}))
    assert re.findall(r'data-event="(\d+)"', still_open) == [str(w.c_event.pk)]
    first_day = clock.local_date(clock.now() - dt.timedelta(days=3))
    day_one = _html(client.get("/supervision/ledger/", {"start": first_day, "end": first_day}))
    assert "共1次督办" in day_one and "普通督办" in day_one
    assert client.get("/supervision/ledger/", {"level": "purple"}).status_code == 400
    assert client.get("/supervision/ledger/", {"start": "2026-11-09", "end": "2026-11-01"}).status_code == 400


def test_the_export_has_every_order_as_text(supervised, client):
    w = supervised
    client.force_login(w.operator.user)
    r = client.get("/supervision/ledger.xlsx", {"region": w.county.code})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("督办时间", "督办级别", "原督办级别", "督办人")
    body = rows[1:]
    assert [row[1] for row in body] == ["黄牌督办", "红牌督办", "普通督办"]
    red = body[1]
    assert red[3] == "郑县长" and red[6] == "=SUM(A1)拖欠工资" and "签收" in red[15] and "约谈洋坂村书记" in red[16]
    # A title that looks like a formula stays text.
    cell = next(c for c in ws[3] if c.value == "=SUM(A1)拖欠工资")
    assert cell.data_type == "s"
    assert client.get("/supervision/ledger.xlsx", {"level": "purple"}).status_code == 400


def test_the_ledger_costs_the_same_for_one_order_or_many(supervised, client, django_assert_max_num_queries):
    w = supervised
    client.force_login(w.operator.user)
    client.get("/supervision/ledger/")
    with django_assert_max_num_queries(25) as few:
        client.get("/supervision/ledger/")
    for i in range(8):
        e = register(w, region=w.village_b, title=f"又一件{i}")
        ev.event_supervise(event=e, actor=w.operator.user, level="normal")
        ev.event_urge(event=e, actor=w.operator.user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/supervision/ledger/")


def test_orders_build_from_the_audit_trail(supervised):
    w = supervised
    built = ledger.build(w.operator.user, ledger.orders(w.operator.user, ledger.LedgerFilter(region=w.county)))
    assert [(o.event.pk, o.level, o.by) for o in built] == [
        (w.c_event.pk, "yellow", "陈调度"), (w.wages.pk, "red", "郑县长"), (w.wages.pk, "normal", "陈调度")]
    assert built[2].urges == 1 and built[1].urges == 0 and built[1].days_to_resolve == 1
