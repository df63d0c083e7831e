"""The event search page and its filters (the same as GET /api/v1/events)."""

import datetime as dt

from fengqiao.lib import clock
from tests.factories import register


def test_filters_narrow_the_list(world, as_user):
    register(world, title="工资纠纷甲")
    register(world, title="消防隐患乙", category="hazard.fire", source="grid", high_risk=True)
    register(world, title="梅塘村丙", region=world.village_c)
    client = as_user(world.operator)
    assert "3 个事项" in client.get("/events/").content.decode()
    html = client.get("/events/", {"category": "hazard"}).content.decode()
    assert "消防隐患乙" in html and "工资纠纷甲" not in html
    html = client.get("/events/", {"high_risk": "1"}).content.decode()
    assert "消防隐患乙" in html and "工资纠纷甲" not in html
    html = client.get("/events/", {"region": world.other_town.code}).content.decode()
    assert "梅塘村丙" in html and "工资纠纷甲" not in html
    html = client.get("/events/", {"q": "工资"}).content.decode()
    assert "工资纠纷甲" in html and "梅塘村丙" not in html
    html = client.get("/events/", {"source": "grid", "status": "dispatched"}).content.decode()
    assert "消防隐患乙" in html and "工资纠纷甲" not in html


def test_overdue_and_date_filters(world, as_user):
    with clock.frozen(clock.now() - dt.timedelta(days=40)):
        register(world, title="旧事项")
    register(world, title="新事项")
    client = as_user(world.operator)
    html = client.get("/events/", {"overdue": "1"}).content.decode()
    assert "旧事项" in html and "新事项" not in html
    today = clock.local_date()
    html = client.get("/events/", {"created_from": today.isoformat()}).content.decode()
    assert "新事项" in html and "旧事项" not in html


def test_bad_filters_are_a_400_with_errors_not_a_500(world, as_user):
    client = as_user(world.operator)
    r = client.get("/events/", {"status": "nonsense", "created_from": "2024-13-45"})
    assert r.status_code == 400
    r = client.get("/events/", {"created_from": "2024-05-02", "created_to": "2024-05-01"})
    assert r.status_code == 400
    assert "结束日期早于开始日期" in r.content.decode()
