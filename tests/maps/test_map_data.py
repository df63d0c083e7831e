"""What the maps are served: the county's outline, the shapes with their names and whether they
are schematic, the events as points — all inside the caller's scope."""

from __future__ import annotations

from fengqiao.events import actions as ev
from tests.factories import register


def test_the_operator_gets_the_countys_outline(api, world, outline_package):
    r = api.get("/regions/350322/outline", user=world.operator.user)
    assert r.status_code == 200
    (feature,) = r.json()["features"]
    assert feature["properties"]["name"] == "仙游县"
    assert feature["properties"]["licence"] == "MIT"


def test_a_town_cadre_gets_the_outline_of_their_county_through_their_town(api, world, outline_package):
    r = api.get("/regions/350322103/outline", user=world.town_cadre.user)
    assert r.status_code == 200
    assert r.json()["features"][0]["properties"]["code"] == "350322"


def test_outside_scope_the_outline_is_a_404(api, world, outline_package):
    assert api.get("/regions/350322/outline", user=world.town_cadre.user).status_code == 404
    assert api.get("/regions/350322102/outline", user=world.town_cadre.user).status_code == 404
    assert api.get("/regions/350322/outline", user=None).status_code in (401, 403, 404)


def test_without_the_package_the_outline_is_empty_not_an_error(api, world, settings, tmp_path):
    settings.FENGQIAO_OUTLINE_PACKAGE_DIR = str(tmp_path / "missing")
    r = api.get("/regions/350322/outline", user=world.operator.user)
    assert r.status_code == 200 and r.json()["features"] == []


def test_shapes_carry_the_names_and_say_they_are_schematic(api, shaped):
    r = api.get("/regions/350322/shapes", user=shaped.operator.user, level="town")
    body = r.json()
    assert r.status_code == 200
    assert {f["properties"]["name"] for f in body["features"]} == {"度尾镇", "郊尾镇"}
    assert all(f["properties"]["center"] for f in body["features"])
    assert body["schematic"] is True
    villages = api.get("/regions/350322103/shapes", user=shaped.town_cadre.user, level="village").json()
    assert {f["properties"]["name"] for f in villages["features"]} == {"洋坂村", "剑山村"}


def test_imported_shapes_are_not_called_schematic(api, world):
    from fengqiao.regions.shapes import import_shapes

    square = {"type": "Polygon", "coordinates": [[[118.6, 25.3], [118.7, 25.3], [118.7, 25.4], [118.6, 25.4], [118.6, 25.3]]]}
    import_shapes({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square, "properties": {"code": "350322103208G01"}}]}, within=world.county)
    body = api.get("/regions/350322103208/shapes", user=world.operator.user, level="grid").json()
    assert body["features"][0]["properties"]["origin"] == "imported"
    assert body["schematic"] is False


def test_the_public_pin_map_has_the_outline_towns_and_villages_by_name(client, shaped, outline_package, settings):
    settings.FENGQIAO_PUBLIC_COUNTY = "350322"
    body = client.get("/api/v1/citizen/map").json()
    by_level: dict[str, set[str]] = {}
    for f in body["features"]:
        by_level.setdefault(f["properties"]["level"], set()).add(f["properties"]["name"])
    assert by_level == {"county": {"仙游县"}, "town": {"度尾镇", "郊尾镇"},
                        "village": {"洋坂村", "剑山村", "梅塘村"}}
    assert body["schematic"] is True


def _located(world, region, lat, lng, title="有坐标的事项"):
    return register(world, region=region, title=title, latitude=lat, longitude=lng)


def test_points_are_the_events_in_scope_with_a_location(api, world):
    a = _located(world, world.village_a, 25.40, 118.70)
    _located(world, world.village_c, 25.30, 118.60)
    register(world, region=world.village_a, title="没有坐标")
    r = api.get("/stats/points", user=world.town_cadre.user, region="350322103")
    body = r.json()
    assert r.status_code == 200
    assert [f["properties"]["id"] for f in body["features"]] == [a.pk]
    props = body["features"][0]["properties"]
    assert props["state"] == "open" and props["url"] == f"/events/{a.pk}/"
    assert "phone" not in props and "reporter" not in props
    assert body["features"][0]["geometry"]["coordinates"] == [118.70, 25.40]
    # Another town is outside the cadre's scope.
    assert api.get("/stats/points", user=world.town_cadre.user, region="350322102").status_code == 404


def test_points_inside_a_box_and_bounded(api, world):
    _located(world, world.village_a, 25.40, 118.70)
    far = _located(world, world.village_b, 25.60, 118.90)
    ev.event_acknowledge(event=far, actor=world.secretary_b.user)
    ev.event_resolve(event=far, actor=world.secretary_b.user, result="已调解")
    body = api.get("/stats/points", user=world.operator.user, bbox="118.8,25.5,119.0,25.7").json()
    assert [f["properties"]["id"] for f in body["features"]] == [far.pk]
    assert body["features"][0]["properties"]["state"] == "done"
    both = api.get("/stats/points", user=world.operator.user, limit="1").json()
    assert len(both["features"]) == 1 and both["total"] == 2 and both["truncated"] is True


def test_bad_point_queries_are_a_400(api, world):
    for params in ({"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "119,25,118,26"}, {"limit": "0"},
                   {"limit": "100000"}, {"start": "2026-13-01", "end": "2026-12-01"}):
        r = api.get("/stats/points", user=world.operator.user, **params)
        assert r.status_code == 400, (params, r.content)
        assert set(r.json()) >= {"code", "message"}
