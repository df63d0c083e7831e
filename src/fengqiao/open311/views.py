"""The Open311 GeoReport v2 endpoints at /open311/v2/ (plain Django views: the spec has its own
error shape and XML). Every endpoint answers in the format its URL names (.xml or .json); every
failure is the spec's `<errors>` list with the HTTP status the spec gives (404 for what does not
exist, 403 for a missing or wrong api_key, 400 for anything else the client sent wrong, 500 for a
fault of ours, which is logged) — never an HTML page. Input is checked before it is used: a NUL in
any field is a 400 (the request middleware for the query and forms, `lib.inputs` for JSON), XML is
parsed by defusedxml."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from fengqiao.intake.models import IntakeSystem
from fengqiao.intake.queries import system_for_key
from fengqiao.lib import clock
from fengqiao.open311 import queries
from fengqiao.open311.actions import open311_request_submit
from fengqiao.open311.errors import Open311Error
from fengqiao.open311.formats import FORMATS, MIME_TYPES, Many, parse_w3c, render, render_errors
from fengqiao.open311.models import Service
from fengqiao.open311.parsing import read_submission

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Check the format and the method, and turn every failure into the spec's error list."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @csrf_exempt  # no session or cookie is used: POST is authorised by its api_key alone
        @functools.wraps(view)
        def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                return render_errors("xml", 404, [(404, _("Format “%(f)s” is not offered: use .xml or .json.")
                                                   % {"f": fmt[:20]})])
            if request.method not in allowed:
                response = render_errors(fmt, 405, [(405, _("Method %(m)s is not allowed here.")
                                                     % {"m": request.method})])
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render_errors(fmt, exc.status, exc.errors)
            except Exception:
                # A bug of ours, not the client's: a 500 in the spec's error shape, logged whole.
                logger.exception("Open311 %s %s failed", request.method, request.path)
                return render_errors(fmt, 500, [(500, _("General service error; it has been logged."))])

        return wrapped

    return decorate


def _viewer(request: HttpRequest) -> IntakeSystem | None:
    """The sending system when a GET carries its api_key (it then sees its own requests whole)."""
    raw = request.GET.get("api_key", "").strip()
    if not raw:
        return None
    system = system_for_key(raw)
    if system is None:
        raise Open311Error(403, _("Invalid api_key."))
    return system


# ----------------------------------------------------------------------------------- discovery


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changed = Service.objects.aggregate(last=Max("updated_at"))["last"] or clock.now()
    body = {
        "changeset": changed,
        "contact": _("For help with this interface, contact the county command centre."),
        "key_service": _("API keys are issued by the platform's administrator as a sending system "
                         "(Django admin → Sending systems)."),
        "endpoints": Many("endpoint", [{
            "specification": SPECIFICATION,
            "url": request.build_absolute_uri(reverse("open311_root")).rstrip("/"),
            "changeset": changed,
            "type": "production",
            "formats": Many("format", MIME_TYPES),
        }]),
    }
    return render(fmt, "discovery", body)


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """The endpoint's root serves the discovery document (XML, the required format)."""
    return discovery(request, "xml")


# ------------------------------------------------------------------------------------ services


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", queries.service_list_body(list(queries.offered_services())))


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    service = queries.service_by_code(service_code)
    if service is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code[:64]})
    body = queries.service_definition_body(service, queries.active_attributes(service))
    return render(fmt, "service_definition", body)


# ------------------------------------------------------------------------------------ requests


def _comma_list(request: HttpRequest, name: str) -> list[str]:
    raw = ",".join(request.GET.getlist(name))
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _filters(request: HttpRequest) -> queries.RequestFilters:
    errors: list[str] = []
    ids = _comma_list(request, "service_request_id")
    if len(ids) > queries.MAX_IDS:
        errors.append(_("Ask for at most %(n)d service_request_id at once.") % {"n": queries.MAX_IDS})
    codes = _comma_list(request, "service_code")
    if codes and not ids:
        known = set(Service.objects.filter(code__in=codes).values_list("code", flat=True))
        errors += [_("service_code %(code)s was not found.") % {"code": c[:64]} for c in codes if c not in known]
    statuses = [s.lower() for s in _comma_list(request, "status")]
    if not ids:
        errors += [_("status “%(s)s” is not open or closed.") % {"s": s[:20]}
                   for s in statuses if s not in ("open", "closed")]
    dates = {}
    for name in ("start_date", "end_date"):
        raw = request.GET.get(name, "").strip()
        if raw and not ids:
            try:
                dates[name] = parse_w3c(raw)
            except ValueError:
                errors.append(_("%(name)s “%(v)s” is not a W3C date such as 2026-11-01T00:00:00+08:00.")
                              % {"name": name, "v": raw[:40]})
    start, end = dates.get("start_date"), dates.get("end_date")
    if start and end:
        if start > end:
            errors.append(_("start_date is after end_date."))
        elif end - start > queries.DEFAULT_WINDOW:
            errors.append(_("start_date and end_date may not span more than 90 days."))
    if errors:
        raise Open311Error.many(400, errors)
    return queries.RequestFilters(ids=tuple(ids), service_codes=tuple(codes), start=start, end=end,
                                  statuses=tuple(statuses))


@endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    viewer = _viewer(request)
    rows = queries.find_requests(_filters(request))
    return render(fmt, "service_requests", queries.requests_body(rows, viewer))


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    submission = read_submission(request)
    raw_key = (submission.fields.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw_key:
        raise Open311Error(403, _("api_key was not provided: a key is required to create a request."))
    system = system_for_key(raw_key)
    if system is None:
        raise Open311Error(403, _("Invalid api_key: no active sending system holds it."))
    received = open311_request_submit(
        system=system, submission=submission, actor=None,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    row = received.request
    answer: dict[str, object] = (
        {"token": row.token} if row.service.type == "batch" else {"service_request_id": row.event.code}
    )
    answer["service_notice"] = row.service.service_notice or None
    answer["account_id"] = row.account_id or None
    return render(fmt, "service_requests", Many("request", [answer]))


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    viewer = _viewer(request)
    row = queries.request_by_id(service_request_id)
    if row is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": service_request_id[:64]})
    return render(fmt, "service_requests", queries.requests_body([row], viewer))


@endpoint("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    row = queries.request_by_token(token)
    if row is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token[:64]})
    return render(fmt, "service_requests", Many("request", [
        {"service_request_id": row.event.code, "token": row.token}
    ]))


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, in JSON when the path asks for it."""
    fmt = "json" if path.endswith(".json") else "xml"
    return render_errors(fmt, 404, [(404, _("There is no Open311 resource at this URL."))])
