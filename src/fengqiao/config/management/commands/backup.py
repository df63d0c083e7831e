"""fengqiao backup: the database and the uploaded files in one archive (config/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.config import backup


class Command(BaseCommand):
    help = ("Write one archive (.tar) with the database (PostgreSQL: pg_dump of one snapshot; SQLite: the "
            "online backup API), every uploaded file and a manifest of what it holds. The platform may keep "
            "running meanwhile. Restore it with `fengqiao restore`.")

    def add_arguments(self, parser):
        parser.add_argument("output", nargs="?", default=".",
                            help="the archive's path, or a folder to write fengqiao-<time>.tar in (default: here)")
        parser.add_argument("--no-progress", action="store_true", help="no progress lines (stderr)")

    def handle(self, *args, output: str, no_progress: bool, **options):
        say = backup.printer(self.stderr.write, quiet=no_progress)
        try:
            done = backup.backup(Path(output), progress=say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        tables = done.tables
        self.stdout.write(
            f"backup written: {done.path}\n"
            f"  {len(tables)} tables, {sum(tables.values())} rows (events {tables.get('events_event', 0)}, "
            f"audit rows {tables.get('events_auditentry', 0)}); {len(done.files)} files"
        )
