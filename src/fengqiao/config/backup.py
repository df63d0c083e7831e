"""Backup and restore of one installation: the database and the uploaded files in one archive.

An archive is a plain tar file (the database part is already compressed by pg_dump; photos and
scans do not compress) holding, in this order:

- ``manifest.json``: the format, when and from which engine it was made, the migrations applied,
  the row count of every table, every uploaded file's size, the SHA-256 of each part and a
  fingerprint of the data key (never the key itself);
- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``, a consistent snapshot while the
  platform keeps running) or ``database.sqlite3`` (SQLite: the online backup API, consistent too);
- ``media/…``: every file under MEDIA_ROOT (attachments, photos, scans, generated documents).

Restoring checks the archive before it touches anything (format, checksums, engine, data key,
migrations the code does not know, a database that already holds data without ``replace``), then
restores the database, brings its schema up to the code (``migrate``), puts the files back, and
checks the result: every table's rows and every uploaded file as the manifest lists them, and the
audit record's hash chains intact. Personal data stays encrypted in the archive (the columns are
encrypted in the database); keep the archive as carefully as the database all the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField
from django.utils import timezone

FORMAT = "fengqiao-backup/1"
MANIFEST = "manifest.json"
PG_PART = "database.pgdump"
SQLITE_PART = "database.sqlite3"
MEDIA = "media"
CHUNK = 1 << 20

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Outcome:
    path: Path
    manifest: dict
    problems: list[str] = field(default_factory=list)
    audit_rows: int = 0

    @property
    def tables(self) -> dict[str, int]:
        return self.manifest["tables"]

    @property
    def files(self) -> dict[str, int]:
        return self.manifest["media"]


def _quiet(_message: str) -> None:
    pass


def printer(write: Callable[[str], None], *, quiet: bool = False) -> Progress:
    """The commands' progress lines, each with the local time (nothing when `quiet`)."""
    if quiet:
        return _quiet
    return lambda line: write(f"{timezone.localtime():%H:%M:%S} {line}")


# ---------------------------------------------------------------------------------- the facts


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backups are made for PostgreSQL and SQLite, not {vendor}")
    return vendor


def key_fingerprint() -> str:
    """Tells whether two installations hold the same data key, without telling the key."""
    from fengqiao.lib.protect import data_key

    return hashlib.sha256(b"fengqiao-backup-fingerprint:" + data_key()).hexdigest()[:16]


def _tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                   if m._meta.managed and not m._meta.proxy})


def _count(cursor, tables: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """The rows of every table the installed apps own (migration bookkeeping aside)."""
    present = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return _count(cursor, [t for t in _tables() if t in present])


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def referenced_files() -> Iterator[tuple[str, str]]:
    """(table, name) of every file a row names, in every model with a file field."""
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, FileField)]
        for name in fields:
            rows = model._default_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            for value in rows.values_list(name, flat=True).iterator(chunk_size=2000):
                yield model._meta.db_table, value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


# ------------------------------------------------------------------------------ the database


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_name() -> str:
    return str(connection.settings_dict["NAME"])


def _run(argv: list[str], what: str) -> None:
    try:
        done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def _dump_postgres(target: Path, progress: Progress) -> tuple[dict[str, int], list[str]]:
    """pg_dump of the snapshot the counts are taken in (exported from a repeatable-read
    transaction), so the manifest lists exactly what the dump holds while the platform runs on."""
    if connection.in_atomic_block:
        raise BackupError("a backup takes its own snapshot: run it outside a transaction")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        progress("counting the rows of every table")
        counts, migrations = table_counts(), applied_migrations()
        progress("database: pg_dump (a consistent snapshot; the platform may keep running)")
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={target}", _pg_name()], "pg_dump")
    return counts, migrations


def _dump_sqlite(target: Path, progress: Progress) -> tuple[dict[str, int], list[str]]:
    """The online backup API (it starts over when another process writes meanwhile), then the
    counts taken from the copy itself, so the manifest lists exactly what the copy holds."""
    connection.ensure_connection()
    source = connection.connection
    dest = sqlite3.connect(target)
    shown = [-1]

    def step(_status, remaining, total):
        percent = 100 if not total else int(100 * (total - remaining) / total)
        if percent // 10 != shown[0]:
            shown[0] = percent // 10
            progress(f"database: {percent}% of {total} pages")

    try:
        source.backup(dest, pages=1024, progress=step)
        progress("counting the rows of every table")
        cursor = dest.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        present = {row[0] for row in cursor.fetchall()}
        counts = _count(cursor, [t for t in _tables() if t in present])
        migrations: list[str] = []
        if "django_migrations" in present:
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
    finally:
        dest.close()
    return counts, migrations


def _restore_postgres(part: Path, progress: Progress) -> None:
    progress("database: pg_restore (replacing every table)")
    connections.close_all()
    _drop_everything_postgres()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={_pg_name()}", str(part)], "pg_restore")
    connections.close_all()


def _drop_everything_postgres() -> None:
    """The public schema empty, so the dump's tables, sequences and constraints go in as they were."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
        cursor.execute("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(name)} CASCADE")
    connections.close_all()


def _restore_sqlite(part: Path, progress: Progress) -> None:
    progress("database: copying the backup into the database file")
    connection.ensure_connection()
    dest = connection.connection
    source = sqlite3.connect(f"file:{part}?mode=ro", uri=True)
    try:
        source.backup(dest, pages=1024)
    finally:
        source.close()
    connections.close_all()


# -------------------------------------------------------------------------------------- backup


def backup(path: Path, *, progress: Progress = _quiet) -> Outcome:
    """Write the archive at `path` (its directory must exist); returns what it holds."""
    vendor = engine()
    path = Path(path)
    if path.exists() and path.is_dir():
        path = path / f"fengqiao-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    root = media_root()
    with tempfile.TemporaryDirectory(prefix="fengqiao-backup-", dir=path.parent) as scratch:
        part_name = PG_PART if vendor == "postgresql" else SQLITE_PART
        part = Path(scratch) / part_name
        counts, migrations = (_dump_postgres if vendor == "postgresql" else _dump_sqlite)(part, progress)
        files = {str(p.relative_to(root)): p.stat().st_size for p in media_files(root)}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": vendor,
            "database_part": part_name,
            "database_sha256": _sha256(part),
            "database_bytes": part.stat().st_size,
            "key_fingerprint": key_fingerprint(),
            "migrations": migrations,
            "tables": counts,
            "media": files,
            "media_bytes": sum(files.values()),
        }
        progress(f"database: {_size(part.stat().st_size)}; files: {len(files)} ({_size(sum(files.values()))})")
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(part, arcname=part_name)
            step = max(1, len(files) // 10)
            for n, name in enumerate(files, 1):
                tar.add(root / name, arcname=f"{MEDIA}/{name}", recursive=False)
                if n % step == 0 or n == len(files):
                    progress(f"files: {n} of {len(files)}")
        os.replace(partial, path)
    progress(f"written {path} ({_size(path.stat().st_size)})")
    return Outcome(path=path, manifest=manifest)


# ------------------------------------------------------------------------------------- restore


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as tar:
            member = tar.getmember(MANIFEST)
            handle = tar.extractfile(member)
            manifest = json.loads(handle.read().decode()) if handle else None
    except FileNotFoundError:
        raise BackupError(f"no such file: {path}") from None
    except (tarfile.TarError, KeyError, ValueError, UnicodeDecodeError):
        raise BackupError(f"{path} is not a Fengqiao backup (no readable {MANIFEST})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Fengqiao backup of format {FORMAT}")
    return manifest


def holds_data() -> bool:
    counts = table_counts()
    return any(counts.get(t, 0) for t in ("regions_region", "people_person", "events_event"))


def restore(path: Path, *, replace: bool = False, progress: Progress = _quiet) -> Outcome:
    """Put the archive back in place of this installation's database and files; returns the check."""
    path = Path(path)
    manifest = read_manifest(path)
    vendor = engine()
    if manifest["engine"] != vendor:
        raise BackupError(f"this backup is of a {manifest['engine']} database; this installation runs on "
                          f"{vendor} (restore it where DATABASE_URL names a {manifest['engine']} database)")
    if manifest["key_fingerprint"] != key_fingerprint():
        raise BackupError("this backup's personal data is encrypted under another data key: set "
                          "FENGQIAO_DATA_KEY (or SECRET_KEY, if no data key was set) as it was when the backup was made")
    unknown = sorted(set(manifest["migrations"]) - known_migrations())
    if unknown:
        raise BackupError("this backup comes from a newer version of Fengqiao (migrations this code does "
                          f"not have: {', '.join(unknown[:5])}); install that version first")
    if not replace and applied_migrations() and holds_data():
        raise BackupError("this database already holds data; restore replaces all of it: run again with --replace")
    root = media_root()
    with tempfile.TemporaryDirectory(prefix="fengqiao-restore-", dir=root.parent if root.parent.is_dir() else None) as scratch:
        scratch_path = Path(scratch)
        progress("checking the archive")
        with tarfile.open(path, "r") as tar:
            members = [m for m in tar.getmembers() if m.name != MANIFEST]
            names = {m.name for m in members}
            if manifest["database_part"] not in names:
                raise BackupError("the archive has no database part")
            expected = {f"{MEDIA}/{name}" for name in manifest["media"]}
            if missing := sorted(expected - names):
                raise BackupError(f"the archive lacks {len(missing)} of its files, e.g. {missing[0]}")
            tar.extractall(scratch_path, members=members, filter="data")
        part = scratch_path / manifest["database_part"]
        if _sha256(part) != manifest["database_sha256"]:
            raise BackupError("the database part does not match its checksum: the archive is damaged")
        for name, size in manifest["media"].items():
            if (scratch_path / MEDIA / name).stat().st_size != size:
                raise BackupError(f"the file {name} does not have its recorded size: the archive is damaged")
        (_restore_postgres if vendor == "postgresql" else _restore_sqlite)(part, progress)
        progress("database: bringing the schema up to this version (migrate)")
        call_command("migrate", interactive=False, verbosity=0)
        progress(f"files: putting back {len(manifest['media'])}")
        staged = scratch_path / MEDIA
        staged.mkdir(exist_ok=True)
        if root.exists():
            old = root.with_name(f"{root.name}.replaced-{dt.datetime.now():%Y%m%d%H%M%S}")
            os.replace(root, old)
            try:
                shutil.move(str(staged), str(root))
            except BaseException:
                os.replace(old, root)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            root.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged), str(root))
    return check(path, manifest, progress=progress)


def check(path: Path, manifest: dict, *, progress: Progress = _quiet) -> Outcome:
    """What the restored installation holds against what the archive says it held."""
    outcome = Outcome(path=Path(path), manifest=manifest)
    progress("checking every table, every file and the audit record")
    now = table_counts()
    # A backup of this very version comes back row for row; one of an older version has been
    # migrated since, and a data migration may have added the rows it ships.
    exact = set(manifest["migrations"]) == set(applied_migrations())
    for table, rows in manifest["tables"].items():
        have = now.get(table, 0)
        if have != rows if exact else have < rows:
            outcome.problems.append(f"{table}: {have} rows, the backup listed {rows}")
    root = media_root()
    for name, size in manifest["media"].items():
        target = root / name
        if not target.is_file() or target.stat().st_size != size:
            outcome.problems.append(f"file {name} missing or of another size")
    missing = [(table, name) for table, name in referenced_files() if not (root / name).is_file()]
    outcome.problems.extend(f"{table} names {name}, which is not among the files" for table, name in missing[:20])
    from fengqiao.audit import chain as audit
    from fengqiao.audit.models import AuditEntry

    problem = audit.verify()
    if problem is not None:
        outcome.problems.append(f"audit record broken at {problem}")
    outcome.audit_rows = AuditEntry.objects.count()
    return outcome
