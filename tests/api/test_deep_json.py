"""JSON nested deeper than any document we take is a 400 on every endpoint, not a RecursionError."""

from __future__ import annotations

import pytest

from fengqiao.events.models import Event
from tests.intake.conftest import feed, hotline  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_feed_nested_100000_deep_is_a_400_and_writes_nothing(world, hotline, feed):  # noqa: F811
    body = '{"ticket_id": "A-1", "title": "x", "attachments": ' + DEEP + "}"
    response = feed("hotline_12345", body, key=hotline.key)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_json"
    assert "32" in response.json()["message"]  # the depth allowed
    assert not Event.objects.exists()


def test_a_body_nested_a_little_too_deep_for_the_parser_is_a_400(world, hotline, feed):  # noqa: F811
    body = '{"ticket_id": "A-1", "title": "x", "extra": ' + "[" * 500 + "]" * 500 + "}"
    response = feed("hotline_12345", body, key=hotline.key)
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"


def test_an_api_body_nested_100000_deep_is_a_400(client, world):
    client.force_login(world.operator.user)
    response = client.post("/api/v1/events", '{"title": ' + DEEP + "}", content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_json"


def test_an_action_body_nested_deep_is_a_400(client, world):
    client.force_login(world.operator.user)
    response = client.post("/api/v1/events/1/actions", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_an_api_body_that_is_not_json_names_the_problem(client, world):
    client.force_login(world.operator.user)
    response = client.post("/api/v1/events", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    assert "JSON" in response.json()["message"]
