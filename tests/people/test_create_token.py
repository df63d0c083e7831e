"""`fengqiao create_token USERNAME [--name NAME]` and the token against the API."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fengqiao.people.models import ApiToken


def _create(*args) -> str:
    out = io.StringIO()
    call_command("create_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_a_created_token_authenticates_against_the_worklist(world, client):
    raw = _create("secretary_a", "--name", "脚本")

    r = client.get("/api/v1/me/worklist", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert r.status_code == 200, r.content
    assert "counts" in r.json()
    token = ApiToken.objects.get()
    assert token.user == world.secretary_a.user and token.name == "脚本"
    assert token.last_used_at is not None


def test_a_wrong_token_is_401(world, client):
    _create("secretary_a")
    r = client.get("/api/v1/me/worklist", HTTP_AUTHORIZATION="Bearer fq_not-a-token")
    assert r.status_code == 401


def test_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        _create("nobody")
    assert ApiToken.objects.count() == 0


def test_an_inactive_user_gets_no_token(world):
    user = world.secretary_b.user
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="inactive"):
        _create(user.username)
