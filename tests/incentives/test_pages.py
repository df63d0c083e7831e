"""The incentive pages open for the village's people, the shop exchanges once per form, and a
household outside the user's scope is 404."""

from __future__ import annotations

import re

import pytest

from fengqiao.incentives.models import Redemption
from tests.incentives.helpers import earn, shop_with

PAGES = ["/incentives/", "/incentives/rules/", "/incentives/scoring/", "/incentives/shops/", "/incentives/lists/",
         "/incentives/elections/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_open_for_the_secretary(gw, client, path):
    client.force_login(gw.user("secretary_a"))
    assert client.get(path).status_code == 200


def test_the_ledger_page_and_scope(gw, client):
    earn(gw, gw.households[0])
    client.force_login(gw.user("worker_a"))
    html = client.get(f"/incentives/households/{gw.households[0].pk}/").content.decode()
    assert 'data-testid="balance">5<' in html
    assert client.get(f"/incentives/households/{gw.household_b.pk}/").status_code == 404


def test_the_shop_form_posted_twice_exchanges_once(gw, client):
    earn(gw, gw.households[0], times=6)
    shop, item = shop_with(gw, points=10, stock=3)
    client.force_login(gw.user("secretary_a"))
    page = client.get(f"/incentives/shops/{shop.pk}/").content.decode()
    key = re.search(r'name="request_uuid" value="([0-9a-f-]+)"', page).group(1)
    form = {"form": "redeem", "household": "YB-001", "item": item.pk, "quantity": 1, "request_uuid": key}
    client.post(f"/incentives/shops/{shop.pk}/", form)
    client.post(f"/incentives/shops/{shop.pk}/", form)
    assert Redemption.objects.count() == 1


def test_the_api_redeems_idempotently(gw, api):
    import uuid

    earn(gw, gw.households[0], times=6)
    _shop, item = shop_with(gw, points=10, stock=3)
    body = {"item": item.pk, "household": gw.households[0].pk, "quantity": 1, "request_uuid": str(uuid.uuid4())}
    first = api.post("/incentives/redemptions", body, user=gw.user("secretary_a"))
    again = api.post("/incentives/redemptions", body, user=gw.user("secretary_a"))
    assert (first.status_code, again.status_code) == (201, 200) and again.json()["balance"] == 20
    outsider = api.post("/incentives/redemptions", body, user=gw.user("secretary_c"))
    assert outsider.status_code == 404
