"""Places over JSON: `GET /api/v1/locate?address=&within=` turns an address into a division."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from fengqiao.lib.errors import InvalidInput, NotFound
from fengqiao.regions.locate import MAX_ADDRESS_LENGTH, locate_index

router = Router(tags=["regions"])



class LocateQuery(Schema):
    address: str = Field(..., description="a free Chinese address, e.g. 仙游县度尾镇洋坂村3组12号")
    within: str | None = Field(
        None, description="match only inside this region's subtree (a division code, e.g. 350322)"
    )


class CandidateOut(Schema):
    code: str
    level: str
    name: str
    score: float
    path: str = Field("", description="the names from the top of the tree down to this one")


class LocatedOut(Schema):
    address: str
    code: str | None = Field(description="null when no place or more than one place fits")
    level: str | None = Field(description="province, city, county, town, village or grid")
    name: str | None
    candidates: list[CandidateOut] = Field(
        description="best first; when the address is ambiguous, the places that fit equally"
    )
    score: float


@router.get("/locate", response=LocatedOut, summary="The division an address names")
def locate_address(request: HttpRequest, q: Query[LocateQuery]):
    """Match a free Chinese address against the imported divisions. `code` is null when nothing
    fits or when two or more places fit equally (they are listed in `candidates`); an unknown
    `within` code is a 404."""
    address = q.address.strip()
    if not address:
        raise InvalidInput(_("The address is empty."), field="address")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidInput(
            _("The address is longer than %(n)d characters.") % {"n": MAX_ADDRESS_LENGTH}, field="address"
        )
    index = locate_index()
    within = (q.within or "").strip() or None
    if within is not None and index.index_of(within) is None:
        raise NotFound(_("No region with code %(c)s.") % {"c": within}, field="within")
    return index.locate(address, within=within).as_json()
