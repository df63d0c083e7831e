"""fengqiao restore: put an archive of `fengqiao backup` back, then check it (config/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.config import backup


class Command(BaseCommand):
    help = ("Replace this installation's database and uploaded files with an archive of `fengqiao backup`, "
            "bring the schema up to this version, then check every table's rows, every file and the audit "
            "record's hash chains against the archive. Stop `fengqiao serve` first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by `fengqiao backup`")
        parser.add_argument("--replace", action="store_true",
                            help="the database holds data: replace all of it (required then)")
        parser.add_argument("--no-progress", action="store_true", help="no progress lines (stderr)")

    def handle(self, *args, archive: str, replace: bool, no_progress: bool, **options):
        say = backup.printer(self.stderr.write, quiet=no_progress)
        try:
            done = backup.restore(Path(archive), replace=replace, progress=say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        tables = done.tables
        self.stdout.write(
            f"restored {done.path} (made {done.manifest['created_at']})\n"
            f"  {len(tables)} tables, {sum(tables.values())} rows (events {tables.get('events_event', 0)}); "
            f"{len(done.files)} files; audit record: {done.audit_rows} rows"
        )
        if done.problems:
            for problem in done.problems:
                self.stderr.write(f"  problem: {problem}")
            raise CommandError(f"restored, but {len(done.problems)} check(s) failed (listed above)")
        self.stdout.write(self.style.SUCCESS("every table, every file and the audit record check out"))
