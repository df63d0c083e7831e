"""Reading the values senders put in their sheets: dates, phones, category labels, mappings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fengqiao.events.hooks import listen, unlisten
from fengqiao.events.models import Category, Event
from fengqiao.imports import actions
from fengqiao.imports import mappings as m
from fengqiao.imports.checking import first_phone, parse_datetime, title_from
from fengqiao.imports.models import ImportRun
from fengqiao.imports.reading import open_sheet
from fengqiao.lib.errors import InvalidInput
from tests.imports.conftest import HEADER_110, HEADER_12345, row_12345, write_csv, write_xlsx


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), timezone.get_default_timezone())


@pytest.mark.parametrize("value, expected", [
    ("2026-11-26 09:30", local(2026, 11, 26, 9, 30)),
    ("2026-11-26 09:30:15", local(2026, 11, 26, 9, 30, 15)),
    ("2026/11/26", local(2026, 11, 26)),
    ("2026/11/26 9:05", local(2026, 11, 26, 9, 5)),
    ("2026.11.26 9:05", local(2026, 11, 26, 9, 5)),
    ("2026年11月26日", local(2026, 11, 26)),
    ("2026年11月26日 9时30分", local(2026, 11, 26, 9, 30)),
    ("2026年11月26日9时", local(2026, 11, 26, 9)),
    ("2026-11-26T09:30:00", local(2026, 11, 26, 9, 30)),
    ("20261126093000", local(2026, 11, 26, 9, 30)),
    (46352.5, local(2026, 11, 26, 12, 0)),  # an Excel serial number (a date cell without its format)
    ("46352.5", local(2026, 11, 26, 12, 0)),  # … exported to CSV as text
    (dt.datetime(2026, 11, 26, 9, 30), local(2026, 11, 26, 9, 30)),
    (dt.date(2026, 11, 26), local(2026, 11, 26)),
])
def test_dates_in_the_forms_exports_use(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", ["", None, "明天", "2026-13-01", "2026-02-30 10:00", "26/11/2026", "9:30", 12, "abc2026"])
def test_what_is_not_a_date(value):
    assert parse_datetime(value) is None


def test_the_mappings_date_format_is_tried_first():
    assert parse_datetime("26.11.2026 09:30", "%d.%m.%Y %H:%M") == local(2026, 11, 26, 9, 30)


@pytest.mark.parametrize("value, phone", [
    ("139 0594 0001", "13905940001"), ("+86 139-0594-0001", "13905940001"),
    ("0594-8881234", "0594-8881234"), ("13905940001/0594-8881234", "13905940001"),
])
def test_phones_as_senders_write_them(value, phone):
    assert first_phone(value) == phone


def test_a_title_is_the_first_sentence_of_the_content():
    assert title_from("反映洋坂村3组工地拖欠工资。请求协调。") == "反映洋坂村3组工地拖欠工资"
    assert len(title_from("很" * 100)) == 40


def test_detection_prefers_the_sources_own_mapping_and_finds_110_headers(sheet_dir):
    mapping = m.detect(HEADER_110, "hotline_12345")
    assert mapping.name == m.BUILTIN_110 and not mapping.missing(HEADER_110)
    mapping = m.detect(HEADER_12345, "hotline_12345")
    assert mapping.name == m.BUILTIN_12345
    assert mapping.columns[m.RECEIVED_AT] == "来电时间" and mapping.columns[m.AREA_TOWN] == "所属街镇"


@pytest.mark.django_db
def test_a_saved_mapping_reads_a_sheet_with_its_own_headers(world, sheet_dir):
    header = ["单号", "日期", "反映事项", "地点", "类别", "电话"]
    rows = [["A-1", "26.11.2026 09:30", "村口路灯不亮，夜间出行不便。", "仙游县度尾镇洋坂村", "路灯", "13905940009"],
            ["A-2", "25.11.2026 10:00", "邻居吵架。", "仙游县度尾镇洋坂村2组", "邻里纠纷", ""]]
    path = write_csv(sheet_dir / "custom.csv", header, rows)
    # Before the mapping is saved the file cannot be read: its columns are unknown.
    with pytest.raises(CommandError):
        call_command("import_events", str(path), "--source", "walk_in", "--actor", "operator", "--no-progress")
    actions.column_mapping_save(
        name="度尾镇综治台账", source="walk_in", actor=world.user("operator"), date_format="%d.%m.%Y %H:%M",
        columns={m.TICKET_ID: "单号", m.RECEIVED_AT: "日期", m.CONTENT: "反映事项", m.ADDRESS: "地点",
                 m.CATEGORY: "类别", m.REPORTER_PHONE: "电话"},
        categories={"路灯": "livelihood.infrastructure"},
    )
    call_command("import_events", str(path), "--source", "walk_in", "--mapping", "度尾镇综治台账",
                 "--actor", "operator", "--no-progress")
    events = {e.title: e for e in Event.objects.filter(source="walk_in")}
    assert events["村口路灯不亮，夜间出行不便"].category.code == "livelihood.infrastructure"
    assert events["邻居吵架"].category.code == "dispute.neighbours"  # a category of that name
    # Detected from the header once saved.
    assert actions.resolve_mapping(name=None, header=header, source="walk_in").name == "度尾镇综治台账"


@pytest.mark.django_db
def test_a_mapping_needs_its_required_columns_and_a_free_name(world):
    with pytest.raises(InvalidInput):
        actions.column_mapping_save(name="x", source="hotline_12345", columns={m.TICKET_ID: "编号"},
                                    categories={}, actor=None)
    with pytest.raises(InvalidInput):
        actions.column_mapping_save(name="12345", source="hotline_12345", categories={}, actor=None,
                                    columns={k: k for k in m.REQUIRED})


@pytest.mark.django_db
def test_a_category_retired_after_the_dry_run_stops_the_import(world, sheet_dir):
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(1), row_12345(2, 问题分类="邻里纠纷")])
    operator = world.user("operator")
    run = actions.import_run_create(path=path, source="hotline_12345", actor=operator, within=world.county)
    assert actions.import_run_check(run=run, progress=lambda n: None).result.ok
    Category.objects.filter(code="dispute.neighbours").update(active=False)
    assert actions.import_run_execute(run=run, actor=operator, progress=lambda n: None) is None
    run.refresh_from_db()
    assert run.state == ImportRun.State.INVALID
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "问题分类")]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_row_refused_half_way_through_rolls_the_whole_file_back(world, sheet_dir):
    """Rows 1–2 went in, row 3 is refused inside the door: nothing of the file remains."""
    rows = [row_12345(n) for n in range(1, 5)]
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, rows)
    operator = world.user("operator")

    def refuse_third(change):
        if change.action == "register" and "拖欠工资3个月" in change.event.description:
            raise InvalidInput("refused by a listener", field="description")

    listen(refuse_third)
    try:
        run = actions.import_run_create(path=path, source="hotline_12345", actor=operator, within=world.county)
        assert actions.import_run_execute(run=run, actor=operator, progress=lambda n: None) is None
    finally:
        unlisten(refuse_third)
    run.refresh_from_db()
    assert run.state == ImportRun.State.INVALID
    assert [(e["row"], e["column"]) for e in run.errors] == [(4, "诉求内容")]
    assert not Event.objects.exists()
    from fengqiao.intake.models import ExternalTicket

    assert not ExternalTicket.objects.exists()


def test_an_xlsx_date_cell_and_a_number_ticket_read_as_the_sender_meant(sheet_dir, db):
    path = write_xlsx(sheet_dir / "cells.xlsx", HEADER_12345,
                      [row_12345(1, 工单编号=2026112600001, 来电时间=dt.datetime(2026, 11, 20, 9, 30))])
    sheet = open_sheet(path)
    (number, values), = list(sheet.rows())
    from fengqiao.imports.checking import RowParser

    row, errors = RowParser(sheet.header, m.detect(sheet.header, "hotline_12345")).parse(number, values)
    assert not errors and row is not None
    assert row.ticket_id == "2026112600001" and row.received_at == local(2026, 11, 20, 9, 30)


@pytest.mark.django_db
def test_a_nul_in_a_cell_is_an_error_of_that_cell_and_nothing_is_imported(world, sheet_dir):
    path = write_csv(sheet_dir / "nul.csv", HEADER_12345, [row_12345(1), row_12345(2, 诉求内容="工资\x00拖欠")])
    operator = world.user("operator")
    run = actions.import_run_create(path=path, source="hotline_12345", actor=operator, within=world.county)
    result = actions.import_run_check(run=run, progress=lambda n: None).result
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "诉求内容")]
    assert "\\u0000" in result.errors[0].message
    assert not Event.objects.exists()
