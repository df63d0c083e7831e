"""Open311 reads: the services on offer and their definitions, the service requests (filtered as the
spec says) and how one request is shown.

What is public. GeoReport's GET methods need no key, and our events hold personal matters, so:
- only requests that came in through Open311 are listed (never events from other channels);
- names, phones and e-mails are never shown (the spec's responses have no field for them);
- the description, the place (address, point), the media URL and the status notes are shown only
  for services marked `public_details` (a blocked fire exit, a broken street light), or to the
  sending system itself when it asks with its api_key; everyone else sees status, service, dates
  and the agency handling it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from fengqiao.events.models import OPEN_STATUSES, Event, Status, Tier
from fengqiao.intake.models import IntakeSystem
from fengqiao.lib import clock
from fengqiao.open311.formats import Many
from fengqiao.open311.models import AttributeValue, Service, ServiceAttribute, ServiceRequest

MAX_RESULTS = 1000  # the spec's default volume
DEFAULT_WINDOW = dt.timedelta(days=90)  # the spec's default and widest date range
MAX_IDS = 200  # service_request_id=a,b,c…: longer lists are refused


# ------------------------------------------------------------------------------------ services


def offered_services() -> QuerySet[Service]:
    """Active services of active categories, each with `has_attributes`."""
    attributes = ServiceAttribute.objects.filter(service=OuterRef("pk"), active=True)
    return (
        Service.objects.filter(active=True, category__active=True)
        .annotate(has_attributes=Exists(attributes))
        .order_by("sort", "code")
    )


def service_by_code(code: str) -> Service | None:
    return offered_services().filter(code=code).first()


def active_attributes(service: Service) -> list[ServiceAttribute]:
    values = Prefetch("values", queryset=AttributeValue.objects.order_by("sort", "id"))
    return list(service.attributes.filter(active=True).prefetch_related(values).order_by("order"))


def service_list_body(services: Sequence[Service]) -> Many:
    return Many("service", [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description or None,
            "metadata": bool(getattr(s, "has_attributes", False)),
            "type": s.type,
            "keywords": s.keywords or None,
            "group": s.group or None,
        }
        for s in services
    ])


def service_definition_body(service: Service, attributes: Sequence[ServiceAttribute]) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": Many("attribute", [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": Many("value", [{"key": v.key, "name": v.name} for v in a.values.all()]),
            }
            for a in attributes
        ]),
    }


# ------------------------------------------------------------------------------------ requests


@dataclass(frozen=True)
class RequestFilters:
    ids: tuple[str, ...] = ()  # overrides every other filter, as the spec says
    service_codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()  # "open", "closed"


def date_window(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """The spec's window: the last 90 days unless told; one given end is widened to 90 days."""
    if start is None and end is None:
        end = clock.now()
        return end - DEFAULT_WINDOW, end
    if start is None:
        assert end is not None
        return end - DEFAULT_WINDOW, end
    if end is None:
        return start, min(clock.now(), start + DEFAULT_WINDOW)
    return start, end


def _base() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related(
        "service", "event", "event__county", "event__town", "event__village", "event__department",
        "event__merged_into",
    )


def find_requests(filters: RequestFilters) -> list[ServiceRequest]:
    rows = _base()
    if filters.ids:
        rows = rows.filter(event__code__in=filters.ids)
    else:
        start, end = date_window(filters.start, filters.end)
        rows = rows.filter(requested_at__gte=start, requested_at__lte=end)
        if filters.service_codes:
            rows = rows.filter(service__code__in=filters.service_codes)
        if filters.statuses and set(filters.statuses) != {"open", "closed"}:
            if "open" in filters.statuses:
                rows = rows.filter(event__status__in=OPEN_STATUSES)
            else:
                rows = rows.exclude(event__status__in=OPEN_STATUSES)
    return list(rows.order_by("-requested_at", "-id")[:MAX_RESULTS])


def request_by_id(service_request_id: str) -> ServiceRequest | None:
    return _base().filter(event__code=service_request_id).first()


def request_by_token(token: str) -> ServiceRequest | None:
    return ServiceRequest.objects.select_related("event").filter(token=token).first()


def open311_status(event: Event) -> str:
    return "open" if event.status in OPEN_STATUSES else "closed"


def status_notes(event: Event) -> str | None:
    if event.status in (Status.RESOLVED, Status.CLOSED):
        return event.result or None
    if event.status == Status.REFUSED:
        return _("Not accepted: %(reason)s") % {"reason": event.refuse_reason} if event.refuse_reason \
            else _("Not accepted.")
    if event.status == Status.MERGED:
        target = event.merged_into.code if event.merged_into is not None else None
        return _("Handled together with request %(code)s.") % {"code": target} if target \
            else _("Handled together with another request.")
    return None


def agency_responsible(event: Event) -> str | None:
    """Who handles it now: the department it was handed to, else the village, town or the county
    command centre, by the event's tier."""
    if event.department is not None:
        return event.department.name
    county = event.county.display_name if event.county is not None else None
    if event.tier == Tier.COUNTY:
        return _("%(county)s command centre") % {"county": county} if county else None
    if event.tier == Tier.TOWN:
        return event.town.name if event.town is not None else county
    for region in (event.village, event.town):
        if region is not None:
            return region.name
    return county


def shows_details(row: ServiceRequest, viewer: IntakeSystem | None) -> bool:
    return row.service.public_details or (viewer is not None and viewer.pk == row.system_id)


def request_body(row: ServiceRequest, viewer: IntakeSystem | None) -> dict[str, Any]:
    event = row.event
    detailed = shows_details(row, viewer)
    return {
        "service_request_id": event.code,
        "status": open311_status(event),
        "status_notes": status_notes(event) if detailed else None,
        "service_name": row.service.name,
        "service_code": row.service.code,
        "description": (row.description or None) if detailed else None,
        "agency_responsible": agency_responsible(event),
        "service_notice": row.service.service_notice or None,
        "requested_datetime": row.requested_at,
        "updated_datetime": event.updated_at,
        "expected_datetime": event.deadline,
        "address": (event.address or row.address_string or None) if detailed else None,
        "address_id": (row.address_id or None) if detailed else None,
        "zipcode": None,
        "lat": event.latitude if detailed else None,
        "long": event.longitude if detailed else None,
        "media_url": (row.media_url or None) if detailed else None,
    }


def requests_body(rows: Sequence[ServiceRequest], viewer: IntakeSystem | None) -> Many:
    return Many("request", [request_body(r, viewer) for r in rows])
