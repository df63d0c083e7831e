"""Roster files (花名册) written into tmp_path as .csv or .xlsx."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

HEADER = ["姓名", "手机", "岗位", "区划代码", "部门", "用户名", "密码"]

# Two rows for 陈美华 (secretary of 洋坂村 and grid head of its first grid) with one login.
GOOD_ROWS = [
    ["陈美华", "138 0000 1001", "村党组织书记", "350322103208", "", "chenmh", "chen-pass-2024"],
    ["陈美华", "13800001001", "网格长", "350322103208G01", "", "chenmh", ""],
    ["许志强", "13800001002", "社区民警", "350322103209", "", "", ""],
    ["郑丽", "13800001003", "部门联络员", "350322", "县人社局", "zhengli", "zheng-pass-2024"],
]


def write_roster(path: Path, rows: list[list], header: list[str] | None = None, *, bom: bool = True) -> Path:
    header = HEADER if header is None else header
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
    else:
        with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    return path


@pytest.fixture
def good_csv(tmp_path):
    return write_roster(tmp_path / "花名册.csv", GOOD_ROWS)


@pytest.fixture
def good_xlsx(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][1] = 13800001002  # Excel turned the phone into a number
    return write_roster(tmp_path / "花名册.xlsx", rows)
