"""fengqiao import_grids FILE.geojson [--within CODE] [--dry-run] [--quiet]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.shapes import ShapeImportError, import_shapes


class Command(BaseCommand):
    help = (
        "Import grid polygons (and village/town outlines) from a GeoJSON FeatureCollection whose "
        "properties name each grid's code, name and village. All or nothing: any bad feature and "
        "nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--within", metavar="CODE", help="refuse features outside this region")
        parser.add_argument("--dry-run", action="store_true", help="check every feature, write nothing")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, within: str | None, dry_run: bool, quiet: bool, **options):
        try:
            report = import_shapes(file, within=within, dry_run=dry_run, progress=not quiet,
                                   stdout=None if quiet else self.stderr)
        except ShapeImportError as exc:
            for line in exc.report.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(exc.message) from exc
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
