"""The checks every request passes before any view reads it, and the JSON shape of every error
under /api/.

`RejectBadInputMiddleware` (one place for every router, page and form):

- a NUL character (U+0000) in the path, a query-string name or value, a form field or an
  uploaded file's name is refused with a 400 naming the field — JSON `{"code", "message",
  "field"}` under /api/, the spec's `<errors>` under /open311/, a 400 page elsewhere — before
  PostgreSQL (which cannot store it) or SQLite (which stores it silently) sees it. JSON bodies are
  checked where they are parsed (`lib.inputs.loads_json`).
- any error response under /api/ that is not already JSON (Django's 404 for an unknown path, the
  405 of a wrong method, a 500 page, a CSRF 403) is answered as JSON `{"code", "message"}` with
  the same status (and the `Allow` header of a 405).
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from fengqiao.lib.inputs import NUL, first_nul, nul_message

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"

_CODES = {
    400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited",
}


def _messages() -> dict[int, str]:
    return {
        400: _("Bad request."),
        403: _("Forbidden (with a browser session, send the CSRF token; or use a Bearer token)."),
        404: _("There is no API endpoint at this path."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        500: _("Internal error; it has been logged."),
    }


def api_error(status: int, message: str, *, code: str | None = None, field: str | None = None) -> JsonResponse:
    body = {"code": code or _CODES.get(status, "server_error" if status >= 500 else "error"), "message": message}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field_with_nul(request: HttpRequest) -> str | None:
    if NUL in request.path_info:
        return "path"
    name = first_nul((k, v) for k in request.GET for v in request.GET.getlist(k))
    if name is not None:
        return name
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        name = first_nul((k, v) for k in request.POST for v in request.POST.getlist(k))
        if name is not None:
            return name
        return first_nul((k, f.name or "") for k in request.FILES for f in request.FILES.getlist(k))
    return None


def _refuse(request: HttpRequest, field: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_error(400, message, field=field)
    if request.path.startswith(OPEN311_PREFIX):
        from fengqiao.open311.formats import render_errors

        return render_errors("json" if request.path.endswith(".json") else "xml", 400, [(400, message)])
    html = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(html, status=400)


class RejectBadInputMiddleware:
    """Goes first after SecurityMiddleware, so it sees (and shapes) every response, including the
    CSRF middleware's 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = _field_with_nul(request)
        except (MultiPartParserError, SuspiciousOperation) as exc:  # a torn upload, too many fields
            return _refuse(request, "body", _("The request body could not be read: %(e)s") % {"e": exc})
        if field is not None:
            return _refuse(request, field, nul_message(field))
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and response.status_code >= 400 and not _is_json(response):
            shaped = api_error(response.status_code, _messages().get(
                response.status_code, _("The request failed (HTTP %(s)d).") % {"s": response.status_code}))
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"
