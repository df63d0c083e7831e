"""Import the NBS division files (统计用区划代码) into the region tree.

The source directory holds one file per level, `.csv` or `.csv.gz`, as published in
`data/divisions/`::

    provinces  code,name                                               → province
    cities     code,name,provinceCode                                  → city
    areas      code,name,cityCode,provinceCode                         → county
    streets    code,name,areaCode,provinceCode,cityCode                → town
    villages   code,name,streetCode,provinceCode,cityCode,areaCode     → village

The import runs in one transaction and streams each file in batches: rows are checked (code
shape, parent exists, code starts with the parent's code), compared with the stored rows of the
same codes, and written with `bulk_create` / `bulk_update`. Ancestor columns are taken from the
parent's (kept in memory for the levels above villages), so no row needs a query of its own.

Re-running changes nothing. A newer edition renames (the old name stays in `aliases`), adds, and
retires the units that vanished within the imported scope (`retired_at`; never deleted, since
events point at regions). A retired code that reappears is revived.
"""

from __future__ import annotations

import csv
import gzip
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from tqdm import tqdm

from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.actions import derive_short_name, fill_self_ancestor_columns
from fengqiao.regions.models import ANCESTOR_LEVELS, Region, bump_regions_version

BATCH = 2000
MAX_LISTED_PROBLEMS = 50


@dataclass(frozen=True)
class LevelFile:
    stem: str  # file name without .csv / .csv.gz
    level: str  # Region.level
    code_length: int
    parent_column: str | None  # the column holding the parent's code
    columns: tuple[str, ...]  # required header columns


LEVEL_FILES: tuple[LevelFile, ...] = (
    LevelFile("provinces", "province", 2, None, ("code", "name")),
    LevelFile("cities", "city", 4, "provinceCode", ("code", "name", "provinceCode")),
    LevelFile("areas", "county", 6, "cityCode", ("code", "name", "cityCode", "provinceCode")),
    LevelFile(
        "streets", "town", 9, "areaCode", ("code", "name", "areaCode", "provinceCode", "cityCode")
    ),
    LevelFile(
        "villages",
        "village",
        12,
        "streetCode",
        ("code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"),
    ),
)
NBS_LEVELS = [spec.level for spec in LEVEL_FILES]
CODE_LENGTHS = {spec.code_length: spec for spec in LEVEL_FILES}
# Columns naming an ancestor's code, and that ancestor's code length.
ANCESTOR_CODE_COLUMNS = {"provinceCode": 2, "cityCode": 4, "areaCode": 6, "streetCode": 9}


# ------------------------------------------------------------------------------------- report


@dataclass
class LevelCounts:
    created: int = 0
    renamed: int = 0
    retired: int = 0
    revived: int = 0
    relinked: int = 0  # parent or ancestor columns were wrong and have been put right
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.renamed + self.retired + self.revived + self.relinked


@dataclass
class ImportReport:
    edition: str = ""
    within: str | None = None
    levels: dict[str, LevelCounts] = field(
        default_factory=lambda: {level: LevelCounts() for level in NBS_LEVELS}
    )
    seconds: float = 0.0

    def _total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.levels.values())

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def renamed(self) -> int:
        return self._total("renamed")

    @property
    def retired(self) -> int:
        return self._total("retired")

    @property
    def revived(self) -> int:
        return self._total("revived")

    @property
    def relinked(self) -> int:
        return self._total("relinked")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def changed(self) -> int:
        return self._total("changed")

    def lines(self) -> list[str]:
        out = []
        for level, c in self.levels.items():
            out.append(
                f"{level:<9} created {c.created:>7}  renamed {c.renamed:>6}  retired {c.retired:>6}"
                f"  revived {c.revived:>5}  relinked {c.relinked:>6}  unchanged {c.unchanged:>7}"
            )
        scope = f" within {self.within}" if self.within else ""
        edition = f" edition {self.edition}" if self.edition else ""
        out.append(f"done{scope}{edition} in {self.seconds:.1f} s")
        return out


# ------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class DivisionImportError(InvalidInput):
    """The files cannot be imported; nothing was written. `problems` lists each (file, line)."""

    def __init__(self, problems: list[Problem], more: int = 0):
        self.problems = problems
        self.more = more
        lines = [str(p) for p in problems]
        if more:
            lines.append(f"… and {more} more problems")
        super().__init__("division import failed, nothing was written:\n" + "\n".join(lines))


class _Problems:
    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.more = 0

    def add(self, file: str, line: int | None, message: str) -> None:
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(Problem(file, line, message))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.listed)

    def raise_if_any(self) -> None:
        if self.listed:
            raise DivisionImportError(self.listed, self.more)


# ------------------------------------------------------------------------------------ reading


def normalise_code(code: str) -> str:
    """`350322`, or the 12-digit padded form `350322000000`, → `350322`."""
    code = code.strip()
    for full, shorter, pad in ((12, 9, 3), (9, 6, 3), (6, 4, 2), (4, 2, 2)):
        if len(code) == full and code.endswith("0" * pad) and code[:shorter].strip("0"):
            code = code[:shorter]
    return code


def _locate(source_dir: Path, stem: str) -> Path | None:
    plain, packed = source_dir / f"{stem}.csv", source_dir / f"{stem}.csv.gz"
    if plain.is_file() and packed.is_file():
        raise DivisionImportError(
            [Problem(str(source_dir), None, f"both {plain.name} and {packed.name} exist; keep one")]
        )
    if plain.is_file():
        return plain
    if packed.is_file():
        return packed
    return None


class _NotUtf8(Exception):
    def __init__(self, line: int):
        self.line = line


def _decoded_lines(stream: Iterable[bytes]) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported with its line number."""
    for number, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8(number) from None


@dataclass
class _Row:
    line: int
    code: str
    name: str
    parent_code: str | None


class _Reader:
    """Stream one level file's rows; report position in bytes for the progress bar."""

    def __init__(self, path: Path, spec: LevelFile, problems: _Problems):
        self.path = path
        self.spec = spec
        self.problems = problems
        self.size = path.stat().st_size
        self._raw: IO[bytes] | None = None

    @property
    def position(self) -> int:
        return self._raw.tell() if self._raw is not None and not self._raw.closed else self.size

    def rows(self, keep: Callable[[str], bool]) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, {column: value}) for each row whose code `keep` accepts."""
        name = self.path.name
        with open(self.path, "rb") as raw:
            self._raw = raw
            stream: Iterable[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if name.endswith(".gz") else raw
            reader = csv.reader(_decoded_lines(stream))
            try:
                header = next(reader, None)
                if header is None:
                    self.problems.add(name, 1, "the file is empty (no header row)")
                    return
                header = [h.strip() for h in header]
                missing = [c for c in self.spec.columns if c not in header]
                if missing:
                    self.problems.add(
                        name, 1,
                        f"missing column(s) {', '.join(missing)}; expected {','.join(self.spec.columns)}",
                    )
                    return
                index = {c: header.index(c) for c in self.spec.columns}
                width = max(index.values()) + 1
                code_at = index["code"]
                for values in reader:
                    if len(values) >= width and not keep(values[code_at].strip()):
                        continue
                    if not values or (len(values) == 1 and not values[0].strip()):
                        continue
                    if len(values) < width:
                        self.problems.add(
                            name, reader.line_num,
                            f"{len(values)} columns, expected at least {width}",
                        )
                        continue
                    yield reader.line_num, {c: values[i].strip() for c, i in index.items()}
            except _NotUtf8 as exc:
                self.problems.add(name, exc.line, "not UTF-8 text")
            except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
                self.problems.add(name, None, f"cannot read the file ({exc})")
            except csv.Error as exc:
                self.problems.add(name, reader.line_num, f"malformed CSV ({exc})")


# ------------------------------------------------------------------------------------ writing

_ANCESTOR_COLUMNS = [f"{lv}_id" for lv in ANCESTOR_LEVELS]


def _models_copying_ancestors() -> list[type[models.Model]]:
    """The models of other apps that file a row under a `region` and copy its ancestor columns
    (events.Event today), found through the app registry: regions sits below them and imports
    none of them."""
    found = []
    for model in apps.get_models():
        if model is Region:
            continue
        region = next((f for f in model._meta.concrete_fields if f.name == "region"), None)
        if region is None or getattr(region, "related_model", None) is not Region:
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        if all(c in names for c in _ANCESTOR_COLUMNS):
            found.append(model)
    return found
# What a unit hands down to its children: (its id, its ancestor ids in ANCESTOR_LEVELS order,
# its own level's column pointing at itself).
_Lineage = tuple[int, tuple[int | None, ...]]

_SPEECH_SUFFIXES = {
    "province": ("省",),
    "city": ("市", "地区", "盟"),
    "county": ("县", "区", "市", "旗"),
    "town": ("街道办事处", "街道", "镇", "乡", "苏木"),
    "village": ("社区居民委员会", "社区居委会", "村民委员会", "村委会", "居民委员会", "居委会", "社区", "村"),
}


def speech_forms(name: str, level: str) -> list[str]:
    """The names people say: 洋坂村委会 → [洋坂村委会, 洋坂村, 洋坂]; 度尾镇 → [度尾镇, 度尾]."""
    forms = [name, derive_short_name(name, level)]
    for suffix in _SPEECH_SUFFIXES.get(level, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            if "自治" not in stem and not stem.endswith(("市辖", "直辖")):
                forms.append(stem)
            break
    return _dedupe(forms)


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


class _Importer:
    def __init__(self, source_dir: Path, within: str | None, edition: str, progress: bool, stdout):
        self.source_dir = source_dir
        self.within = within
        self.edition = edition
        self.progress = progress
        self.stdout = stdout
        self.problems = _Problems()
        self.report = ImportReport(edition=edition, within=within)
        self.now = clock.now()
        # code → (id, ancestor ids) for the levels that have children in the files.
        self.lineage: dict[str, _Lineage] = {}
        self.within_found = within is None
        self.aliases_encoder = getattr(Region._meta.get_field("aliases"), "encoder", None)
        self.adapt_json = connection.ops.adapt_json_value
        attributes = [
            "id", "code", "level", "name", "short_name", "aliases", "edition", "village_category",
            "parent_id", *_ANCESTOR_COLUMNS,
        ]
        column_of = {f.attname: str(f.column) for f in Region._meta.concrete_fields}
        quote = connection.ops.quote_name
        table = quote(Region._meta.db_table)
        columns = ", ".join(quote(column_of[a]) for a in attributes)
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(attributes))})"
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    # -- scope

    def in_scope(self, code: str) -> bool:
        w = self.within
        return w is None or code.startswith(w) or w.startswith(code)

    def retire_scope(self, level: str) -> Q:
        """The stored rows of `level` that must appear in the files, else they are retired."""
        q = Q(level=level, retired_at=None)
        if self.within is not None:
            if len(self.within) >= next(s.code_length for s in LEVEL_FILES if s.level == level):
                return Q(pk__in=[])  # the within unit and its ancestors are never retired here
            q &= Q(code__startswith=self.within)
        return q

    # -- the run

    def run(self) -> ImportReport:
        started = time.monotonic()
        if not self.source_dir.is_dir():
            raise DivisionImportError([Problem(str(self.source_dir), None, "no such directory")])
        paths: dict[str, Path] = {}
        for spec in LEVEL_FILES:
            path = _locate(self.source_dir, spec.stem)
            if path is None:
                self.problems.add(
                    str(self.source_dir), None, f"missing {spec.stem}.csv or {spec.stem}.csv.gz"
                )
            else:
                paths[spec.stem] = path
        self.problems.raise_if_any()

        relinked_any = False
        with transaction.atomic():
            for spec in LEVEL_FILES:
                seen = self.import_level(spec, paths[spec.stem])
                self.problems.raise_if_any()
                if self.within is not None and len(self.within) == spec.code_length:
                    if not self.within_found:
                        raise DivisionImportError([Problem(
                            paths[spec.stem].name, None, f"--within {self.within}: no such code"
                        )])
                self.retire_vanished(spec, seen)
                relinked_any |= self.report.levels[spec.level].relinked > 0
            fill_self_ancestor_columns()
            if relinked_any:
                self.repair_below_villages()
            if self.edition:
                self.stamp_edition()
            bump_regions_version()  # the address matcher in every process rebuilds
        self.report.seconds = time.monotonic() - started
        return self.report

    def import_level(self, spec: LevelFile, path: Path) -> set[str]:
        counts = self.report.levels[spec.level]
        reader = _Reader(path, spec, self.problems)
        seen: set[str] = set()
        batch: list[_Row] = []
        keep_lineage = spec.level != "village"
        bar = tqdm(
            total=reader.size, unit="B", unit_scale=True, desc=f"{spec.stem:<9}",
            file=sys.stderr, disable=not self.progress, leave=True,
        )
        rows_read = 0
        try:
            for line, values in reader.rows(self.in_scope):
                code = values["code"]
                row = self.check_row(spec, path.name, line, values, seen)
                if row is None:
                    continue
                rows_read += 1
                if code == self.within:
                    self.within_found = True
                if self.problems:
                    continue  # keep checking the file to list every problem, write nothing more
                batch.append(row)
                if len(batch) >= BATCH:
                    self.write_batch(spec, path.name, batch, counts, keep_lineage)
                    batch = []
                    bar.update(reader.position - bar.n)
            if batch and not self.problems:
                self.write_batch(spec, path.name, batch, counts, keep_lineage)
            bar.update(reader.position - bar.n)
        finally:
            bar.close()
        if self.stdout is not None and not self.problems:
            self.stdout.write(f"{spec.stem}: {rows_read} rows\n")
        return seen

    def check_row(
        self, spec: LevelFile, file: str, line: int, values: dict[str, str], seen: set[str]
    ) -> _Row | None:
        code, name = values["code"], values["name"]
        ok = True
        if not (code.isascii() and code.isdigit()) or len(code) != spec.code_length:
            self.problems.add(file, line, f"code {code!r} is not {spec.code_length} digits")
            return None
        if code in seen:
            self.problems.add(file, line, f"code {code} appears twice")
            ok = False
        seen.add(code)
        if not name:
            self.problems.add(file, line, f"code {code} has no name")
            ok = False
        elif len(name) > 100:
            self.problems.add(file, line, f"code {code}: name longer than 100 characters")
            ok = False
        for column, length in ANCESTOR_CODE_COLUMNS.items():
            if column in values and length < spec.code_length and values[column] != code[:length]:
                self.problems.add(
                    file, line,
                    f"code {code} does not start with its {column} {values[column]!r}",
                )
                ok = False
        parent_code = values[spec.parent_column] if spec.parent_column else None
        if ok and parent_code is not None and parent_code not in self.lineage:
            parent_spec = CODE_LENGTHS[len(parent_code)]
            self.problems.add(
                file, line,
                f"code {code}: parent {spec.parent_column} {parent_code} is not in {parent_spec.stem}",
            )
            ok = False
        return _Row(line, code, name, parent_code) if ok else None

    def write_batch(
        self, spec: LevelFile, file: str, batch: list[_Row], counts: LevelCounts, keep_lineage: bool
    ) -> None:
        level = spec.level
        own = ANCESTOR_LEVELS.index(level)
        stored = {
            r[0]: r
            for r in Region.objects.filter(code__in=[row.code for row in batch]).values_list(
                "code", "id", "level", "name", "retired_at", "parent_id", *_ANCESTOR_COLUMNS
            )
        }
        new: list[tuple[Any, ...]] = []
        changed: dict[int, dict[str, Any]] = {}
        fresh_ids = iter(self.reserve_ids(sum(1 for row in batch if row.code not in stored)))
        for row in batch:
            parent_id: int | None
            ancestors: tuple[int | None, ...]
            if row.parent_code is None:
                parent_id, ancestors = None, (None,) * len(ANCESTOR_LEVELS)
            else:
                parent_id, ancestors = self.lineage[row.parent_code]
            found = stored.get(row.code)
            if found is None:
                pk = next(fresh_ids)
                lineage: list[int | None] = list(ancestors)
                lineage[own] = pk
                new.append((
                    pk, row.code, level, row.name, derive_short_name(row.name, level),
                    self.prep_aliases(speech_forms(row.name, level)), self.edition, "",
                    parent_id, *lineage,
                ))
                if keep_lineage:
                    self.lineage[row.code] = (pk, tuple(lineage))
                counts.created += 1
                continue
            _, pk, stored_level, stored_name, retired_at, stored_parent, *stored_anc = found
            if stored_level != level:
                self.problems.add(
                    file, row.line,
                    f"code {row.code} is stored as a {stored_level}, the file says {level}",
                )
                continue
            expected: list[int | None] = list(ancestors)
            expected[own] = pk
            change: dict[str, Any] = {}
            if stored_name != row.name:
                change["name"] = row.name
                counts.renamed += 1
            if retired_at is not None:
                change["retired_at"] = None
                counts.revived += 1
            if stored_parent != parent_id or list(stored_anc) != expected:
                change["parent_id"] = parent_id
                change.update(zip(_ANCESTOR_COLUMNS, expected, strict=True))
                counts.relinked += 1
            if change:
                changed[pk] = change
            else:
                counts.unchanged += 1
            if keep_lineage:
                self.lineage[row.code] = (pk, tuple(expected))
        if self.problems:
            return
        if new:
            self.insert(new)
        if changed:
            self.apply_changes(level, changed)

    def prep_aliases(self, aliases: list[str]) -> Any:
        # What JSONField.get_db_prep_save does, without its per-call layers.
        return self.adapt_json(aliases, self.aliases_encoder)

    def reserve_ids(self, count: int) -> list[int]:
        """Primary keys for `count` new rows, so each row's own ancestor column (`village_id` of a
        village …) is written with the row instead of by a second UPDATE of 620k rows.

        PostgreSQL hands them out from the table's sequence (never given to anyone else).
        SQLite: this transaction holds the write lock (BEGIN IMMEDIATE), so the ids above the
        largest ever used (AUTOINCREMENT keeps it in sqlite_sequence) are ours.
        """
        if count == 0:
            return []
        table = Region._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), count],
                )
                return [r[0] for r in cursor.fetchall()]
            if connection.vendor != "sqlite":
                raise NotImplementedError(f"import_divisions supports SQLite and PostgreSQL, not {connection.vendor}")
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
            largest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(largest, row[0] if row else 0) + 1
            return list(range(start, start + count))

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Write the new rows: COPY on PostgreSQL, one executemany INSERT on SQLite.

        `bulk_create` spends ~0.4 ms per row building SQL; for 620k villages that is minutes.
        On PostgreSQL, COPY is about 4x faster again than a parameterised INSERT per row (the
        foreign-key checks still run: nothing is trusted blindly).
        """
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, rows)

    def apply_changes(self, level: str, changed: dict[int, dict[str, Any]]) -> None:
        regions = list(Region.objects.filter(pk__in=list(changed)))
        fields: set[str] = set()
        for region in regions:
            change = changed[region.pk]
            if "name" in change:
                old_forms = [region.name, *region.aliases]
                region.name = change.pop("name")
                region.short_name = derive_short_name(region.name, level)
                region.aliases = _dedupe([*speech_forms(region.name, level), *old_forms])
                fields |= {"name", "short_name", "aliases"}
                if self.edition:
                    region.edition = self.edition
                    fields.add("edition")
            if "retired_at" in change:
                region.retired_at = change.pop("retired_at")
                region.replaced_by = None
                fields |= {"retired_at", "replaced_by"}
            for column, value in change.items():
                setattr(region, column, value)
                fields.add(column)
        Region.objects.bulk_update(regions, sorted(fields), batch_size=200)

    def retire_vanished(self, spec: LevelFile, seen: set[str]) -> None:
        scope = self.retire_scope(spec.level)
        gone = [
            pk for pk, code in Region.objects.filter(scope).values_list("id", "code").iterator(5000)
            if code not in seen
        ]
        for start in range(0, len(gone), 500):
            Region.objects.filter(pk__in=gone[start : start + 500]).update(retired_at=self.now)
        self.report.levels[spec.level].retired += len(gone)

    def repair_below_villages(self) -> None:
        """A unit moved under a new parent: put right the rows the files do not list.

        Grids and units take their upper columns from their village; the rows of the apps above
        that copy their region's ancestor columns (events) from their region.
        """
        # The lowest NBS ancestor a grid or unit has is right (it is never moved); copy the
        # columns above it from that ancestor.
        for depth in range(len(NBS_LEVELS) - 1, 0, -1):
            anchor = NBS_LEVELS[depth]
            lower_empty = {f"{lv}_id__isnull": True for lv in NBS_LEVELS[depth + 1 :]}
            anchors = Region.objects.filter(pk=OuterRef(f"{anchor}_id"))
            Region.objects.filter(
                level__in=["grid", "unit"], **{f"{anchor}_id__isnull": False}, **lower_empty
            ).update(**{
                f"{lv}_id": Subquery(anchors.values(f"{lv}_id")[:1]) for lv in NBS_LEVELS[:depth]
            })
        regions = Region.objects.filter(pk=OuterRef("region_id"))
        for model in _models_copying_ancestors():
            rows = model._default_manager.all()
            if self.within is not None:
                rows = rows.filter(region__code__startswith=self.within)
            rows.update(**{c: Subquery(regions.values(c)[:1]) for c in _ANCESTOR_COLUMNS})

    def stamp_edition(self) -> None:
        for spec in LEVEL_FILES:
            q = Q(level=spec.level, retired_at=None)
            if self.within is not None:
                ancestors = [self.within[:n] for n in (2, 4, 6, 9, 12) if n <= len(self.within)]
                q &= Q(code__startswith=self.within) | Q(code__in=ancestors)
            Region.objects.filter(q).exclude(edition=self.edition).update(edition=self.edition)


def import_divisions(
    source_dir: Path,
    *,
    within: str | None = None,
    edition: str = "",
    progress: bool = False,
    stdout=None,
) -> ImportReport:
    """Import (or update to a newer edition) the division files in `source_dir`.

    `within` limits the import to one unit's subtree, plus its ancestors so the tree is whole.
    Raises DivisionImportError listing each bad (file, line); nothing is written then.
    """
    code = normalise_code(within) if within else None
    if code is not None and (not (code.isascii() and code.isdigit()) or len(code) not in CODE_LENGTHS):
        raise DivisionImportError(
            [Problem("--within", None, f"{within!r} is not a 2, 4, 6, 9 or 12-digit division code")]
        )
    if len(edition) > 10:
        raise DivisionImportError([Problem("--edition", None, "at most 10 characters")])
    return _Importer(Path(source_dir), code, edition, progress, stdout).run()
