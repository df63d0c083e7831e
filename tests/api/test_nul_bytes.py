"""A NUL character (U+0000) in any input is a 400 naming the field, on every channel, before the
database sees it (PostgreSQL cannot store one; SQLite would keep it in a ticket id)."""

from __future__ import annotations

import json

import pytest

from fengqiao.events.models import Event
from fengqiao.intake.models import ExternalTicket
from tests.intake.conftest import feed, hotline  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

TICKET = {"ticket_id": "XY-1", "title": "路灯坏了", "content": "洋坂村村口路灯坏了。",
          "region_code": "350322103208", "category_code": "dispute.wages"}


def _names_the_field(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith(f"{field}:"), body
    assert body["field"] == field
    return body


@pytest.mark.parametrize("param", ["q", "region_code", "category_code", "status", "source"])
def test_a_nul_in_an_event_list_filter_is_a_400_naming_it(api, world, param):
    _names_the_field(api.get("/events", user=world.operator.user, **{param: "a\x00b"}), param)


def test_a_nul_in_the_region_search_is_a_400(api, world):
    _names_the_field(api.get("/regions", user=world.operator.user, q="\x00"), "q")


def test_a_nul_in_a_path_is_a_400(client, world, hotline):  # noqa: F811
    response = client.get("/api/v1/intake/hotline_12345/tickets/a%00b", HTTP_X_API_KEY=hotline.key)
    _names_the_field(response, "path")


@pytest.mark.parametrize("field", ["title", "ticket_id", "content", "address"])
def test_a_nul_in_a_feed_field_is_refused_and_nothing_is_stored(world, hotline, feed, field):  # noqa: F811
    response = feed("hotline_12345", {**TICKET, field: "路灯\x00坏了"}, key=hotline.key)
    _names_the_field(response, field)
    assert not Event.objects.exists() and not ExternalTicket.objects.exists()


def test_a_nul_in_a_nested_field_is_named_by_its_path(world, hotline, feed):  # noqa: F811
    body = {**TICKET, "attachments": [{"name": "a\x00.png", "content_type": "image/png", "data": "aGk="}]}
    _names_the_field(feed("hotline_12345", body, key=hotline.key), "attachments[0].name")


def test_a_nul_in_a_json_key_is_refused(world, hotline, feed):  # noqa: F811
    response = feed("hotline_12345", {**TICKET, "ti\x00tle": "x"}, key=hotline.key)
    assert response.status_code == 400 and "\\u0000" in response.json()["field"]


def test_a_nul_in_an_api_json_body_is_a_400_naming_the_field(api, world):
    event_id = api.post("/events", {"title": "工资拖欠", "category_code": "dispute.wages", "source": "walk_in",
                                    "region_code": "350322103208"}, user=world.operator.user).json()["id"]
    response = api.post(f"/events/{event_id}/actions", {"action": "acknowledge", "note": "好\x00"},
                        user=world.operator.user)
    _names_the_field(response, "note")


def test_a_nul_in_a_page_query_is_a_400_page(client, world):
    client.force_login(world.operator.user)
    response = client.get("/events/", {"q": "\x00"})
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "q:" in response.content.decode()


def test_a_nul_in_a_page_form_is_a_400_page_and_nothing_is_written(client, world):
    client.force_login(world.operator.user)
    response = client.post("/events/new/", {"title": "工资\x00拖欠", "category": "dispute.wages",
                                           "source": "walk_in", "region": "350322103208"})
    assert response.status_code == 400 and "title:" in response.content.decode()
    assert not Event.objects.exists()


def test_a_nul_in_the_citizen_report_form_is_a_400_page(client, world):
    response = client.post("/report/", {"content": "路灯\x00坏了", "phone": "13900000099"})
    assert response.status_code == 400 and "content:" in response.content.decode()
    assert not Event.objects.exists()


def test_a_nul_in_an_open311_form_is_the_specs_400(client, world):
    response = client.post("/open311/v2/requests.json", {"api_key": "x", "description": "a\x00b"})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("description:")


def test_a_nul_in_an_open311_json_body_is_the_specs_400(client, world):
    response = client.post("/open311/v2/requests.json", json.dumps({"api_key": "x", "description": "a\x00b"}),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("description:")


def test_a_nul_in_an_open311_query_is_the_specs_400(client, world):
    response = client.get("/open311/v2/requests.xml", {"service_request_id": "\x00"})
    assert response.status_code == 400 and b"<errors>" in response.content
