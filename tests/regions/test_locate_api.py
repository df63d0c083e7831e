"""GET /api/v1/locate?address=&within="""

from __future__ import annotations

import pytest

from tests.regions.test_locate import YANGBAN, tree  # noqa: F401  (the fixture)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("clerk", password="x")


def test_an_address_becomes_a_village(tree, api, user):  # noqa: F811
    response = api.get("/locate", user=user, address="福建莆田仙游县度尾镇洋坂村委会旁")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["level"], body["name"]) == (YANGBAN, "village", "洋坂村")
    assert body["candidates"][0]["code"] == YANGBAN
    assert body["score"] > 0


def test_ambiguous_lists_the_candidates_without_a_code(tree, api, user):  # noqa: F811
    body = api.get("/locate", user=user, address="仙游县新村村").json()
    assert body["code"] is None and body["level"] is None
    assert sorted(c["code"] for c in body["candidates"]) == ["350322102208", "350322103210"]


def test_within(tree, api, user):  # noqa: F811
    assert api.get("/locate", user=user, address="洋坂村", within="350181").json()["code"] == "350181103225"
    assert api.get("/locate", user=user, address="洋坂村", within="350322").json()["code"] == YANGBAN


def test_bad_input(tree, api, user):  # noqa: F811
    missing = api.get("/locate", user=user)
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    blank = api.get("/locate", user=user, address="   ")
    assert blank.status_code == 400 and blank.json()["code"] == "invalid"
    too_long = api.get("/locate", user=user, address="仙游" * 400)
    assert too_long.status_code == 400
    unknown = api.get("/locate", user=user, address="洋坂村", within="999999")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found" and "999999" in unknown.json()["message"]


def test_signed_out_is_refused(tree, api):  # noqa: F811
    response = api.get("/locate", address="洋坂村")
    assert response.status_code == 401
