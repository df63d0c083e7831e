"""Citizen reports over JSON, for a WeChat mini-program or another front end. No login (the
endpoints override the API's auth); rate-limited like the page; errors are {"code", "message"}.

    POST /api/v1/citizen/reports                  multipart: description, phone, category_code,
                                                  address, latitude, longitude, name, photos[]
    GET  /api/v1/citizen/reports/{tracking_code}  the progress a citizen sees
    POST /api/v1/citizen/reports/{tracking_code}/rating   {"satisfaction", "comment"}
    GET  /api/v1/citizen/map                      the served county's village outlines (GeoJSON)
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fengqiao.citizen import actions
from fengqiao.citizen.models import CitizenReport
from fengqiao.citizen.queries import progress, report_by_code
from fengqiao.citizen.validation import display_tracking_code
from fengqiao.citizen.web import client_ip, too_large
from fengqiao.events.models import Category
from fengqiao.lib.errors import DomainError, InvalidInput, TooLarge

router = Router(tags=["citizen"])


class ReceiptOut(Schema):
    tracking_code: str
    track_url: str
    status: str
    status_label: str


class EntryOut(Schema):
    at: dt.datetime
    text: str
    note: str


class StepOut(Schema):
    key: str
    label: str
    done: bool
    current: bool


class ProgressOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    category: str
    region: str | None
    reported_at: dt.datetime
    deadline: dt.datetime | None
    description: str
    result: str
    refuse_reason: str
    satisfaction: str
    can_rate: bool
    merged: bool
    steps: list[StepOut]
    timeline: list[EntryOut]


class RatingIn(Schema):
    satisfaction: str = Field(description="satisfied, basically_satisfied or dissatisfied")
    comment: str = Field("", max_length=500)



def _progress_out(report: CitizenReport) -> dict:
    p = progress(report)
    return {
        "tracking_code": display_tracking_code(report.tracking_code),
        "status": p.status,
        "status_label": p.status_label,
        "category": p.event.category.name,
        "region": p.event.region.display_name if p.event.region else None,
        "reported_at": report.created_at,
        "deadline": p.event.deadline if p.event.is_open else None,
        "description": report.event.description,
        "result": p.result,
        "refuse_reason": p.refuse_reason,
        "satisfaction": p.event.satisfaction,
        "can_rate": p.can_rate,
        "merged": p.merged,
        "steps": p.steps,
        "timeline": [{"at": e.at, "text": e.text, "note": e.note} for e in p.entries],
    }


@router.post("/citizen/reports", auth=None, response={201: ReceiptOut},
             summary="A citizen reports a matter (no login)")
def create_report(
    request: HttpRequest,
    description: Form[str],
    phone: Form[str],
    category_code: Form[str] = "",
    address: Form[str] = "",
    latitude: Form[str] = "",
    longitude: Form[str] = "",
    name: Form[str] = "",
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # ninja: None = no file part sent
):
    """群众自主上报. Returns the tracking code (also texted to `phone`); follow the matter with
    GET /citizen/reports/{tracking_code}. 400 on junk, 413 on oversize, 429 over the rate limits."""
    if too_large(request):
        raise TooLarge(_("The photos are too large together: send fewer or smaller photos."), field="photos")
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code, active=True).first()
        if category is None:
            raise InvalidInput(_("Choose a category from the list."), field="category_code")
    receipt = actions.citizen_report(submission=actions.CitizenSubmission(
        description=description, phone=phone, category=category, address=address,
        latitude=latitude or None, longitude=longitude or None, name=name, photos=list(photos or []),
        ip=client_ip(request), channel=CitizenReport.Channel.API,
    ))
    p = progress(receipt.report)
    return Status(201, {"tracking_code": receipt.display_code, "track_url": actions.track_url(receipt.tracking_code),
                 "status": p.status, "status_label": p.status_label})


@router.get("/citizen/reports/{tracking_code}", auth=None, response=ProgressOut,
            summary="The progress of a citizen's report")
def get_report(request: HttpRequest, tracking_code: str):
    return _progress_out(report_by_code(tracking_code))


@router.post("/citizen/reports/{tracking_code}/rating", auth=None, response=ProgressOut,
             summary="The citizen rates the resolution (becomes the call-back)")
def rate_report(request: HttpRequest, tracking_code: str, payload: RatingIn):
    report = report_by_code(tracking_code)
    actions.citizen_rate(report=report, satisfaction=payload.satisfaction, comment=payload.comment)
    return _progress_out(report_by_code(tracking_code))


@router.get("/citizen/map", auth=None, url_name="citizen_map",
            summary="Village outlines of the county the public page serves")
def citizen_map(request: HttpRequest):
    """The outlines the pin map draws when no tiles are configured (public data: names and
    shapes only)."""
    import json

    from fengqiao.regions import geo

    try:
        county = actions.public_county()
    except DomainError:
        collection: dict = {"type": "FeatureCollection", "features": []}
    else:
        from fengqiao.regions import outlines

        # The county's real outline (from the published package, when it holds the county),
        # its towns and its villages — names and shapes only. Village cells may be schematic.
        towns = geo.feature_collection(county, level="town", simplify=0.0005)
        villages = geo.feature_collection(county, level="village", simplify=0.0005)
        outline = outlines.county_outline(county)
        features = ([outline] if outline else []) + towns["features"] + villages["features"]
        for feature in features:
            props = feature.get("properties") or {}
            feature["properties"] = {k: props.get(k) for k in ("code", "name", "level", "center", "source", "licence")
                                     if props.get(k) is not None}
        collection = {"type": "FeatureCollection", "features": features,
                      "schematic": bool(villages.get("schematic") or towns.get("schematic"))}
    response = HttpResponse(json.dumps(collection, ensure_ascii=False), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
