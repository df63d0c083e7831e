"""The demo's petitions (src/fengqiao/demo/petitions.py), built once for the module on the real
Xianyou slice and its people: every limit running somewhere and some missed, every state, the
backlog in all four batches, seed 004's first-time petitions down 52%, all through the actions."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import transaction

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.demo import people, places
from fengqiao.demo.builder import reset_database
from fengqiao.demo.petitions import build_petitions
from fengqiao.lib.rates import relative_change
from fengqiao.petitions.models import BacklogCase, BacklogSort, Petition, Status
from fengqiao.petitions.queries import first_time_petitions
from fengqiao.workflow.models import Clock, ClockPolicy
from tests.petitions.helpers import local

AS_OF = local(2026, 11, 20, 18)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reset_database()
        places.import_slice()
        with transaction.atomic():
            places.create_grids(rng=random.Random(7))
        county = places.load_county()
        with transaction.atomic():
            people.create_people(county=county, rng=random.Random(7))
        report = build_petitions(county=county, roster=people.load_roster(county), as_of=AS_OF, events=300, seed=7)
        yield county, report
        reset_database()


pytestmark = pytest.mark.django_db


def test_every_state_and_every_limit_is_there_running_and_missed(demo):
    _county, report = demo
    assert set(Petition.objects.values_list("status", flat=True)) == set(Status.values)
    running = Clock.objects.filter(workflow="petition", stopped_at=None)
    keys = set(ClockPolicy.objects.filter(workflow="petition").values_list("key", flat=True))
    assert set(running.values_list("policy__key", flat=True)) == keys
    assert running.filter(due_at__lt=AS_OF).exists()  # past due, noticed by the scanner
    assert Clock.objects.filter(workflow="petition", outcome=Clock.Outcome.LATE).count() >= 5
    assert Clock.objects.filter(workflow="petition", extended_days=30).exists()
    assert AuditEntry.objects.filter(stream__startswith="petition:", action="clock_overdue").exists()
    assert report.scan["overdue"] >= 1 and report.scan["errors"] == 0


def test_first_time_petitions_are_down_52_percent_on_the_same_period_last_year(demo):
    county, report = demo
    figure = first_time_petitions(region=county.county, start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 20))
    assert (figure.current, figure.baseline) == (12, 25) == report.first_time
    assert relative_change(figure.current, figure.baseline, 0) == -52


def test_backlog_in_all_four_batches_some_over_twenty_years_some_resorted_some_settled(demo):
    cases = list(BacklogCase.objects.all())
    assert Counter(c.batch for c in cases).keys() == {"resolve", "strive", "stabilise", "by_law"}
    assert any(c.age_at(2026) >= 20 for c in cases)
    assert any(c.settled_at for c in cases) and any(c.settled_at is None for c in cases)
    assert BacklogSort.objects.exclude(from_batch="").exists()


def test_joint_key_difficult_repeat_and_linked_petitions_are_there(demo):
    assert Petition.objects.filter(joint=True, headcount__gte=5).exists()
    assert Petition.objects.filter(key_difficult=True).exists()
    assert Petition.objects.filter(kind="repeat").exists()
    assert Petition.objects.filter(objection_count__gt=0).exclude(status=Status.REGISTERED).exists()
    assert Petition.objects.filter(closing="terminated").exists()


def test_everything_went_through_the_actions_and_the_record_verifies(demo):
    for p in Petition.objects.all():
        first = AuditEntry.objects.get(stream=f"petition:{p.pk}", seq=1)
        assert first.action == "register" and first.created_at == p.registered_at
    assert audit.verify() is None
