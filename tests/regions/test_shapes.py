"""Grid polygons from GeoJSON, the point lookup, and the shapes the maps draw."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.lib.errors import InvalidInput
from fengqiao.regions import geo
from fengqiao.regions.models import Region, RegionShape
from fengqiao.regions.shapes import ShapeImportError, import_shapes


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(geometry: dict, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture(autouse=True)
def fresh_index(monkeypatch):
    monkeypatch.setattr(geo, "CHECK_SECONDS", 0.0)
    geo.invalidate()
    yield
    geo.invalidate()


@pytest.fixture
def two_grids(world):
    """洋坂村: its existing first grid west of 118.70, a new second grid east of it (they share
    the line lng = 118.70); 剑山村 north of both, one grid."""
    report = import_shapes(collection(
        feature(square(118.68, 25.30, 118.70, 25.32), code="350322103208G01", village="350322103208"),
        feature(square(118.70, 25.30, 118.72, 25.32), code="350322103208G02", name="洋坂村第二网格",
                village="350322103208"),
        feature(square(118.68, 25.32, 118.72, 25.34), grid_code="350322103209G01", 网格名称="剑山村第一网格",
                所属村="350322103209"),
    ))
    return world, report


def test_import_creates_new_grids_under_their_village_and_derives_outlines_above(two_grids):
    world, report = two_grids
    assert (report.grids_created, report.grids_updated) == (2, 1)
    second = Region.objects.get(code="350322103208G02")
    assert second.level == "grid" and second.village_id == world.village_a.id and second.town_id == world.town.id
    assert second.name == "洋坂村第二网格"
    village = RegionShape.objects.get(region=world.village_a)
    assert village.origin == "derived"
    assert village.geometry().bounds == pytest.approx((118.68, 25.30, 118.72, 25.32))
    town = RegionShape.objects.get(region=world.town)
    assert town.geometry().bounds == pytest.approx((118.68, 25.30, 118.72, 25.34))
    assert RegionShape.objects.get(region=world.county).origin == "derived"
    # Regions with a shape get a label point for the maps.
    second.refresh_from_db()
    assert 118.70 <= second.longitude <= 118.72 and 25.30 <= second.latitude <= 25.32


def test_a_point_is_filed_under_the_grid_that_holds_it(two_grids):
    world, _ = two_grids
    assert geo.region_at(25.31, 118.69) == world.grid_a
    east = geo.region_at(25.31, 118.71)
    assert east.code == "350322103208G02" and east.village_id == world.village_a.id
    assert geo.region_at(25.33, 118.70).code == "350322103209G01"


def test_a_point_outside_every_polygon_finds_nothing(two_grids):
    assert geo.region_at(25.50, 118.69) is None
    assert geo.region_at(25.31, 118.7200001) is None


def test_a_point_on_a_shared_border_goes_to_the_lower_code_every_time(two_grids):
    world, _ = two_grids
    # On the line between grid 1 and grid 2 of 洋坂村.
    assert geo.region_at(25.31, 118.70) == world.grid_a
    # On the corner where three grids meet.
    assert geo.region_at(25.32, 118.70) == world.grid_a
    # On the line between 洋坂村's second grid and 剑山村's grid.
    assert geo.region_at(25.32, 118.71).code == "350322103208G02"
    # On the county's outer edge: still inside (the border belongs to the shape).
    assert geo.region_at(25.30, 118.69) == world.grid_a


def test_batch_lookup_matches_single_lookups(two_grids):
    points = [(25.31, 118.69), (25.31, 118.71), (25.9, 118.0), (25.33, 118.70)]
    ids = geo.region_ids_at(points)
    singles = [geo.region_at(lat, lng) for lat, lng in points]
    assert ids == [r.pk if r else None for r in singles]


def test_a_village_outline_without_grids_is_used_for_lookup(world):
    import_shapes(collection(feature(square(118.80, 25.40, 118.82, 25.42), code=world.village_c.code)))
    assert geo.region_at(25.41, 118.81) == world.village_c
    assert RegionShape.objects.get(region=world.village_c).origin == "imported"


def test_an_imported_village_outline_is_not_overwritten_by_its_grids_union(world):
    import_shapes(collection(feature(square(118.60, 25.20, 118.80, 25.40), code=world.village_a.code)))
    import_shapes(collection(feature(square(118.68, 25.30, 118.70, 25.32), code=world.grid_a.code)))
    assert RegionShape.objects.get(region=world.village_a).geometry().bounds == pytest.approx(
        (118.60, 25.20, 118.80, 25.40)
    )


def test_the_lookup_sees_a_reimport_at_once(two_grids):
    world, _ = two_grids
    assert geo.region_at(25.31, 118.75) is None
    import_shapes(collection(feature(square(118.72, 25.30, 118.76, 25.32), code="350322103208G02",
                                     village="350322103208")))
    assert geo.region_at(25.31, 118.75).code == "350322103208G02"
    assert geo.region_at(25.31, 118.71) is None  # the grid moved east


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (feature(square(118.68, 25.30, 118.70, 25.32), village="350322103208"), "no code"),
        (feature(square(118.68, 25.30, 118.70, 25.32), code="350322103299G01", name="X", village="350322103299"),
         "no village with code 350322103299"),
        (feature(square(118.68, 25.30, 118.70, 25.32), code="350322103208G05", village="350322103208"),
         "needs a name"),
        (feature({"type": "Point", "coordinates": [118.69, 25.31]}, code="350322103208G01"),
         "Polygon or MultiPolygon, not Point"),
        (feature(square(13210000, 2918000, 13212000, 2920000), code="350322103208G01"), "not WGS 84"),
        (feature({"type": "Polygon", "coordinates": [[[118.6, 25.3], ["x", 25.3]]]}, code="350322103208G01"),
         "malformed coordinates"),
        (feature(square(118.68, 25.30, 118.70, 25.32), code="350322103208G01", village="350322102201"),
         "grid belongs to 350322103208, not 350322102201"),
    ],
)
def test_a_bad_feature_is_named_and_nothing_is_written(world, bad, message):
    good = feature(square(118.68, 25.30, 118.70, 25.32), code="350322103209G01", name="剑山村第一网格",
                   village="350322103209")
    regions = Region.objects.count()
    with pytest.raises(ShapeImportError) as caught:
        import_shapes(collection(good, bad))
    problems = [str(p) for p in caught.value.report.problems]
    assert len(problems) == 1 and "feature 2" in problems[0] and message in problems[0], problems
    assert Region.objects.count() == regions
    assert not RegionShape.objects.exists()


def test_duplicate_codes_in_one_file_are_refused(world):
    f = feature(square(118.68, 25.30, 118.70, 25.32), code=world.grid_a.code)
    with pytest.raises(ShapeImportError) as caught:
        import_shapes(collection(f, f))
    assert "the same code as feature 1" in str(caught.value.report.problems[0])


def test_features_outside_the_given_region_are_refused(world):
    f = feature(square(118.68, 25.30, 118.70, 25.32), code=world.village_c.code)
    with pytest.raises(ShapeImportError) as caught:
        import_shapes(collection(f), within=world.town)
    assert "outside 度尾镇" in str(caught.value.report.problems[0])


def test_a_self_intersecting_ring_is_repaired_with_a_warning(world):
    bow_tie = {"type": "Polygon", "coordinates": [[[118.68, 25.30], [118.70, 25.32], [118.70, 25.30],
                                                    [118.68, 25.32], [118.68, 25.30]]]}
    report = import_shapes(collection(feature(bow_tie, code=world.grid_a.code)))
    assert "repaired" in str(report.warnings[0])
    assert RegionShape.objects.get(region=world.grid_a).geometry().is_valid


def test_not_a_feature_collection_is_a_clear_error(world):
    with pytest.raises(InvalidInput, match="FeatureCollection"):
        import_shapes({"type": "Feature"})


def test_dry_run_checks_and_writes_nothing(world):
    report = import_shapes(collection(feature(square(118.68, 25.30, 118.70, 25.32), code=world.grid_a.code)),
                           dry_run=True)
    assert report.features == 1 and not RegionShape.objects.exists()


def test_import_grids_command(world, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(collection(
        feature(square(118.68, 25.30, 118.70, 25.32), code=world.grid_a.code),
    ), ensure_ascii=False), encoding="utf-8")
    call_command("import_grids", str(path), "--quiet")
    assert "1 grids updated" in capsys.readouterr().out
    assert RegionShape.objects.filter(region=world.grid_a).exists()


def test_import_grids_command_fails_loudly_on_bad_files(world, tmp_path, capsys):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_grids", str(path), "--quiet")
    path.write_text(json.dumps(collection(feature(square(118.6, 25.3, 118.7, 25.4), code="nope"))))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_grids", str(path), "--quiet")
    assert "unknown code" in capsys.readouterr().err
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_grids", str(tmp_path / "missing.geojson"), "--quiet")


# ------------------------------------------------------------------------------------ the API


def test_shapes_api_gives_the_villages_of_a_town(api, two_grids):
    world, _ = two_grids
    r = api.get(f"/regions/{world.town.code}/shapes", user=world.operator.user)
    assert r.status_code == 200
    body = r.json()
    assert body["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    assert set(by_code) == {world.village_a.code, world.village_b.code}
    assert by_code[world.village_a.code]["geometry"]["type"] == "Polygon"
    assert by_code[world.village_a.code]["properties"]["name"] == "洋坂村"


def test_shapes_api_grids_of_a_village_and_points_for_shapeless_regions(api, two_grids):
    world, _ = two_grids
    body = api.get(f"/regions/{world.county.code}/shapes", user=world.operator.user, level="village").json()
    kinds = {f["properties"]["code"]: f["geometry"]["type"] for f in body["features"]}
    assert kinds[world.village_a.code] == "Polygon"
    assert world.village_c.code not in kinds  # no shape and no point
    grids = api.get(f"/regions/{world.village_a.code}/shapes", user=world.secretary_a.user, level="grid").json()
    assert len(grids["features"]) == 2


def test_shapes_api_keeps_to_the_callers_scope(api, two_grids):
    world, _ = two_grids
    assert api.get(f"/regions/{world.village_b.code}/shapes", user=world.secretary_a.user).status_code == 404
    assert api.get(f"/regions/{world.county.code}/shapes", user=world.town_cadre.user).status_code == 404
    assert api.get(f"/regions/{world.town.code}/shapes", user=world.town_cadre.user).status_code == 200
    r = api.get(f"/regions/{world.town.code}/shapes", user=None)
    assert r.status_code == 401


def test_shapes_api_rejects_a_level_above_the_region(api, two_grids):
    world, _ = two_grids
    r = api.get(f"/regions/{world.village_a.code}/shapes", user=world.operator.user, level="town")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = api.get(f"/regions/{world.village_a.code}/shapes", user=world.operator.user, level="planet")
    assert r.status_code == 400


def test_outlines_derived_from_hand_drawn_grids_have_no_seams_but_keep_real_enclaves(world):
    # Two grids whose shared edge is off by a hair, as separately drawn polygons are.
    import_shapes(collection(
        feature(square(118.68, 25.30, 118.70, 25.32), code=world.grid_a.code),
        feature(square(118.7000000003, 25.30, 118.72, 25.3200000004), code="350322103208G02", name="第二网格",
                village=world.village_a.code),
    ))
    village = RegionShape.objects.get(region=world.village_a).geometry()
    assert village.geom_type == "Polygon" and len(village.interiors) == 0
    # A ring of grids around a real enclave (a reservoir, another unit's land) keeps its hole.
    ring = collection(*[
        feature(square(*box), code=f"{world.village_b.code}G0{i}", name=f"剑山第{i}网格", village=world.village_b.code)
        for i, box in enumerate([(118.80, 25.30, 118.83, 25.31), (118.80, 25.32, 118.83, 25.33),
                                 (118.80, 25.31, 118.81, 25.32), (118.82, 25.31, 118.83, 25.32)], start=1)
    ])
    import_shapes(ring)
    outline = RegionShape.objects.get(region=world.village_b).geometry()
    assert outline.geom_type == "Polygon" and len(outline.interiors) == 1
