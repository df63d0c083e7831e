"""The configurable depth (GridSettings.household_level): the county's admin sets it on the rules
page; households then sit in a grid (depth grid) or in a unit of a grid (depth unit) — the form
offers only that level, the action and the import refuse the other."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.grid import actions, registry_io
from fengqiao.grid.models import GridSettings, Household, ImportRun
from fengqiao.grid.rules import current_settings

RULES = {"form": "rules", "grid_name": "网格", "unit_name": "楼院", "visit_interval_days": 14,
         "worker_days_per_week": 4, "location_tolerance_m": 100}


def _sheet(code: str, where: str) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(registry_io.HOUSEHOLD_COLUMNS)
    ws.append([code, "林某", "", "洋坂村某号", where, 2, "否", "否", "否", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("户籍.xlsx", buf.getvalue())


def _set_depth(client, gw, level: str):
    client.force_login(gw.user("admin"))
    response = client.post("/grid/rules/", RULES | {"household_level": level})
    assert response.status_code == 302, response.content.decode()
    assert current_settings().household_level == level


def test_only_the_admin_sets_the_depth_and_bad_values_are_form_errors(gw, client):
    client.force_login(gw.user("town_cadre"))
    assert client.get("/grid/rules/").status_code == 403
    assert client.post("/grid/rules/", RULES | {"household_level": "unit"}).status_code == 403
    client.force_login(gw.user("admin"))
    page = client.get("/grid/households/").content.decode()
    assert 'data-testid="rules-link"' in page
    bad = client.post("/grid/rules/", RULES | {"household_level": "building", "visit_interval_days": 0})
    assert bad.status_code == 400
    assert current_settings().household_level == "grid"
    _set_depth(client, gw, "unit")
    assert GridSettings.objects.get(pk=1).unit_name == "楼院"
    assert AuditEntry.objects.filter(action="rules").count() == 1


def test_depth_grid_puts_households_in_a_grid(gw, client):
    _set_depth(client, gw, "grid")
    client.force_login(gw.user("secretary_a"))
    form = client.get("/grid/households/new/").content.decode()
    assert f'value="{gw.grid_a.pk}"' in form and f'value="{gw.unit_a.pk}"' not in form
    made = client.post("/grid/households/new/", {"code": "YB-201", "head_name": "林某", "address": "洋坂村201号",
                                                 "region": gw.grid_a.pk, "members_count": 2})
    assert made.status_code == 302
    in_unit = client.post("/grid/households/new/", {"code": "YB-202", "head_name": "陈某", "address": "洋坂村202号",
                                                    "region": gw.unit_a.pk, "members_count": 2})
    assert in_unit.status_code == 400
    run = registry_io.start_import(actor=gw.base.admin.user, kind="households",
                                   upload=_sheet("YB-203", gw.unit_a.code), within=gw.base.village_a)
    assert run.state == ImportRun.State.FAILED and run.errors[0]["column"] == "网格编码"
    run = registry_io.start_import(actor=gw.base.admin.user, kind="households",
                                   upload=_sheet("YB-204", gw.grid_a.code), within=gw.base.village_a)
    assert run.state == ImportRun.State.DONE
    assert set(Household.objects.filter(code__in=["YB-201", "YB-204"]).values_list("region_id", flat=True)) == {
        gw.grid_a.pk}


def test_depth_unit_puts_households_in_a_unit(gw, client):
    _set_depth(client, gw, "unit")
    client.force_login(gw.user("secretary_a"))
    form = client.get("/grid/households/new/").content.decode()
    assert f'value="{gw.unit_a.pk}"' in form and f'value="{gw.grid_a.pk}"' not in form and "楼院" in form
    made = client.post("/grid/households/new/", {"code": "YB-301", "head_name": "林某", "address": "洋坂村301号",
                                                 "region": gw.unit_a.pk, "members_count": 2})
    assert made.status_code == 302
    household = Household.objects.get(code="YB-301")
    assert household.region_id == gw.unit_a.pk and household.grid_id == gw.grid_a.pk
    try:
        actions.household_save(actor=gw.base.admin.user, household=None, values=actions.HouseholdValues(
            code="YB-302", head_name="陈某", address="x", region=gw.grid_a))
    except actions.InvalidInput as exc:
        assert exc.field == "region"
    else:
        raise AssertionError("a household was put in a grid when the depth goes to units")
    run = registry_io.start_import(actor=gw.base.admin.user, kind="households",
                                   upload=_sheet("YB-303", gw.grid_a.code), within=gw.base.village_a)
    assert run.state == ImportRun.State.FAILED and run.errors[0]["column"] == "网格编码"
    run = registry_io.start_import(actor=gw.base.admin.user, kind="households",
                                   upload=_sheet("YB-304", gw.unit_a.code), within=gw.base.village_a)
    assert run.state == ImportRun.State.DONE
    assert Household.objects.get(code="YB-304").region_id == gw.unit_a.pk
    # The unit's households count in the grid's and the village's registries.
    listing = client.get(f"/grid/households/?area={gw.grid_a.code}").content.decode()
    assert "YB-301" in listing and "YB-304" in listing
    assert "楼院" in client.get("/grid/import/").content.decode()
