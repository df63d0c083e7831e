"""Whether the database holds the schema this code needs, asked before a command uses it.

A fresh database has no tables: `fengqiao demo` (and `bench_seed`), which build a database, apply
the migrations themselves; every other command that reads or writes the schema stops at once and
says exactly what to run, instead of failing deep inside with ``no such table: regions_region``.
"""

from __future__ import annotations

from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

# Commands that do not need the schema (they make it, inspect it, or touch no database).
SCHEMA_FREE = frozenset({
    "migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations", "optimizemigration",
    "check", "compilemessages", "makemessages", "collectstatic", "findstatic", "help", "version",
    "diffsettings", "startapp", "startproject", "test", "testserver", "shell", "dbshell", "inspectdb",
    "sendtestemail", "createcachetable", "flush", "backup", "restore",
})
# Commands that build a database: they migrate first instead of refusing.
MIGRATE_FIRST = frozenset({"demo", "bench_seed"})


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str] | None:
    """The migrations on disk not applied to the database ("app.name"), or None when the
    database cannot be asked (unreachable: the command reports that itself)."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[using])
        targets = executor.loader.graph.leaf_nodes()
        return [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(targets)]
    except DatabaseError:
        return None


def describe_database(using: str = DEFAULT_DB_ALIAS) -> str:
    settings = connections[using].settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return str(Path(str(settings["NAME"])).resolve())
    return f"{settings.get('NAME')} on {settings.get('HOST') or 'localhost'}"


def missing_schema_message(command: str, pending: list[str]) -> str:
    fresh = any(p.startswith("contenttypes.0001") for p in pending)
    what = ("has no tables yet" if fresh else
            f"lacks {len(pending)} migration{'s' if len(pending) != 1 else ''} (first: {pending[0]})")
    return (f"fengqiao {command}: the database {describe_database()} {what}.\n"
            f"Run first:  fengqiao migrate\n"
            f"(or `fengqiao demo` to build the demo county, which migrates by itself)")


def ensure_schema(say) -> int:
    """Apply what is pending (for the commands that build a database); returns how many."""
    from django.core.management import call_command

    pending = pending_migrations() or []
    if pending:
        say(f"database {describe_database()}: applying {len(pending)} migrations (fengqiao migrate) …")
        call_command("migrate", interactive=False, verbosity=0)
    return len(pending)
