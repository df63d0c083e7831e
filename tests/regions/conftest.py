"""A small division tree written as NBS files, in two editions."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

HEADERS = {
    "provinces": ["code", "name"],
    "cities": ["code", "name", "provinceCode"],
    "areas": ["code", "name", "cityCode", "provinceCode"],
    "streets": ["code", "name", "areaCode", "provinceCode", "cityCode"],
    "villages": ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
}

# Edition 2023: Xianyou's 度尾镇 (洋坂, 剑山) and 郊尾镇 (梅塘), and 荔城区's 镇海街道 (one community).
EDITION_2023 = {
    "provinces": [("35", "福建省")],
    "cities": [("3503", "莆田市", "35")],
    "areas": [("350322", "仙游县", "3503", "35"), ("350304", "荔城区", "3503", "35")],
    "streets": [
        ("350322103", "度尾镇", "350322", "35", "3503"),
        ("350322102", "郊尾镇", "350322", "35", "3503"),
        ("350304001", "镇海街道", "350304", "35", "3503"),
    ],
    "villages": [
        ("350322103208", "洋坂村委会", "350322103", "35", "3503", "350322"),
        ("350322103209", "剑山村委会", "350322103", "35", "3503", "350322"),
        ("350322102201", "梅塘村委会", "350322102", "35", "3503", "350322"),
        ("350304001001", "英龙社区居委会", "350304001", "35", "3503", "350304"),
    ],
}

# Edition 2024: 剑山 renamed, 云居 added, 梅塘 gone.
EDITION_2024 = {
    **EDITION_2023,
    "villages": [
        ("350322103208", "洋坂村委会", "350322103", "35", "3503", "350322"),
        ("350322103209", "剑山村民委员会", "350322103", "35", "3503", "350322"),
        ("350322103210", "云居村委会", "350322103", "35", "3503", "350322"),
        ("350304001001", "英龙社区居委会", "350304001", "35", "3503", "350304"),
    ],
}


def write_divisions(
    directory: Path, tree: dict, *, gz: tuple[str, ...] = ("villages",), headers: dict | None = None,
    bom: bool = False,
) -> Path:
    """Write `tree` as the five level files; the levels in `gz` as .csv.gz."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.csv*"):
        old.unlink()
    for stem, rows in tree.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow((headers or HEADERS)[stem])
        writer.writerows(rows)
        data = (("\ufeff" if bom else "") + buffer.getvalue()).encode()
        if stem in gz:
            (directory / f"{stem}.csv.gz").write_bytes(gzip.compress(data))
        else:
            (directory / f"{stem}.csv").write_bytes(data)
    return directory


@pytest.fixture
def divisions_2023(tmp_path):
    return write_divisions(tmp_path / "2023", EDITION_2023)


@pytest.fixture
def divisions_2024(tmp_path):
    return write_divisions(tmp_path / "2024", EDITION_2024)
