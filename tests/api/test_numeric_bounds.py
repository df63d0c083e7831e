"""Page numbers, sizes, limits and ids out of range are a clear 400 (or a 404 for an id that cannot
exist), never a 500 from an OFFSET or an id beyond the database's 64-bit integers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9999999999999999999"  # above 2**63 - 1


def _is_400_naming(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["message"].startswith(f"{field}:"), body


@pytest.mark.parametrize("path", ["/events", "/triage/items"])
@pytest.mark.parametrize("field, value", [("page", HUGE), ("page", "0"), ("page", "-1"), ("page", "100001"),
                                          ("page_size", HUGE), ("page_size", "0"), ("page_size", "201")])
def test_a_page_out_of_range_is_a_400_naming_it(api, world, path, field, value):
    _is_400_naming(api.get(path, user=world.operator.user, **{field: value}), field)


@pytest.mark.parametrize("path", ["/events", "/triage/items"])
def test_a_page_past_the_end_is_empty(api, world, path):
    body = api.get(path, user=world.operator.user, page="100000").json()
    assert body["items"] == [] and body["page"] == 100000


@pytest.mark.parametrize("path, field", [
    ("/regions", "limit"), ("/me/worklist", "limit"), ("/me/notifications", "limit"),
    ("/supervision/records", "limit"),
])
@pytest.mark.parametrize("value", [HUGE, "0", "-5"])
def test_every_limit_is_bounded(api, world, path, field, value):
    _is_400_naming(api.get(path, user=world.operator.user, **{field: value}), field)


@pytest.mark.parametrize("params, field", [
    ({"limit": HUGE}, "limit"), ({"limit": "0"}, "limit"),
])
def test_the_overdue_list_limit_is_bounded(api, world, params, field):
    r = api.get("/stats/overdue", user=world.operator.user, region=world.county.code, **params)
    _is_400_naming(r, field)


def test_a_ranking_min_denominator_is_bounded(api, world):
    r = api.get("/stats/ranking", user=world.operator.user, region=world.county.code, min_denominator=HUGE)
    _is_400_naming(r, "min_denominator")


def test_a_campaign_id_beyond_64_bits_is_a_400(api, world):
    _is_400_naming(api.get("/stats/measures", user=world.operator.user, campaign=HUGE), "campaign")


@pytest.mark.parametrize("path", ["/events/" + HUGE, "/events/" + HUGE + "/timeline", "/triage/items/" + HUGE,
                                  "/stats/campaigns/" + HUGE, "/supervision/records/" + HUGE])
def test_an_id_beyond_64_bits_in_a_path_is_not_a_500(api, world, path):
    assert api.get(path, user=world.operator.user).status_code in (400, 404)


def test_an_id_beyond_64_bits_in_a_body_is_a_400(api, world):
    event_id = api.post("/events", {"title": "工资拖欠", "category_code": "dispute.wages", "source": "walk_in",
                                    "region_code": "350322103208"}, user=world.operator.user).json()["id"]
    r = api.post(f"/events/{event_id}/actions", {"action": "merge", "into_id": 10**20}, user=world.operator.user)
    _is_400_naming(r, "into_id")
    r = api.post(f"/events/{event_id}/actions", {"action": "extend", "days": 10**20, "reason": "x"},
                 user=world.operator.user)
    _is_400_naming(r, "days")


def test_a_page_number_beyond_the_last_page_shows_the_last_page(client, world):
    client.force_login(world.operator.user)
    for path in ("/", "/events/", "/inbox/"):
        assert client.get(path, {"page": HUGE}).status_code == 200, path
