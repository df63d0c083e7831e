"""Sign-in lockout: too many failures lock the account, or the address they came from, for a while.

Every failed sign-in — a wrong password on the login page or the admin, a wrong API bearer token —
is a `LoginFailure` row under two keys: the account (`account:<username>`) and the client address
(`address:<keyed digest>`, read through `lib.client.client_ip`, which honours
FENGQIAO_TRUSTED_PROXIES as the citizen rate limit does). When a key has had its limit of failures
within the window (FENGQIAO_LOGIN_FAILURES_PER_ACCOUNT / _PER_ADDRESS within
FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES) it is locked for FENGQIAO_LOGIN_LOCK_MINUTES: a
`LoginLock` row, and an audit row on the `people` stream. While locked, every sign-in with that
key is refused, the right password included. A successful sign-in clears its account's count; an
administrator lifts a lock early (admin action, `fengqiao unlock_login`), audited too. The windows
are in the database, so every process shares them; old rows go nightly (`people.tasks`).

Enforced in three places that share this module: `LockoutBackend` (first in
AUTHENTICATION_BACKENDS, so no login form can get past a lock), the `user_login_failed` /
`user_logged_in` signals (counting), and the login forms (`people.forms`), which say why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.lib import clock
from fengqiao.lib.client import client_ip
from fengqiao.lib.errors import Locked
from fengqiao.lib.protect import blind_index
from fengqiao.people.models import LoginFailure, LoginLock

AUDIT_STREAM = "people"


@dataclass(frozen=True)
class Key:
    key: str
    limit: int
    what: str  # "account" or "address": which message to show


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES)


def _lock_for() -> dt.timedelta:
    return dt.timedelta(minutes=settings.FENGQIAO_LOGIN_LOCK_MINUTES)


def account_key(username: str) -> str:
    return "account:" + (username or "").strip().lower()[:150]


def address_key(ip: str) -> str:
    return "address:" + blind_index(ip)


def keys_for(*, username: str | None, ip: str) -> list[Key]:
    out = []
    if username:
        out.append(Key(account_key(username), settings.FENGQIAO_LOGIN_FAILURES_PER_ACCOUNT, "account"))
    if ip:
        out.append(Key(address_key(ip), settings.FENGQIAO_LOGIN_FAILURES_PER_ADDRESS, "address"))
    return out


def _message(what: str, until: dt.datetime) -> str:
    at = timezone.localtime(until).strftime("%H:%M")
    if what == "account":
        return _("This account is locked after too many failed sign-ins. Try again after %(at)s, "
                 "or ask an administrator to unlock it.") % {"at": at}
    return _("Too many failed sign-ins from your network. Try again after %(at)s, "
             "or ask an administrator to unlock it.") % {"at": at}


def lock_of(keys: list[Key]) -> Locked | None:
    """The refusal to give if one of `keys` is locked now (reads only)."""
    if not keys:
        return None
    now = clock.now()
    by_key = {k.key: k for k in keys}
    lock = (LoginLock.objects.filter(key__in=list(by_key), until__gt=now).order_by("-until").first())
    if lock is None:
        return None
    return Locked(_message(by_key[lock.key].what, lock.until))


def check(*, username: str | None, request) -> None:
    """Raise `Locked` if the account or the request's address is locked."""
    refusal = lock_of(keys_for(username=username, ip=client_ip(request)))
    if refusal is not None:
        raise refusal


def record_failure(*, username: str | None, request, via: str) -> Locked | None:
    """Count one failed sign-in under its account and address; lock a key that reached its limit
    (audited). Returns the refusal if the failure locked something (or it was locked already)."""
    keys = keys_for(username=username, ip=client_ip(request))
    if not keys:
        return None
    now = clock.now()
    with transaction.atomic():
        # A key already locked does not count on: its lock stands until it runs out.
        locked_now = set(LoginLock.objects.filter(key__in=[k.key for k in keys], until__gt=now)
                         .values_list("key", flat=True))
        refusal = None
        for k in keys:
            if k.key in locked_now:
                refusal = refusal or Locked(_message(k.what, now + _lock_for()))
                continue
            LoginFailure.objects.create(key=k.key, at=now)
            failures = LoginFailure.objects.filter(key=k.key, at__gt=now - _window()).count()
            if failures < k.limit:
                continue
            until = now + _lock_for()
            LoginLock.objects.update_or_create(
                key=k.key, defaults={"until": until, "failures": failures, "created_at": now})
            # The lock holds the count now; when it runs out the key starts afresh.
            LoginFailure.objects.filter(key=k.key).delete()
            audit.record(stream=AUDIT_STREAM, action="login_locked", actor=None, details={
                "key": k.key, "what": k.what, "failures": failures, "via": via,
                "until": until.isoformat(),
            })
            refusal = refusal or Locked(_message(k.what, until))
    return refusal


def record_success(*, username: str) -> None:
    """A right password clears the account's count (not the address's)."""
    LoginFailure.objects.filter(key=account_key(username)).delete()


def unlock(*, key: str, actor) -> bool:
    """Lift the lock on `key` (an account's or an address's) and forget its failures; audited.
    Returns whether there was a lock to lift."""
    with transaction.atomic():
        deleted, _rows = LoginLock.objects.filter(key=key).delete()
        LoginFailure.objects.filter(key=key).delete()
        if deleted:
            audit.record(stream=AUDIT_STREAM, action="login_unlocked", actor=actor,
                         details={"key": key})
    return bool(deleted)


def unlock_account(*, username: str, actor) -> bool:
    return unlock(key=account_key(username), actor=actor)


def prune(*, before: dt.datetime) -> int:
    """Drop failures that no longer count and locks that ran out before `before`."""
    failures, _rows = LoginFailure.objects.filter(at__lt=before - _window()).delete()
    locks, _rows = LoginLock.objects.filter(until__lt=before).delete()
    return failures + locks


class LockoutBackend(BaseBackend):
    """First in AUTHENTICATION_BACKENDS: a locked account or address is refused before any
    password is checked (Django then fires `user_login_failed` and the form says why)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_username_field())
        if lock_of(keys_for(username=username, ip=client_ip(request))) is not None:
            raise PermissionDenied("locked")
        return None

    def get_user(self, user_id):
        # Being first, this is the backend `force_login` and `login(user)` name in the session.
        return ModelBackend().get_user(user_id)


def get_username_field() -> str:
    from django.contrib.auth import get_user_model

    return get_user_model().USERNAME_FIELD


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get("username") or credentials.get(get_username_field())
    via = "admin" if request is not None and request.path.startswith("/admin") else "page"
    record_failure(username=username, request=request, via=via)


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_success(username=user.get_username())
