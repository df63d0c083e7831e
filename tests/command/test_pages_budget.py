"""Query budgets: the command pages cost the same number of queries however many events there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.command.test_pages import overdue_event, resolved

pytestmark = pytest.mark.django_db


def queries_for(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_overdue_list_does_not_grow_with_its_rows(world, client):
    overdue_event(world)
    overdue_event(world, region=world.village_b)
    client.force_login(world.operator.user)
    client.get("/command/rankings/")  # the first request of a session loads it once more
    few = queries_for(client, "/command/rankings/")
    for region in (world.village_a, world.village_b, world.village_c, world.village_a):
        overdue_event(world, region=region)
    many = queries_for(client, "/command/rankings/")
    assert many == few, (few, many)
    assert few <= 30


def test_the_dashboard_does_not_grow_with_the_events(world, client):
    resolved(world, world.village_a)
    client.force_login(world.operator.user)
    client.get("/command/", {"period": "week"})  # the first request of a session loads it once more
    before = queries_for(client, "/command/", period="week")
    for region in (world.village_a, world.village_b, world.village_c):
        resolved(world, region)
        overdue_event(world, region=region)
    after = queries_for(client, "/command/", period="week")
    assert after == before, (before, after)
    # A week: 7 days of trend, 7 categories and 10 sources, each one `measures_for`.
    assert before <= 100
