"""Spreadsheet imports over JSON: upload a sheet (the dry run runs at once), read a run with its
errors and progress, start the import. Operators and administrators only (403); another
county's runs are 404."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from fengqiao.imports import actions, permissions, tasks
from fengqiao.imports import progress as prog
from fengqiao.imports.models import ImportRun

router = Router(tags=["imports"])


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class RunOut(Schema):
    id: int
    file: str
    source: str
    state: str
    mapping: str
    columns: dict[str, str]
    rows: int
    rows_bad: int
    errors_total: int
    errors: list[RowErrorOut]
    error_report_url: str | None
    created: int
    already_imported: int
    triaged: int
    event_ids: list[int]
    progress: dict[str, Any] | None


def _out(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk, "file": run.original_name, "source": run.source, "state": run.state,
        "mapping": run.mapping.get("name", ""), "columns": run.mapping.get("columns", {}),
        "rows": run.rows_total, "rows_bad": run.rows_bad, "errors_total": run.errors_total,
        "errors": run.errors,
        "error_report_url": reverse("import_report", args=[run.pk]) if run.error_report else None,
        "created": run.created, "already_imported": run.already_imported, "triaged": run.triaged,
        "event_ids": run.event_ids, "progress": prog.get(run.pk) if run.busy else None,
    }


def _run(request, run_id: int) -> ImportRun:
    return permissions.access_run_for_user(request.auth, run_id)


@router.get("/imports", response=list[RunOut], summary="The county's recent imports")
def list_imports(request):
    return [_out(r) for r in permissions.import_runs_for(request.auth)[:50]]


@router.post("/imports", response={201: RunOut}, summary="Upload a sheet; its dry run runs at once")
def create_import(request, file: File[UploadedFile], source: Form[str], mapping: Form[str] = ""):
    county = permissions.importer_county(request.auth)
    run = actions.import_run_create(upload=file, source=source, actor=request.auth, within=county,
                                    mapping_name=mapping or None)
    tasks.check_run_task(run.pk)
    run.refresh_from_db()
    return Status(201, _out(run))


@router.get("/imports/{run_id}", response=RunOut, summary="One import: state, errors, progress, counts")
def get_import(request, run_id: int):
    permissions.importer_county(request.auth)
    return _out(_run(request, run_id))


@router.post("/imports/{run_id}/import", response={202: RunOut},
             summary="Import a checked sheet (all or nothing), in the background")
def start_import(request, run_id: int):
    permissions.importer_county(request.auth)
    run = _run(request, run_id)
    actions.import_run_queue(run=run, actor=request.auth)
    tasks.execute_run_task(run.pk, request.auth.pk)
    run.refresh_from_db()
    return Status(202, _out(run))
