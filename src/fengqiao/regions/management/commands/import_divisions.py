"""fengqiao import_divisions DIR [--within CODE] [--edition 2023] [--quiet]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.regions.importer import DivisionImportError, import_divisions


class Command(BaseCommand):
    help = (
        "Import the NBS division files (provinces, cities, areas, streets, villages; .csv or "
        ".csv.gz) from DIR. Re-running changes nothing; a newer edition renames, adds and retires."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="directory holding the five level files")
        parser.add_argument(
            "--within", metavar="CODE",
            help="import only this unit's subtree (plus its ancestors), e.g. 350322",
        )
        parser.add_argument("--edition", default="", help="edition label stored on the rows, e.g. 2023")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, directory: Path, within: str | None, edition: str, quiet: bool, **options):
        try:
            report = import_divisions(
                directory, within=within, edition=edition, progress=not quiet,
                stdout=None if quiet else self.stdout,
            )
        except DivisionImportError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
