"""Everything under /api/v1 answers JSON {"code", "message"}, also when Django itself answers:
an unknown path, a wrong method, a CSRF failure."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _json_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/events/abc/nothing", "/api/v2/events",
                                  "/api/v1/"])
def test_an_unknown_api_path_is_a_json_404(client, world, path):
    client.force_login(world.operator.user)
    _json_error(client.get(path), 404, "not_found")


def test_a_wrong_method_is_a_json_405_with_allow(client, world):
    client.force_login(world.operator.user)
    response = client.delete("/api/v1/events")
    _json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_wrong_method_on_an_item_is_a_json_405(client, world):
    client.force_login(world.operator.user)
    response = client.put("/api/v1/categories", "{}", content_type="application/json")
    _json_error(response, 405, "method_not_allowed")
    assert response["Allow"]


def test_a_browser_post_without_the_csrf_token_is_a_json_403(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.operator.user)
    response = browser.post("/api/v1/me/notifications/1/read", "{}", content_type="application/json")
    _json_error(response, 403, "forbidden")


def test_pages_keep_their_html_errors(client, world):
    client.force_login(world.operator.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
