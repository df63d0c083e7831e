"""The registries: personal data encrypted with a blind index, masked by role with every
unmasked read logged; spreadsheets in (all or nothing) and out (text stays text)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook

from fengqiao.grid import actions, presenters, registry_io
from fengqiao.grid.models import Household, ImportRun, Member, PersonalDataRead
from fengqiao.lib.protect import blind_index


def _sheet(rows, header=registry_io.HOUSEHOLD_COLUMNS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("户籍.xlsx", buf.getvalue())


def test_phones_and_id_numbers_are_encrypted_at_rest_and_found_by_blind_index(gw):
    household = gw.households[0]
    member = actions.member_add(actor=gw.base.admin.user, household=household, name="柯小明", relation="孙子",
                                id_number="35032220150101001x", phone="13812345678")
    with connection.cursor() as c:
        c.execute("select phone, id_number from grid_member where id = %s", [member.pk])
        phone_raw, id_raw = c.fetchone()
    assert phone_raw.startswith("enc1:") and "13812345678" not in phone_raw and id_raw.startswith("enc1:")
    assert Member.objects.get(id_number_index=blind_index("35032220150101001X")).pk == member.pk


def test_the_grid_worker_sees_personal_data_and_the_read_is_logged(gw):
    household = gw.households[0]
    (row,) = presenters.household_rows(gw.user("worker_a"), [household], via="page")
    assert row["phone"] == "13800000001" and row["head_name"] == "柯大爷" and not row["masked"]
    assert PersonalDataRead.objects.filter(household=household, user=gw.user("worker_a"), via="page").count() == 1


def test_a_town_cadre_sees_it_masked_and_nothing_is_logged(gw):
    household = gw.households[0]
    (row,) = presenters.household_rows(gw.user("town_cadre"), [household], via="page")
    assert row["phone"] == "138****0001" and row["head_name"] == "柯**" and row["masked"]
    assert not PersonalDataRead.objects.exists()


def test_an_import_with_one_bad_row_writes_nothing_and_names_every_error(gw):
    upload = _sheet([
        ["YB-101", "林某", "13811112222", "洋坂村101号", gw.grid_a.code, 3, "否", "否", "是", ""],
        ["YB-102", "", "13811113333", "洋坂村102号", gw.grid_a.code, 2, "否", "否", "否", ""],
        ["YB-103", "陈某", "13811114444", "洋坂村103号", "NOPE", 2, "否", "否", "否", ""],
        ["YB-104", "郑某", "13811115555", "洋坂村104号", gw.grid_a.code, 2, "也许", "否", "否", ""],
    ])
    run = registry_io.start_import(actor=gw.base.admin.user, kind="households", upload=upload, within=gw.base.village_a)
    assert run.state == ImportRun.State.FAILED
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "户主"), (4, "网格编码"), (5, "独居老人")]
    assert not Household.objects.filter(code__startswith="YB-1").exists()


def test_a_clean_import_writes_every_row_and_updates_known_numbers(gw):
    upload = _sheet([
        ["YB-101", "林某", "13811112222", "洋坂村101号", gw.grid_a.code, 3, "是", "否", "否", "=HYPERLINK(\"x\")"],
        ["YB-001", "柯大爷", "13800000001", "洋坂村1号（新址）", gw.grid_a.code, 1, "是", "否", "否", ""],
    ])
    run = registry_io.start_import(actor=gw.base.admin.user, kind="households", upload=upload, within=gw.base.village_a)
    assert run.state == ImportRun.State.DONE and (run.created, run.updated) == (1, 1)
    assert Household.objects.get(code="YB-001").address == "洋坂村1号（新址）"
    new = Household.objects.get(code="YB-101")
    assert new.elderly_alone and new.village_id == gw.base.village_a.pk and new.phone == "13811112222"
    assert registry_io.progress_of(run.pk)["done"] == 2


def test_an_import_outside_the_users_region_is_refused_by_row(gw):
    upload = _sheet([["JS-101", "蔡某", "", "剑山村101号", gw.grid_b.code, 1, "否", "否", "否", ""]])
    run = registry_io.start_import(actor=gw.user("secretary_a"), kind="households", upload=upload,
                                   within=gw.base.village_a)
    assert run.state == ImportRun.State.FAILED and run.errors[0]["column"] == "网格编码"


def test_the_export_masks_for_a_cadre_and_keeps_text_as_text(gw):
    household = gw.households[0]
    household.note = "=1+1"
    household.save(update_fields=["note"])
    data = registry_io.export_households(gw.user("town_cadre"), Household.objects.filter(code__startswith="YB").order_by("code"))
    ws = load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0][1] == "柯**" and values[0][2] == "138****0001"
    assert ws.cell(row=2, column=10).data_type == "s"
    firms = load_workbook(io.BytesIO(registry_io.export_firms(gw.user("worker_a"), [gw.firm]))).active
    row = [c.value for c in firms[2]]
    assert row[:2] == ["F-001", "洋坂文旦柚合作社"] and row[7] == "13700000001"  # the grid's worker: unmasked
    assert PersonalDataRead.objects.filter(firm=gw.firm, via="export").count() == 1
