"""The JSON API at /api/v1 (django-ninja). Errors are always {"code", "message"}."""

from __future__ import annotations

import copy

from django.conf import settings
from django.db import OperationalError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from fengqiao.config.unavailable import database_unavailable, unavailable_response
from fengqiao.lib.errors import DomainError
from fengqiao.lib.inputs import loads_json
from fengqiao.people import throttle
from fengqiao.people.models import ApiToken


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` for systems and scripts."""

    def authenticate(self, request: HttpRequest, token: str):
        # Wrong tokens count as failed sign-ins of the address; a locked address is refused
        # (429, code "locked") whatever token it sends.
        throttle.check(username=None, request=request)
        digest = ApiToken.digest_of(token)
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, revoked_at=None, user__is_active=True)
            .first()
        )
        if row is None:
            refusal = throttle.record_failure(username=None, request=request, via="api_token")
            if refusal is not None:
                raise refusal
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class BrowserSession(APIKeyCookie):
    """The browser's Django session (with CSRF on unsafe methods)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class CheckedJsonParser(Parser):
    """Every JSON body through `loads_json`: bounded depth, no NUL in any key or string."""

    def parse_body(self, request: HttpRequest):
        return loads_json(request.body)


ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "description": "Every error of the API: a stable `code`, a human `message` (Chinese unless the "
                   "language cookie says otherwise), and for bad input the `field` it concerns.",
    "properties": {
        "code": {"type": "string", "examples": ["invalid"]},
        "message": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "required": ["code", "message"],
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_ERROR_DESCRIPTIONS = {
    400: "Bad input (named in `field`): malformed JSON, a NUL character, a value out of bounds",
    401: "No or a wrong credential",
    403: "The user's posts do not allow this",
    404: "Not found, or outside the user's scope",
    413: "The body is too large",
    429: "Too many requests",
}


def _hoist_defs(node, defs: dict) -> None:
    """Move pydantic's `$defs` (left in hand-written request schemas) into the components, so
    every `$ref` resolves."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$defs"), dict):
                defs.update(item.pop("$defs"))
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                item["$ref"] = "#/components/schemas/" + ref[len("#/$defs/"):]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class FengqiaoAPI(NinjaAPI):
    """NinjaAPI whose document declares the error answers every operation can give."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # A copy: hand-written schemas in `openapi_extra` are shared objects, edited below.
        doc = copy.deepcopy(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
        components = doc.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        defs: dict = {}
        _hoist_defs(doc["paths"], defs)
        _hoist_defs(schemas, defs)
        for name, schema in defs.items():
            schemas.setdefault(name, schema)
        schemas["ErrorOut"] = ERROR_SCHEMA
        for operations in doc["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                codes = {400, 404}  # every input may be refused; unknown ids and scope are 404s
                if operation.get("security"):
                    codes |= {401, 403}
                codes |= {int(c) for c in responses if 400 <= int(c) < 500}
                codes |= set(operation.pop("x-fengqiao-errors", []))
                for code in sorted(codes):
                    responses.pop(str(code), None)
                    responses[code] = {"description": _ERROR_DESCRIPTIONS.get(code, "Error"),
                                       "content": {"application/json": {"schema": _ERROR_REF}}}
        return doc


api = FengqiaoAPI(
    parser=CheckedJsonParser(),
    title="Fengqiao API",
    version="1",
    description="枫桥 grassroots-governance platform: events, their closed loop, and the people bound to them.",
    urls_namespace="api-v1",
    auth=[BearerToken(), BrowserSession(csrf=True)],
)


def _error(request, code: str, message: str, status: int, **extra):
    body = {"code": code, "message": message, **{k: v for k, v in extra.items() if v is not None}}
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.code, exc.message, exc.status, field=exc.field)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = ".".join(str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query"))
    message = f"{loc}: {first.get('msg', 'invalid input')}" if loc else first.get("msg", "invalid input")
    return _error(request, "invalid", message, 400, errors=[
        {"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg", "")}
        for e in exc.errors
    ])


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, "unauthenticated", "Sign in or send Authorization: Bearer <token>.", 401)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, "not_found", "Not found.", 404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # ninja wraps what the body parser raised
        return on_domain_error(request, exc.__cause__)
    codes = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited"}
    return _error(request, codes.get(exc.status_code, "error"), str(exc), exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    # A 500 is a bug: log it whole, answer in the API's shape without internals.
    import logging

    logging.getLogger("fengqiao.api").exception("unhandled error on %s", request.path)
    return _error(request, "server_error", "Internal error; it has been logged.", 500)


@api.exception_handler(OperationalError)
def on_database_error(request, exc: OperationalError):
    # The database refused the connection or the pool had none free: 503, try again; else a bug.
    if database_unavailable(exc):
        return unavailable_response(request, exc)
    return on_unexpected(request, exc)


def _register_routers() -> None:
    from fengqiao.citizen.api import router as citizen_router
    from fengqiao.command.api import router as command_router
    from fengqiao.command.map_api import router as command_map_router
    from fengqiao.events.api import router as events_router
    from fengqiao.grid.api import router as grid_router
    from fengqiao.imports.api import router as imports_router
    from fengqiao.incentives.api import router as incentives_router
    from fengqiao.intake import desk_api  # noqa: F401  (POST /events, on the events router)
    from fengqiao.intake.api import router as intake_router
    from fengqiao.majors.api import router as majors_router
    from fengqiao.mediation.api import router as mediation_router
    from fengqiao.notify.api import router as notify_router
    from fengqiao.open311.api import router as open311_router
    from fengqiao.people.shapes_api import router as shapes_router
    from fengqiao.petitions.api import router as petitions_router
    from fengqiao.regions.api import router as regions_router
    from fengqiao.stationing.api import router as stationing_router
    from fengqiao.supervision.api import router as supervision_router
    from fengqiao.triage.api import router as triage_router

    api.add_router("", events_router)
    api.add_router("", notify_router)
    api.add_router("", regions_router)
    api.add_router("", shapes_router)
    api.add_router("", intake_router)
    api.add_router("", citizen_router)
    api.add_router("", open311_router)
    api.add_router("", imports_router)
    api.add_router("", mediation_router)
    api.add_router("", petitions_router)
    api.add_router("", majors_router)
    api.add_router("", stationing_router)
    api.add_router("", triage_router)
    api.add_router("", grid_router)
    api.add_router("", incentives_router)
    api.add_router("", command_router)
    api.add_router("", command_map_router)
    api.add_router("", supervision_router)


_register_routers()
