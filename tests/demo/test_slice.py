"""The shipped Xianyou slice equals the NBS tables for 350322 (when ../shared is at hand)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from fengqiao.demo.slice import FILES, SLICE_DIR, read_rows, slice_lines, write_slice

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "divisions"


def test_shipped_slice_holds_xianyou_only():
    counts = {table: len(read_rows(SLICE_DIR, table)) for table in FILES}
    assert counts == {"provinces": 1, "cities": 1, "areas": 1, "streets": 18, "villages": 327}
    assert read_rows(SLICE_DIR, "areas")[0] == {
        "code": "350322", "name": "仙游县", "cityCode": "3503", "provinceCode": "35"
    }
    assert {r["areaCode"] for r in read_rows(SLICE_DIR, "villages")} == {"350322"}


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/divisions is not beside the project")
def test_shipped_slice_equals_the_shared_tables_for_350322():
    for table in FILES:
        with gzip.open(SLICE_DIR / f"{table}.csv.gz", "rt", encoding="utf-8", newline="") as fh:
            shipped = fh.read().splitlines(keepends=True)
        assert shipped == slice_lines(SHARED, table, "350322"), table


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/divisions is not beside the project")
def test_writing_the_slice_again_gives_the_same_bytes(tmp_path):
    write_slice(SHARED, tmp_path)
    for table in FILES:
        assert (tmp_path / f"{table}.csv.gz").read_bytes() == (SLICE_DIR / f"{table}.csv.gz").read_bytes()


def test_writing_a_slice_from_a_directory_without_tables_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="NBS division tables"):
        write_slice(tmp_path, tmp_path / "out")
