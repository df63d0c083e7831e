"""A database that cannot be reached answers 503 (try again), not 500 (a bug).

"Cannot be reached" is narrow on purpose: PostgreSQL refusing or dropping the connection (SQLSTATE
class 08, too many connections 53300, shutting down 57P01–57P03, or no SQLSTATE at all: nothing
answered), the pool finding no free connection within FENGQIAO_DB_POOL_TIMEOUT (PoolTimeout) or
refusing more waiters, and SQLite's file locked past its busy timeout or not openable. Any other
OperationalError (a statement timeout, a missing table) stays a 500: it is a defect to fix.

Under /api/ the answer is the API's JSON `{"code": "unavailable", "message"}`; elsewhere a plain
503 page that needs no database. Both carry `Retry-After`. The API's own handler
(`config/api.py`) and `DatabaseUnavailableMiddleware` (pages) call `unavailable_response`.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("fengqiao.unavailable")

RETRY_AFTER_SECONDS = 30
_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")
_SQLITE_MESSAGES = ("database is locked", "unable to open database file")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (as Django raises it) says the database could not be reached."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    try:
        import psycopg
        from psycopg_pool import PoolTimeout, TooManyRequests
    except ImportError:  # SQLite-only installs
        psycopg = None  # type: ignore[assignment]
    if psycopg is not None:
        if isinstance(cause, PoolTimeout | TooManyRequests):
            return True
        if isinstance(cause, psycopg.OperationalError):
            state = cause.sqlstate
            return state is None or state.startswith(_SQLSTATES)
    message = str(exc).lower()
    return any(m in message for m in _SQLITE_MESSAGES)


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.error("database unavailable on %s %s: %s", request.method, request.path, exc)
    message = _("The database cannot be reached just now; please try again in a minute.")
    if request.path.startswith("/api/"):
        from fengqiao.config.request_checks import api_error

        response: HttpResponse = api_error(503, message, code="unavailable")
    else:
        # No request context: the page must not need the database (no user, no session).
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's (or a template's) unreachable-database error into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None
