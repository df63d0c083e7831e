"""Writes on people, posts and API tokens. Each is one transaction and writes one audit row in
the "people" stream."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from fengqiao.audit import chain as audit
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.people.importer import RosterRow, find_person, login_conflict
from fengqiao.people.models import ApiToken, Person, Post

AUDIT_STREAM = "people"


@dataclass
class PeopleImportResult:
    rows: int = 0
    people_created: int = 0
    people_reactivated: int = 0
    posts_created: int = 0
    posts_updated: int = 0  # department changed or the post made active again
    posts_unchanged: int = 0
    logins_created: int = 0
    logins_linked: int = 0  # an existing login now belongs to the person
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return (self.people_created + self.people_reactivated + self.posts_created
                + self.posts_updated + self.logins_created + self.logins_linked)


def people_import(
    *, rows: Sequence[RosterRow], actor, source: str = "", dry_run: bool = False
) -> PeopleImportResult:
    """Give each row's person (found by name + phone, else created) the row's post.

    Rows come checked from `people.importer.read_roster`. All or nothing: should a row turn out
    to clash with what is stored now (a login taken meanwhile), InvalidInput names the row and
    nothing is written. Re-importing the same rows changes nothing. `dry_run` does all the work
    and rolls it back, so the counts are exactly those a real run would give.
    """
    result = PeopleImportResult(rows=len(rows), dry_run=dry_run)
    user_model = get_user_model()
    with transaction.atomic(durable=True):
        people: dict[tuple[str, str], Person] = {}
        passwords = {r.username: r.password for r in rows if r.username and r.password}
        for row in rows:
            person = people.get(row.person_key)
            if person is None:
                person = find_person(row.name, row.phone)
                if person is None:
                    person = Person(name=row.name)
                    person.set_phone(row.phone)
                    person.save()
                    result.people_created += 1
                elif not person.active:
                    person.active = True
                    person.save(update_fields=["active"])
                    result.people_reactivated += 1
                people[row.person_key] = person

            if row.username and not (person.user is not None and person.user.username == row.username):
                conflict = login_conflict(person, row.username)
                if conflict:
                    raise InvalidInput(f"第 {row.row} 行 · 用户名: {conflict}", field="用户名")
                user = user_model.objects.filter(username=row.username).first()
                if user is None:
                    password = passwords.get(row.username)
                    if not password:
                        raise InvalidInput(f"第 {row.row} 行 · 密码: 新建登录名须填写密码", field="密码")
                    user = user_model(username=row.username)
                    if dry_run:
                        user.set_unusable_password()  # hashing costs ~0.3 s and is rolled back
                    else:
                        user.set_password(password)
                    user.save()
                    result.logins_created += 1
                else:
                    result.logins_linked += 1
                person.user = user
                person.save(update_fields=["user"])

            post = Post.objects.filter(person=person, role=row.role, region=row.region).first()
            if post is None:
                Post.objects.create(
                    person=person, role=row.role, region=row.region, department=row.department
                )
                result.posts_created += 1
            elif post.department_id != (row.department.pk if row.department else None) or not post.active:
                post.department = row.department
                post.active = True
                post.save(update_fields=["department", "active"])
                result.posts_updated += 1
        # Several rows may name one post; count it once.
        result.posts_unchanged = len({(r.person_key, r.role, r.region.pk) for r in rows}) - (
            result.posts_created + result.posts_updated
        )
        details = {k: v for k, v in asdict(result).items() if k != "dry_run"}
        if source:
            details["source"] = source
        audit.record(stream=AUDIT_STREAM, action="import_people", actor=actor, details=details)
        if dry_run:
            transaction.set_rollback(True)
    return result


def api_token_issue(*, user, name: str = "", actor) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the raw token is returned once, only its digest is kept."""
    if not user.is_active:
        raise InvalidInput(f"user {user.username} is inactive")
    # Not durable: the admin's add view already runs inside its own transaction.
    with transaction.atomic():
        token, raw = ApiToken.issue(user=user, name=name)
        audit.record(
            stream=AUDIT_STREAM, action="issue_api_token", actor=actor,
            details={"user": user.username, "name": name, "prefix": token.prefix, "token_id": token.pk},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                stream=AUDIT_STREAM, action="revoke_api_token", actor=actor,
                details={"user": token.user.username, "prefix": token.prefix, "token_id": token.pk},
            )
    return token
