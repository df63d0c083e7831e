"""FENGQIAO_PRODUCTION: the deployment checks pass, and the demo on http://127.0.0.1 still works
without it. Every response carries the Content-Security-Policy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FENGQIAO_", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="fengqiao.config.settings",
        FENGQIAO_PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        FENGQIAO_DATA_KEY=secrets.token_urlsafe(32),
        FENGQIAO_BLIND_INDEX_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="fengqiao.xianyou.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://fengqiao.xianyou.gov.cn",
        DEBUG="false",
    )
    env.update(extra)
    return env


def _fengqiao(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fengqiao.config.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_finds_nothing_to_warn_about_with_the_production_settings():
    result = _fengqiao("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_refuses_to_start_with_the_development_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = _fengqiao("check", env=env)
    assert result.returncode != 0
    assert "FENGQIAO_PRODUCTION needs DEBUG off and a SECRET_KEY of its own" in result.stderr


def test_production_settings_trust_the_proxys_https_and_serve_hashed_static_files():
    script = ("from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, "
              "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
              "s.SECURE_HSTS_SECONDS, s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)")
    result = _fengqiao("shell", "-v", "0", "-c", script, env=_production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True", "True", "31536000",
        "whitenoise.storage.CompressedManifestStaticFilesStorage", "False",
    ]


@pytest.mark.django_db
def test_the_demo_on_plain_http_is_served_without_a_redirect_and_with_the_csp(client):
    response = client.get("/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'"):
        assert directive in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_api_answers_carry_the_csp_too(client):
    response = client.get("/api/v1/me/notifications")
    assert response.status_code == 401
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(("template", "source"), [
    ("", []),
    ("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}", ["https://*.tianditu.gov.cn"]),
    ("http://10.20.0.5:8080/tiles/{z}/{x}/{y}.png", ["http://10.20.0.5:8080"]),
])
def test_the_map_tile_server_is_the_one_other_image_source(template, source):
    from fengqiao.config.settings import _tile_source

    assert _tile_source(template) == source


def test_no_template_carries_inline_script_handlers_or_styles():
    import re
    from pathlib import Path

    import fengqiao

    root = Path(fengqiao.__file__).parent
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text("utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
                        r"\son[a-z]+=\"", r"\sstyle=\"", r"<style"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(root)}: {pattern}")
    assert not offenders, offenders
