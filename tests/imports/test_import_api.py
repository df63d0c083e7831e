"""/api/v1/imports: upload (dry run at once), read, import; who may."""

from __future__ import annotations

import pytest

from fengqiao.events.models import Event
from tests.imports.conftest import HEADER_12345, row_12345, write_xlsx

pytestmark = pytest.mark.django_db


def post_file(client, path, **data):
    with open(path, "rb") as fh:
        return client.post("/api/v1/imports", {"file": fh, "source": "hotline_12345", **data})


def test_upload_check_and_import_over_json(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(1), row_12345(2)])
    response = post_file(client, path)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "checked" and body["rows"] == 2 and body["mapping"] == "builtin:12345"
    response = client.post(f"/api/v1/imports/{body['id']}/import")
    assert response.status_code == 202
    assert response.json()["state"] == "done" and response.json()["created"] == 2
    assert Event.objects.count() == 2
    assert client.get(f"/api/v1/imports/{body['id']}").json()["created"] == 2


def test_a_bad_sheet_reports_its_errors_and_cannot_be_imported(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(1, 联系电话="call me")])
    body = post_file(client, path).json()
    assert body["state"] == "invalid"
    assert body["errors"] == [{"row": 2, "column": "联系电话", "message": body["errors"][0]["message"]}]
    assert body["errors"][0]["message"]
    assert body["error_report_url"] == f"/imports/{body['id']}/report.xlsx"
    response = client.post(f"/api/v1/imports/{body['id']}/import")
    assert response.status_code == 400 and response.json()["code"] == "not_checked"
    assert not Event.objects.exists()


def test_a_secretary_gets_403_and_cannot_see_runs(client, world, sheet_dir):
    client.force_login(world.user("operator"))
    path = write_xlsx(sheet_dir / "a.xlsx", HEADER_12345, [row_12345(1)])
    run_id = post_file(client, path).json()["id"]
    client.force_login(world.user("secretary_a"))
    assert post_file(client, path).status_code == 403
    assert client.get(f"/api/v1/imports/{run_id}").status_code == 403
    assert client.post(f"/api/v1/imports/{run_id}/import").status_code == 403
    assert not Event.objects.exists()
