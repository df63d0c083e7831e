"""The registries in and out of Excel (台账): households, firms and rented rooms imported all or nothing from
.xlsx or .csv (read by `imports.reading`, the same reader as the 12345 sheets), with progress the
page polls; and exported to .xlsx (cells through `lib.xlsx`: text stays text), masked unless the
user's work needs the personal data, every unmasked export logged.

An import checks every row first, collecting every error with its row number; one error and
nothing is written. Then it writes every row through the same cleaning as the form (a row whose
number exists already updates that household, firm or room) in one transaction. Households go
where the admin's depth puts them (a grid, or a unit of it: `GridSettings.household_level`), so
the code column names a grid or a unit accordingly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY

from fengqiao.audit import chain as audit
from fengqiao.grid import permissions as perms
from fengqiao.grid import presenters
from fengqiao.grid.actions import (
    FirmValues,
    HouseholdValues,
    RoomValues,
    _apply_firm,
    _apply_household,
    _apply_room,
    clean_firm,
    clean_household,
    clean_room,
)
from fengqiao.grid.models import Firm, FirmKind, FirmSize, Household, ImportRun, RentedRoom
from fengqiao.imports.reading import cell_text, open_sheet
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError, InvalidInput
from fengqiao.lib.xlsx import append, header, to_bytes
from fengqiao.regions.models import Region

MAX_ROWS = 50_000
YES = {"是", "有", "Y", "y", "yes", "1", "√", "✓", "TRUE", "true"}
NO = {"", "否", "无", "N", "n", "no", "0", "FALSE", "false"}

HOUSEHOLD_COLUMNS = ["户号", "户主", "联系电话", "地址", "网格编码", "人口数", "独居老人", "残疾人", "留守儿童", "备注"]
FIRM_COLUMNS = ["编号", "名称", "类型", "规模", "从业人数", "外来务工人员", "联系人", "联系电话", "地址", "网格编码"]
ROOM_COLUMNS = ["编号", "地址", "房东", "房东电话", "网格编码", "房间数", "租户数", "房东户号"]
COLUMNS: dict[str, list[str]] = {ImportRun.Kind.HOUSEHOLDS: HOUSEHOLD_COLUMNS, ImportRun.Kind.FIRMS: FIRM_COLUMNS,
                                 ImportRun.Kind.ROOMS: ROOM_COLUMNS}
REQUIRED: dict[str, list[str]] = {ImportRun.Kind.HOUSEHOLDS: ["户号", "户主", "地址", "网格编码"],
            ImportRun.Kind.FIRMS: ["编号", "名称", "类型", "规模", "地址", "网格编码"],
            ImportRun.Kind.ROOMS: ["编号", "地址", "房东", "网格编码"]}
MODELS: dict[str, Any] = {ImportRun.Kind.HOUSEHOLDS: Household, ImportRun.Kind.FIRMS: Firm,
                          ImportRun.Kind.ROOMS: RentedRoom}
APPLY: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    ImportRun.Kind.HOUSEHOLDS: _apply_household, ImportRun.Kind.FIRMS: _apply_firm, ImportRun.Kind.ROOMS: _apply_room}
KIND_BY_LABEL = {str(c.label): c.value for c in FirmKind} | {
    "企业": "enterprise", "工厂": "factory", "个体工商户": "shop", "餐饮": "restaurant", "危化品": "hazardous",
    "其他": "other"}
SIZE_BY_LABEL = {str(c.label): c.value for c in FirmSize} | {"微型": "micro", "小型": "small", "中型": "medium",
                                                              "大型": "large"}
PROGRESS_KEY = "fengqiao.grid.import.{run}"


# ----------------------------------------------------------------------------- progress


def put_progress(run_id: int, *, phase: str, done: int, total: int) -> None:
    HUEY.put(PROGRESS_KEY.format(run=run_id), {"phase": phase, "done": done, "total": total, "at": time.time()})


def progress_of(run_id: int) -> dict[str, Any] | None:
    value = HUEY.get(PROGRESS_KEY.format(run=run_id), peek=True)
    return value if isinstance(value, dict) else None


class _Every:
    def __init__(self, run_id: int, phase: str, total: int, every: float = 0.5):
        self.run_id, self.phase, self.total, self.every, self.done, self.last = run_id, phase, total, every, 0, 0.0

    def __call__(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            put_progress(self.run_id, phase=self.phase, done=self.done, total=self.total)


# ---------------------------------------------------------------------------- checking


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def _flag(value: str, column: str) -> bool:
    if value in YES:
        return True
    if value in NO:
        return False
    raise InvalidInput(_("Write 是 or 否."), field=column)


def _code_column(kind: str) -> str:
    return "户号" if kind == ImportRun.Kind.HOUSEHOLDS else "编号"


def _parse(kind: str, header: list[str], number: int, values: list[Any], regions: dict[str, Region],
           within: Region, households: dict[str, Household] | None = None) -> tuple[Any, list[RowError]]:
    cells = {name: cell_text(values[i]) if i < len(values) else "" for i, name in enumerate(header)}
    errors: list[RowError] = []
    for column in REQUIRED[kind]:
        if not cells.get(column):
            errors.append(RowError(number, column, _("This field is required.")))
    if errors:
        return None, errors
    region = regions.get(cells["网格编码"])
    if region is None or not within.is_ancestor_of(region):
        return None, [RowError(number, "网格编码", _("No grid %(c)s under %(w)s.") % {"c": cells["网格编码"],
                                                                                  "w": within.name})]
    try:
        if kind == ImportRun.Kind.HOUSEHOLDS:
            values_ = HouseholdValues(
                code=cells["户号"], head_name=cells["户主"], address=cells["地址"], region=region,
                phone=cells.get("联系电话", ""), members_count=cells.get("人口数") or 1,
                elderly_alone=_flag(cells.get("独居老人", ""), "独居老人"),
                disabled=_flag(cells.get("残疾人", ""), "残疾人"),
                left_behind_children=_flag(cells.get("留守儿童", ""), "留守儿童"), note=cells.get("备注", ""))
            return clean_household(values_), []
        if kind == ImportRun.Kind.ROOMS:
            household = None
            if cells.get("房东户号"):
                household = (households or {}).get(cells["房东户号"])
                if household is None:
                    return None, [RowError(number, "房东户号", _("No household %(c)s under %(w)s.") % {
                        "c": cells["房东户号"], "w": within.name})]
            room = RoomValues(code=cells["编号"], address=cells["地址"], region=region,
                              landlord_name=cells["房东"], phone=cells.get("房东电话", ""),
                              rooms=cells.get("房间数") or 1, tenants=cells.get("租户数") or 0, household=household)
            return clean_room(room), []
        kind_value = KIND_BY_LABEL.get(cells["类型"], cells["类型"])
        size_value = SIZE_BY_LABEL.get(cells["规模"], cells["规模"])
        firm = FirmValues(code=cells["编号"], name=cells["名称"], kind=kind_value, size=size_value,
                          address=cells["地址"], region=region, employees=cells.get("从业人数") or 0,
                          migrant_workers=cells.get("外来务工人员") or 0, contact_name=cells.get("联系人", ""),
                          phone=cells.get("联系电话", ""))
        return clean_firm(firm), []
    except DomainError as exc:
        columns = {"members_count": "人口数", "phone": "联系电话", "kind": "类型", "size": "规模",
                   "employees": "从业人数", "migrant_workers": "外来务工人员", "region": "网格编码",
                   "code": _code_column(kind)}
        if kind == ImportRun.Kind.ROOMS:
            columns |= {"phone": "房东电话", "landlord_name": "房东", "rooms": "房间数", "tenants": "租户数",
                        "household": "房东户号", "address": "地址"}
        column = columns.get(exc.field or "", exc.field or "")
        return None, [RowError(number, column, exc.message)]


def run_import(run: ImportRun, *, actor) -> ImportRun:
    """Check the whole sheet, then (no errors) write it in one transaction."""
    perms.require_keep(actor, run.within)
    kind = run.kind
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING)
    try:
        sheet = open_sheet(run.file.path, frozenset(COLUMNS[kind]))
    except DomainError as exc:
        return _finish(run, state=ImportRun.State.FAILED, errors=[RowError(0, "", exc.message).as_dict()])
    missing = [c for c in REQUIRED[kind] if c not in sheet.header]
    if missing:
        return _finish(run, state=ImportRun.State.FAILED, errors=[RowError(
            sheet.header_row, c, _("The column “%(c)s” is missing.") % {"c": c}).as_dict() for c in missing])
    rows = list(sheet.rows())
    if len(rows) > MAX_ROWS:
        return _finish(run, state=ImportRun.State.FAILED, errors=[RowError(
            0, "", _("At most %(n)d rows in one file.") % {"n": MAX_ROWS}).as_dict()])
    regions = {r.code: r for r in Region.objects.filter(level__in=["grid", "unit"], retired_at=None,
                                                         **run.within.subtree_kwargs())}
    households = None
    if kind == ImportRun.Kind.ROOMS:
        named = {cell_text(v[sheet.header.index("房东户号")]) for _n, v in rows
                 if "房东户号" in sheet.header and sheet.header.index("房东户号") < len(v)} - {""}
        households = {h.code: h for h in Household.objects.filter(
            code__in=named, active=True, **run.within.subtree_kwargs(self_field="region_id"))}
    tick = _Every(run.pk, "check", len(rows))
    parsed: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        clean, row_errors = _parse(kind, sheet.header, number, values, regions, run.within, households)
        if clean is not None:
            if clean["code"] in seen:
                row_errors = [RowError(number, _code_column(kind),
                                       _("Same number as row %(r)d.") % {"r": seen[clean["code"]]})]
            else:
                seen[clean["code"]] = number
                parsed.append(clean)
        errors += row_errors
        tick()
    if errors:
        return _finish(run, state=ImportRun.State.FAILED, errors=[e.as_dict() for e in errors[:500]],
                       rows=len(rows))
    return _write(run, actor=actor, kind=kind, parsed=parsed)


def _write(run: ImportRun, *, actor, kind: str, parsed: list[dict[str, Any]]) -> ImportRun:
    model = MODELS[kind]
    apply = APPLY[kind]
    tick = _Every(run.pk, "write", len(parsed))
    created = updated = 0
    now = clock.now()
    with transaction.atomic(durable=True):
        existing = {r.code: r for r in model.objects.select_for_update().filter(code__in=[p["code"] for p in parsed])}
        for clean in parsed:
            row = existing.get(clean["code"])
            if row is None:
                row = model(created_at=now, updated_at=now)
                created += 1
            else:
                perms.require_keep(actor, row.region)
                row.updated_at = now
                updated += 1
            apply(row, clean)
            row.save()
            tick()
        audit.record(stream=f"grid:import:{run.within_id}", action="registry_import", actor=actor, note=run.file_name,
                     details={"run": run.pk, "kind": kind, "created": created, "updated": updated})
        run.state, run.rows, run.created, run.updated = ImportRun.State.DONE, len(parsed), created, updated
        run.finished_at = clock.now()
        run.errors = []
        run.save(update_fields=["state", "rows", "created", "updated", "finished_at", "errors"])
    return run


def _finish(run: ImportRun, *, state: str, errors: list[dict[str, Any]], rows: int = 0) -> ImportRun:
    run.state, run.errors, run.rows, run.finished_at = state, errors, rows, clock.now()
    run.save(update_fields=["state", "errors", "rows", "finished_at"])
    return run


def start_import(*, actor, kind: str, upload, within: Region) -> ImportRun:
    """Keep the file and queue the import (Huey; inline in tests)."""
    perms.require_keep(actor, within)
    if kind not in ImportRun.Kind.values:
        raise InvalidInput(_("Choose households, firms or rented rooms."), field="kind")
    name = str(getattr(upload, "name", "") or "sheet")[:200]
    if not name.lower().endswith((".xlsx", ".csv")):
        raise InvalidInput(_("Unsupported file type “%(s)s”: use .xlsx or .csv.") % {"s": name.rsplit(".", 1)[-1]},
                           field="file")
    if getattr(upload, "size", 0) > 20 * 1024 * 1024:
        raise InvalidInput(_("The file is larger than 20 MB."), field="file")
    run = ImportRun(kind=kind, file_name=name, within=within, by=actor, created_at=clock.now())
    run.file.save(name, upload, save=False)
    run.save()
    from fengqiao.grid.tasks import import_task

    import_task(run.pk, actor.pk)
    run.refresh_from_db()
    return run


# ------------------------------------------------------------------------------ export


def _households_sheet(ws, user, households: Iterable[Household]) -> None:
    ws.title = "户籍台账"
    header(ws, HOUSEHOLD_COLUMNS + ["最近走访"])
    rows = list(households)
    shown = presenters.household_rows(user, rows, via="export")
    for h, row in zip(rows, shown, strict=True):
        last = getattr(h, "last_visit", None)
        append(ws, [row["code"], row["head_name"], row["phone"], row["address"], row["region"], row["members_count"],
                    "是" if row["elderly_alone"] else "否", "是" if row["disabled"] else "否",
                    "是" if row["left_behind_children"] else "否", h.note,
                    clock.local_date(last).isoformat() if last else ""])


def _firms_sheet(ws, user, firms: Iterable[Firm]) -> None:
    ws.title = "企业台账"
    header(ws, FIRM_COLUMNS)
    for row in presenters.firm_rows(user, list(firms), via="export"):
        append(ws, [row["code"], row["name"], row["kind_label"], row["size_label"], row["employees"],
                    row["migrant_workers"], row["contact_name"], row["phone"], row["address"], row["region"]])


def _rooms_sheet(ws, user, rooms: Iterable[RentedRoom]) -> None:
    ws.title = "出租房台账"
    header(ws, ROOM_COLUMNS)
    for row in presenters.room_rows(user, list(rooms), via="export"):
        append(ws, [row["code"], row["address"], row["landlord_name"], row["phone"], row["region"], row["rooms"],
                    row["tenants"], row["household"] or ""])


def _book(*sheets: tuple[Callable[..., None], Iterable[Any]], user) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for i, (write, rows) in enumerate(sheets):
        write(wb.active if i == 0 else wb.create_sheet(), user, rows)
    return to_bytes(wb)


def export_households(user, households: Iterable[Household]) -> bytes:
    return _book((_households_sheet, households), user=user)


def export_firms(user, firms: Iterable[Firm]) -> bytes:
    return _book((_firms_sheet, firms), user=user)


def export_rooms(user, rooms: Iterable[RentedRoom]) -> bytes:
    return _book((_rooms_sheet, rooms), user=user)


def export_registries(user, *, households: Iterable[Household], firms: Iterable[Firm],
                      rooms: Iterable[RentedRoom]) -> bytes:
    """The three registries of an area in one workbook (a sheet each), masked like the pages;
    the same columns as the import, so a sheet edited in Excel can be imported back."""
    return _book((_households_sheet, households), (_firms_sheet, firms), (_rooms_sheet, rooms), user=user)
