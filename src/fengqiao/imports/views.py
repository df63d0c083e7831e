"""The import pages: upload → column mapping → dry run (background, with progress) → import
(background, with progress) → result. Operators and administrators only; each sees their
county's runs (404 otherwise)."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.events.scope import visible_events
from fengqiao.imports import actions, permissions, tasks
from fengqiao.imports import mappings as m
from fengqiao.imports import progress as prog
from fengqiao.imports.checking import CategoryTable, distinct_labels
from fengqiao.imports.forms import MappingForm, UploadForm
from fengqiao.imports.models import ImportRun
from fengqiao.lib.errors import DomainError, NotPermitted

RUNS_SHOWN = 30
STALE_SECONDS = 300


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/forbidden.html", status=403)


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    return permissions.access_run_for_user(request.user, run_id)


@login_required
@require_http_methods(["GET", "POST"])
def imports_home(request: HttpRequest) -> HttpResponse:
    """导入事项: upload a sheet; the county's recent imports."""
    try:
        county = permissions.importer_county(request.user)
    except NotPermitted:
        return _forbidden(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = actions.import_run_create(
                    upload=form.cleaned_data["file"], source=form.cleaned_data["source"],
                    actor=request.user, within=county, mapping_name=form.cleaned_data["mapping"] or None,
                )
            except DomainError as exc:
                form.add_error("file" if exc.field in (None, "file") else None, exc.message)
                status = exc.status
            else:
                return redirect("import_mapping", run_id=run.pk)
        else:
            status = 400
    runs = permissions.import_runs_for(request.user).select_related("created_by")[:RUNS_SHOWN]
    return render(request, "imports/home.html", {"form": form, "runs": runs, "county": county}, status=status)


def _labels(mapping: m.Mapping, sheet) -> dict[str, tuple[int, str]]:
    column = mapping.columns.get(m.CATEGORY)
    if not column:
        return {}
    table = CategoryTable(mapping.categories)
    out = {}
    for label, rows in distinct_labels(sheet, column).items():
        found = table.resolve(label)
        out[label] = (rows, "" if isinstance(found, str) else found.code)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, run_id: int) -> HttpResponse:
    """The column mapping, prefilled from the detected one; saving it starts the dry run."""
    if not permissions.may_import(request.user):
        return _forbidden(request)
    run = _run(request, run_id)
    if run.busy or run.state == ImportRun.State.DONE:
        return redirect("import_detail", run_id=run.pk)
    try:
        sheet = actions.sheet_of(run)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports")
    mapping = m.Mapping.from_dict(run.mapping)
    if request.method == "POST":
        # The labels of the column the operator chose (it may differ from the detected one).
        chosen = request.POST.get(f"col_{m.CATEGORY}", "")
        probe = m.Mapping.from_dict(run.mapping)
        probe.columns[m.CATEGORY] = chosen
        form = MappingForm(request.POST, header=sheet.header, mapping=mapping,
                           labels=_labels(probe, sheet) if chosen else {})
        if form.is_valid():
            try:
                actions.import_run_set_mapping(run=run, mapping=form.result(), actor=request.user,
                                               save_as=form.cleaned_data["save_as"].strip())
            except DomainError as exc:
                form.add_error("save_as" if exc.field == "save_as" else None, exc.message)
            else:
                tasks.check_run_task(run.pk)
                return redirect("import_detail", run_id=run.pk)
        status = 400
    else:
        form = MappingForm(header=sheet.header, mapping=mapping, labels=_labels(mapping, sheet))
        status = 200
    return render(request, "imports/mapping.html", {
        "run": run, "form": form, "header": sheet.header, "mapping": mapping,
        "missing": [m.FIELD_LABEL[k] for k in mapping.missing(sheet.header)],
    }, status=status)


def _progress_context(run: ImportRun) -> dict:
    p = prog.get(run.pk) or {}
    total = p.get("total") or (run.rows_total if run.state != ImportRun.State.CHECKING else None)
    done = p.get("done", 0)
    percent = int(done * 100 / total) if total else None
    # No word from the worker for minutes: it may have stopped (its transaction then rolled back).
    stale = bool(p) and time.time() - p.get("at", 0) > STALE_SECONDS
    return {"run": run, "done": done, "total": total, "percent": percent,
            "phase": p.get("phase") or run.state, "stale": stale}


@login_required
@require_GET
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run: its progress while busy; the dry run's errors; or the result with links."""
    if not permissions.may_import(request.user):
        return _forbidden(request)
    run = _run(request, run_id)
    events = []
    if run.state == ImportRun.State.DONE and run.event_ids:
        events = list(visible_events(request.user).filter(pk__in=run.event_ids)
                      .select_related("category", "village", "region").order_by("id"))
    context = {
        "run": run,
        "mapping": m.Mapping.from_dict(run.mapping),
        "field_labels": m.FIELD_LABEL,
        "events": events,
        "new_rows": max(run.rows_total - run.already_imported, 0),
        **(_progress_context(run) if run.busy else {}),
    }
    return render(request, "imports/detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress bar (htmx polls it); once the run is no longer busy, the page reloads."""
    if not permissions.may_import(request.user):
        return _forbidden(request)
    run = _run(request, run_id)
    response = render(request, "imports/_progress.html", _progress_context(run))
    if not run.busy:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_start(request: HttpRequest, run_id: int) -> HttpResponse:
    """Import a checked file: queued as a background task, all or nothing."""
    if not permissions.may_import(request.user):
        return _forbidden(request)
    run = _run(request, run_id)
    try:
        actions.import_run_queue(run=run, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("import_detail", run_id=run.pk)
    tasks.execute_run_task(run.pk, request.user.pk)
    return redirect("import_detail", run_id=run.pk)


@login_required
@require_GET
def import_report(request: HttpRequest, run_id: int) -> FileResponse:
    if not permissions.may_import(request.user):
        raise Http404("no such report")
    run = _run(request, run_id)
    name = run.error_report.name
    if not name or not run.error_report.storage.exists(name):
        raise Http404("no error report")
    stem = run.original_name.rsplit(".", 1)[0]
    return FileResponse(run.error_report.open("rb"), as_attachment=True,
                        filename=f"{stem}-{_('errors')}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

