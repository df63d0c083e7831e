"""Scope: a user asks only about regions under their own regional posts; a town ranks only its own
villages; everything else is a 404 (never a hint that it exists)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from fengqiao.command import queries
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from tests.command.helpers import at
from tests.factories import register

pytestmark = pytest.mark.django_db

SPAN = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31), "now": at(2026, 4, 1)}


def test_a_town_cadre_sees_their_town_not_the_county_nor_another_town(world):
    cadre = world.town_cadre.user
    assert queries.measures_for(user=cadre, region=world.town, **SPAN).received == 0
    assert queries.measures_for(user=cadre, region=world.village_b.code, **SPAN).received == 0
    for region in (world.county, world.other_town, world.village_c):
        with pytest.raises(Http404):
            queries.measures_for(user=cadre, region=region, **SPAN)


def test_a_town_ranks_only_its_own_villages(world):
    with clock.frozen(at(2026, 3, 5)):
        register(world, region=world.village_c)
        register(world, region=world.village_a)
    rows = queries.ranking(user=world.town_cadre.user, region=world.town, level="village",
                           measure="received", **SPAN)
    assert [r.region.code for r in rows] == [world.village_a.code, world.village_b.code]
    county_rows = queries.ranking(user=world.operator.user, region=world.county, level="village",
                                  measure="received", **SPAN)
    assert len(county_rows) == 3


def test_a_village_secretary_sees_only_their_village(world):
    secretary = world.secretary_a.user
    assert queries.measures_for(user=secretary, region=world.village_a, **SPAN).received == 0
    with pytest.raises(Http404):
        queries.measures_for(user=secretary, region=world.village_b, **SPAN)
    with pytest.raises(InvalidInput):  # a village has nothing below it to spread over
        queries.spread(user=secretary, region=world.village_a, level="village", **SPAN)


def test_a_department_liaison_gets_no_regional_statistics(world):
    with pytest.raises(Http404):
        queries.measures_for(user=world.dept_liaison.user, region=world.county, **SPAN)


def test_an_unknown_region_and_an_anonymous_user_get_404(world):
    with pytest.raises(Http404):
        queries.measures_for(user=world.operator.user, region="999999", **SPAN)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        queries.measures_for(user=AnonymousUser(), region=world.county, **SPAN)


def test_overdue_items_list_only_what_the_user_may_see(world):
    with clock.frozen(at(2026, 3, 2)):
        a = register(world, region=world.village_a)
        register(world, region=world.village_c)
    later = a.deadline + dt.timedelta(days=2)
    items = queries.overdue_items(user=world.town_cadre.user, region=world.town, now=later)
    assert [i.event.pk for i in items] == [a.pk]
    assert items[0].overdue_by == dt.timedelta(days=2)
    assert len(queries.overdue_items(user=world.operator.user, region=world.county, now=later)) == 2
    assert queries.overdue_items(user=world.operator.user, region=world.county,
                                 now=a.deadline - dt.timedelta(seconds=1)) == []


def test_query_budgets_do_not_grow_with_events_or_villages(world, django_assert_max_num_queries):
    user = world.operator.user
    with clock.frozen(at(2026, 3, 2)):
        for region in (world.village_a, world.village_b, world.village_c, world.town):
            register(world, region=region)
    queries.check_region(user, world.county)  # the user's posts, looked up once per request
    with django_assert_max_num_queries(5):
        queries.measures_for(user=user, region=world.county, **SPAN)
    with django_assert_max_num_queries(6):
        queries.spread(user=user, region=world.county, level="village", **SPAN)
    with django_assert_max_num_queries(7):
        queries.ranking(user=user, region=world.county, level="village", measure="score", **SPAN)
    prev, cur = queries.pair("month", dt.date(2026, 3, 20))
    with django_assert_max_num_queries(3):  # one round trip for the three cohorts
        queries.compare(user=user, region=world.county, a=prev, b=cur, now=SPAN["now"])
