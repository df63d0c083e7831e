"""Triage over JSON: the same queue and decisions as the pages, and category suggestions."""

import pytest
from django.db import transaction

from fengqiao.events.models import Category, Status
from fengqiao.triage import classify
from fengqiao.triage.actions import triage_open
from tests.factories import register
from tests.triage.helpers import past_events


def _item(event, reasons, **kw):
    with transaction.atomic():
        return triage_open(event=event, reasons=reasons, **kw)


@pytest.fixture
def town_item(world):
    event = register(world, region=world.town, title="度尾镇某村水压不足", category="other", source="police_110")
    return _item(event, ["ambiguous_address", "uncategorised"],
                 region_candidates=[{"code": world.village_a.code, "name": "洋坂村", "score": 0.5}])


def test_list_and_read_within_scope(api, world, town_item):
    r = api.get("/triage/items", user=world.town_cadre.user)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1 and data["items"][0]["reasons"] == ["ambiguous_address", "uncategorised"]
    assert data["items"][0]["region_candidates"][0]["code"] == world.village_a.code
    assert api.get("/triage/items", user=world.other_town_cadre.user).json()["count"] == 0
    assert api.get(f"/triage/items/{town_item.pk}", user=world.other_town_cadre.user).status_code == 404
    assert api.get("/triage/items", user=world.secretary_a.user).status_code == 403  # not a dispatcher
    assert api.get("/triage/items", user=None).status_code == 401
    r = api.get("/triage/items", user=world.operator.user, reason="lost")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_dispatch_and_categorise_close_the_item(api, world, town_item):
    r = api.post(f"/triage/items/{town_item.pk}/dispatch", {"region_code": world.village_c.code},
                 user=world.town_cadre.user)
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = api.post(f"/triage/items/{town_item.pk}/dispatch", {"region_code": world.village_a.code},
                 user=world.town_cadre.user)
    assert r.status_code == 200 and r.json()["status"] == Status.DISPATCHED
    assert r.json()["reasons"] == ["uncategorised"] and r.json()["closed_at"] is None
    r = api.post(f"/triage/items/{town_item.pk}/category", {"category_code": "nope"}, user=world.town_cadre.user)
    assert r.status_code == 400
    r = api.post(f"/triage/items/{town_item.pk}/category", {"category_code": "livelihood.utilities"},
                 user=world.town_cadre.user)
    body = r.json()
    assert r.status_code == 200 and body["category"] == "livelihood.utilities"
    assert body["closed_at"] is not None and body["reasons"] == []
    r = api.post(f"/triage/items/{town_item.pk}/category", {"category_code": "livelihood.utilities"},
                 user=world.town_cadre.user)
    assert r.status_code == 409


def test_merge_keeping_this_event_and_dismiss(api, world):
    older = register(world, title="洋坂村菜溪线路灯不亮", source="grid")
    other = register(world, title="另一处路灯", source="grid")
    newer = register(world, title="菜溪线路灯坏了好几盏", source="hotline_12345")
    item = _item(newer, ["duplicate"], twins=[(older, 0.8), (other, 0.72)])
    op = world.operator.user
    r = api.post(f"/triage/items/{item.pk}/merge", {"twin_id": older.pk, "keep": "neither"}, user=op)
    assert r.status_code == 400
    r = api.post(f"/triage/items/{item.pk}/merge", {"twin_id": older.pk, "keep": "this"}, user=op)
    assert r.status_code == 200
    older.refresh_from_db()
    assert older.status == Status.MERGED and older.merged_into_id == newer.pk
    assert [t["state"] for t in r.json()["twins"]] == ["merged", "open"]
    r = api.post(f"/triage/items/{item.pk}/dismiss", {"twin_id": other.pk}, user=world.secretary_a.user)
    assert r.status_code == 403  # not a dispatcher
    r = api.post(f"/triage/items/{item.pk}/dismiss", {"twin_id": other.pk}, user=op)
    assert r.status_code == 200 and r.json()["closed_at"] is not None
    r = api.post(f"/triage/items/{item.pk}/dismiss", {"twin_id": other.pk}, user=op)
    assert r.status_code == 409


def test_suggest_category(api, world):
    r = api.post("/triage/suggest-category", {"text": "包工头拖欠工资"}, user=world.operator.user)
    assert r.status_code == 200 and r.json() == []
    past_events(world, per_category=6)
    classify.train()
    r = api.post("/triage/suggest-category", {"text": "包工头拖欠八名工人工资", "limit": 2}, user=world.operator.user)
    assert r.status_code == 200
    assert [s["code"] for s in r.json()][0] == "dispute.wages" and len(r.json()) == 2
    assert 0 < r.json()[0]["confidence"] <= 1
    assert api.post("/triage/suggest-category", {"text": ""}, user=world.operator.user).status_code == 400
    assert Category.objects.exists()
