"""Category suggestions learned from the platform's own past events."""

import pytest
from django.core.management import call_command

from fengqiao.events import actions
from fengqiao.events.models import Category
from fengqiao.triage import classify
from fengqiao.triage.models import ClassifierModel
from tests.triage.helpers import past_events


def test_with_no_past_events_there_are_no_suggestions(world):
    report = classify.train()
    assert report.version is None
    assert ClassifierModel.objects.count() == 0
    assert classify.suggest_categories("工地包工头拖欠工人工资") == []


def test_learns_from_past_events_and_suggests_with_confidence(world):
    past_events(world)
    report = classify.train()
    assert report.version is not None and report.events == 48 and report.categories == 4
    suggestions = classify.suggest_categories("洋坂村工地包工头拖欠我们八个工人三个月工资,讨要无果")
    assert [c.code for c, _p in suggestions][0] == "dispute.wages"
    confidences = [p for _c, p in suggestions]
    assert len(suggestions) == 3
    assert all(0.0 <= p <= 1.0 for p in confidences)
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[0] > 0.5 and sum(confidences) <= 1.0001

    fire = classify.suggest_categories("楼道里好多电动车飞线充电,怕着火", limit=1)
    assert [c.code for c, _p in fire] == ["hazard.fire"]


def test_text_sharing_nothing_with_the_past_gets_no_suggestion(world):
    past_events(world, per_category=4)
    classify.train()
    assert classify.suggest_categories("12345 !!!") == []
    assert classify.suggest_categories("工资", limit=0) == []


def test_a_retired_category_is_never_suggested(world):
    past_events(world, per_category=6)
    classify.train()
    Category.objects.filter(code="dispute.wages").update(active=False)
    classify.reset_cache()
    codes = [c.code for c, _p in classify.suggest_categories("包工头拖欠工资", limit=5)]
    assert "dispute.wages" not in codes and codes


def test_refused_and_merged_events_are_not_learned_from(world):
    made = past_events(world, per_category=4)
    actions.event_merge(event=made[0], actor=world.operator.user, into=made[1])
    assert len(list(classify.training_events())) == len(made) - 1


def test_a_newer_version_trained_elsewhere_replaces_the_cached_one(world):
    past_events(world, per_category=4)
    first = classify.train().version
    assert classify.current_model().version == first
    # Another process trains: a newer row appears; this process notices at its next check.
    ClassifierModel.objects.create(
        created_at=ClassifierModel.objects.get(pk=first).created_at, trained_on=1, categories=4,
        features=1, payload=ClassifierModel.objects.get(pk=first).payload,
    )
    newest = ClassifierModel.objects.order_by("-id").first().pk
    assert classify.current_model().version == newest != first


def test_train_classifier_command_stores_a_version_and_keeps_three(world):
    from io import StringIO

    past_events(world, per_category=4)
    for _ in range(4):
        out = StringIO()
        call_command("train_classifier", stdout=out)
        assert "classifier v" in out.getvalue()
    assert ClassifierModel.objects.count() == 3


def test_train_classifier_command_says_when_there_is_too_little(db):
    from io import StringIO

    out = StringIO()
    call_command("train_classifier", stdout=out)
    assert "not enough data" in out.getvalue()


def test_train_classifier_command_rejects_a_bad_limit(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("train_classifier", "--limit", "0")


def test_the_nightly_task_trains(world):
    from fengqiao.triage.tasks import train_classifier_nightly

    past_events(world, per_category=4)
    train_classifier_nightly.call_local()
    assert ClassifierModel.objects.count() == 1
