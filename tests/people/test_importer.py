"""Reading and checking a roster: every bad row listed, nothing written."""

from __future__ import annotations

import pytest

from fengqiao.people.importer import RosterError, read_roster
from fengqiao.people.models import Person, Post, Role
from tests.people.conftest import GOOD_ROWS, HEADER, write_roster


def _errors(path) -> list[tuple[int, str, str]]:
    with pytest.raises(RosterError) as info:
        read_roster(path)
    return [(e.row, e.column, e.message) for e in info.value.errors]


def test_a_good_csv_reads_into_checked_rows(world, good_csv):
    rows = read_roster(good_csv)
    assert [(r.row, r.name, r.phone, r.role, r.region.code) for r in rows] == [
        (2, "陈美华", "13800001001", Role.PARTY_SECRETARY, "350322103208"),
        (3, "陈美华", "13800001001", Role.GRID_HEAD, "350322103208G01"),
        (4, "许志强", "13800001002", Role.COMMUNITY_POLICE, "350322103209"),
        (5, "郑丽", "13800001003", Role.DEPARTMENT_LIAISON, "350322"),
    ]
    assert rows[3].department == world.department


def test_a_good_xlsx_with_a_numeric_phone_reads_the_same(world, good_xlsx):
    rows = read_roster(good_xlsx)
    assert rows[2].phone == "13800001002"
    assert len(rows) == 4


def test_a_department_can_be_given_by_its_code(world, tmp_path):
    rows = [["郑丽", "13800001003", "部门联络员", "350322", "rsj", "", ""]]
    assert read_roster(write_roster(tmp_path / "r.csv", rows))[0].department == world.department


def test_bad_rows_are_all_listed_with_row_and_column(world, tmp_path):
    rows = [
        ["王五", "13800001004", "村长", "350322103208", "", "", ""],
        ["赵六", "13800001005", "网格员", "350322999999", "", "", ""],
        ["孙七", "1380000", "网格员", "350322103208", "", "", ""],
        ["", "13800001006", "网格员", "350322103208", "", "", ""],
        ["周八", "13800001007", "部门联络员", "350322", "县不存在局", "", ""],
        ["吴九", "13800001008", "网格员", "350322103208", "", "wujiu", ""],
    ]
    errors = _errors(write_roster(tmp_path / "bad.csv", rows))
    assert (2, "岗位") in [(r, c) for r, c, _ in errors]
    assert any(r == 2 and "未知岗位「村长」" in m for r, _, m in errors)
    assert (3, "区划代码", "区划代码 350322999999 不存在") in errors
    assert (4, "手机", "「1380000」不是 11 位手机号") in errors
    assert (5, "姓名", "不能为空") in errors
    assert (6, "部门", "部门「县不存在局」不存在") in errors
    assert (7, "密码", "新建登录名须填写密码") in errors
    assert Person.objects.filter(name__in=["王五", "赵六", "孙七", "周八", "吴九"]).count() == 0


def test_a_missing_column_is_named(world, tmp_path):
    header = [h for h in HEADER if h != "岗位"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "岗位"] for r in GOOD_ROWS]
    assert _errors(write_roster(tmp_path / "r.csv", rows, header)) == [(1, "岗位", "缺少此列")]


def test_a_retired_region_is_refused(world, tmp_path):
    from fengqiao.lib import clock
    from fengqiao.regions.models import Region

    Region.objects.filter(pk=world.village_b.pk).update(retired_at=clock.now())
    rows = [["许志强", "13800001002", "社区民警", "350322103209", "", "", ""]]
    errors = _errors(write_roster(tmp_path / "r.csv", rows))
    assert errors == [(2, "区划代码", "区划 剑山村委会（350322103209）已撤销")]


def test_a_login_that_belongs_to_someone_else_is_refused(world, tmp_path):
    rows = [["新人", "13800001009", "网格员", "350322103208", "", "secretary_a", ""]]
    errors = _errors(write_roster(tmp_path / "r.csv", rows))
    assert errors == [(2, "用户名", "登录名 secretary_a 已属于 柯书记")]


def test_one_person_with_two_logins_in_the_file_is_refused(world, tmp_path):
    rows = [
        ["陈美华", "13800001001", "村党组织书记", "350322103208", "", "chen1", "a-long-password"],
        ["陈美华", "13800001001", "网格长", "350322103208G01", "", "chen2", "a-long-password"],
    ]
    errors = _errors(write_roster(tmp_path / "r.csv", rows))
    assert (3, "用户名", "与第 2 行给同一人的登录名 chen1 不同") in errors


def test_a_short_password_is_refused(world, tmp_path):
    rows = [["陈美华", "13800001001", "网格长", "350322103208G01", "", "chenmh", "short"]]
    errors = _errors(write_roster(tmp_path / "r.csv", rows))
    assert [(r, c) for r, c, _ in errors] == [(2, "密码")]


def test_a_department_liaison_needs_a_department(world, tmp_path):
    rows = [["郑丽", "13800001003", "部门联络员", "350322", "", "", ""]]
    assert _errors(write_roster(tmp_path / "r.csv", rows)) == [(2, "部门", "部门联络员须填写部门")]


def test_a_csv_that_is_not_utf8_gets_a_clear_error(world, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(",".join(HEADER).encode("gbk") + b"\n")
    [(row, _, message)] = _errors(path)
    assert row == 0 and "UTF-8" in message


def test_an_unsupported_or_broken_file_gets_a_clear_error(world, tmp_path):
    (tmp_path / "r.xls").write_bytes(b"old excel")
    assert "不支持的文件类型 .xls" in _errors(tmp_path / "r.xls")[0][2]
    (tmp_path / "r.xlsx").write_bytes(b"not a zip")
    assert "无法读取 Excel 文件" in _errors(tmp_path / "r.xlsx")[0][2]
    assert "找不到文件" in _errors(tmp_path / "missing.csv")[0][2]


def test_an_empty_roster_is_refused(world, tmp_path):
    assert _errors(write_roster(tmp_path / "r.csv", [])) == [(0, "", "表中没有数据行")]
    assert Post.objects.filter(person__name="陈美华").count() == 0


def test_a_csv_without_a_byte_order_mark_reads_too(world, tmp_path):
    rows = read_roster(write_roster(tmp_path / "r.csv", GOOD_ROWS, bom=False))
    assert [r.name for r in rows] == ["陈美华", "陈美华", "许志强", "郑丽"]
