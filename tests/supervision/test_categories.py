"""Village categories: suggested from the measures by the admin's thresholds, then confirmed (an
audit row), on the page and through the action."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions as ev
from fengqiao.lib.errors import InvalidInput, NotPermitted
from fengqiao.regions.models import Region
from fengqiao.supervision.actions import thresholds_set, village_category_confirm
from fengqiao.supervision.categories import suggest
from fengqiao.supervision.models import CategoryThresholds, VillageRating
from tests.factories import register

pytestmark = pytest.mark.django_db


def t(measure="resolution_rate", a=90, b=80, c=60, n=2) -> CategoryThresholds:
    return CategoryThresholds(measure=measure, reassuring_at=Decimal(a), good_at=Decimal(b),
                              average_at=Decimal(c), min_events=n)


@pytest.mark.parametrize(("value", "expected"), [
    ("95", "reassuring"), ("90", "reassuring"), ("89.9", "good"), ("80", "good"),
    ("60", "average"), ("59.9", "lagging"), ("0", "lagging"),
])
def test_suggestion_by_thresholds_where_higher_is_better(value, expected):
    assert suggest(Decimal(value), 10, t()) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("0", "reassuring"), ("5", "reassuring"), ("5.1", "good"), ("10", "good"), ("20", "average"),
    ("20.1", "lagging"),
])
def test_suggestion_reversed_where_lower_is_better(value, expected):
    assert suggest(Decimal(value), 10, t("overdue_rate", 5, 10, 20)) == expected


def test_no_suggestion_with_too_few_events_or_no_value():
    assert suggest(Decimal("100"), 1, t(n=2)) == ""
    assert suggest(None, 50, t()) == ""


def test_thresholds_must_step_the_right_way(world):
    with pytest.raises(InvalidInput):
        thresholds_set(actor=world.admin.user, measure="resolution_rate", reassuring_at=60, good_at=80,
                       average_at=90)
    with pytest.raises(InvalidInput):
        thresholds_set(actor=world.admin.user, measure="no_such", reassuring_at=90, good_at=80, average_at=60)
    with pytest.raises(NotPermitted):
        thresholds_set(actor=world.secretary_a.user, measure="resolution_rate", reassuring_at=90, good_at=80,
                       average_at=60)
    row = thresholds_set(actor=world.admin.user, measure="overdue_rate", reassuring_at=5, good_at=10,
                         average_at=20, min_events=1)
    assert CategoryThresholds.current().pk == row.pk and row.measure == "overdue_rate"
    assert AuditEntry.objects.filter(stream="supervision", action="set_category_thresholds").count() == 1


def _resolve(world, region, secretary):
    e = register(world, region=region)
    ev.event_acknowledge(event=e, actor=secretary.user)
    ev.event_resolve(event=e, actor=secretary.user, result="已办结")


def test_the_page_suggests_and_the_operator_confirms(world, client):
    thresholds_set(actor=world.admin.user, measure="resolution_rate", reassuring_at=90, good_at=80,
                   average_at=60, min_events=2)
    _resolve(world, world.village_a, world.secretary_a)
    _resolve(world, world.village_a, world.secretary_a)  # A: 2/2 = 100% → 放心
    register(world, region=world.village_b)
    register(world, region=world.village_b)  # B: 0/2 → 滞后
    register(world, region=world.village_c)  # C: one event, too few
    client.force_login(world.operator.user)
    html = client.get("/supervision/categories/").content.decode()
    import re

    def suggested(code):
        row = re.search(rf'<tr data-region="{code}">(.*?)</tr>', html, re.S).group(1)
        return re.sub(r"\s+", " ", re.search(r'data-testid="suggested">(.*?)</td>', row, re.S).group(1))

    assert "放心" in suggested(world.village_a.code)
    assert "滞后" in suggested(world.village_b.code)
    assert "放心" not in suggested(world.village_c.code) and "滞后" not in suggested(world.village_c.code)

    r = client.post(f"/supervision/categories/{world.village_b.code}/confirm", {"category": "lagging"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-testid="confirmed"' in r.content.decode()
    assert Region.objects.get(pk=world.village_b.pk).village_category == "lagging"
    rating = VillageRating.objects.get(village=world.village_b)
    assert (rating.suggested, rating.category, rating.measure, rating.value, rating.events) == (
        "lagging", "lagging", "resolution_rate", Decimal("0.0"), 2)
    entry = AuditEntry.objects.get(stream="supervision", action="confirm_village_category")
    assert entry.to_state == "lagging" and entry.details["village"] == world.village_b.code


def test_the_operator_may_confirm_another_category_than_suggested(world):
    rating = village_category_confirm(actor=world.operator.user, village=world.village_a, category="good",
                                      suggested="lagging", note="整改到位")
    assert rating.previous == "" and Region.objects.get(pk=world.village_a.pk).village_category == "good"
    again = village_category_confirm(actor=world.operator.user, village=world.village_a, category="reassuring")
    assert again.previous == "good"


def test_a_town_cadre_cannot_confirm_and_bad_input_writes_nothing(world, client):
    with pytest.raises(NotPermitted):
        village_category_confirm(actor=world.town_cadre.user, village=world.village_a, category="good")
    with pytest.raises(InvalidInput):
        village_category_confirm(actor=world.operator.user, village=world.village_a, category="excellent")
    with pytest.raises(InvalidInput):
        village_category_confirm(actor=world.operator.user, village=world.town, category="good")
    client.force_login(world.operator.user)
    r = client.post(f"/supervision/categories/{world.village_a.code}/confirm", {"category": "nope"})
    assert r.status_code == 400
    client.force_login(world.town_cadre.user)
    assert client.post(f"/supervision/categories/{world.village_c.code}/confirm",
                       {"category": "good"}).status_code == 404
    assert not VillageRating.objects.exists()
    assert Region.objects.get(pk=world.village_a.pk).village_category == ""


def test_the_admin_sets_thresholds_in_the_django_admin(world, client):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x-1234")
    client.force_login(root)
    url = "/admin/supervision/categorythresholds/add/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"measure": "resolution_rate", "reassuring_at": "60", "good_at": "80",
                            "average_at": "90", "min_events": "5", "span_days": "90"})
    assert bad.status_code == 200 and not CategoryThresholds.objects.exists()
    ok = client.post(url, {"measure": "resolution_rate", "reassuring_at": "95", "good_at": "85",
                           "average_at": "70", "min_events": "3", "span_days": "30"})
    assert ok.status_code == 302
    row = CategoryThresholds.current()
    assert (row.measure, row.reassuring_at, row.min_events, row.span_days) == ("resolution_rate", 95, 3, 30)
    assert AuditEntry.objects.filter(stream="supervision", action="set_category_thresholds").count() == 1
