"""people_import and the API-token actions, through the real importer and audit record."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import InvalidInput
from fengqiao.people.actions import api_token_issue, api_token_revoke, people_import
from fengqiao.people.importer import read_roster
from fengqiao.people.models import ApiToken, Person, Post, Role
from tests.people.conftest import write_roster


def test_importing_a_roster_creates_people_posts_and_logins(world, good_csv):
    result = people_import(rows=read_roster(good_csv), actor=world.admin.user, source="花名册.csv")

    assert (result.people_created, result.posts_created, result.logins_created) == (3, 4, 2)
    chen = Person.objects.get(name="陈美华")
    assert chen.phone == "13800001001"
    assert set(chen.posts.values_list("role", "region__code")) == {
        (Role.PARTY_SECRETARY, "350322103208"), (Role.GRID_HEAD, "350322103208G01"),
    }
    assert authenticate(username="chenmh", password="chen-pass-2024") == chen.user
    zheng = Post.objects.get(person__name="郑丽")
    assert zheng.department == world.department and zheng.role == Role.DEPARTMENT_LIAISON
    assert Person.objects.get(name="许志强").user is None

    entry = AuditEntry.objects.get(stream="people", action="import_people")
    assert entry.actor == world.admin.user
    assert entry.details["people_created"] == 3 and entry.details["posts_created"] == 4
    assert entry.details["source"] == "花名册.csv"
    assert audit.verify() is None


def test_re_importing_the_same_roster_changes_nothing(world, good_xlsx):
    people_import(rows=read_roster(good_xlsx), actor=None)
    counts = (Person.objects.count(), Post.objects.count(), get_user_model().objects.count())

    again = people_import(rows=read_roster(good_xlsx), actor=None)

    assert again.changed == 0
    assert again.posts_unchanged == 4
    assert (Person.objects.count(), Post.objects.count(), get_user_model().objects.count()) == counts


def test_an_existing_person_is_found_by_name_and_phone(world, tmp_path):
    rows = [["柯书记", "13900000005", "网格长", "350322103208G01", "", "", ""]]
    result = people_import(rows=read_roster(write_roster(tmp_path / "r.csv", rows)), actor=None)
    assert result.people_created == 0 and result.posts_created == 1
    assert world.secretary_a.posts.count() == 2


def test_an_existing_free_login_is_linked(world, tmp_path):
    get_user_model().objects.create_user("free_login", password="whatever-long")
    rows = [["新人", "13800001009", "网格员", "350322103208G01", "", "free_login", ""]]
    result = people_import(rows=read_roster(write_roster(tmp_path / "r.csv", rows)), actor=None)
    assert result.logins_linked == 1
    assert Person.objects.get(name="新人").user.username == "free_login"


def test_a_dry_run_counts_but_writes_nothing(world, good_csv):
    before = (Person.objects.count(), Post.objects.count(), AuditEntry.objects.count())

    result = people_import(rows=read_roster(good_csv), actor=None, dry_run=True)

    assert result.dry_run and (result.people_created, result.posts_created) == (3, 4)
    assert (Person.objects.count(), Post.objects.count(), AuditEntry.objects.count()) == before
    assert not get_user_model().objects.filter(username="chenmh").exists()


def test_a_login_taken_between_check_and_import_rolls_everything_back(world, good_csv):
    rows = read_roster(good_csv)
    world.secretary_b.user.username = "zhengli"
    world.secretary_b.user.save()

    with pytest.raises(InvalidInput, match="第 5 行 · 用户名: 登录名 zhengli 已属于 蔡书记"):
        people_import(rows=rows, actor=None)
    assert not Person.objects.filter(name="陈美华").exists()


def test_a_token_is_issued_audited_and_revoked(world):
    user = world.operator.user
    token, raw = api_token_issue(user=user, name="12345 bridge", actor=world.admin.user)

    assert raw.startswith("fq_") and token.digest == ApiToken.digest_of(raw) and raw not in token.digest
    assert AuditEntry.objects.filter(stream="people", action="issue_api_token").count() == 1

    api_token_revoke(token=token, actor=world.admin.user)
    api_token_revoke(token=token, actor=world.admin.user)  # twice is harmless
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(stream="people", action="revoke_api_token").count() == 1
