"""The region admin: list, search, filter, and new regions through region_create."""

from __future__ import annotations

from fengqiao.regions.models import Region


def test_the_region_list_searches_by_code_and_name(admin_client, world):
    r = admin_client.get("/admin/regions/region/", {"q": "350322103"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "度尾镇" in body and "梅塘村委会" not in body
    r = admin_client.get("/admin/regions/region/", {"q": "梅塘"})
    assert "梅塘村委会" in r.content.decode()


def test_the_region_list_filters_by_level(admin_client, world):
    body = admin_client.get("/admin/regions/region/", {"level__exact": "town"}).content.decode()
    assert "度尾镇" in body and "洋坂村委会" not in body


def test_a_region_added_in_the_admin_gets_its_ancestor_columns(admin_client, world):
    r = admin_client.post("/admin/regions/region/add/", {
        "code": "350322103208G02", "level": "grid", "name": "洋坂村第二网格", "short_name": "",
        "aliases": "[]", "parent": world.village_a.pk, "village_category": "", "edition": "",
        "latitude": "", "longitude": "", "retired_at_0": "", "retired_at_1": "", "replaced_by": "",
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    grid = Region.objects.get(code="350322103208G02")
    assert grid.grid_id == grid.id
    assert grid.village_id == world.village_a.id and grid.town_id == world.town.id
    assert grid.county_id == world.county.id


def test_a_region_under_a_lower_level_is_a_form_error_not_a_crash(admin_client, world):
    r = admin_client.post("/admin/regions/region/add/", {
        "code": "350322999", "level": "town", "name": "错层镇", "short_name": "", "aliases": "[]",
        "parent": world.village_a.pk, "village_category": "", "edition": "",
        "latitude": "", "longitude": "", "retired_at_0": "", "retired_at_1": "", "replaced_by": "",
    })
    assert r.status_code == 200
    assert not Region.objects.filter(code="350322999").exists()
    assert "errorlist" in r.content.decode()


def test_the_ancestor_columns_and_place_are_read_only_on_change(admin_client, world):
    r = admin_client.get(f"/admin/regions/region/{world.village_a.pk}/change/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'name="town"' not in body and 'name="parent"' not in body and 'name="code"' not in body
    assert 'name="name"' in body
