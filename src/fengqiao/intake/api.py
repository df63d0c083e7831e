"""Feeds from sending systems.

- `POST /api/v1/intake/{source}`: one matter. 201 with the new event; 200 with the earlier one
  when the same `ticket_id` came before (a sender may retry freely).
- `GET /api/v1/intake/{source}/tickets/{ticket_id}`: where that ticket stands now (for senders
  that poll instead of, or besides, receiving callbacks — see `callbacks.py`).

A sending system (the county's 12345 platform, the 110 desk, an online-opinion monitor, a video
alert box) authenticates with its own key — `X-Api-Key: fqi_…` (or `Authorization: Bearer fqi_…`),
issued by `fengqiao create_intake_system` or the admin — and may use only its own source.
Errors are JSON `{"code", "message"}`: 401 no or wrong key, 403 another system's source, 404
unknown source or ticket, 400 malformed JSON / missing `ticket_id` / bad field (with `field`),
413 a body over `FENGQIAO_INTAKE_MAX_BODY_BYTES` (2 MB).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import urllib.parse
from pathlib import PurePosixPath
from typing import Any, Literal

import pydantic
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError
from ninja.responses import Status
from ninja.security import APIKeyHeader
from pydantic import Field

from fengqiao.events.models import Category, Event, Source
from fengqiao.intake.actions import IntakeResult, Report, intake_submit, redelivered
from fengqiao.intake.models import IntakeSystem
from fengqiao.intake.queries import system_for_key, ticket_for
from fengqiao.lib.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    TooLarge,
    Unauthenticated,
)
from fengqiao.lib.inputs import loads_json
from fengqiao.regions.models import Region

router = Router(tags=["intake"])

FEED_SOURCES = tuple(Source.values)


def max_body_bytes() -> int:
    """The largest body accepted (413 above it); below Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    return int(getattr(settings, "FENGQIAO_INTAKE_MAX_BODY_BYTES", 2 * 1024 * 1024))





class SystemKey(APIKeyHeader):
    """`X-Api-Key: <key>` (or `Authorization: Bearer <key>`) of a sending system."""

    param_name = "X-Api-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.headers.get(self.param_name)
        if key:
            return key.strip()
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None

    def authenticate(self, request: HttpRequest, key: str | None) -> IntakeSystem:
        if not key:
            raise Unauthenticated(_("Send the sending system's key in the X-Api-Key header."))
        system = system_for_key(key)
        if system is None:
            raise Unauthenticated(_("The key is wrong, revoked, or its sending system is inactive."))
        return system


# ------------------------------------------------------------------------------------ schemas


class AttachmentIn(Schema):
    """A small file sent inline: a video alert's snapshot, a screenshot of a post."""

    name: str = Field(min_length=1, max_length=100)
    content_type: str = Field(min_length=1, max_length=100, description="e.g. image/jpeg")
    data: str = Field(min_length=1, description="the file, base64-encoded")


class FeedIn(Schema):
    """One matter from a sending system. `ticket_id` is the sender's own id (idempotency)."""

    ticket_id: str = Field(min_length=1, max_length=100, description="the sender's ticket id")
    title: str = Field("", max_length=200, description="empty: the start of `content`")
    content: str = Field("", max_length=10000)
    address: str = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=30)
    category: str = Field("", max_length=100, description="the sender's own category label")
    category_code: str = Field("", max_length=32, description="a platform category code, when known")
    region_code: str = Field("", max_length=32, description="a platform region code, when known")
    occurred_at: dt.datetime | None = None
    high_risk: bool = False
    dispute_source: Literal["", "police", "litigation", "petition"] | None = None
    link: str = Field("", max_length=500, description="where the matter was seen: a post, a video, a camera")
    platform: str = Field("", max_length=50, description="e.g. 抖音, 微博 for online opinion")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)

    @pydantic.field_validator("ticket_id", mode="before")
    @classmethod
    def _numeric_ticket_id(cls, value: Any) -> Any:
        # Many senders number their tickets: 20261126001 and "20261126001" are the same ticket.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class FeedOut(Schema):
    event_code: str
    created: bool
    outcome: Literal["created", "duplicate"]
    routed: bool
    triage: bool
    triage_reasons: list[str]
    status: str
    region_code: str | None
    category_code: str


class TicketOut(Schema):
    ticket_id: str
    event_code: str
    status: str
    routed: bool
    region_code: str | None
    region_name: str | None
    category_code: str
    received_at: dt.datetime
    dispatched_at: dt.datetime | None
    deadline: dt.datetime | None
    resolved_at: dt.datetime | None
    result: str
    satisfaction: str
    closed_at: dt.datetime | None
    merged_into: str | None
    refuse_reason: str


class ErrorOut(Schema):
    code: str
    message: str


# ---------------------------------------------------------------------------------- endpoint


@router.post(
    "/intake/{source}",
    auth=SystemKey(),
    response={200: FeedOut, 201: FeedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
              404: ErrorOut, 413: ErrorOut},
    summary="Feed one matter from a sending system (12345, 110, online opinion, video …)",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": FeedIn.model_json_schema()}}}},
)
def feed(request: HttpRequest, source: str):
    """201 with the new event, or 200 with the earlier one when the same `ticket_id` came before.

    Routed (`routed: true`): filed under a village or grid and dispatched at once. Otherwise the
    event waits in the triage queue for the reasons listed."""
    system: IntakeSystem = request.auth  # type: ignore[attr-defined]  # the sending system, set by SystemKey auth
    _check_source(system, source)
    data = _read_json(request)
    if not str(data.get("ticket_id") or "").strip():
        raise InvalidInput(_("“ticket_id” is required: the sender's own id for the matter."),
                           code="missing_ticket_id", field="ticket_id")
    try:
        body = FeedIn.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError([dict(e) for e in exc.errors(include_url=False, include_context=False)]) from exc
    earlier = ticket_for(channel=system.channel, external_id=body.ticket_id.strip())
    if earlier is not None:  # the sender retrying: answer before any further lookups
        return Status(200, _out(redelivered(earlier)))
    result = intake_submit(report=_report(body, system), actor=None)
    return Status(201 if result.created else 200, _out(result))


@router.get(
    "/intake/{source}/tickets/{ticket_id}",
    auth=SystemKey(),
    response={200: TicketOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Where a ticket the sending system fed stands now (for senders that poll)",
)
def ticket_status(request: HttpRequest, source: str, ticket_id: str):
    """The event a ticket became and its progress; 404 for a ticket this system never sent."""
    system: IntakeSystem = request.auth  # type: ignore[attr-defined]  # the sending system, set by SystemKey auth
    _check_source(system, source)
    ticket = ticket_for(channel=system.channel, external_id=ticket_id.strip())
    if ticket is None:
        raise NotFound(_("This system sent no ticket “%(t)s”.") % {"t": ticket_id})
    event = ticket.event
    region = event.region
    merged_into = (
        Event.objects.filter(pk=event.merged_into_id).values_list("code", flat=True).first()
        if event.merged_into_id else None
    )
    return {
        "ticket_id": ticket.external_id, "event_code": event.code, "status": event.status,
        "routed": ticket.routed, "region_code": region.code if region else None,
        "region_name": region.display_name if region else None, "category_code": event.category.code,
        "received_at": ticket.received_at, "dispatched_at": event.dispatched_at, "deadline": event.deadline,
        "resolved_at": event.resolved_at, "result": event.result, "satisfaction": event.satisfaction,
        "closed_at": event.closed_at, "merged_into": merged_into, "refuse_reason": event.refuse_reason,
    }


def _check_source(system: IntakeSystem, source: str) -> None:
    if source not in FEED_SOURCES:
        raise NotFound(_("No feed for source “%(s)s”.") % {"s": source})
    if system.source != source:
        raise NotPermitted(
            _("This key belongs to a %(mine)s system, not to %(s)s.") % {"mine": system.source, "s": source},
            code="wrong_source",
        )


def _read_json(request: HttpRequest) -> dict[str, Any]:
    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise TooLarge(_("The body is larger than %(n)d bytes.") % {"n": limit})
    raw = request.body
    if len(raw) > limit:
        raise TooLarge(_("The body is larger than %(n)d bytes.") % {"n": limit})
    data = loads_json(raw)  # 400 for bad UTF-8 or JSON, too deep a nesting, a NUL anywhere
    if not isinstance(data, dict):
        raise InvalidInput(_("The body must be a JSON object."), code="invalid_json")
    return data


def _report(body: FeedIn, system: IntakeSystem) -> Report:
    title = body.title.strip() or _title_from(body.content)
    if not title:
        raise InvalidInput(_("Give a title or the content of the matter."), field="title")
    if (body.latitude is None) != (body.longitude is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="latitude")
    category = None
    if body.category_code:
        category = Category.objects.filter(code=body.category_code, active=True).first()
        if category is None:
            raise InvalidInput(_("No active category with code %(c)s.") % {"c": body.category_code},
                               field="category_code")
    region = None
    if body.region_code:
        region = Region.objects.filter(code=body.region_code).first()
        if region is None:
            raise InvalidInput(_("No region with code %(c)s.") % {"c": body.region_code}, field="region_code")
    occurred_at = body.occurred_at
    if occurred_at is not None and timezone.is_naive(occurred_at):
        # Senders in China write local time without an offset.
        occurred_at = timezone.make_aware(occurred_at, timezone.get_default_timezone())
    dispute_source = body.dispute_source
    if dispute_source is None:
        dispute_source = "police" if system.source == Source.POLICE_110 else ""  # 警源
    return Report(
        source=system.source,
        title=title,
        description=_description(body),
        attachments=_attachments(body.attachments),
        address=body.address.strip(),
        latitude=body.latitude,
        longitude=body.longitude,
        category=category,
        category_hint=body.category.strip(),
        region=region,
        within=system.within,
        reporter_name=body.reporter_name.strip(),
        reporter_phone=body.reporter_phone.strip(),
        system=system,
        external_id=body.ticket_id.strip(),
        occurred_at=occurred_at,
        dispute_source=dispute_source,
        high_risk=body.high_risk,
    )


def _description(body: FeedIn) -> str:
    """The content, with where it was seen: 来源平台 and 来源链接 on lines of their own."""
    lines = [body.content.strip()]
    if body.platform.strip():
        lines.append(f"来源平台:{body.platform.strip()}")
    link = body.link.strip()
    if link:
        if urllib.parse.urlsplit(link).scheme not in {"http", "https"}:
            raise InvalidInput(_("The link must be an http(s) URL."), field="link")
        lines.append(f"来源链接:{link}")
    return "\n".join(line for line in lines if line)


def _attachments(items: list[AttachmentIn]) -> list[ContentFile]:
    files = []
    for i, item in enumerate(items):
        try:
            raw = base64.b64decode(item.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(_("Attachment %(n)d is not valid base64.") % {"n": i + 1},
                               field=f"attachments[{i}].data") from exc
        name = PurePosixPath(item.name.replace("\\", "/")).name.strip() or f"attachment-{i + 1}"
        upload = ContentFile(raw, name=name)
        upload.content_type = item.content_type.strip().lower()  # type: ignore[attr-defined]  # read like an UploadedFile's
        files.append(upload)
    return files


def _title_from(content: str, length: int = 40) -> str:
    first = " ".join(content.split())
    return first if len(first) <= length else first[: length - 1] + "…"


def _out(result: IntakeResult) -> dict[str, Any]:
    event = result.event
    return {
        "event_code": event.code,
        "created": result.created,
        "outcome": "created" if result.created else "duplicate",
        "routed": result.routed,
        "triage": bool(result.triage_reasons),
        "triage_reasons": result.triage_reasons,
        "status": event.status,
        "region_code": event.region.code if event.region_id and event.region else None,
        "category_code": event.category.code,
    }
