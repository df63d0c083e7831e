"""The demo's mediation year (demo/mediation.py), built once for the module on the demo county
through the real actions, then inspected."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.demo import builder, people
from fengqiao.demo.mediation import BRAND_LOGIN, QUNYING_LOGIN, build_mediation
from fengqiao.demo.people import DEMO_PASSWORD
from fengqiao.mediation import queries
from fengqiao.mediation.models import (
    Case,
    Kind,
    MediationOrg,
    Performance,
    PoolMember,
    Session,
    Task,
    Term,
)

AS_OF = timezone.make_aware(dt.datetime(2026, 11, 20, 18, 0))


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        builder.reset_database()
        county, _report = builder.build_places(rng=random.Random(7))
        with transaction.atomic():
            people.create_people(county=county, rng=random.Random(7))
        roster = people.load_roster(county)
        report = build_mediation(county=county, roster=roster, as_of=AS_OF, seed=7, cases=70, tasks=25)
        yield report
        builder.reset_database()


pytestmark = pytest.mark.django_db


def test_every_kind_from_every_channel_and_nothing_refused(year):
    assert year.refused_steps == 0, year.refusals
    assert set(Case.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert set(Case.objects.values_list("channel", flat=True)) == {"event", "window", "court"}
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses["closed"] > 40 and statuses["refused"] >= 1
    assert statuses["applied"] + statuses["accepted"] + statuses["mediating"] + statuses["agreed"] >= 1
    assert year.actions["case_open"] == Case.objects.count() == 70


def test_the_registry_has_the_brand_rooms_the_rooms_and_the_pools(year):
    rooms = {o.name: o for o in MediationOrg.objects.filter(kind="brand").select_related("lead__person")}
    assert rooms["和合说事工作室"].lead.person.name == "李中秋"
    assert rooms["白锡荣调解工作室"].lead.person.name == "白锡荣"
    assert set(MediationOrg.objects.filter(kind="stationed").values_list("host", flat=True)) == {
        "court", "procuratorate", "police", "petition"}
    per_pool = Counter(PoolMember.objects.values_list("pool__name", flat=True))
    assert per_pool and all(6 <= n <= 8 for n in per_pool.values())
    assert authenticate(username=QUNYING_LOGIN, password=DEMO_PASSWORD) is not None
    assert authenticate(username=BRAND_LOGIN, password=DEMO_PASSWORD) is not None


def test_brand_rooms_agreements_are_all_performed(year):
    terms = Term.objects.filter(agreement__case__org__kind="brand")
    statuses = set(terms.values_list("status", flat=True))
    assert statuses <= {Performance.PERFORMED, Performance.PENDING}


def test_the_court_s_referrals_settle_about_half_and_are_reported_back(year):
    court = Case.objects.filter(kind="pre_litigation")
    ended = court.exclude(outcome="")
    settled = ended.filter(outcome__in=["written", "oral"]).count()
    assert ended.count() >= 5 and 0.2 <= settled / ended.count() <= 0.85
    assert not court.filter(status="closed", court_reported_at=None).exists()


def test_joint_sessions_seat_departments(year):
    joint = Session.objects.filter(state="held", seats__isnull=False).distinct()
    assert joint.exists()
    assert Case.objects.filter(joint=True).count() == Case.objects.filter(sessions__seats__isnull=False).distinct().count()


def test_seed_004_wage_dispute_ran_past_its_seven_days(year):
    task = Task.objects.select_related("member__person", "event").get(event__title="柯某与吴某工资纠纷")
    assert task.member.person.name == "吴见来" and task.status == "closed" and task.settled
    actions = list(AuditEntry.objects.filter(stream=f"mediation_task:{task.pk}").values_list("action", flat=True))
    assert actions[:2] == ["dispatch", "accept"] and "clock_overdue" in actions and actions[-1] == "close"
    assert task.event.status == "closed"


def test_the_duty_roster_answers_tonight(year):
    tonight = AS_OF.replace(hour=22)
    on = queries.on_duty(tonight)
    assert sorted(s.role for s in on) == ["mediator", "police"]


def test_the_record_verifies(year):
    assert audit.verify() is None
