"""The `fengqiao` console script: any Django management command with the project's settings.

Before a command that needs the schema runs, the database is asked whether it has it: if not, the
command stops with the exact command to run (`fengqiao migrate`) instead of a traceback; `demo`
and `bench_seed` migrate by themselves (see `fengqiao.lib.schema`)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.config.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    refusal = _schema_refusal(args)
    if refusal:
        sys.stderr.write(refusal + "\n")
        raise SystemExit(2)
    execute_from_command_line(["fengqiao", *args])


def _schema_refusal(args: list[str]) -> str:
    """The message to stop with when `args` names a command that needs a schema the database lacks."""
    if not args or args[0].startswith("-") or any(a in {"-h", "--help"} for a in args[1:]):
        return ""
    from fengqiao.lib.schema import MIGRATE_FIRST, SCHEMA_FREE

    command = args[0]
    if command in SCHEMA_FREE or command in MIGRATE_FIRST:
        return ""
    import django

    django.setup()
    from django.core.management import get_commands

    if command not in get_commands():
        return ""  # Django's own "Unknown command" answers
    from fengqiao.lib.schema import missing_schema_message, pending_migrations

    pending = pending_migrations()
    return missing_schema_message(command, pending) if pending else ""


if __name__ == "__main__":
    main()
