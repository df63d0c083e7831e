"""fengqiao import_events: the built-in mappings, all-or-nothing, the error report, redelivery."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.events.models import Event
from fengqiao.imports.models import ImportRun
from fengqiao.intake.models import ExternalTicket
from tests.imports.conftest import (
    HEADER_110,
    HEADER_12345,
    row_110,
    row_12345,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def run(path, *args: str):
    call_command("import_events", str(path), "--no-progress", *args)


def test_12345_sheet_imports_every_row_with_the_builtin_mapping(world, sheet_dir):
    path = write_xlsx(sheet_dir / "12345.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 4)])
    run(path, "--source", "hotline_12345", "--actor", "operator")
    events = Event.objects.filter(source="hotline_12345").order_by("id")
    assert events.count() == 3
    first = events[0]
    assert first.category.code == "dispute.wages"
    assert "拖欠工资1个月" in first.description and "办理时限：15个工作日" in first.description
    assert first.county_id == world.county.pk
    party = first.parties.get()
    assert party.name == "柯先生" and party.phone == "13905940001" and party.is_reporter
    tickets = ExternalTicket.objects.filter(channel="sheet:hotline_12345").order_by("external_id")
    assert [t.external_id for t in tickets] == [f"FJ12345-2026112600{n:02d}" for n in range(1, 4)]
    assert f"{timezone.localtime(tickets[0].occurred_at):%Y-%m-%d %H:%M}" == "2026-11-20 09:30"
    assert ImportRun.objects.get().state == ImportRun.State.DONE


def test_110_csv_imports_with_the_builtin_110_mapping(world, sheet_dir):
    path = write_csv(sheet_dir / "110.csv", HEADER_110, [row_110(n) for n in range(1, 3)])
    run(path, "--source", "police_110", "--actor", "operator")
    events = Event.objects.filter(source="police_110")
    assert events.count() == 2
    assert {e.category.code for e in events} == {"environment.noise"}
    assert ImportRun.objects.get().mapping["name"] == "builtin:110"


def test_gbk_csv_is_detected_and_read(world, sheet_dir):
    path = write_csv(sheet_dir / "gbk.csv", HEADER_12345, [row_12345(1), row_12345(2)], encoding="gbk")
    assert "工单编号".encode() not in path.read_bytes()  # really GBK
    run(path, "--source", "hotline_12345", "--actor", "operator")
    event = Event.objects.filter(source="hotline_12345").order_by("id").first()
    assert event is not None and "洋坂村3组" in event.description
    assert event.parties.get().name == "柯先生"


def test_same_sheet_twice_makes_no_new_events(world, sheet_dir):
    path = write_xlsx(sheet_dir / "12345.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 4)])
    run(path, "--source", "hotline_12345", "--actor", "operator")
    before = Event.objects.count()
    run(path, "--source", "hotline_12345", "--actor", "operator")
    assert Event.objects.count() == before
    second = ImportRun.objects.order_by("id").last()
    assert (second.created, second.already_imported) == (0, 3)
    # A sheet that adds one new ticket to the old ones adds just that one.
    path2 = write_xlsx(sheet_dir / "more.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 5)])
    run(path2, "--source", "hotline_12345", "--actor", "operator")
    assert Event.objects.count() == before + 1


def test_one_bad_row_imports_nothing_and_writes_the_error_report(world, sheet_dir):
    rows = [row_12345(n) for n in range(1, 6)]
    rows[2] = row_12345(3, 来电时间="2026-13-45 25:00")  # spreadsheet row 4
    path = write_xlsx(sheet_dir / "bad.xlsx", HEADER_12345, rows)
    before = Event.objects.count()
    with pytest.raises(CommandError, match="bad.errors.xlsx"):
        run(path, "--source", "hotline_12345", "--actor", "operator")
    assert Event.objects.count() == before
    assert not ExternalTicket.objects.exists()
    report = sheet_dir / "bad.errors.xlsx"
    book = load_workbook(report)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[1:] == HEADER_12345
    error_cells = {r: sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)}
    assert error_cells[4] and "来电时间" in error_cells[4] and "2026-13-45 25:00" in error_cells[4]
    assert all(not v for r, v in error_cells.items() if r != 4)
    date_col = HEADER_12345.index("来电时间") + 2
    assert sheet.cell(row=4, column=date_col).fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet.cell(row=3, column=date_col).fill.fgColor.rgb in (None, "00000000")
    assert sheet.cell(row=4, column=2).value == "FJ12345-202611260003"  # the row as it came
    assert ImportRun.objects.get().state == ImportRun.State.INVALID


def test_dry_run_lists_every_bad_row_and_column_and_writes_nothing(world, sheet_dir):
    rows = [
        row_12345(1),
        row_12345(2, 来电时间="明天上午"),  # row 3: bad date
        row_12345(3, 问题分类="外星人入侵"),  # row 4: unknown category
        row_12345(4, 诉求内容=""),  # row 5: empty content
        row_12345(5, 联系电话="12345"),  # row 6: bad phone
        row_12345(1),  # row 7: duplicate ticket of row 2
        row_12345(6, 来电时间="", 联系电话="138****0001"),  # row 8: two bad cells
    ]
    path = write_xlsx(sheet_dir / "many.xlsx", HEADER_12345, rows)
    with pytest.raises(CommandError):
        run(path, "--source", "hotline_12345", "--actor", "operator", "--dry-run")
    found = {(e["row"], e["column"]) for e in ImportRun.objects.get().errors}
    assert found == {(3, "来电时间"), (4, "问题分类"), (5, "诉求内容"), (6, "联系电话"),
                     (7, "工单编号"), (8, "来电时间"), (8, "联系电话")}
    assert not Event.objects.exists()


def test_dry_run_of_a_good_file_writes_nothing_and_says_what_is_new(world, sheet_dir, capsys):
    path = write_xlsx(sheet_dir / "ok.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 4)])
    run(path, "--source", "hotline_12345", "--actor", "operator", "--dry-run")
    assert not Event.objects.exists()
    assert "3" in capsys.readouterr().out


def test_missing_columns_are_named(world, sheet_dir):
    header = [h for h in HEADER_12345 if h not in ("工单编号", "诉求内容")]
    rows = [[v for h, v in zip(HEADER_12345, row_12345(1), strict=True) if h in header]]
    path = write_xlsx(sheet_dir / "cols.xlsx", header, rows)
    with pytest.raises(CommandError):
        run(path, "--source", "hotline_12345", "--actor", "operator")
    errors = ImportRun.objects.get().errors
    text = " ".join(e["message"] for e in errors)
    assert "工单编号" in text and "诉求内容" in text
    assert all(e["row"] == 0 for e in errors)  # the file as a whole
    assert (sheet_dir / "cols.errors.xlsx").exists()
    assert not Event.objects.exists()


def test_unknown_category_is_an_error_not_a_guess(world, sheet_dir):
    path = write_xlsx(sheet_dir / "cat.xlsx", HEADER_12345,
                      [row_12345(1), row_12345(2, 问题分类="城乡建设/违法建设"), row_12345(3, 问题分类="火星事务")])
    with pytest.raises(CommandError):
        run(path, "--source", "hotline_12345", "--actor", "operator")
    errors = ImportRun.objects.get().errors
    assert [(e["row"], e["column"]) for e in errors] == [(4, "问题分类")]
    assert "火星事务" in errors[0]["message"]


def test_a_file_that_is_not_a_spreadsheet_is_refused(world, sheet_dir):
    path = sheet_dir / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CommandError):
        run(path, "--source", "hotline_12345")


def test_a_title_row_above_the_header_is_skipped(world, sheet_dir):
    """Exports often open with a title (仙游县12345工单明细表) and the header in row 2 or 3."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["仙游县12345热线工单明细表（2026年11月）"])
    sheet.append(["导出时间：2026-11-26"])
    sheet.append(HEADER_12345)
    sheet.append(row_12345(1))
    sheet.append(row_12345(2, 来电时间="坏日期"))
    path = sheet_dir / "titled.xlsx"
    book.save(path)
    with pytest.raises(CommandError):
        run(path, "--source", "hotline_12345", "--actor", "operator")
    errors = ImportRun.objects.get().errors
    assert [(e["row"], e["column"]) for e in errors] == [(5, "来电时间")]  # the sheet's own row number
    report = load_workbook(sheet_dir / "titled.errors.xlsx").worksheets[0]
    assert [c.value for c in report[1]][1:] == HEADER_12345
    assert report.cell(row=3, column=2).value == "FJ12345-202611260002"
    assert "坏日期" in report.cell(row=3, column=1).value
    sheet.delete_rows(5)
    book.save(path)
    run(path, "--source", "hotline_12345", "--actor", "operator")
    assert Event.objects.count() == 1
