"""First run: `fengqiao demo` on a fresh database migrates by itself; every other command that
needs the schema stops and says exactly what to run; the development SECRET_KEY is mentioned
once per start of `fengqiao serve`, never on every command nor in the demo's own output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.checks import run_checks


def _fengqiao(tmp_path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FENGQIAO_SMS", "SECRET_KEY"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}", DJANGO_SETTINGS_MODULE="fengqiao.config.settings",
               FENGQIAO_HUEY_IMMEDIATE="true", PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "fengqiao.config.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("command", [["verify_audit"], ["scan_deadlines"], ["deliver_outbox", "--once"],
                                     ["import_divisions", "--help"]])
def test_a_command_needing_the_schema_says_what_to_run_on_a_fresh_database(tmp_path, command):
    done = _fengqiao(tmp_path, *command, timeout=120)
    if "--help" in command:  # asking how to use it needs no database
        assert done.returncode == 0 and "usage" in done.stdout
        return
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "no such table" not in done.stderr
    assert "has no tables yet" in done.stderr and "Run first:  fengqiao migrate" in done.stderr
    assert str(tmp_path / "fresh.db") in done.stderr


def test_the_demo_on_a_fresh_database_migrates_first_and_never_mentions_the_secret_key(tmp_path):
    done = _fengqiao(tmp_path, "demo", "--events", "5", "--no-progress")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "demo ready" in done.stdout
    assert "applying" in done.stderr and "migrations" in done.stderr
    assert "SECRET_KEY" not in done.stdout + done.stderr
    again = _fengqiao(tmp_path, "verify_audit", timeout=120)  # the schema is there now
    assert again.returncode == 0, again.stderr
    assert "SECRET_KEY" not in again.stdout + again.stderr


def test_the_development_key_is_a_deployment_warning_not_one_on_every_command(settings):
    from fengqiao.config.settings import _DEV_SECRET

    settings.SECRET_KEY = _DEV_SECRET
    assert "fengqiao.W001" not in {e.id for e in run_checks()}
    assert "fengqiao.W001" in {e.id for e in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db(transaction=True)
def test_serve_mentions_the_development_key_once_per_start(tmp_path):
    from tests.config.test_serve import Server

    server = Server(tmp_path, "--workers", "1")
    output = server.stop()
    assert output.count("SECRET_KEY is the development default") == 1, output
