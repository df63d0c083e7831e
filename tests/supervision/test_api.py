"""Supervision over JSON: the same actions and scope as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.people.models import Pairing
from fengqiao.regions.models import Region
from fengqiao.supervision.models import AccountabilityRecord
from tests.factories import register

pytestmark = pytest.mark.django_db


def test_records_over_json(world, api):
    event = register(world, region=world.village_a)
    r = api.post("/supervision/records", {"kind": "summons", "title": "约谈", "text": "逾期未办",
                                           "region_code": world.village_a.code, "event_ids": [event.pk]},
                 user=world.operator.user)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["target"]["region"] == world.village_a.code and body["events"] == [event.pk]
    assert api.get(f"/supervision/records/{body['id']}", user=world.town_cadre.user).status_code == 200
    assert api.get(f"/supervision/records/{body['id']}", user=world.other_town_cadre.user).status_code == 404
    assert [i["id"] for i in api.get("/supervision/records", user=world.secretary_a.user).json()["items"]] == [body["id"]]
    assert api.get("/supervision/records", user=world.secretary_c.user).json()["items"] == []


def test_bad_records_are_refused_with_the_field(world, api):
    other = register(world, region=world.village_c)
    cases = [
        ({"kind": "praise", "title": "x", "text": "t", "region_code": world.village_a.code}, 400),
        ({"kind": "bulletin", "title": "x", "text": "t"}, 400),
        ({"kind": "bulletin", "title": "x", "text": "t", "region_code": world.village_c.code}, 400),
        ({"kind": "bulletin", "title": "x", "text": "t", "region_code": world.village_a.code,
          "event_ids": [other.pk]}, 400),
        ({"kind": "bulletin", "title": "x", "text": "t", "department_code": "nope"}, 400),
    ]
    for payload, status in cases:
        r = api.post("/supervision/records", payload, user=world.town_cadre.user)
        assert r.status_code == status, (payload, r.content)
        assert set(r.json()) >= {"code", "message"}
    assert api.post("/supervision/records", cases[0][0]).status_code == 401
    assert not AccountabilityRecord.objects.exists()


def test_pairing_over_json_opens_the_village_to_the_department(world, api):
    event = register(world, region=world.village_b)
    assert api.get(f"/events/{event.pk}", user=world.dept_liaison.user).status_code == 404
    r = api.post("/supervision/pairings", {"department_code": "rsj", "village_code": world.village_b.code},
                 user=world.operator.user)
    assert r.status_code == 201
    assert api.get(f"/events/{event.pk}", user=world.dept_liaison.user).status_code == 200
    assert [p["village"] for p in api.get("/supervision/pairings", user=world.dept_liaison.user).json()["items"]] == [
        world.village_b.code]
    assert api.post("/supervision/pairings", {"department_code": "rsj", "village_code": world.village_a.code},
                    user=world.secretary_a.user).status_code == 403
    ended = api.post(f"/supervision/pairings/{r.json()['id']}/end", user=world.operator.user)
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert api.get(f"/events/{event.pk}", user=world.dept_liaison.user).status_code == 404
    assert Pairing.objects.filter(active=True).count() == 0


def test_categories_over_json(world, api):
    r = api.get("/supervision/categories", user=world.town_cadre.user)
    assert r.status_code == 200
    assert {i["region"]["code"] for i in r.json()["items"]} == {world.village_a.code, world.village_b.code}
    assert api.get("/supervision/categories", user=world.town_cadre.user, region=world.other_town.code).status_code == 404
    ok = api.post(f"/supervision/categories/{world.village_a.code}/confirm", {"category": "lagging"},
                  user=world.operator.user)
    assert ok.status_code == 200 and ok.json()["category"] == "lagging"
    assert Region.objects.get(pk=world.village_a.pk).village_category == "lagging"
    bad = api.post(f"/supervision/categories/{world.village_a.code}/confirm", {"category": "best"},
                   user=world.operator.user)
    assert bad.status_code == 400
    assert api.post(f"/supervision/categories/{world.village_a.code}/confirm", {"category": "good"},
                    user=world.town_cadre.user).status_code == 403
    assert AuditEntry.objects.filter(action="confirm_village_category").count() == 1


def test_bulletin_over_json(world, api, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    register(world, region=world.village_a)
    today = clock.local_date()
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/supervision/bulletins", {"region_code": world.town.code,
                                                "date_from": (today - dt.timedelta(days=6)).isoformat(),
                                                "date_to": today.isoformat()}, user=world.town_cadre.user)
    assert r.status_code == 202
    run = api.get(f"/supervision/bulletins/{r.json()['id']}", user=world.town_cadre.user).json()
    assert run["state"] == "done" and run["files"]["docx"].endswith("/docx")
    assert api.post("/supervision/bulletins", {"region_code": world.county.code, "date_from": "2026-11-01",
                                               "date_to": "2026-11-02"}, user=world.town_cadre.user).status_code == 400
    assert api.post("/supervision/bulletins", {"region_code": world.town.code, "date_from": "2026-11-09",
                                               "date_to": "2026-11-02"}, user=world.town_cadre.user).status_code == 400
