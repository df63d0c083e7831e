"""Cross-channel twins: near in place and time, similar text, or the same reporter's phone."""

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.events.models import Category
from fengqiao.lib import clock
from fengqiao.triage.duplicates import find_twins
from tests.factories import register
from tests.triage.helpers import reporter

LAT, LNG = 25.4412, 118.6021  # 度尾镇洋坂村

HOTLINE = ("市民来电反映洋坂村菜溪线路灯不亮", "市民来电反映:洋坂村菜溪线一带路灯损坏五盏,晚上黑漆漆的,出行很不方便,要求尽快维修。")
GRID = ("洋坂村菜溪线路灯损坏", "网格员巡查发现洋坂村菜溪线一带路灯损坏5盏,夜间出行不便。")
POLICE = ("报警人称菜溪线路灯坏了", "报警人称洋坂村菜溪线路灯坏了好几盏,晚上太黑,担心出事。")
OTHER = ("柯某与邻居宅前通道纠纷", "柯某与邻居郑某因宅前通道宽度问题发生争执,郑某在通道堆放建材。")


def _event(world, content, *, region=None, phone="", lat=None, lng=None, source="hotline_12345"):
    title, description = content
    return register(world, title=title, description=description, source=source,
                    category="livelihood.infrastructure", region=region or world.village_a,
                    parties=reporter(phone) if phone else (), latitude=lat, longitude=lng)


def test_the_same_matter_from_three_channels_nearby_is_flagged(world):
    hotline = _event(world, HOTLINE, phone="13511112222", lat=LAT, lng=LNG)
    grid = _event(world, GRID, lat=LAT + 0.0004, lng=LNG + 0.0003, source="grid")
    police = _event(world, POLICE, phone="13733334444", lat=LAT - 0.0003, lng=LNG, source="police_110")
    twins = find_twins(event=police)
    assert {e.pk for e, _s in twins} == {hotline.pk, grid.pk}
    assert all(0.5 <= s <= 1.0 for _e, s in twins)
    assert [s for _e, s in twins] == sorted((s for _e, s in twins), reverse=True)


def test_same_village_without_points_is_enough_with_similar_text(world):
    hotline = _event(world, HOTLINE)
    grid = _event(world, GRID, source="grid")
    assert [e.pk for e, _s in find_twins(event=grid)] == [hotline.pk]


def test_the_same_reporter_phone_finds_a_twin_filed_elsewhere(world):
    # The 12345 ticket went to the village; the same caller's 110 call was filed at the town.
    hotline = _event(world, HOTLINE, phone="13511112222")
    police = _event(world, POLICE, phone="13511112222", region=world.town, source="police_110")
    assert [e.pk for e, _s in find_twins(event=police)] == [hotline.pk]
    # Without the shared phone, only town-level proximity is left: not enough.
    stranger = _event(world, POLICE, phone="13900009999", region=world.village_c, source="police_110")
    assert find_twins(event=stranger) == []


def test_a_different_matter_from_the_same_place_and_caller_is_not_a_twin(world):
    _event(world, HOTLINE, phone="13511112222", lat=LAT, lng=LNG)
    dispute = _event(world, OTHER, phone="13511112222", lat=LAT, lng=LNG)
    assert find_twins(event=dispute) == []


def test_the_same_text_far_away_is_not_a_twin(world):
    _event(world, HOTLINE, lat=LAT, lng=LNG)
    far = _event(world, GRID, region=world.village_c, lat=LAT + 0.09, lng=LNG + 0.05, source="grid")  # ~11 km
    assert find_twins(event=far) == []


def test_the_same_text_a_month_later_is_not_a_twin(world):
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    with clock.frozen(start):
        _event(world, HOTLINE, phone="13511112222", lat=LAT, lng=LNG)
    with clock.frozen(start + dt.timedelta(days=30)):
        later = _event(world, GRID, phone="13511112222", lat=LAT, lng=LNG, source="grid")
        assert find_twins(event=later) == []
    with clock.frozen(start + dt.timedelta(days=2)):
        soon = _event(world, GRID, lat=LAT, lng=LNG, source="grid")
        assert len(find_twins(event=soon)) == 1


def test_merged_and_refused_events_are_not_offered_as_twins(world):
    from fengqiao.events import actions

    kept = _event(world, HOTLINE, lat=LAT, lng=LNG)
    gone = _event(world, GRID, lat=LAT, lng=LNG, source="grid")
    actions.event_merge(event=gone, actor=world.operator.user, into=kept)
    refused = _event(world, HOTLINE, region=world.town)
    actions.event_refuse(event=refused, actor=world.operator.user, reason="重复投诉")
    police = _event(world, POLICE, lat=LAT, lng=LNG, source="police_110")
    assert [e.pk for e, _s in find_twins(event=police)] == [kept.pk]


def test_limit_keeps_the_best(world):
    for _ in range(4):
        _event(world, HOTLINE, lat=LAT, lng=LNG)
    last = _event(world, GRID, lat=LAT, lng=LNG, source="grid")
    assert len(find_twins(event=last, limit=2)) == 2


def test_candidate_search_uses_region_columns_not_a_full_scan(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _event(world, HOTLINE, lat=LAT, lng=LNG, phone="13511112222")
    police = _event(world, POLICE, lat=LAT, lng=LNG, phone="13511112222", source="police_110")
    with CaptureQueriesContext(connection) as ctx:
        find_twins(event=police)
    event_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "events_event"' in q["sql"]]
    # Besides: one look along (status, created_at) for any later live event (at intake none: the
    # sources' later ranges are then not asked).
    later = [sql for sql in event_queries if '"created_at" >' in sql and sql.endswith("LIMIT 1")]
    assert len(later) == 1
    event_queries = [sql for sql in event_queries if sql not in later]
    assert event_queries and all(
        any(col in sql for col in ('"county_id" =', '"town_id" =', '"village_id" IN', '"region_id" =', '"id" IN'))
        for sql in event_queries
    )
    # Each source of candidates is two small index ranges (before and after the event's time).
    assert len(ctx.captured_queries) <= 14
    assert Category.objects.exists()


def test_candidates_waiting_at_the_county_come_by_the_region_index_newest_first(world):
    """An import leaves thousands of unrouted events at the county in a week; their candidate
    query must walk (region, status, created_at), not sort every event filed there (bench: 38.8 ms
    → 0.8 ms per row at 5,000 such events)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    for n in range(3):
        _event(world, HOTLINE, region=world.county, phone=f"1351111222{n}")
    last = _event(world, HOTLINE, region=world.county)
    with CaptureQueriesContext(connection) as ctx:
        find_twins(event=last)
    at_county = [q["sql"] for q in ctx.captured_queries
                 if f'"region_id" = {world.county.pk}' in q["sql"] and "ORDER BY" in q["sql"]]
    assert at_county
    with connection.cursor() as cursor:
        for sql in at_county:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "event_region_status" in plan, plan
