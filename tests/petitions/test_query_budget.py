"""The lists cost the same number of queries whatever they hold: a worklist tab, the ledger, the
backlog page and the API's list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.petitions import actions
from tests.petitions.helpers import at, local, petition_in

pytestmark = pytest.mark.django_db

PAGES = ["/petitions/?tab=handling", "/petitions/ledger/", "/petitions/backlog/"]


def _add(world, n: int, start: int) -> None:
    for i in range(n):
        p = petition_in(world, "handling", title=f"信访{start + i}")
        with at(local(2026, 3, 20)):
            actions.petition_list_backlog(petition=p, actor=world.operator.user, first_raised_year=2001 + i,
                                          batch="strive", leader=world.county_leader)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_do_not_grow_a_query_per_petition(world, client, api):
    _add(world, 2, 0)
    client.force_login(world.operator.user)
    few = {url: _count(client, url) for url in PAGES}
    with CaptureQueriesContext(connection) as ctx:
        api.get("/petitions", user=world.operator.user)
    few_api = len(ctx.captured_queries)
    _add(world, 6, 2)
    client.force_login(world.operator.user)
    many = {url: _count(client, url) for url in PAGES}
    with CaptureQueriesContext(connection) as ctx:
        api.get("/petitions", user=world.operator.user)
    assert many == few
    assert len(ctx.captured_queries) == few_api
