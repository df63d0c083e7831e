"""fengqiao bulletin --from DATE --to DATE [--region CODE] [--out DIR] [--user USERNAME] [--no-record]

Writes the dispatch meeting's pack: the Word bulletin (通报) and the Excel ledger (台账), and keeps
it on the bulletins page (/supervision/bulletins/) unless --no-record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fengqiao.lib.errors import DomainError
from fengqiao.regions.models import Level, Region


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Write the bulletin (.docx) and the ledger (.xlsx) for a span and a region."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--region", help="region code (default: the county)")
        parser.add_argument("--out", default=".", help="directory to write to (default: here)")
        parser.add_argument("--user", help="read as this user (their scope); default: the whole tree")
        parser.add_argument("--no-record", action="store_true",
                            help="only write the files; do not list the pack on the bulletins page")

    def handle(self, *args, **options):
        from fengqiao.supervision.bulletin import base_name, build_pack, platform_reader

        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        code = options.get("region")
        region = (Region.objects.filter(code=code).first() if code
                  else Region.objects.filter(level=Level.COUNTY).order_by("code").first())
        if region is None:
            raise CommandError(f"no region {code}" if code else "no county: import the divisions first")
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']}")
        else:
            user = platform_reader()
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)

        def progress(percent: int, step: str) -> None:
            if options["verbosity"] > 0:
                self.stderr.write(f"[{percent:3d}%] {step}")

        try:
            docx, xlsx, pack = build_pack(user=user, region=region, date_from=date_from, date_to=date_to,
                                          progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except Http404:
            raise CommandError(f"{region.code} is outside the user's area") from None
        name = base_name(region, date_from, date_to)
        docx_path, xlsx_path = out / f"{name}.docx", out / f"{name}.xlsx"
        docx_path.write_bytes(docx)
        xlsx_path.write_bytes(xlsx)
        if not options["no_record"]:
            from fengqiao.supervision.actions import bulletin_record

            bulletin_record(actor=None, date_from=date_from, date_to=date_to, region=region, docx=docx, xlsx=xlsx,
                            requested_by=user if user.pk else None)
        if options["verbosity"] > 0:
            self.stderr.write("[100%] 完成")
        self.stdout.write(str(docx_path))
        self.stdout.write(str(xlsx_path))
