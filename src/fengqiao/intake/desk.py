"""The registration desk (一窗受理): a matter typed in by staff, on the page `/events/new/` or
through `POST /api/v1/events`. Both build the same `Report` here and hand it to the one door
(`intake_submit`), so a walk-in gets the same routing, twin search and triage item whichever way
it came in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fengqiao.events.actions import PartyInput
from fengqiao.events.models import Category
from fengqiao.intake.actions import DISPATCH_LEVELS, Report
from fengqiao.regions.models import Region


def desk_report(
    *,
    title: str,
    description: str,
    category: Category,
    source: str,
    region: Region | None,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    dispute_source: str = "",
    high_risk: bool = False,
    parties: Sequence[PartyInput] = (),
    attachments: Sequence[Any] = (),
) -> Report:
    """A region at a dispatching level (village, grid, unit) files the matter there; one above
    (town, county) only narrows the point and address matching, and what they cannot place goes
    to triage."""
    precise = region is not None and region.level in DISPATCH_LEVELS
    return Report(
        title=title,
        description=description,
        category=category,
        source=source,
        region=region if precise else None,
        within=None if precise else region,
        address=address,
        latitude=latitude,
        longitude=longitude,
        dispute_source=dispute_source or "",
        high_risk=high_risk,
        parties=list(parties),
        attachments=list(attachments),
    )
