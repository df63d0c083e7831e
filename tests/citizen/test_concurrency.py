"""Racing submissions cannot slip past the rate limit, and a resolution is rated once even when
two ratings arrive at the same moment (PostgreSQL row locks; SQLite immediate transactions)."""

import pytest

from fengqiao.citizen import actions as citizen_actions
from fengqiao.citizen.models import CitizenRating, CitizenReport, RateCounter
from fengqiao.events import actions
from fengqiao.events.models import Event, Status
from tests.events.test_concurrency import _race


def _submit(phone="13812345678", ip="10.0.0.1"):
    return citizen_actions.citizen_report(submission=citizen_actions.CitizenSubmission(
        description="老街电线私拉乱接,晚上冒火花,担心起火。", phone=phone,
        address="度尾镇洋坂村3组老街12号", ip=ip,
    ))


@pytest.mark.django_db(transaction=True)
def test_racing_reports_for_one_phone_stop_at_the_limit(world, settings):
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE = 2
    outcomes = _race(*[lambda i=i: _submit(ip=f"10.0.0.{i}") for i in range(4)])
    accepted = [o for o in outcomes if o == "ok"]
    refused = [o for o in outcomes if o != "ok"]
    assert len(accepted) == 2, outcomes
    assert all(getattr(o, "status", None) == 429 for o in refused), outcomes
    assert Event.objects.count() == 2 and CitizenReport.objects.count() == 2
    assert sorted(RateCounter.objects.filter(key__startswith="phone:").values_list("count", flat=True)) == [2]


@pytest.mark.django_db(transaction=True)
def test_two_ratings_at_once_only_one_counts(world):
    receipt = _submit()
    event = Event.objects.get(pk=receipt.event.pk)
    if event.status == Status.REGISTERED:
        actions.event_dispatch(event=event, actor=world.operator.user, region=world.village_a)
    actions.event_acknowledge(event=event.pk, actor=world.secretary_a.user)
    actions.event_resolve(event=event.pk, actor=world.secretary_a.user, result="已处理。")
    report = CitizenReport.objects.get()
    outcomes = _race(
        lambda: citizen_actions.citizen_rate(report=report, satisfaction="satisfied"),
        lambda: citizen_actions.citizen_rate(report=report, satisfaction="dissatisfied"),
    )
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    assert CitizenRating.objects.count() == 1
    event.refresh_from_db()
    rating = CitizenRating.objects.get()
    assert event.satisfaction == rating.satisfaction
    assert event.reopen_count == (1 if rating.satisfaction == "dissatisfied" else 0)
