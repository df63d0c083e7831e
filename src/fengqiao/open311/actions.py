"""Open311 writes: a POSTed service request becomes an event through the intake door.

`open311_request_submit` checks everything first — the service, the location, each attribute
against the service definition, the optional fields — and reports every problem at once (the
spec's error list). Only then, in one durable transaction, the report goes through
`intake_submit_nested` (routing, dispatch, triage) and our `ServiceRequest` row is written beside
the event. Any error inside rolls both back: nothing half-written.

Idempotency: GeoReport has no request id of the client's, so a POST makes a new request. A client
that retries may send an `Idempotency-Key` header; the key becomes the intake ticket id (namespaced
"open311:"), and the same key from the same system answers with the earlier request.
"""

from __future__ import annotations

import decimal
import math
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.events.models import Source
from fengqiao.intake.actions import IntakeResult, Report, intake_submit_nested
from fengqiao.intake.models import IntakeSystem
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.lib.inputs import NUL, nul_message
from fengqiao.open311 import queries
from fengqiao.open311.errors import Open311Error
from fengqiao.open311.formats import parse_w3c, w3c
from fengqiao.open311.models import Datatype, Service, ServiceAttribute, ServiceRequest
from fengqiao.open311.parsing import Submission
from fengqiao.regions.models import Region

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_STRING = 500
MAX_IDEMPOTENCY_KEY = 80
TITLE_EXCERPT = 40


@dataclass
class Received:
    request: ServiceRequest
    created: bool  # False: the same Idempotency-Key was sent before
    intake: IntakeResult | None


@dataclass
class _Checked:
    service: Service
    latitude: float | None
    longitude: float | None
    address: str
    address_id: str
    region: Region | None
    attributes: dict[str, Any]
    attribute_lines: list[str]
    description: str
    email: str
    phone: str
    name: str
    media_url: str
    device_id: str
    account_id: str


def _field(sub: Submission, name: str) -> str:
    return (sub.fields.get(name) or "").strip()


def _float(raw: str, name: str, errors: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        errors.append(_("“%(field)s” must be a number, not “%(v)s”.") % {"field": name, "v": raw[:40]})
        return None
    if not math.isfinite(value):
        errors.append(_("“%(field)s” must be a number, not “%(v)s”.") % {"field": name, "v": raw[:40]})
        return None
    return value


def _limit(value: str, name: str, limit: int, errors: list[str]) -> str:
    if len(value) > limit:
        errors.append(_("“%(field)s” is longer than %(n)d characters.") % {"field": name, "n": limit})
        return value[:limit]
    return value


def reporter_name(first: str, last: str) -> str:
    """Chinese names are family name first (“柯” + “明”); others “first last”."""
    if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def _check_location(sub: Submission, errors: list[str]) -> tuple[float | None, float | None, str, str, Region | None]:
    lat_raw, long_raw = _field(sub, "lat"), _field(sub, "long")
    address = _limit(_field(sub, "address_string"), "address_string", 300, errors)
    address_id = _limit(_field(sub, "address_id"), "address_id", 100, errors)
    latitude = longitude = None
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            errors.append(_("Send both “lat” and “long”, or neither."))
        else:
            latitude, longitude = _float(lat_raw, "lat", errors), _float(long_raw, "long", errors)
            if latitude is not None and longitude is not None and not (
                -90 <= latitude <= 90 and -180 <= longitude <= 180
            ):
                errors.append(_("“lat” and “long” are not a point on Earth (WGS84 degrees)."))
                latitude = longitude = None
    region = None
    if address_id:
        # Our master address repository: the division and grid codes (12-digit village codes …).
        region = Region.objects.filter(code=address_id).first()
        if region is None:
            errors.append(_("“address_id” %(id)s is not a known place code.") % {"id": address_id})
        elif region.retired_at is not None:
            errors.append(_("“address_id” %(id)s is a retired place code.") % {"id": address_id})
    if not (lat_raw or long_raw or address or address_id):
        errors.append(_("A location is required: “lat” and “long”, “address_string” or “address_id”."))
    return latitude, longitude, address, address_id, region


def _check_attribute(attribute: ServiceAttribute, given: list[str], errors: list[str]) -> tuple[Any, str] | None:
    """The stored value and the line shown to the handlers, or None when not given."""
    label = f"attribute[{attribute.code}]"
    values = [v.strip() for v in given if v is not None and v.strip()]
    if not values:
        if attribute.required:
            errors.append(_("%(label)s (%(description)s) is required.")
                          % {"label": label, "description": attribute.description})
        return None
    if attribute.datatype != Datatype.MULTIVALUELIST and len(values) > 1:
        errors.append(_("%(label)s takes one value.") % {"label": label})
        return None
    value = values[0]
    kind = attribute.datatype
    if kind in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
        names = {v.key: v.name for v in attribute.values.all()}
        unknown = [v for v in values if v not in names]
        if unknown:
            errors.append(_("%(label)s: “%(v)s” is not one of %(keys)s.")
                          % {"label": label, "v": unknown[0][:40], "keys": ", ".join(names)})
            return None
        if kind == Datatype.SINGLEVALUELIST:
            return value, names[value]
        chosen = list(dict.fromkeys(values))
        return chosen, "、".join(names[v] for v in chosen)
    if kind == Datatype.NUMBER:
        try:
            number = decimal.Decimal(value)
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            errors.append(_("%(label)s must be a number, not “%(v)s”.") % {"label": label, "v": value[:40]})
            return None
        stored: int | float = int(number) if number == number.to_integral_value() else float(number)
        return stored, str(stored)
    if kind == Datatype.DATETIME:
        try:
            moment = parse_w3c(value)
        except ValueError:
            errors.append(_("%(label)s must be a W3C date and time such as 2026-11-22T09:30:00+08:00, not “%(v)s”.")
                          % {"label": label, "v": value[:40]})
            return None
        return w3c(moment), w3c(moment)
    if kind == Datatype.STRING:
        if "\n" in value or "\r" in value:
            errors.append(_("%(label)s is one line of text.") % {"label": label})
            return None
        value = _limit(value, label, MAX_STRING, errors)
        return value, value
    value = _limit(value, label, MAX_DESCRIPTION, errors)  # text
    return value, value


def _check(service: Service, sub: Submission) -> _Checked:
    errors: list[str] = []
    latitude, longitude, address, address_id, region = _check_location(sub, errors)

    definitions = {a.code: a for a in queries.active_attributes(service)}
    attributes: dict[str, Any] = {}
    lines: list[str] = []
    for code in sub.attributes:
        attribute = definitions.get(code)
        if attribute is None or not attribute.variable:
            errors.append(_("attribute[%(code)s] is not part of the definition of service %(service)s.")
                          % {"code": code[:40], "service": service.code})
    for attribute in definitions.values():
        if not attribute.variable:
            continue
        checked = _check_attribute(attribute, sub.attributes.get(attribute.code, []), errors)
        if checked is not None:
            attributes[attribute.code], shown = checked
            lines.append(f"{attribute.description}:{shown}")

    description = _limit(_field(sub, "description"), "description", MAX_DESCRIPTION, errors)
    email = _limit(_field(sub, "email"), "email", 254, errors)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.append(_("“email” is not an e-mail address."))
    media_url = _limit(_field(sub, "media_url"), "media_url", 1000, errors)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("“media_url” must be an http(s) URL."))
    name = reporter_name(_field(sub, "first_name"), _field(sub, "last_name"))
    name = _limit(name, "first_name/last_name", 50, errors)
    phone = _limit(_field(sub, "phone"), "phone", 30, errors)
    device_id = _limit(_field(sub, "device_id"), "device_id", 100, errors)
    account_id = _limit(_field(sub, "account_id"), "account_id", 100, errors)
    if errors:
        raise Open311Error.many(400, errors)
    return _Checked(
        service=service, latitude=latitude, longitude=longitude, address=address, address_id=address_id,
        region=region, attributes=attributes, attribute_lines=lines, description=description,
        email=email, phone=phone, name=name, media_url=media_url, device_id=device_id,
        account_id=account_id,
    )


def _title(checked: _Checked) -> str:
    first_line = next((ln.strip() for ln in checked.description.splitlines() if ln.strip()), "")
    if not first_line:
        first_line = checked.address
    if len(first_line) > TITLE_EXCERPT:
        first_line = first_line[:TITLE_EXCERPT] + "…"
    return f"{checked.service.name}:{first_line}" if first_line else checked.service.name


def _event_description(checked: _Checked) -> str:
    # Stored data is Chinese whatever the sender's language: the handlers read it.
    parts = [checked.description] if checked.description else []
    if checked.attribute_lines:
        parts.append("\n".join(checked.attribute_lines))
    if checked.media_url:
        parts.append(f"图片/视频链接:{checked.media_url}")
    parts.append(f"(经 Open311 接口报送,服务类型 {checked.service.code} {checked.service.name})")
    return "\n\n".join(parts)


def open311_request_submit(
    *, system: IntakeSystem, submission: Submission, actor, idempotency_key: str = "",
) -> Received:
    """POST requests: check, then register the event and our row together (or neither)."""
    code = _field(submission, "service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    service = queries.service_by_code(code)
    if service is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code[:64]})
    key = (idempotency_key or "").strip()
    if NUL in key:
        raise Open311Error(400, nul_message("Idempotency-Key"))
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise Open311Error(400, _("The Idempotency-Key header is longer than %(n)d characters.")
                           % {"n": MAX_IDEMPOTENCY_KEY})
    checked = _check(service, submission)
    source = system.source if system.source in Source.values else Source.CITIZEN
    report = Report(
        source=source,
        title=_title(checked),
        description=_event_description(checked),
        address=checked.address,
        latitude=checked.latitude,
        longitude=checked.longitude,
        category=service.category,
        category_hint=service.name,
        region=checked.region,
        reporter_name=checked.name,
        reporter_phone=checked.phone,
        system=system,
        external_id=f"open311:{key}" if key else "",
    )
    try:
        with transaction.atomic(durable=True):
            result = intake_submit_nested(report=report, actor=actor)
            if not result.created:
                earlier = ServiceRequest.objects.select_related("event", "service").filter(
                    event=result.event).first()
                if earlier is None:
                    raise Open311Error(400, _("The Idempotency-Key was used for another kind of report."))
                return Received(request=earlier, created=False, intake=result)
            row = ServiceRequest.objects.create(
                event=result.event,
                service=service,
                system=system,
                token=secrets.token_hex(8),
                attributes=checked.attributes,
                address_string=checked.address,
                address_id=checked.address_id,
                media_url=checked.media_url,
                account_id=checked.account_id,
                device_id=checked.device_id,
                email=checked.email,
                description=checked.description,
                requested_at=result.event.created_at or clock.now(),
            )
    except DomainError as exc:
        raise Open311Error(400, exc.message) from None
    return Received(request=row, created=True, intake=result)
