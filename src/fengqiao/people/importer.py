"""Read and check a people roster (花名册): .xlsx or UTF-8 .csv with Chinese column names.

Columns: 姓名, 手机, 岗位 (the Chinese role name), 区划代码, and optionally 部门 (a department's
name or code), 用户名 (creates or links a login) and 密码 (needed for a new login).

`read_roster(path)` checks every row against the registries and returns the rows ready for
`people.actions.people_import`, or raises RosterError listing every bad (row, column, message).
Nothing here writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q

from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.protect import blind_index
from fengqiao.people.models import ROLE_BY_CHINESE, ROLE_CHINESE, Department, Person, Role
from fengqiao.regions.models import Region

NAME, PHONE, ROLE, REGION, DEPARTMENT, USERNAME, PASSWORD = (
    "姓名", "手机", "岗位", "区划代码", "部门", "用户名", "密码",
)
REQUIRED_COLUMNS = (NAME, PHONE, ROLE, REGION)
OPTIONAL_COLUMNS = (DEPARTMENT, USERNAME, PASSWORD)
MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1); 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where} · {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class RosterError(InvalidInput):
    """The roster cannot be imported; `errors` lists each problem. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class RosterRow:
    """One checked row: a post (role × region [× department]) for a person (name + phone)."""

    row: int
    name: str
    phone: str
    role: str
    region: Region
    department: Department | None = None
    username: str = ""
    password: str = ""

    @property
    def person_key(self) -> tuple[str, str]:
        return (self.name, self.phone)


# ---------------------------------------------------------------------------------- reading


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty rows (with their spreadsheet row numbers) of the first sheet."""
    path = Path(path)
    if not path.is_file():
        raise RosterError([RowError(0, "", f"找不到文件 {path}")])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raw = _read_xlsx(path)
    elif suffix == ".csv":
        raw = _read_csv(path)
    else:
        raise RosterError([RowError(0, "", f"不支持的文件类型 {suffix or '(无扩展名)'}：请用 .xlsx 或 UTF-8 编码的 .csv")])
    rows = [(n, [_cell(v) for v in values]) for n, values in raw]
    if not rows or rows[0][0] != 1 or not any(rows[0][1]):
        raise RosterError([RowError(1, "", "第一行应为表头（姓名、手机、岗位、区划代码 …）")])
    header = rows[0][1]
    return header, [(n, values) for n, values in rows[1:] if any(values)]


def _read_xlsx(path: Path) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise RosterError([RowError(0, "", f"无法读取 Excel 文件（{exc}）")]) from exc
    try:
        sheet = book.worksheets[0]
        return [(n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _read_csv(path: Path) -> list[tuple[int, list[Any]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return [(n, values) for n, values in enumerate(csv.reader(f), 1)]
    except UnicodeDecodeError as exc:
        raise RosterError(
            [RowError(0, "", "文件不是 UTF-8 编码：请在 Excel 中另存为「CSV UTF-8（逗号分隔）」")]
        ) from exc
    except csv.Error as exc:
        raise RosterError([RowError(0, "", f"CSV 格式错误（{exc}）")]) from exc


# --------------------------------------------------------------------------------- checking


def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s\-()（）]", "", value)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def find_person(name: str, phone: str) -> Person | None:
    """The stored person with this name and phone (the oldest, should there be two)."""
    return (
        Person.objects.filter(name=name, phone_index=blind_index(phone))
        .select_related("user")
        .order_by("id")
        .first()
    )


def login_conflict(person: Person | None, username: str) -> str | None:
    """Why `username` cannot be the login of `person` (None: it can; the person may be new)."""
    if person is not None and person.user is not None and person.user.username != username:
        return f"此人已有登录名 {person.user.username}"
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return None
    holder = Person.objects.filter(user=user).first()
    if holder is not None and (person is None or holder.pk != person.pk):
        return f"登录名 {username} 已属于 {holder.name}"
    return None


def check_rows(header: list[str], rows: list[tuple[int, list[str]]]) -> list[RosterRow]:
    """Check every row; return them all, or raise RosterError listing every problem."""
    errors: list[RowError] = []
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RosterError([RowError(1, c, "缺少此列") for c in missing])
    for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        if header.count(column) > 1:
            errors.append(RowError(1, column, "此列出现了两次"))
    if errors:
        raise RosterError(errors)
    index = {c: header.index(c) for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in header}

    def get(values: list[str], column: str) -> str:
        i = index.get(column)
        return values[i].strip() if i is not None and i < len(values) else ""

    records = [(n, {c: get(values, c) for c in index}) for n, values in rows]
    if not records:
        raise RosterError([RowError(0, "", "表中没有数据行")])

    regions = {
        r.code: r
        for r in Region.objects.filter(code__in={rec.get(REGION, "") for _, rec in records})
    }
    wanted_departments = {rec.get(DEPARTMENT, "") for _, rec in records} - {""}
    by_code: dict[str, Department] = {}
    by_name: dict[str, list[Department]] = defaultdict(list)
    for d in Department.objects.filter(Q(code__in=wanted_departments) | Q(name__in=wanted_departments)):
        by_code[d.code] = d
        by_name[d.name].append(d)

    checked: list[RosterRow] = []
    username_of: dict[tuple[str, str], tuple[int, str]] = {}
    person_of_username: dict[str, tuple[int, tuple[str, str]]] = {}
    department_of_post: dict[tuple[str, str, str, str], tuple[int, str]] = {}
    people: dict[tuple[str, str], Person | None] = {}
    passwords: dict[str, set[str]] = defaultdict(set)  # username → the passwords the file gives
    for _, rec in records:
        if rec.get(USERNAME) and rec.get(PASSWORD):
            passwords[rec[USERNAME]].add(rec[PASSWORD])
    user_model = get_user_model()
    username_validator = UnicodeUsernameValidator()

    for n, rec in records:
        bad = len(errors)

        def error(column: str, message: str, n: int = n) -> None:
            errors.append(RowError(n, column, message))

        name = rec[NAME]
        if not name:
            error(NAME, "不能为空")
        elif len(name) > 50:
            error(NAME, "不能超过 50 个字")

        phone = normalise_phone(rec[PHONE])
        if not phone:
            error(PHONE, "不能为空")
        elif not MOBILE.match(phone):
            error(PHONE, f"「{rec[PHONE]}」不是 11 位手机号")

        role_text = rec[ROLE]
        role = ROLE_BY_CHINESE.get(role_text) or (role_text if role_text in Role.values else None)
        if not role_text:
            error(ROLE, "不能为空")
        elif role is None:
            error(ROLE, f"未知岗位「{role_text}」，可用：{'、'.join(ROLE_CHINESE.values())}")

        code = rec[REGION]
        region = regions.get(code)
        if not code:
            error(REGION, "不能为空")
        elif region is None:
            error(REGION, f"区划代码 {code} 不存在")
        elif region.retired_at is not None:
            error(REGION, f"区划 {region.name}（{code}）已撤销")

        department = None
        dept_text = rec.get(DEPARTMENT, "")
        if dept_text:
            if dept_text in by_code:
                department = by_code[dept_text]
            elif len(by_name.get(dept_text, [])) == 1:
                department = by_name[dept_text][0]
            elif by_name.get(dept_text):
                error(DEPARTMENT, f"有多个部门名为「{dept_text}」，请填写部门代码")
            else:
                error(DEPARTMENT, f"部门「{dept_text}」不存在")
        elif role == Role.DEPARTMENT_LIAISON:
            error(DEPARTMENT, "部门联络员须填写部门")

        username = rec.get(USERNAME, "")
        password = rec.get(PASSWORD, "")
        key = (name, phone)
        if username:
            try:
                username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                error(USERNAME, "只能包含字母、数字和 @/./+/-/_，最多 150 个字符")
            else:
                earlier = username_of.get(key)
                if earlier and earlier[1] != username:
                    error(USERNAME, f"与第 {earlier[0]} 行给同一人的登录名 {earlier[1]} 不同")
                holder = person_of_username.get(username)
                if holder and holder[1] != key:
                    error(USERNAME, f"登录名 {username} 在第 {holder[0]} 行已给了另一人")
                if key not in people:
                    people[key] = find_person(name, phone) if name and phone else None
                conflict = login_conflict(people[key], username)
                if conflict:
                    error(USERNAME, conflict)
                exists = user_model.objects.filter(username=username).exists()
                if not exists and not passwords[username]:
                    error(PASSWORD, "新建登录名须填写密码")
                if not exists and len(passwords[username]) > 1 and password:
                    error(PASSWORD, f"登录名 {username} 在表中有不同的密码")
                if password and not exists:
                    try:
                        password_validation.validate_password(
                            password, user_model(username=username)
                        )
                    except ValidationError as exc:
                        error(PASSWORD, "；".join(str(m) for m in exc.messages))
                username_of.setdefault(key, (n, username))
                person_of_username.setdefault(username, (n, key))
        elif password:
            error(PASSWORD, "填写了密码却没有用户名")

        if role and region is not None:
            post_key = (name, phone, role, code)
            dept_code = department.code if department else ""
            earlier_post = department_of_post.get(post_key)
            if earlier_post and earlier_post[1] != dept_code:
                error(DEPARTMENT, f"与第 {earlier_post[0]} 行同一岗位的部门不同")
            department_of_post.setdefault(post_key, (n, dept_code))

        if len(errors) == bad:
            assert role is not None and region is not None
            checked.append(RosterRow(
                row=n, name=name, phone=phone, role=role, region=region, department=department,
                username=username, password=password,
            ))
    if errors:
        raise RosterError(errors)
    return checked


def read_roster(path: Path) -> list[RosterRow]:
    """Read and check a roster file; raises RosterError listing every problem."""
    header, rows = read_table(path)
    return check_rows(header, rows)
