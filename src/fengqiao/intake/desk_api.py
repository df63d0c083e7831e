"""`POST /api/v1/events`: the registration desk over JSON, through the one door.

The operation sits on the events router (a path is served by one router: `GET /api/v1/events`
is there) and keeps its OpenAPI operation id, tag and schemas (`EventIn` in, `EventOut` out), but
it lives here, above events: like the page `/events/new/`, it builds the desk's `Report` and calls
`intake_submit`, so a walk-in registered through the API gets the twin search and the triage item
too (it used to call `event_register` directly)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.responses import Status

from fengqiao.events.actions import PartyInput
from fengqiao.events.api import EventIn, EventOut, event_out
from fengqiao.events.api import router as events_router
from fengqiao.events.models import Category, Event
from fengqiao.intake.actions import intake_submit
from fengqiao.intake.desk import desk_report
from fengqiao.intake.permissions import require_register
from fengqiao.lib.errors import InvalidInput
from fengqiao.people.queries import visible_regions


@events_router.post("/events", response={201: EventOut}, operation_id="fengqiao_events_api_create_event")
def create_event(request, payload: EventIn):
    require_register(request.auth)
    category = Category.objects.filter(code=payload.category_code).first()
    if category is None:
        raise InvalidInput(_("No category with code %(c)s.") % {"c": payload.category_code}, field="category_code")
    if not payload.region_code:
        raise InvalidInput(_("Give region_code: the village (or town, or county) of the matter."), field="region_code")
    region = visible_regions(request.auth).filter(code=payload.region_code).first()
    if region is None:
        raise InvalidInput(_("No region with code %(c)s in your scope.") % {"c": payload.region_code}, field="region_code")
    result = intake_submit(actor=request.auth, report=desk_report(
        title=payload.title,
        description=payload.description,
        category=category,
        source=payload.source,
        region=region,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        dispute_source=payload.dispute_source,
        high_risk=payload.high_risk,
        parties=[PartyInput(**p.dict()) for p in payload.parties],
    ))
    event = Event.objects.select_related("category", "region").get(pk=result.event.pk)
    return Status(201, event_out(request.auth, event))
