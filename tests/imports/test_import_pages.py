"""The import pages: upload → map → dry run → import → progress → result; who may use them."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fengqiao.events.models import Event
from fengqiao.imports import progress
from fengqiao.imports.models import ColumnMapping, ImportRun
from tests.imports.conftest import HEADER_12345, row_12345, write_xlsx

pytestmark = pytest.mark.django_db


def upload(client, path, **extra):
    with open(path, "rb") as fh:
        return client.post("/imports/", {"file": fh, "source": "hotline_12345", "mapping": "", **extra})


def mapping_post(run, **over):
    data = {f"col_{k}": v for k, v in run.mapping["columns"].items()}
    data.update(over)
    return data


def test_operator_uploads_maps_checks_imports_and_sees_the_result(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    assert client.get("/imports/").status_code == 200
    path = write_xlsx(sheet_dir / "工单.xlsx", HEADER_12345, [row_12345(n) for n in range(1, 4)])
    response = upload(client, path)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/mapping/"
    assert run.within == world.county and run.mapping["name"] == "builtin:12345"

    page = client.get(f"/imports/{run.pk}/mapping/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="工单编号" selected' in html  # prefilled from the detected mapping
    assert "劳资纠纷" in html  # the labels found in the file

    response = client.post(f"/imports/{run.pk}/mapping/", mapping_post(run))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == ImportRun.State.CHECKED and run.rows_total == 3  # the dry run ran (inline)
    assert not Event.objects.exists()
    page = client.get(f"/imports/{run.pk}/")
    assert 'data-testid="dry-run-ok"' in page.content.decode()

    response = client.post(f"/imports/{run.pk}/import/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE
    assert (run.created, run.already_imported) == (3, 0)
    assert Event.objects.filter(source="hotline_12345").count() == 3

    progress_part = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress_part["HX-Refresh"] == "true"  # finished: the page reloads to the result
    html = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'data-testid="count-created">3<' in html
    for event in Event.objects.all():
        assert f"/events/{event.pk}/" in html


def test_progress_is_shown_while_the_import_runs(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(1)])
    upload(client, path)
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING, rows_total=200)
    progress.put(run.pk, phase="importing", done=50, total=200)
    part = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert "50 / 200" in html and 'value="25"' in html and "every 1s" in html
    assert "HX-Refresh" not in part
    assert 'id="import-progress"' in client.get(f"/imports/{run.pk}/").content.decode()


def test_bad_file_shows_every_error_and_offers_the_report(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    rows = [row_12345(1), row_12345(2, 来电时间="昨天"), row_12345(3, 问题分类="不存在的分类")]
    upload(client, write_xlsx(sheet_dir / "bad.xlsx", HEADER_12345, rows))
    run = ImportRun.objects.get()
    client.post(f"/imports/{run.pk}/mapping/", mapping_post(run))
    run.refresh_from_db()
    assert run.state == ImportRun.State.INVALID and run.rows_bad == 2
    html = client.get(f"/imports/{run.pk}/").content.decode()
    assert "昨天" in html and "不存在的分类" in html
    # The import button is not offered, and posting it anyway imports nothing.
    assert 'data-testid="import-button"' not in html
    client.post(f"/imports/{run.pk}/import/")
    assert not Event.objects.exists()
    report = client.get(f"/imports/{run.pk}/report.xlsx")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    sheet = book.worksheets[0]
    assert sheet.cell(row=3, column=1).value and "来电时间" in sheet.cell(row=3, column=1).value
    assert sheet.cell(row=4, column=1).value and "问题分类" in sheet.cell(row=4, column=1).value
    assert not sheet.cell(row=2, column=1).value


def test_mapping_an_unknown_label_and_saving_the_mapping(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    rows = [row_12345(1, 问题分类="欠薪讨要"), row_12345(2)]
    upload(client, write_xlsx(sheet_dir / "labels.xlsx", HEADER_12345, rows))
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/mapping/").content.decode()
    assert "欠薪讨要" in page and "unknown-label" in page
    form = page[page.index("欠薪讨要"):]
    field = form[form.index('name="label_') + 6:].split('"')[0]
    response = client.post(f"/imports/{run.pk}/mapping/",
                           mapping_post(run, **{field: "dispute.wages", "save_as": "莆田12345"}))
    assert response.status_code == 302
    saved = ColumnMapping.objects.get(name="莆田12345")
    assert saved.categories["欠薪讨要"] == "dispute.wages" and saved.columns["ticket_id"] == "工单编号"
    run.refresh_from_db()
    assert run.state == ImportRun.State.CHECKED
    client.post(f"/imports/{run.pk}/import/")
    assert {e.category.code for e in Event.objects.all()} == {"dispute.wages"}


def test_the_same_column_for_two_fields_is_refused(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    upload(client, write_xlsx(sheet_dir / "x.xlsx", HEADER_12345, [row_12345(1)]))
    run = ImportRun.objects.get()
    response = client.post(f"/imports/{run.pk}/mapping/", mapping_post(run, col_title="诉求内容"))
    assert response.status_code == 400
    assert ImportRun.objects.get().state == ImportRun.State.UPLOADED


def test_a_file_of_the_wrong_type_is_refused_at_upload(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    path = sheet_dir / "photo.png"
    path.write_bytes(b"\x89PNG....")
    response = upload(client, path)
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("who", ["secretary_a", "town_cadre", "dept_liaison", "grid_head_a"])
def test_only_operators_and_admins_import(client, world, sheet_dir, who):
    client.force_login(world.user(who))
    assert client.get("/imports/").status_code == 403
    path = write_xlsx(sheet_dir / "x.xlsx", HEADER_12345, [row_12345(1)])
    assert upload(client, path).status_code == 403
    assert not ImportRun.objects.exists()


def test_a_secretary_cannot_reach_an_operators_run(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    upload(client, write_xlsx(sheet_dir / "x.xlsx", HEADER_12345, [row_12345(1)]))
    run = ImportRun.objects.get()
    client.force_login(world.user("secretary_a"))
    for url in (f"/imports/{run.pk}/", f"/imports/{run.pk}/mapping/", f"/imports/{run.pk}/progress/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/imports/{run.pk}/import/").status_code == 403
    assert client.get(f"/imports/{run.pk}/report.xlsx").status_code == 404
    assert not Event.objects.exists()


def test_admin_may_import(client, world, sheet_dir):
    client.force_login(world.user("admin"))
    assert client.get("/imports/").status_code == 200
