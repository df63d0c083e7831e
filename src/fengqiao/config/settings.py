"""Fengqiao settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from fengqiao.lib.env import (
    ImproperEnvironment,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_repo_root = PACKAGE_DIR.parent.parent
# FENGQIAO_HOME holds var/ (database, media, huey) and node_modules/ (front-end packages).
BASE_DIR = Path(
    env_str("FENGQIAO_HOME", str(_repo_root if (_repo_root / "pyproject.toml").exists() else Path.cwd()))
)
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
# The switch for a real deployment (README "Production"): https behind a TLS-terminating proxy,
# secure cookies, HSTS, hashed static files. Off (the default) the demo runs on http://127.0.0.1.
FENGQIAO_PRODUCTION = env_bool("FENGQIAO_PRODUCTION", False)
if FENGQIAO_PRODUCTION and (DEBUG or SECRET_KEY == _DEV_SECRET):
    raise ImproperEnvironment("FENGQIAO_PRODUCTION needs DEBUG off and a SECRET_KEY of its own")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "csp",
    "fengqiao.config",
    "fengqiao.audit",
    "fengqiao.regions",
    "fengqiao.people",
    "fengqiao.workflow",
    "fengqiao.events",
    "fengqiao.notify",
    "fengqiao.intake",
    "fengqiao.citizen",
    "fengqiao.open311",
    "fengqiao.imports",
    "fengqiao.mediation",
    "fengqiao.petitions",
    "fengqiao.majors",
    "fengqiao.stationing",
    "fengqiao.triage",
    "fengqiao.grid",
    "fengqiao.incentives",
    "fengqiao.command",
    "fengqiao.supervision",
    "fengqiao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (see below)
    # Static files served by the platform itself (closed government networks: no CDN, no nginx needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fengqiao.config.middleware.ChineseUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # NUL characters refused in every path, query and form; every error under /api/ as JSON.
    "fengqiao.config.request_checks.RejectBadInputMiddleware",
    # A database that cannot be reached answers 503 (JSON under /api/), not 500.
    "fengqiao.config.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "fengqiao.config.urls"
WSGI_APPLICATION = "fengqiao.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fengqiao.db'}"), BASE_DIR
    )
}
# PostgreSQL connections come from a pool in each process (psycopg_pool through Django), at most
# FENGQIAO_DB_POOL_SIZE each: `fengqiao serve` opens at most (web processes + 1) × that many, and
# a connection idle for FENGQIAO_DB_POOL_MAX_IDLE seconds beyond the first is closed. A request
# that finds no free connection within FENGQIAO_DB_POOL_TIMEOUT seconds is answered 503. 0 turns
# the pool off (a connection per request, for a pgbouncer in front).
FENGQIAO_DB_POOL_SIZE = env_int("FENGQIAO_DB_POOL_SIZE", 8, low=0)
FENGQIAO_DB_POOL_TIMEOUT = env_float("FENGQIAO_DB_POOL_TIMEOUT", 10.0, low=0.01)
FENGQIAO_DB_POOL_MAX_IDLE = env_float("FENGQIAO_DB_POOL_MAX_IDLE", 60.0, low=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    if FENGQIAO_DB_POOL_SIZE:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1, "max_size": FENGQIAO_DB_POOL_SIZE, "timeout": FENGQIAO_DB_POOL_TIMEOUT,
            "max_idle": FENGQIAO_DB_POOL_MAX_IDLE,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A locked account or address is refused before any password is checked (people/throttle.py).
AUTHENTICATION_BACKENDS = [
    "fengqiao.people.throttle.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
FENGQIAO_LOGIN_FAILURES_PER_ACCOUNT = env_int("FENGQIAO_LOGIN_FAILURES_PER_ACCOUNT", 5, low=1)
FENGQIAO_LOGIN_FAILURES_PER_ADDRESS = env_int("FENGQIAO_LOGIN_FAILURES_PER_ADDRESS", 20, low=1)
FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES = env_int("FENGQIAO_LOGIN_FAILURE_WINDOW_MINUTES", 15, low=1)
FENGQIAO_LOGIN_LOCK_MINUTES = env_int("FENGQIAO_LOGIN_LOCK_MINUTES", 15, low=1)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"

# Times are stored in UTC and shown in Asia/Shanghai.
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("FENGQIAO_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Entries are directories or (prefix, directory) pairs.
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [PACKAGE_DIR / "static"]
# Front-end packages come from the npm registry at setup (package.json) and are served by the
# platform itself: no CDN at run time, no third-party code in the repository.
_NODE = BASE_DIR / "node_modules"
for _prefix, _dir in [
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
]:
    if _dir.exists():
        STATICFILES_DIRS.append((_prefix, _dir))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files: from the source directories as they are (tests, development: no collectstatic
# needed), or — FENGQIAO_STATIC_FROM_SOURCE=false, the default in production and what `./dev demo`
# serves — from STATIC_ROOT as `collectstatic` left them, under hashed names (app.3f2a….css) with
# gzip/brotli copies, which whitenoise sends with a year's cache lifetime.
FENGQIAO_STATIC_FROM_SOURCE = env_bool("FENGQIAO_STATIC_FROM_SOURCE", not FENGQIAO_PRODUCTION)
WHITENOISE_USE_FINDERS = FENGQIAO_STATIC_FROM_SOURCE
if not FENGQIAO_STATIC_FROM_SOURCE:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
MEDIA_URL = "media/"
MEDIA_ROOT = env_str("FENGQIAO_MEDIA_ROOT", str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FENGQIAO_MAX_ATTACHMENT_BYTES = env_int("FENGQIAO_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)

# Personal data (phones, ID numbers) is encrypted at rest with this key (defaults to one derived
# from SECRET_KEY; set it separately in production so SECRET_KEY can rotate).
FENGQIAO_DATA_KEY = env_str("FENGQIAO_DATA_KEY", "")
# The blind index of phones (exact lookups without decrypting) has a key of its own; unset, it is
# derived from the data key's text for development (lib/protect.py). Production needs both set,
# and different (a system check). While `fengqiao rotate_keys` runs, the previous data key.
FENGQIAO_BLIND_INDEX_KEY = env_str("FENGQIAO_BLIND_INDEX_KEY", "")
FENGQIAO_DATA_KEY_OLD = env_str("FENGQIAO_DATA_KEY_OLD", "")
# The audit record's checkpoints (`verify_audit --incremental`) are signed with this key (unset:
# one derived from SECRET_KEY). Keep it off the database server: a rewrite of the record that
# also rewrites the checkpoints cannot sign them.
FENGQIAO_AUDIT_KEY = env_str("FENGQIAO_AUDIT_KEY", "")

# Text messages: console (default), file, aliyun, tencent.
FENGQIAO_SMS_BACKEND = env_str("FENGQIAO_SMS_BACKEND", "console")
FENGQIAO_SMS_FILE = env_str("FENGQIAO_SMS_FILE", str(VAR_DIR / "sms.log"))
FENGQIAO_SMS_SIGN_NAME = env_str("FENGQIAO_SMS_SIGN_NAME", "枫桥平台")
FENGQIAO_SMS_TIMEOUT = env_int("FENGQIAO_SMS_TIMEOUT", 10)  # seconds per provider call
# Aliyun SMS (SendSms, RPC signature v1) and Tencent Cloud SMS (SendSms, TC3-HMAC-SHA256); see
# fengqiao/notify/backends.py. *_TEMPLATE_CODE / *_TEMPLATE_ID is the default provider template;
# *_TEMPLATE_CODES / *_TEMPLATE_IDS map our template names to others ("overdue=SMS_1,urged=SMS_2").
FENGQIAO_ALIYUN_ACCESS_KEY_ID = env_str("FENGQIAO_ALIYUN_ACCESS_KEY_ID", "")
FENGQIAO_ALIYUN_ACCESS_KEY_SECRET = env_str("FENGQIAO_ALIYUN_ACCESS_KEY_SECRET", "")
FENGQIAO_ALIYUN_ENDPOINT = env_str("FENGQIAO_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
FENGQIAO_ALIYUN_REGION = env_str("FENGQIAO_ALIYUN_REGION", "cn-hangzhou")
FENGQIAO_ALIYUN_TEMPLATE_CODE = env_str("FENGQIAO_ALIYUN_TEMPLATE_CODE", "")
FENGQIAO_ALIYUN_TEMPLATE_CODES = env_str("FENGQIAO_ALIYUN_TEMPLATE_CODES", "")
FENGQIAO_TENCENT_SECRET_ID = env_str("FENGQIAO_TENCENT_SECRET_ID", "")
FENGQIAO_TENCENT_SECRET_KEY = env_str("FENGQIAO_TENCENT_SECRET_KEY", "")
FENGQIAO_TENCENT_SDK_APP_ID = env_str("FENGQIAO_TENCENT_SDK_APP_ID", "")
FENGQIAO_TENCENT_TEMPLATE_ID = env_str("FENGQIAO_TENCENT_TEMPLATE_ID", "")
FENGQIAO_TENCENT_TEMPLATE_IDS = env_str("FENGQIAO_TENCENT_TEMPLATE_IDS", "")
FENGQIAO_TENCENT_ENDPOINT = env_str("FENGQIAO_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/")
FENGQIAO_TENCENT_REGION = env_str("FENGQIAO_TENCENT_REGION", "ap-guangzhou")
# Webhook deliveries are signed with HMAC-SHA256 under this secret (X-Fengqiao-Signature).
FENGQIAO_WEBHOOK_SECRET = env_str("FENGQIAO_WEBHOOK_SECRET", "")
FENGQIAO_DEADLINE_WARNING_HOURS = env_int("FENGQIAO_DEADLINE_WARNING_HOURS", 24)
FENGQIAO_SITE_URL = env_str("FENGQIAO_SITE_URL", "http://127.0.0.1:8000")

# Maps: a Leaflet tile URL template (an intranet Tianditu mirror, say); empty: no base layer, the
# maps draw the platform's own village and grid outlines (closed networks reach no tile server).
FENGQIAO_MAP_TILES = env_str("FENGQIAO_MAP_TILES", "")

# Intake channels (see README "Channels").
FENGQIAO_PUBLIC_COUNTY = env_str("FENGQIAO_PUBLIC_COUNTY", "")  # the county the public report page serves
FENGQIAO_CITIZEN_MAX_PHOTOS = env_int("FENGQIAO_CITIZEN_MAX_PHOTOS", 6)
FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP = env_int("FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP", 20)
FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE = env_int("FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE", 5)
FENGQIAO_TRUSTED_PROXIES = env_int("FENGQIAO_TRUSTED_PROXIES", 0)  # hops of X-Forwarded-For to trust
FENGQIAO_INTAKE_CATEGORY_CONFIDENCE = env_float("FENGQIAO_INTAKE_CATEGORY_CONFIDENCE", 0.5, low=0, high=1)
FENGQIAO_INTAKE_FALLBACK_CATEGORY = env_str("FENGQIAO_INTAKE_FALLBACK_CATEGORY", "other")
FENGQIAO_INTAKE_MAX_BODY_BYTES = env_int("FENGQIAO_INTAKE_MAX_BODY_BYTES", 2 * 1024 * 1024)
FENGQIAO_TRIAGE_TRAIN_LIMIT = env_int("FENGQIAO_TRIAGE_TRAIN_LIMIT", 200_000)
FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS = env_int("FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS", 10)

# Background work on Huey: SQLite storage by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
_HUEY_IMMEDIATE = env_bool("FENGQIAO_HUEY_IMMEDIATE", False)
HUEY: dict[str, Any]  # huey.contrib.djhuey reads this; values are of mixed types
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("FENGQIAO_HUEY_NAME", "fengqiao"),
        "url": REDIS_URL,
        "immediate": _HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "fengqiao",
        "filename": env_str("FENGQIAO_HUEY_FILE", str(VAR_DIR / "huey.db")),
        "immediate": _HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Configured here so `run_huey` adds no handler of its own (each line would print twice).
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if FENGQIAO_PRODUCTION:
    # The proxy terminates TLS and sets X-Forwarded-Proto (it must overwrite what a client sent).
    # Without that header Django cannot tell https from http, so the redirect is off too (the
    # proxy must redirect http itself; `check --deploy` then warns W008).
    FENGQIAO_BEHIND_TLS_PROXY = env_bool("FENGQIAO_BEHIND_TLS_PROXY", True)
    if FENGQIAO_BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = FENGQIAO_BEHIND_TLS_PROXY
    SECURE_HSTS_SECONDS = env_int("FENGQIAO_HSTS_SECONDS", 365 * 24 * 3600, low=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FENGQIAO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("FENGQIAO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True


def _tile_source(template: str) -> list[str]:
    """The CSP source of the tile server: 'https://t{s}.tianditu.gov.cn/…' → 'https://*.tianditu.gov.cn'."""
    if not template:
        return []
    from urllib.parse import urlsplit

    parts = urlsplit(template.replace("{s}", "a"))
    host = parts.netloc
    if "{s}" in template.split("//", 1)[-1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1]
    return [f"{parts.scheme}://{host}"] if parts.scheme and host else []


# Content-Security-Policy (django-csp): the pages load scripts, styles, fonts and data from the
# platform only and run no inline script; images may also be data:/blob: URLs (the maps and charts
# draw them) and come from the tile server of FENGQIAO_MAP_TILES; no page may be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_tile_source(FENGQIAO_MAP_TILES)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
