"""The lists cost the same number of queries for five rows or thirty: no query per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.lib import clock
from tests.majors.test_figures import NOW, seed_002
from tests.stationing.helpers import night, plan

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_ledger_page_does_not_query_per_matter(mw, client):
    client.force_login(mw.user("operator"))
    seed_002(mw, listed=5, done=3)
    with clock.frozen(NOW):
        _queries(client, "/majors/")  # warm the per-process caches
        few = _queries(client, "/majors/")
    from fengqiao.majors.models import Matter

    Matter.objects.all().delete()
    seed_002(mw, listed=30, done=20)
    with clock.frozen(NOW):
        many = _queries(client, "/majors/")
    assert many == few, (few, many)


def test_the_ranking_page_does_not_query_per_plan_or_stay(mw, client):
    client.force_login(mw.user("operator"))
    first = plan(mw, starts_on=dt.date(2026, 11, 2))
    night(mw, first, dt.date(2026, 11, 9))
    with clock.frozen(NOW):
        _queries(client, "/stationing/compliance/?by=person&weeks=4")
        few = _queries(client, "/stationing/compliance/?by=person&weeks=4")
    for who, identity in (("liaison_a", "town_cadre"), ("secretary_a", "village_cadre")):
        p = plan(mw, person=who, identity=identity, starts_on=dt.date(2026, 11, 2))
        for day in (dt.date(2026, 11, 9), dt.date(2026, 11, 13), dt.date(2026, 11, 16)):
            night(mw, p, day, who=who)
    with clock.frozen(NOW):
        many = _queries(client, "/stationing/compliance/?by=person&weeks=4")
    assert many == few, (few, many)
