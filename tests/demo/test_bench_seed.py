"""`fengqiao bench_seed`: synthetic events for benchmarks, straight into the tables."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from fengqiao.audit import chain as audit
from fengqiao.demo.bench_seed import secondary_indexes, seed_bench_events
from fengqiao.demo.people import DEMO_VILLAGE
from fengqiao.events import actions
from fengqiao.events.models import Assignment, Category, Event, Status
from fengqiao.events.scope import visible_events
from fengqiao.people.models import Person
from fengqiao.regions.models import ANCESTOR_LEVELS, Region

pytestmark = pytest.mark.django_db


def test_bench_seed_loads_the_county_and_fills_realistic_events():
    out = io.StringIO()
    call_command("bench_seed", "--events", "3000", "--batch", "700", "--no-progress",
                 stdout=out, stderr=io.StringIO())
    assert "added 3000 events" in out.getvalue()
    assert Region.objects.filter(level="village").count() == 327
    assert Event.objects.count() == 3000
    statuses = Counter(Event.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.CLOSED] > 2000
    now = timezone.now()
    assert Event.objects.filter(status=Status.IN_PROGRESS, deadline__lt=now).exists()  # overdue
    assert not Event.objects.filter(created_at__gt=now).exists()
    assert not Event.objects.filter(closed_at__gt=now).exists()


def test_seeded_events_carry_their_region_ancestors_and_bindings():
    seed_bench_events(n=1500, batch=500)
    regions = {r.id: r for r in Region.objects.all()}
    for e in Event.objects.all()[:500]:
        region = regions[e.region_id]
        for level in ANCESTOR_LEVELS:
            assert getattr(e, f"{level}_id") == getattr(region, f"{level}_id")
    open_village = Event.objects.filter(status=Status.IN_PROGRESS, tier="village").first()
    roles = set(Assignment.objects.filter(event=open_village, active=True).values_list("role", flat=True))
    assert {"village_liaison", "party_secretary", "community_police"} <= roles
    assert not Assignment.objects.filter(event__status=Status.CLOSED, active=True).exists()
    county = Event.objects.filter(tier="county").exclude(status__in=["registered", "refused"])
    assert county.exists() and not county.filter(department=None).exists()
    # Marked as the actions mark them: only a department liaison is bound beyond their posts.
    beyond = set(Assignment.objects.filter(beyond_posts=True).values_list("role", flat=True))
    assert beyond == {"department_liaison"}
    secretary = Person.objects.get(user__username="secretary")
    assert set(visible_events(secretary.user).values_list("village__code", flat=True)) == {DEMO_VILLAGE}


def test_registering_after_seeding_continues_the_day_counter():
    seed_bench_events(n=400, days=1)
    operator = Person.objects.get(user__username="operator").user
    event = actions.event_register(
        actor=operator, title="测试", category=Category.objects.get(code="dispute.wages"),
        source="walk_in", region=Region.objects.get(code=DEMO_VILLAGE),
    )
    assert Event.objects.filter(code=event.code).count() == 1
    assert audit.verify() is None  # seeded rows have no record; the new one does


def test_a_bulk_load_puts_every_index_back():
    before = {name for name, _sql in secondary_indexes("events_event")}
    seed_bench_events(n=600, batch=200, rebuild_indexes=True)
    assert {name for name, _sql in secondary_indexes("events_event")} == before
    assert len(before) >= 7
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM events_event")
        assert cursor.fetchone()[0] == 600


def test_non_positive_counts_are_refused():
    with pytest.raises(CommandError, match="positive"):
        call_command("bench_seed", "--events", "0", stdout=io.StringIO(), stderr=io.StringIO())


def test_seeding_rebuilds_the_command_centres_rollups_exactly():
    import datetime as dt

    from django.contrib.auth import get_user_model

    from fengqiao.command import queries
    from fengqiao.lib import clock

    report = seed_bench_events(n=2000, batch=800, with_bindings=False)
    assert report.assignments == 0 and not Assignment.objects.exists()
    assert sum(report.rollup_rows.values()) > 0
    operator = get_user_model().objects.get(username="operator")
    county = Region.objects.get(code="350322")
    today = clock.local_date()
    kw = {"user": operator, "region": county, "start": today - dt.timedelta(days=400), "end": today}
    fast = queries.measures_for(**kw)
    assert fast.received > 1800 and fast.resolved > 1500 and fast.overdue > 0
    assert fast.counts() == queries.measures_for(**kw, path="plain").counts()
    spread = queries.spread(**kw, level="town")
    assert [r.as_dict() for r in spread] == [r.as_dict() for r in queries.spread(**kw, level="town", path="plain")]
