"""Sheets as the 12345 and 110 platforms export them, written for the tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

HEADER_12345 = ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "问题分类", "事发地址", "所属街镇", "办理时限"]
HEADER_110 = ["接警单号", "报警时间", "报警人", "报警电话", "简要案情", "警情类别", "案发地点"]


def row_12345(n: int, **over: Any) -> list[Any]:
    values = {
        "工单编号": f"FJ12345-2026112600{n:02d}",
        "来电时间": "2026-11-20 09:30",
        "来电人": "柯先生",
        "联系电话": "13905940001",
        "诉求内容": f"反映洋坂村3组工地拖欠工资{n}个月未发，请求协调。",
        "问题分类": "劳资纠纷",
        "事发地址": "仙游县度尾镇洋坂村3组",
        "所属街镇": "度尾镇",
        "办理时限": "15个工作日",
    }
    values.update(over)
    return [values[h] for h in HEADER_12345]


def row_110(n: int, **over: Any) -> list[Any]:
    values = {
        "接警单号": f"J3503222026112000{n:02d}",
        "报警时间": "2026/11/20 21:05",
        "报警人": "林女士",
        "报警电话": "13905940002",
        "简要案情": f"报警称邻居深夜装修噪音扰民（第{n}次）。",
        "警情类别": "噪音扰民",
        "案发地点": "仙游县郊尾镇梅塘村",
    }
    values.update(over)
    return [values[h] for h in HEADER_110]


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def sheet_dir(tmp_path: Path) -> Path:
    return tmp_path
