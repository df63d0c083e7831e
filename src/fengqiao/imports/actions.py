"""Writes of the spreadsheet import: saving a column mapping, and importing a sheet of events.

`import_sheet` is the import itself: every row goes in through the intake door
(`intake_submit_nested`) inside ONE durable transaction held for the whole file, so a file either
goes in completely or not at all. Each row is a `Report` on channel `sheet:<source>` with the
sender's ticket number as `external_id`: importing the same sheet again finds every ticket and
makes no new event.

The `import_run_*` functions drive an `ImportRun` (the page's and the command's record of one
file) through check → import; the page runs them as Huey tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.events.models import Source
from fengqiao.imports import mappings as m
from fengqiao.imports import progress as prog
from fengqiao.imports.checking import CheckResult, RowError, RowParser, SheetRow, check_sheet
from fengqiao.imports.models import ColumnMapping, ImportRun
from fengqiao.imports.reading import Sheet, open_sheet
from fengqiao.imports.report import write_report
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError, InvalidInput
from fengqiao.regions.models import Region

STREAM = "imports"
ERRORS_KEPT = 500  # errors stored on the run for the page (the report has them all)
EVENT_IDS_KEPT = 200  # created events linked from the result page
TICKET_BATCH = 500

Progress = Callable[[int], None]


def channel_for(source: str) -> str:
    return f"sheet:{source}"


# ---------------------------------------------------------------------------------- mappings


def saved_mappings(source: str | None = None) -> list[m.Mapping]:
    qs = ColumnMapping.objects.all()
    if source:
        qs = qs.filter(source=source)
    return [_mapping_of(c) for c in qs]


def _mapping_of(c: ColumnMapping) -> m.Mapping:
    return m.Mapping(name=c.name, source=c.source, columns=dict(c.columns),
                     categories=dict(c.categories), date_format=c.date_format, saved_id=c.pk)


def resolve_mapping(*, name: str | None, header: list[str], source: str) -> m.Mapping:
    """`name`: a saved mapping's name, "12345"/"110" (the built-in ones), or empty to detect."""
    if not name:
        return m.detect(header, source, saved_mappings(source))
    key = {"12345": m.BUILTIN_12345, "110": m.BUILTIN_110}.get(name, name)
    if key in m.BUILTINS:
        return m.builtin(key, header, source=source)
    saved = ColumnMapping.objects.filter(name=name).first()
    if saved is None:
        raise InvalidInput(_("No column mapping named “%(n)s”.") % {"n": name}, field="mapping")
    return _mapping_of(saved)


def column_mapping_save(*, name: str, source: str, columns: dict[str, str], categories: dict[str, str],
                        date_format: str = "", actor) -> ColumnMapping:
    """Save (or replace) a named mapping."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("The mapping's name must have 1 to 100 characters."), field="save_as")
    if name in {"12345", "110"} or name in m.BUILTINS:
        raise InvalidInput(_("“%(n)s” is the name of a built-in mapping.") % {"n": name}, field="save_as")
    if source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": source}, field="source")
    unknown = set(columns) - set(m.FIELD_KEYS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}, field="columns")
    missing = [m.FIELD_LABEL[k] for k in m.REQUIRED if not columns.get(k)]
    if missing:
        raise InvalidInput(_("Choose a column for: %(f)s") % {"f": "、".join(str(x) for x in missing)}, field="columns")
    if len(date_format) > 50:
        raise InvalidInput(_("The date format is too long."), field="date_format")
    columns = {k: v.strip() for k, v in columns.items() if v and v.strip()}
    categories = {k.strip(): v for k, v in categories.items() if k.strip() and v}
    now = clock.now()
    with transaction.atomic(durable=True):
        row, created = ColumnMapping.objects.select_for_update().get_or_create(
            name=name, defaults={"source": source, "columns": columns, "categories": categories,
                                 "date_format": date_format, "created_by": _user(actor),
                                 "created_at": now, "updated_at": now},
        )
        if not created:
            row.source, row.columns, row.categories = source, columns, categories
            row.date_format, row.updated_at = date_format, now
            row.save(update_fields=["source", "columns", "categories", "date_format", "updated_at"])
        audit.record(stream=STREAM, action="save_column_mapping", actor=_user(actor),
                     details={"mapping": row.pk, "name": name, "source": source, "created": created,
                              "columns": columns, "categories": len(categories)})
    return row


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# ------------------------------------------------------------------------------ the import


@dataclass
class ImportCounts:
    rows: int = 0
    created: int = 0
    already_imported: int = 0
    triaged: int = 0
    routed: int = 0
    event_ids: list[int] = field(default_factory=list)


class RowsRejected(InvalidInput):
    """Rows the door refused during the import; the whole file was rolled back."""

    code = "rows_rejected"

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(_("%(n)d rows were rejected; nothing was imported.") % {"n": len({e.row for e in errors})})


def report_for(row: SheetRow, *, source: str, within: Region | None):
    from fengqiao.intake.actions import Report

    description = row.content
    if row.time_limit:
        description += f"\n\n办理时限：{row.time_limit}"
    return Report(
        source=source,
        title=row.title,
        description=description,
        address=row.locate_text[:300],
        category=row.category,
        category_hint=row.category_label,
        within=within,
        reporter_name=row.reporter_name,
        reporter_phone=row.reporter_phone,
        external_id=row.ticket_id,
        channel=channel_for(source),
        occurred_at=row.received_at,
    )


def import_sheet(*, sheet: Sheet, mapping: m.Mapping, source: str, actor, within: Region | None,
                 progress: Progress | None = None, expected_new: int = 0) -> ImportCounts:
    """Import every row through the door in one transaction. Raises RowsRejected (nothing
    written) when a row fails — the caller checked the file first, so that means the
    registries changed in between (a category retired) or the door refused what we accepted.

    `expected_new`: the rows the check found not imported before. That many event codes of the
    county's day counter are taken first in a short transaction of their own
    (`events.actions.reserve_codes`), so the file's long transaction does not hold the counter —
    every other registration in the county would wait for the import to commit. The rows run in
    a `registration_batch`: policies, calendar and duty posts are read once for the file."""
    from fengqiao.events.actions import reserve_codes
    from fengqiao.events.batch import registration_batch
    from fengqiao.intake.actions import intake_submit_nested

    counts = ImportCounts()
    errors: list[RowError] = []
    parser = RowParser(sheet.header, mapping)
    file_errors = parser.file_errors()
    if file_errors:
        raise RowsRejected(file_errors)
    codes = None
    if within is not None and expected_new > 0:
        codes = reserve_codes(region=within, count=expected_new, actor=_user(actor),
                              reason=f"import of {expected_new} rows ({channel_for(source)})")
    with transaction.atomic(durable=True), registration_batch(codes=codes):
        for number, row, row_errors in parser.rows(sheet):
            counts.rows += 1
            if row_errors or row is None:
                errors.extend(row_errors)
            elif not errors:  # after the first bad row only check the rest: it all rolls back
                try:
                    result = intake_submit_nested(report=report_for(row, source=source, within=within),
                                                  actor=actor)
                except DomainError as exc:
                    errors.append(RowError(number, mapping.columns.get(_field_of(exc), ""), exc.message))
                else:
                    if result.created:
                        counts.created += 1
                        if result.triage_reasons:
                            counts.triaged += 1
                        if result.routed:
                            counts.routed += 1
                        if len(counts.event_ids) < EVENT_IDS_KEPT:
                            counts.event_ids.append(result.event.pk)
                    else:
                        counts.already_imported += 1
            if progress is not None:
                progress(1)
        if errors:
            raise RowsRejected(errors)  # rolls the whole file back
        if counts.created:
            audit.record(stream=STREAM, action="import_events", actor=_user(actor), details={
                "source": source, "channel": channel_for(source), "mapping": mapping.name,
                "rows": counts.rows, "created": counts.created,
                "already_imported": counts.already_imported, "triaged": counts.triaged,
                "within": within.code if within else None,
                "codes": None if codes is None else {
                    "key": codes.key, "reserved": [codes.first, codes.last],
                    "used": codes.next - codes.first},
            })
    return counts


FIELD_OF_DOOR_ERROR = {"ticket_id": m.TICKET_ID, "title": m.TITLE, "description": m.CONTENT,
                       "address": m.ADDRESS, "category_code": m.CATEGORY, "source": ""}


def _field_of(exc: DomainError) -> str:
    name = exc.field or ""
    if name.startswith("parties["):
        return m.REPORTER_PHONE if name.endswith("phone") else m.REPORTER_NAME
    return FIELD_OF_DOOR_ERROR.get(name, "")


def already_imported(source: str, tickets: Iterable[str]) -> int:
    """How many of these ticket numbers were imported from a sheet of this source before."""
    from fengqiao.intake.models import ExternalTicket

    channel = channel_for(source)
    batch: list[str] = []
    total = 0
    for t in tickets:
        batch.append(t)
        if len(batch) >= TICKET_BATCH:
            total += ExternalTicket.objects.filter(channel=channel, external_id__in=batch).count()
            batch = []
    if batch:
        total += ExternalTicket.objects.filter(channel=channel, external_id__in=batch).count()
    return total


# ---------------------------------------------------------------------------- import runs


def import_run_create(*, upload: File | None = None, path: Path | None = None, source: str, actor,
                      within: Region | None, mapping_name: str | None = None) -> ImportRun:
    """Record a file to import: an upload (kept under media/imports/) or a path on the server
    (the command; the file stays where it is). Reads the header and detects the mapping."""
    if source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": source}, field="source")
    now = clock.now()
    run = ImportRun(source=source, created_by=_user(actor), created_at=now, within=within)
    if upload is not None:
        name = Path(upload.name or "sheet").name
        run.original_name = name[:200]
        suffix = Path(name).suffix.lower()
        if suffix not in (".xlsx", ".csv", ".xls"):
            raise InvalidInput(_("Unsupported file type “%(s)s”: use .xlsx or .csv.") % {"s": suffix or "—"},
                               field="file")
        run.file.save(f"{now:%Y%m%d%H%M%S}-{_safe_name(name)}", upload, save=False)
        sheet_path = Path(run.file.path)
    elif path is not None:
        run.original_name = str(path)[:200]
        sheet_path = Path(path)
    else:
        raise InvalidInput(_("Choose a file."), field="file")
    try:
        sheet = open_sheet(sheet_path, m.known_headers(saved_mappings()))
        mapping = resolve_mapping(name=mapping_name, header=sheet.header, source=source)
    except DomainError:
        if upload is not None:
            run.file.delete(save=False)
        raise
    run.mapping = mapping.as_dict()
    run.saved_mapping_id = mapping.saved_id
    with transaction.atomic(durable=True):
        run.save()
    return run


def _safe_name(name: str) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)[:80] or "sheet"
    return keep + suffix


def sheet_of(run: ImportRun) -> Sheet:
    mapping = m.Mapping.from_dict(run.mapping)
    known = m.known_headers([mapping]) if mapping.columns else m.known_headers(saved_mappings())
    return open_sheet(run.file.path if run.file else run.original_name, known)


def import_run_set_mapping(*, run: ImportRun, mapping: m.Mapping, actor, save_as: str = "") -> ImportRun:
    """The operator's mapping for this file (optionally saved under a name); back to uploaded."""
    if run.busy or run.state == ImportRun.State.DONE:
        raise InvalidInput(_("This import can no longer be changed."), code="run_locked")
    mapping.source = run.source
    if save_as:
        saved = column_mapping_save(name=save_as, source=run.source, columns=mapping.columns,
                                    categories=mapping.categories, date_format=mapping.date_format,
                                    actor=actor)
        mapping.name, mapping.saved_id, mapping.builtin = saved.name, saved.pk, False
    with transaction.atomic(durable=True):
        ImportRun.objects.filter(pk=run.pk).update(
            mapping=mapping.as_dict(), saved_mapping_id=mapping.saved_id, state=ImportRun.State.UPLOADED,
            rows_bad=0, errors_total=0, errors=[], checked_at=None,
        )
    run.refresh_from_db()
    return run


def _update(run: ImportRun, **values: Any) -> None:
    with transaction.atomic(durable=True):
        ImportRun.objects.filter(pk=run.pk).update(**values)
    for k, v in values.items():
        setattr(run, k, v)


def _store_report(run: ImportRun, sheet: Sheet | None, result: CheckResult, report_path: Path | None) -> None:
    """Write the error report: next to the run's upload (the page's download) and, for the
    command, where it asked."""
    import tempfile

    if report_path is not None:
        write_report(report_path, sheet, result)
    if run.file:
        with tempfile.TemporaryDirectory() as tmp:
            out = write_report(Path(tmp) / "report.xlsx", sheet, result)
            if run.error_report:
                run.error_report.delete(save=False)
            stem = Path(run.file.name or run.original_name).stem
            run.error_report.save(f"{stem}-errors.xlsx", ContentFile(out.read_bytes()), save=False)


def _reject(run: ImportRun, sheet: Sheet | None, result: CheckResult, report_path: Path | None,
            state: str = ImportRun.State.INVALID) -> None:
    _store_report(run, sheet, result, report_path)
    _update(run, state=state, rows_total=result.rows_total, rows_bad=len({e.row for e in result.errors if e.row > 0}),
            errors_total=len(result.errors), errors=[e.as_dict() for e in result.errors[:ERRORS_KEPT]],
            error_report=run.error_report.name if run.error_report else "", checked_at=clock.now(),
            finished_at=clock.now())


@dataclass
class CheckOutcome:
    result: CheckResult
    already_imported: int = 0


def import_run_check(*, run: ImportRun, progress: Progress | None = None,
                     report_path: Path | None = None) -> CheckOutcome:
    """The dry run: check every row; a bad file ends `invalid` with its error report."""
    _update(run, state=ImportRun.State.CHECKING)
    mapping = m.Mapping.from_dict(run.mapping)
    try:
        sheet = sheet_of(run)
    except DomainError as exc:
        result = CheckResult(errors=[RowError(0, "", exc.message)])
        _reject(run, None, result, report_path)
        return CheckOutcome(result)
    tracker = progress or prog.Throttled(run.pk, "checking", None)
    result = check_sheet(sheet, mapping, progress=tracker)
    if not result.ok:
        _reject(run, sheet, result, report_path)
        return CheckOutcome(result)
    already = already_imported(run.source, result.tickets)
    _update(run, state=ImportRun.State.CHECKED, rows_total=result.rows_total, rows_bad=0, errors_total=0,
            errors=[], checked_at=clock.now(), already_imported=already)
    prog.clear(run.pk)
    return CheckOutcome(result, already)


def import_run_queue(*, run: ImportRun, actor) -> ImportRun:
    """Ask for the import (the page's button); the task runs it after commit."""
    if run.state != ImportRun.State.CHECKED:
        raise InvalidInput(_("Only a checked file with no bad rows can be imported."), code="not_checked")
    _update(run, state=ImportRun.State.QUEUED)
    return run


def import_run_execute(*, run: ImportRun, actor, progress: Progress | None = None,
                       report_path: Path | None = None) -> ImportCounts | None:
    """Import a checked file, all or nothing. Every row is read and checked again on the way
    in (the registries may have changed since the dry run): returns the counts, or None when a
    row was bad (the run is `invalid`, with its report; nothing was written)."""
    try:
        sheet = sheet_of(run)
    except DomainError as exc:
        _reject(run, None, CheckResult(errors=[RowError(0, "", exc.message)]), report_path)
        return None
    mapping = m.Mapping.from_dict(run.mapping)
    _update(run, state=ImportRun.State.RUNNING, started_at=clock.now(), rows_done=0)
    tracker = progress or prog.Throttled(run.pk, "importing", run.rows_total or None)
    try:
        counts = import_sheet(sheet=sheet, mapping=mapping, source=run.source, actor=actor,
                              within=run.within, progress=tracker,
                              expected_new=max(run.rows_total - run.already_imported, 0))
    except RowsRejected as exc:
        result = CheckResult(rows_total=run.rows_total, errors=exc.errors)
        _reject(run, sheet, result, report_path)
        prog.clear(run.pk)
        return None
    except Exception as exc:
        _update(run, state=ImportRun.State.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=clock.now())
        prog.clear(run.pk)
        raise
    _update(run, state=ImportRun.State.DONE, rows_done=counts.rows, created=counts.created,
            already_imported=counts.already_imported, triaged=counts.triaged,
            event_ids=counts.event_ids, finished_at=clock.now())
    prog.clear(run.pk)
    return counts

