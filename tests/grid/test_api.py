"""The grid API: the offline app's sync endpoints idempotent on the UUID (201, then 200 with the
same body), bounded inputs answered {"code", "message"}, scope 404 outside."""

from __future__ import annotations

import json
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.grid.models import Checklist, HazardCheck, Visit
from fengqiao.lib import clock
from tests.grid.world import INSIDE, START, png


def _post(client, path, data):
    return client.post("/api/v1" + path, data)


def test_a_visit_sent_twice_answers_201_then_200_with_the_same_body(gw, client):
    client.force_login(gw.user("worker_a"))
    key = str(uuid.uuid4())
    data = {"uuid": key, "household": gw.households[0].pk, "latitude": INSIDE[0], "longitude": INSIDE[1],
            "notes": "走访", "demand": "路灯坏了", "offline": "1"}
    with clock.frozen(START):
        first = _post(client, "/grid/sync/visit", {**data, "photos": SimpleUploadedFile("a.png", png())})
        again = _post(client, "/grid/sync/visit", {**data, "photos": SimpleUploadedFile("a.png", png())})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json() and first.json()["uuid"] == key and len(first.json()["events"]) == 1
    assert Visit.objects.count() == 1 and Visit.objects.get().offline


def test_a_check_with_a_failed_item_answers_with_its_event(gw, client):
    client.force_login(gw.user("worker_a"))
    checklist = Checklist.objects.get(kind="rented_room")
    items = list(checklist.items.all())
    results = {str(i.pk): {"passed": i != items[1], "note": ""} for i in items}
    with clock.frozen(START):
        response = _post(client, "/grid/sync/check", {"uuid": str(uuid.uuid4()), "checklist": checklist.pk,
                                                       "results": json.dumps(results), "household": gw.households[1].pk})
    assert response.status_code == 201, response.content
    assert len(response.json()["events"]) == 1 and HazardCheck.objects.count() == 1


def test_bad_inputs_are_400_json(gw, client):
    client.force_login(gw.user("worker_a"))
    with clock.frozen(START):
        bad_uuid = _post(client, "/grid/sync/visit", {"uuid": "nope", "household": gw.households[0].pk})
        bad_results = _post(client, "/grid/sync/check", {"uuid": str(uuid.uuid4()), "checklist": "1",
                                                          "results": "{[", "household": gw.households[0].pk})
    assert bad_uuid.status_code == 400 and bad_uuid.json()["code"] == "invalid"
    assert bad_results.status_code == 400 and set(bad_results.json()) >= {"code", "message"}


def test_a_report_from_the_app_goes_through_the_door_once(gw, client):
    client.force_login(gw.user("worker_a"))
    data = {"uuid": str(uuid.uuid4()), "grid": gw.grid_a.pk, "description": "河道有垃圾堆积需要清理"}
    with clock.frozen(START):
        first = _post(client, "/grid/sync/report", data)
        again = _post(client, "/grid/sync/report", data)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()


def test_lists_are_scoped_and_masked(gw, api):
    secretary = api.get("/grid/households", user=gw.user("secretary_a")).json()
    assert {h["code"] for h in secretary["items"]} == {"YB-001", "YB-002", "YB-003"}
    cadre = api.get("/grid/households", user=gw.user("town_cadre")).json()
    assert all(h["masked"] for h in cadre["items"]) and cadre["total"] == 4
    assert api.get(f"/grid/households/{gw.household_b.pk}", user=gw.user("secretary_a")).status_code == 404
    assert api.get("/grid/coverage", user=gw.user("secretary_a"), by="zone").status_code == 200
    assert api.get("/grid/compliance", user=gw.user("secretary_a"), start="2026-09-01",
                   end="2025-01-01").status_code == 400


def test_the_bootstrap_keeps_no_phone_numbers(gw, api):
    body = api.get("/grid/app/bootstrap", user=gw.user("worker_a")).json()
    assert {h["code"] for h in body["households"]} == {"YB-001", "YB-002", "YB-003"}
    assert "1380000" not in json.dumps(body, ensure_ascii=False)
    assert api.get("/grid/app/bootstrap", user=gw.user("town_cadre")).status_code == 403


def test_the_firm_list_finds_by_part_of_the_name_like_the_page(gw, api):
    """`q` was accepted by /grid/firms and ignored: every firm came back whatever was asked."""
    secretary = gw.user("secretary_a")
    found = api.get("/grid/firms", user=secretary, q="文旦").json()
    assert [f["code"] for f in found["items"]] == ["F-001"] and found["total"] == 1
    assert api.get("/grid/firms", user=secretary, q="没有这家").json() == {"total": 0, "items": []}
