"""Every spreadsheet the platform writes keeps user text as text: a title such as
=HYPERLINK("http://evil.example/x","点我") is shown as those characters, never run as a formula
(no <f> element in any sheet of the saved file), while numbers stay numbers."""

import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from fengqiao.lib import clock
from fengqiao.supervision.documents import Pack, Table, xlsx_bytes
from tests.factories import register

EVIL = '=HYPERLINK("http://evil.example/x","点我")'


def formulas(data: bytes) -> list[str]:
    """The formula elements of every sheet in the saved workbook."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        return [n for n in sheets if "<f>" in z.read(n).decode() or "<f " in z.read(n).decode()]


def cells(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]


def test_the_event_list_export_writes_a_formula_like_title_as_text(world, client):
    register(world, title=EVIL, address="=1+1")
    client.force_login(world.operator.user)
    r = client.get("/events/export.xlsx")
    assert r.status_code == 200
    assert formulas(r.content) == []
    assert EVIL in cells(r.content) and "=1+1" in cells(r.content)


def test_the_one_event_export_writes_it_as_text_too(world, client):
    event = register(world, title=EVIL, description="=cmd|' /C calc'!A0")
    client.force_login(world.operator.user)
    r = client.get(f"/events/{event.id}/export.xlsx")
    assert formulas(r.content) == []
    assert EVIL in cells(r.content) and "=cmd|' /C calc'!A0" in cells(r.content)


def test_the_command_centres_overdue_sheet_keeps_titles_as_text_and_hours_as_numbers(world, client):
    with clock.frozen(clock.now() - dt.timedelta(days=40)):
        register(world, title=EVIL)
    client.force_login(world.operator.user)
    r = client.get("/api/v1/stats/overdue.xlsx")
    assert r.status_code == 200 and formulas(r.content) == []
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True))
    assert rows[0][1] == EVIL and isinstance(rows[0][-1], int | float)


def test_the_bulletin_ledger_keeps_text_as_text_and_numbers_as_numbers():
    pack = Pack(title=EVIL, subtitle="统计时段", issued="", summary=["=SUM(A1:A9)"], sections=[
        ("逾期事项清单", [Table(title="逾期", sheet="逾期事项", headers=["编号", "标题", "天数"],
                                 rows=[["350322-1", EVIL, 41]])]),
    ])
    data = xlsx_bytes(pack)
    assert formulas(data) == []
    wb = load_workbook(io.BytesIO(data))
    assert wb["概况"]["A1"].value == EVIL and wb["概况"]["A3"].value == "=SUM(A1:A9)"
    assert list(wb["逾期事项"].iter_rows(min_row=2, values_only=True)) == [("350322-1", EVIL, 41)]
