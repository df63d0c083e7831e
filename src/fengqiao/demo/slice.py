"""The shipped slice of the NBS division tables: one county and the rows above and below it.

The slice keeps the source's layout byte for byte (same file names, header, quoting and row
order) so `fengqiao.regions.importer.import_divisions` reads it like the national tables. It is
written once by `write_slice` from `../shared/data/divisions` and committed under
`fengqiao/regions/data/xianyou/`; the product reads only the committed copy.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

XIANYOU = "350322"
SLICE_DIR = Path(__file__).resolve().parent.parent / "regions" / "data" / "xianyou"
FILES = ("provinces", "cities", "areas", "streets", "villages")


def _keep(table: str, row: dict[str, str], county: str) -> bool:
    code = row["code"]
    if table == "provinces":
        return code == county[:2]
    if table == "cities":
        return code == county[:4]
    if table == "areas":
        return code == county
    if table == "streets":
        return row["areaCode"] == county
    return row["areaCode"] == county  # villages


def slice_lines(source: Path, table: str, county: str = XIANYOU) -> list[str]:
    """The header and the rows of `table` that belong to `county`, as the source spells them."""
    with gzip.open(source / f"{table}.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    kept = [lines[0]]
    for line in lines[1:]:
        values = next(csv.reader([line]))
        if _keep(table, dict(zip(header, values, strict=True)), county):
            kept.append(line)
    return kept


def write_slice(source: Path, target: Path = SLICE_DIR, county: str = XIANYOU) -> dict[str, int]:
    """Write the county's slice of every table; returns the row count per table.

    Reproducible: gzip without a timestamp or file name, so the same source gives the same bytes.
    """
    if not (source / "areas.csv.gz").exists():
        raise FileNotFoundError(f"{source} does not hold the NBS division tables")
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table in FILES:
        lines = slice_lines(source, table, county)
        if len(lines) < 2:
            raise ValueError(f"{table}: no rows for county {county}")
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:
            gz.write("".join(lines).encode("utf-8"))
        (target / f"{table}.csv.gz").write_bytes(buffer.getvalue())
        counts[table] = len(lines) - 1
    return counts


def read_rows(directory: Path, table: str) -> list[dict[str, str]]:
    """The rows of one table of a slice (or of the national tables)."""
    with gzip.open(directory / f"{table}.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
