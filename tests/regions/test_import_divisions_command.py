"""`fengqiao import_divisions DIR [--within CODE] [--edition E] [--quiet]`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fengqiao.regions.models import Region


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_divisions", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_the_counts(db, divisions_2023):
    out, err = _run(divisions_2023, "--edition", "2023", "--quiet")
    assert "village   created       4" in out
    assert "done edition 2023" in out
    assert err == ""
    assert Region.objects.filter(edition="2023").count() == 11


def test_the_command_shows_a_progress_bar_on_stderr_unless_quiet(db, divisions_2023, capsys):
    _run(divisions_2023, "--within", "350322")
    assert "villages" in capsys.readouterr().err
    assert Region.objects.count() == 8


def test_a_re_run_reports_nothing_created_or_renamed(db, divisions_2023):
    _run(divisions_2023, "--quiet")
    out, _ = _run(divisions_2023, "--quiet")
    assert "created       0  renamed      0" in out
    assert "unchanged       4" in out


def test_bad_files_are_a_command_error_naming_file_and_line(db, divisions_2023):
    (divisions_2023 / "cities.csv").write_text("code,name,provinceCode\n3503,莆田市,36\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        _run(divisions_2023, "--quiet")
    assert "cities.csv:2" in str(info.value)
    assert Region.objects.count() == 0


def test_a_missing_directory_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        _run(tmp_path / "missing", "--quiet")
