"""fengqiao locate [--within CODE]: addresses on stdin, one JSON object per line on stdout."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError

from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.locate import locate_index


class Command(BaseCommand):
    help = (
        "Read addresses one per line on stdin and write one JSON object per line: "
        '{"address", "code", "level", "name", "candidates", "score"}; code is null when the '
        "address names no place or more than one equally."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--within", metavar="CODE",
            help="match only inside this region (e.g. 350322); its ancestors may be left out",
        )

    def handle(self, *args, within: str | None, **options):
        index = locate_index()  # one index for the whole run: no query per address
        if within is not None and index.index_of(within.strip()) is None:
            raise CommandError(f"--within {within}: no active region with that code")
        stdin = sys.stdin
        # The stream under Django's OutputWrapper: one write per line, no wrapper per call.
        out: TextIO = getattr(self.stdout, "_out", sys.stdout)
        write = out.write
        for number, line in enumerate(stdin, 1):
            address = line.rstrip("\r\n")
            try:
                result = index.locate(address, within=within).as_json()
            except InvalidInput as exc:
                result = {"address": address, "code": None, "level": None, "name": None,
                          "candidates": [], "score": 0.0, "error": exc.message}
                self.stderr.write(f"line {number}: {exc.message}")
            write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
