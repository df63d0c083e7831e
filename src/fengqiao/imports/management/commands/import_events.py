"""fengqiao import_events FILE --source SOURCE [--mapping NAME] [--dry-run] [--actor USERNAME]
[--within CODE] [--report PATH]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fengqiao.events.models import Source
from fengqiao.imports import actions, permissions
from fengqiao.imports.mappings import FIELD_LABEL
from fengqiao.lib.errors import DomainError
from fengqiao.regions.models import Region

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import events from a 12345 or 110 spreadsheet export (.xlsx, or .csv in UTF-8 or GBK). "
        "Every row is checked first; one bad row and nothing is imported, and an .xlsx error "
        "report (the rows with an error column, bad cells in red) is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, choices=Source.values,
                            help="the events' source, e.g. hotline_12345 or police_110")
        parser.add_argument("--mapping", default="",
                            help="a saved column mapping's name, or 12345 / 110 for the built-in ones "
                                 "(default: detected from the header)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--actor", metavar="USERNAME",
                            help="the operator recorded as registering the events (default: the platform)")
        parser.add_argument("--within", metavar="CODE",
                            help="the county whose addresses are matched (default: the actor's county)")
        parser.add_argument("--report", type=Path, metavar="PATH",
                            help="where to write the error report (default: FILE.errors.xlsx next to FILE)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, source: str, mapping: str, dry_run: bool, actor: str | None,
               within: str | None, report: Path | None, no_progress: bool, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"--actor: no active user named {actor!r}")
        county = None
        if within:
            county = Region.objects.filter(code=within).first()
            if county is None:
                raise CommandError(f"--within: no region with code {within}")
        elif user is not None:
            try:
                county = permissions.importer_county(user)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        report_path = report or file.with_name(file.stem + ".errors.xlsx")
        try:
            run = actions.import_run_create(path=file, source=source, actor=user, within=county,
                                            mapping_name=mapping or None)
        except DomainError as exc:
            raise CommandError(f"{file.name}: {exc.message}") from exc
        used = run.mapping
        self.stderr.write(f"mapping: {used['name']}  " + "  ".join(
            f"{FIELD_LABEL[k]}←{v}" for k, v in used["columns"].items()))

        bar = tqdm(desc="检查 check", unit=" rows", disable=no_progress, file=self.stderr._out)
        outcome = actions.import_run_check(run=run, progress=bar.update, report_path=report_path)
        bar.close()
        if not outcome.result.ok:
            self._rejected(run, outcome.result.errors, report_path)
        total = outcome.result.rows_total
        if dry_run:
            self.stdout.write(
                f"试运行（未写入）dry run, nothing written: {total} 行 rows, 无错误 no errors; "
                f"新 new {total - outcome.already_imported}, 已导入过 already imported {outcome.already_imported}"
            )
            return
        bar = tqdm(total=total, desc="导入 import", unit=" rows", disable=no_progress, file=self.stderr._out)
        counts = actions.import_run_execute(run=run, actor=user, progress=bar.update, report_path=report_path)
        bar.close()
        if counts is None:
            run.refresh_from_db()
            self._rejected(run, [], report_path)
        assert counts is not None
        self.stdout.write(
            f"已导入 imported {counts.rows} 行 rows: 新建事项 created {counts.created}, "
            f"已导入过 already imported {counts.already_imported}, 转分流 sent to triage {counts.triaged}, "
            f"自动分拨 dispatched {counts.routed}"
        )

    def _rejected(self, run, errors, report_path: Path):
        run.refresh_from_db()
        shown = errors or run.errors
        for e in shown[:SHOWN_ERRORS]:
            self.stderr.write(str(e) if not isinstance(e, dict) else
                              (f"第 {e['row']} 行 · {e['column']}: {e['message']}" if e["row"] else e["message"]))
        if run.errors_total > SHOWN_ERRORS:
            self.stderr.write(f"… 共 {run.errors_total} 处错误 errors in all")
        raise CommandError(
            f"{run.rows_bad} 行有错误 bad rows, {run.errors_total} 处错误 errors; 未导入任何数据 nothing imported. "
            f"错误报告 error report: {report_path}"
        )
