"""FENGQIAO_MAP_TILES: the tile URL reaches a map only when it is set; unset, no map names a tile
server at all (closed networks: nothing may leave the platform)."""

from __future__ import annotations

import json

import pytest

TIANDITU = "https://t{s}.tianditu.intranet.example/vec_w/wmts?x={x}&y={y}&l={z}"
MAPS = [("operator", "/command/"), ("operator", "/command/screen/"), (None, "/report/"),
        ("operator", "/grid/map/")]


def _page(client, world, login, path):
    if login:
        client.force_login(getattr(world, login).user)
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return r


@pytest.mark.parametrize(("login", "path"), MAPS)
def test_unset_no_map_names_a_tile_server(client, world, settings, login, path):
    settings.FENGQIAO_MAP_TILES = ""
    settings.FENGQIAO_PUBLIC_COUNTY = "350322"
    r = _page(client, world, login, path)
    html = r.content.decode()
    assert 'data-tiles=""' in html
    assert "tianditu" not in html and "{z}" not in html
    assert "tianditu" not in r.headers.get("Content-Security-Policy", "")


@pytest.mark.parametrize(("login", "path"), MAPS)
def test_set_every_map_gets_the_template(client, world, settings, login, path):
    settings.FENGQIAO_MAP_TILES = TIANDITU
    settings.FENGQIAO_PUBLIC_COUNTY = "350322"
    html = _page(client, world, login, path).content.decode()
    assert 'data-tiles="https://t{s}.tianditu.intranet.example/vec_w/wmts?x={x}&amp;y={y}&amp;l={z}"' in html


@pytest.mark.parametrize(("login", "path"), MAPS)
def test_every_map_loads_the_shared_module_and_its_texts(client, world, settings, login, path):
    settings.FENGQIAO_PUBLIC_COUNTY = "350322"
    html = _page(client, world, login, path).content.decode()
    assert "fengqiao/maps.js" in html and 'id="fq-map-text"' in html
    text = json.loads(html.split('id="fq-map-text" type="application/json">')[1].split("</script>")[0])
    assert text["Legend"] == "图例"  # the legend's texts in the page language
    assert text["Village and grid cells: schematic, not surveyed boundaries"] == "村、网格范围为示意，非测绘边界"
