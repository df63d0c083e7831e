"""The triage pages: who sees the queue, and the operator's decisions from it."""

import pytest
from django.db import transaction

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Category, Status
from fengqiao.triage.actions import triage_open
from fengqiao.triage.models import TriageItem
from tests.factories import register


def _item(event, reasons, **kw) -> TriageItem:
    with transaction.atomic():
        return triage_open(event=event, reasons=reasons, **kw)


@pytest.fixture
def items(world):
    county_event = register(world, region=world.county, title="县城某处路灯不亮", category="other",
                            source="hotline_12345")
    town_event = register(world, region=world.town, title="度尾镇某村水压不足", category="other",
                          source="police_110")
    county_item = _item(county_event, ["unrouted", "uncategorised"])
    town_item = _item(town_event, ["ambiguous_address"], region_candidates=[
        {"code": world.village_a.code, "name": "洋坂村"}, {"code": world.village_b.code, "name": "剑山村"}])
    return county_item, town_item


def test_operator_sees_every_open_item_of_the_county(client, world, items):
    client.force_login(world.operator.user)
    r = client.get("/triage/")
    assert r.status_code == 200
    body = r.content.decode()
    assert items[0].event.code in body and items[1].event.code in body


def test_a_town_cadre_sees_only_their_towns_items(client, world, items):
    client.force_login(world.town_cadre.user)
    body = client.get("/triage/").content.decode()
    assert items[1].event.code in body and items[0].event.code not in body
    assert client.get(f"/triage/{items[0].pk}/").status_code == 404
    assert client.get(f"/triage/{items[1].pk}/").status_code == 200


def test_outsiders_get_404(client, world, items):
    client.force_login(world.other_town_cadre.user)
    assert client.get(f"/triage/{items[1].pk}/").status_code == 404
    assert "度尾镇某村" not in client.get("/triage/").content.decode()


def test_a_secretary_has_no_queue_page_or_api_and_an_operator_has_both(client, api, world, items):
    """One check (`triage.permissions.may_triage`) decides for the pages and the API alike."""
    client.force_login(world.secretary_a.user)  # no dispatching post: no queue at all
    assert client.get("/triage/").status_code == 403
    assert client.get(f"/triage/{items[1].pk}/").status_code == 403
    r = client.post(f"/triage/{items[1].pk}/dispatch", {"candidate": world.village_a.code})
    assert r.status_code == 403
    r = api.get("/triage/items", user=world.secretary_a.user)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert api.get(f"/triage/items/{items[1].pk}", user=world.secretary_a.user).status_code == 403
    client.force_login(world.operator.user)
    assert client.get("/triage/").status_code == 200
    assert api.get("/triage/items", user=world.operator.user).status_code == 200
    client.logout()
    assert client.get("/triage/").status_code == 302


def test_reason_tabs_filter_the_queue(client, world, items):
    client.force_login(world.operator.user)
    body = client.get("/triage/?reason=uncategorised").content.decode()
    assert items[0].event.code in body and items[1].event.code not in body


def test_reason_counts_are_per_reason_and_scoped(world, items):
    from fengqiao.triage.queries import reason_counts

    assert reason_counts(world.operator.user) == {
        "unrouted": 1, "ambiguous_address": 1, "uncategorised": 1, "duplicate": 0}
    assert reason_counts(world.town_cadre.user) == {
        "unrouted": 0, "ambiguous_address": 1, "uncategorised": 0, "duplicate": 0}
    assert reason_counts(world.secretary_a.user) == dict.fromkeys(["unrouted", "ambiguous_address",
                                                                   "uncategorised", "duplicate"], 0)

def test_dispatch_to_a_proposed_village_closes_the_item(client, world, items):
    town_item = items[1]
    client.force_login(world.town_cadre.user)
    r = client.post(f"/triage/{town_item.pk}/dispatch", {"candidate": world.village_b.code})
    assert r.status_code == 302 and r["Location"] == "/triage/"
    town_item.refresh_from_db()
    event = town_item.event
    event.refresh_from_db()
    assert town_item.closed_at is not None and town_item.closed_by == world.town_cadre.user
    assert event.status == Status.DISPATCHED and event.village_id == world.village_b.pk
    page = client.get("/triage/").content.decode()
    assert f'data-item="{town_item.pk}"' not in page


def test_dispatch_outside_ones_area_is_refused_and_changes_nothing(client, world, items):
    town_item = items[1]
    client.force_login(world.town_cadre.user)
    r = client.post(f"/triage/{town_item.pk}/dispatch", {"candidate": world.village_c.code})
    assert r.status_code == 400
    r = client.post(f"/triage/{town_item.pk}/dispatch", {})
    assert r.status_code == 400
    town_item.refresh_from_db()
    assert town_item.closed_at is None and town_item.event.status == Status.REGISTERED


def test_the_category_is_confirmed_from_the_page(client, world, items):
    county_item = items[0]
    client.force_login(world.operator.user)
    page = client.get(f"/triage/{county_item.pk}/").content.decode()
    assert 'id="category"' in page and 'id="village"' in page
    r = client.post(f"/triage/{county_item.pk}/category", {"category_code": "livelihood.infrastructure"})
    assert r.status_code == 302
    county_item.refresh_from_db()
    assert county_item.reasons == ["unrouted"] and county_item.closed_at is None
    assert county_item.event.category.code == "livelihood.infrastructure"
    r = client.post(f"/triage/{county_item.pk}/category", {"category_code": "no.such"})
    assert r.status_code == 400


def test_suggestions_are_shown_with_their_confidence(client, world):
    event = register(world, region=world.county, title="路灯坏了", category="other")
    cat = Category.objects.get(code="livelihood.infrastructure")
    item = _item(event, ["uncategorised"], category_suggestions=[(cat, 0.834)])
    client.force_login(world.operator.user)
    page = client.get(f"/triage/{item.pk}/").content.decode()
    assert "道路设施" in page and "83%" in page


def test_merge_and_dismiss_from_the_page(client, world):
    kept = register(world, title="洋坂村菜溪线路灯不亮", source="hotline_12345")
    other = register(world, title="洋坂村菜溪线另一处路灯不亮", source="grid")
    dup = register(world, title="菜溪线路灯坏了", source="police_110")
    item = _item(dup, ["duplicate"], twins=[(kept, 0.82), (other, 0.71)])
    client.force_login(world.operator.user)
    page = client.get(f"/triage/{item.pk}/").content.decode()
    assert kept.code in page and other.code in page and "82%" in page
    r = client.post(f"/triage/{item.pk}/twin", {"twin_id": other.pk, "decision": "dismiss"})
    assert r.status_code == 302
    r = client.post(f"/triage/{item.pk}/twin", {"twin_id": kept.pk, "decision": "bogus"})
    assert r.status_code == 400
    r = client.post(f"/triage/{item.pk}/twin", {"twin_id": kept.pk, "decision": "merge"})
    assert r.status_code == 302
    dup.refresh_from_db()
    item.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into_id == kept.pk and item.closed_at is not None
    assert AuditEntry.objects.filter(event=dup, action="not_duplicate").count() == 1


def test_the_admin_lists_triage_items_read_only(client, world, items):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    r = client.get("/admin/triage/triageitem/")
    assert r.status_code == 200 and items[0].event.code in r.content.decode()
    assert client.get("/admin/triage/triageitem/add/").status_code == 403
    assert client.get("/admin/triage/classifiermodel/").status_code == 200


def test_the_nav_tag_counts_open_items_for_those_with_a_queue(world, items):
    from django.template import Context, Template

    t = Template("{% load triage_tags %}{% triage_open_count user as n %}[{{ n }}]")
    assert t.render(Context({"user": world.operator.user})) == "[2]"
    assert t.render(Context({"user": world.town_cadre.user})) == "[1]"
    assert t.render(Context({"user": world.secretary_a.user})) == "[None]"
