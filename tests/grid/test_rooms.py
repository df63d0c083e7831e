"""Rented rooms (出租房): registered, edited and taken out from the page (form errors, never a 500),
audited; imported all or nothing like households and firms; exported with the households and
firms, masked by role; in the API, scoped, masked, paged within bounds."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.grid import actions, registry_io
from fengqiao.grid.models import ImportRun, PersonalDataRead, RentedRoom


def _room(gw, code="R-001", **kw):
    values = {"code": code, "address": "洋坂村出租楼1幢", "region": gw.grid_a, "landlord_name": "柯房东",
              "phone": "13811110000", "rooms": 6, "tenants": 9, "household": gw.households[0]} | kw
    return actions.room_save(actor=gw.base.admin.user, room=None, **values)


def _sheet(rows, header=registry_io.ROOM_COLUMNS, name="出租房.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


# --------------------------------------------------------------------------------- pages


def test_the_secretary_registers_a_rented_room_from_the_page(gw, client):
    client.force_login(gw.user("secretary_a"))
    assert client.get("/grid/rooms/new/").status_code == 200
    response = client.post("/grid/rooms/new/", {
        "code": "R-101", "address": "洋坂村出租楼2幢", "landlord_name": "吴房东", "phone": "138 1111 2222",
        "region": gw.grid_a.pk, "household_code": "YB-002", "rooms": 4, "tenants": 7})
    assert response.status_code == 302, response.content.decode()
    room = RentedRoom.objects.get(code="R-101")
    assert room.household == gw.households[1] and room.phone == "13811112222" and room.grid_id == gw.grid_a.pk
    assert AuditEntry.objects.filter(action="room_create", note="R-101").count() == 1
    listing = client.get("/grid/rooms/").content.decode()
    assert "R-101" in listing and "13811112222" in listing  # the secretary's work needs the phone


def test_bad_input_on_the_room_form_is_a_form_error(gw, client):
    _room(gw)
    client.force_login(gw.user("secretary_a"))
    base = {"code": "R-001", "address": "x", "landlord_name": "林", "region": gw.grid_a.pk, "rooms": 1, "tenants": 0}
    taken = client.post("/grid/rooms/new/", base)
    assert taken.status_code == 400 and "R-001" in taken.content.decode()
    unknown = client.post("/grid/rooms/new/", base | {"code": "R-2", "household_code": "JS-001"})
    assert unknown.status_code == 400 and "JS-001" in unknown.content.decode()  # another village's: not found
    bounds = client.post("/grid/rooms/new/", base | {"code": "R-3", "rooms": 0, "tenants": -1, "phone": "abc"})
    assert bounds.status_code == 400
    wrong_grid = client.post("/grid/rooms/new/", base | {"code": "R-4", "region": 999999})
    assert wrong_grid.status_code == 400
    assert RentedRoom.objects.count() == 1


def test_a_town_cadre_edits_a_room_without_seeing_or_overwriting_the_landlord(gw, client):
    room = _room(gw)
    client.force_login(gw.user("town_cadre"))
    page = client.get(f"/grid/rooms/{room.pk}/edit/").content.decode()
    assert "13811110000" not in page and "柯房东" not in page
    response = client.post(f"/grid/rooms/{room.pk}/edit/", {
        "code": "R-001", "address": "洋坂村出租楼1幢（改）", "region": gw.grid_a.pk, "rooms": 6, "tenants": 11})
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.tenants, room.landlord_name, room.phone) == (11, "柯房东", "13811110000")
    assert room.household is None  # the household number was left empty
    assert not PersonalDataRead.objects.filter(room=room).exists()
    listing = client.get("/grid/rooms/").content.decode()
    assert "138****0000" in listing and "柯**" in listing


def test_a_room_taken_out_leaves_the_registry_and_the_phone(gw, client, api):
    room = _room(gw)
    client.force_login(gw.user("secretary_a"))
    assert client.post(f"/grid/rooms/{room.pk}/deactivate/").status_code == 302
    room.refresh_from_db()
    assert not room.active
    assert AuditEntry.objects.filter(action="room_deactivate").count() == 1
    assert f"/grid/rooms/{room.pk}/edit/" not in client.get("/grid/rooms/").content.decode()
    assert client.get(f"/grid/rooms/{room.pk}/edit/").status_code == 404
    boot = api.get("/grid/app/bootstrap", user=gw.user("worker_a")).json()
    assert boot["rooms"] == []


def test_rooms_outside_scope_are_404_and_outsiders_cannot_keep(gw, client):
    room = _room(gw)
    client.force_login(gw.user("secretary_b"))
    assert client.get(f"/grid/rooms/{room.pk}/edit/").status_code == 404
    assert client.post(f"/grid/rooms/{room.pk}/deactivate/").status_code == 404
    client.force_login(gw.user("county_leader"))
    assert client.get("/grid/rooms/").status_code == 200
    assert client.get("/grid/rooms/new/").status_code == 403


# -------------------------------------------------------------------------------- import


def test_a_room_import_with_bad_rows_writes_nothing_and_names_every_error(gw):
    upload = _sheet([
        ["R-201", "洋坂村3幢", "林某", "13811113333", gw.grid_a.code, 3, 5, "YB-001"],
        ["R-202", "洋坂村4幢", "", "", gw.grid_a.code, 2, 2, ""],
        ["R-203", "洋坂村5幢", "陈某", "", gw.grid_a.code, 2, 2, "JS-001"],
        ["R-204", "洋坂村6幢", "郑某", "", gw.grid_a.code, "很多", 2, ""],
        ["R-201", "洋坂村7幢", "黄某", "", gw.grid_a.code, 1, 0, ""],
    ])
    run = registry_io.start_import(actor=gw.base.admin.user, kind="rooms", upload=upload, within=gw.base.village_a)
    assert run.state == ImportRun.State.FAILED
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "房东"), (4, "房东户号"), (5, "房间数"), (6, "编号")]
    assert not RentedRoom.objects.exists()


def test_a_clean_room_import_writes_every_row_with_progress(gw):
    _room(gw)
    upload = _sheet([
        ["R-001", "洋坂村出租楼1幢", "柯房东", "13811110000", gw.grid_a.code, 6, 12, "YB-001"],
        ["R-301", "洋坂村8幢", "林某", "", gw.unit_a.code, 2, 3, ""],
    ])
    run = registry_io.start_import(actor=gw.user("secretary_a"), kind="rooms", upload=upload,
                                   within=gw.base.village_a)
    assert run.state == ImportRun.State.DONE and (run.created, run.updated) == (1, 1), run.errors
    assert RentedRoom.objects.get(code="R-001").tenants == 12
    new = RentedRoom.objects.get(code="R-301")
    assert new.region_id == gw.unit_a.pk and new.grid_id == gw.grid_a.pk
    assert registry_io.progress_of(run.pk)["done"] == 2
    assert AuditEntry.objects.filter(action="registry_import").count() == 1


def test_a_room_import_from_csv_in_gbk(gw):
    text = ",".join(registry_io.ROOM_COLUMNS) + "\n" + f"R-401,洋坂村9幢,吴某,,{gw.grid_a.code},1,1,\n"
    upload = SimpleUploadedFile("出租房.csv", text.encode("gbk"))
    run = registry_io.start_import(actor=gw.base.admin.user, kind="rooms", upload=upload, within=gw.base.village_a)
    assert run.state == ImportRun.State.DONE and RentedRoom.objects.get(code="R-401").landlord_name == "吴某"


def test_the_import_page_offers_rooms(gw, client):
    client.force_login(gw.user("secretary_a"))
    upload = _sheet([["R-501", "洋坂村10幢", "林某", "", gw.grid_a.code, 1, 0, ""]])
    response = client.post("/grid/import/", {"kind": "rooms", "within": gw.base.village_a.pk, "file": upload})
    assert response.status_code == 302
    assert RentedRoom.objects.filter(code="R-501").exists()


# -------------------------------------------------------------------------------- export


def test_the_registries_export_has_three_sheets_masked_for_a_cadre(gw, client):
    room = _room(gw, landlord_name="=HYPERLINK(\"x\")")
    client.force_login(gw.user("town_cadre"))
    response = client.get("/grid/registries.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["户籍台账", "企业台账", "出租房台账"]
    rooms = [[c.value for c in r] for r in wb["出租房台账"].iter_rows()]
    assert rooms[0] == registry_io.ROOM_COLUMNS
    assert rooms[1][0] == "R-001" and rooms[1][3] == "138****0000" and rooms[1][7] == "YB-001"
    heads = [r[1].value for r in wb["户籍台账"].iter_rows(min_row=2)]
    assert "柯**" in heads and all(h.endswith("*") for h in heads)
    assert not PersonalDataRead.objects.exists()
    # The grid's worker sees it unmasked; the formula stays text; the read is logged.
    client.force_login(gw.user("worker_a"))
    wb = load_workbook(io.BytesIO(client.get("/grid/rooms/?format=xlsx").content))
    ws = wb.active
    assert ws.cell(row=2, column=3).value == "=HYPERLINK(\"x\")" and ws.cell(row=2, column=3).data_type == "s"
    assert ws.cell(row=2, column=4).value == "13811110000"
    assert PersonalDataRead.objects.filter(room=room, via="export").count() == 1


def test_the_export_keeps_to_the_area_and_scope(gw, client):
    _room(gw)
    client.force_login(gw.user("secretary_b"))
    wb = load_workbook(io.BytesIO(client.get("/grid/registries.xlsx").content))
    assert [r[0].value for r in wb["户籍台账"].iter_rows(min_row=2)] == ["JS-001"]
    assert list(wb["出租房台账"].iter_rows(min_row=2)) == []
    assert client.get("/grid/registries.xlsx?area=350322103208").status_code == 404


# ----------------------------------------------------------------------------------- api


def test_the_rooms_api_is_scoped_masked_and_bounded(gw, api):
    room = _room(gw)
    _room(gw, code="R-002", household=None)
    worker = api.get("/grid/rooms", user=gw.user("worker_a")).json()
    assert worker["total"] == 2 and worker["items"][0]["phone"] == "13811110000"
    cadre = api.get("/grid/rooms", user=gw.user("town_cadre"), limit=1).json()
    assert cadre["total"] == 2 and len(cadre["items"]) == 1 and cadre["items"][0]["masked"]
    assert cadre["items"][0]["landlord_name"] == "柯**" and cadre["items"][0]["household"] == "YB-001"
    assert api.get("/grid/rooms", user=gw.user("secretary_b")).json()["total"] == 0
    detail = api.get(f"/grid/rooms/{room.pk}", user=gw.user("secretary_a"))
    assert detail.status_code == 200 and detail.json()["checks"] == []
    assert api.get(f"/grid/rooms/{room.pk}", user=gw.user("secretary_b")).status_code == 404
    too_many = api.get("/grid/rooms", user=gw.user("worker_a"), limit=10_000)
    assert too_many.status_code == 400 and set(too_many.json()) >= {"code", "message"}
    assert api.get("/grid/rooms", user=gw.user("worker_a"), offset=-1).status_code == 400


def test_the_rooms_api_is_in_the_openapi_document(gw, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/grid/rooms" in paths and "/api/v1/grid/rooms/{room_id}" in paths
