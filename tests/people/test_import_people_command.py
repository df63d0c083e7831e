"""`fengqiao import_people FILE [--dry-run] [--actor USERNAME]`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fengqiao.people.models import Person, Post
from tests.people.conftest import write_roster


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_people", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_csv_and_prints_the_counts(world, good_csv):
    out, _ = _run(good_csv, "--actor", "admin_user")
    assert "4 行；新建人员 3" in out and "新建岗位 4" in out and "新建登录 2" in out
    assert Post.objects.filter(person__name="陈美华").count() == 2


def test_the_command_imports_an_xlsx(world, good_xlsx):
    _run(good_xlsx)
    assert Person.objects.filter(name__in=["陈美华", "许志强", "郑丽"]).count() == 3


def test_a_second_run_reports_nothing_new(world, good_csv):
    _run(good_csv)
    out, _ = _run(good_csv)
    assert "新建人员 0" in out and "新建岗位 0" in out and "岗位未变 4" in out


def test_dry_run_writes_nothing(world, good_csv):
    out, _ = _run(good_csv, "--dry-run")
    assert out.startswith("试运行（未写入）") and "新建人员 3" in out
    assert not Person.objects.filter(name="陈美华").exists()


def test_bad_rows_are_printed_and_the_command_fails_having_imported_nothing(world, tmp_path):
    rows = [
        ["陈美华", "13800001001", "村党组织书记", "350322103208", "", "", ""],
        ["王五", "13800001004", "村长", "350322103208", "", "", ""],
        ["赵六", "12345", "网格员", "350322999999", "", "", ""],
    ]
    path = write_roster(tmp_path / "bad.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 处错误，未导入任何数据"):
        call_command("import_people", str(path), stdout=io.StringIO(), stderr=err)
    listed = err.getvalue()
    assert "第 3 行 · 岗位: 未知岗位「村长」" in listed
    assert "第 4 行 · 手机: 「12345」不是 11 位手机号" in listed
    assert "第 4 行 · 区划代码: 区划代码 350322999999 不存在" in listed
    assert not Person.objects.filter(name="陈美华").exists()


def test_a_missing_column_fails_the_command(world, tmp_path):
    path = write_roster(tmp_path / "r.csv", [["陈美华", "13800001001"]], ["姓名", "手机"])
    with pytest.raises(CommandError, match="2 处错误"):
        _run(path)


def test_an_unknown_actor_fails_the_command(world, good_csv):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        _run(good_csv, "--actor", "nobody")
