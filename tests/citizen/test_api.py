"""The same over JSON: POST /api/v1/citizen/reports (multipart, no login) and the progress."""

import json

import pytest

from fengqiao.citizen.models import CitizenReport
from fengqiao.events import actions
from fengqiao.events.models import Event, Status
from tests.citizen.conftest import citizen_form, png

pytestmark = pytest.mark.django_db


def _post(client, **overrides):
    data = citizen_form(**overrides)
    data["category_code"] = data.pop("category")
    return client.post("/api/v1/citizen/reports", data)


def test_a_report_over_json_needs_no_login_and_returns_the_code(world, client):
    r = client.post("/api/v1/citizen/reports", {**{k: v for k, v in citizen_form().items() if k != "category"},
                                                "category_code": "hazard.fire", "photos": [png()]})
    assert r.status_code == 201, r.content
    body = r.json()
    code = body["tracking_code"]
    assert body["track_url"] == f"https://fq.example.gov.cn/track/{code}/"
    assert body["status"] == "registered" or body["status"] == "dispatched"
    assert CitizenReport.objects.get().channel == "api"
    assert Event.objects.get().attachments.count() == 1

    g = client.get(f"/api/v1/citizen/reports/{code}")
    assert g.status_code == 200
    progress = g.json()
    assert progress["tracking_code"] == code and progress["can_rate"] is False
    assert [s["key"] for s in progress["steps"]] == ["registered", "dispatched", "in_progress", "resolved", "closed"]
    assert progress["timeline"][-1]["text"] == "您的报事已收到。"


def test_unknown_code_is_a_json_404(world, client):
    r = client.get("/api/v1/citizen/reports/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_junk_is_a_json_400_naming_the_field(world, client):
    r = _post(client, phone="hello")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and r.json()["field"] == "phone"
    r = _post(client, category="no.such")
    assert r.status_code == 400 and r.json()["field"] == "category_code"
    r = client.post("/api/v1/citizen/reports", {"phone": "13812345678"})  # no description at all
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert Event.objects.count() == 0


def test_over_the_limit_is_a_json_429(world, client, settings):
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE = 1
    assert _post(client).status_code == 201
    r = _post(client)
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited" and "小时" in r.json()["message"]
    assert Event.objects.count() == 1


def test_rating_over_json(world, client):
    code = _post(client).json()["tracking_code"]
    event = Event.objects.get()
    r = client.post(f"/api/v1/citizen/reports/{code}/rating", json.dumps({"satisfaction": "satisfied"}),
                    content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "not_resolved"
    if event.status == Status.REGISTERED:
        actions.event_dispatch(event=event, actor=world.operator.user, region=world.village_a)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    actions.event_resolve(event=event, actor=world.secretary_a.user, result="已处理。")
    assert client.get(f"/api/v1/citizen/reports/{code}").json()["can_rate"] is True
    r = client.post(f"/api/v1/citizen/reports/{code}/rating", json.dumps({"satisfaction": "dissatisfied",
                                                                           "comment": "没修好"}),
                    content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "in_progress"
    event.refresh_from_db()
    assert event.status == Status.IN_PROGRESS and event.reopen_count == 1


def test_the_public_map_has_names_and_shapes_only(world, client):
    r = client.get("/api/v1/citizen/map")
    assert r.status_code == 200
    body = json.loads(r.content)
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        # Where to put the name on the map, and the county outline's source and licence.
        assert set(feature["properties"]) <= {"code", "name", "level", "center", "source", "licence"}
