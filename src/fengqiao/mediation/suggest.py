"""Which mediators to suggest for a case, and why — by specialty, area and load.

The ranking is a plain sort key, so the same facts always give the same list:

1. a specialty matching the case's matter before none;
2. the nearer area: the same village, then the same town, then the same county, then the city
   (a mediator's area is their region; a town's mediator is "同镇" to every village of the town);
3. the lighter load: fewer open cases (applied, accepted, mediating) they are actively on;
4. the level: gold, red, full-time, part-time, invited — except that a court's referral
   (诉前调解) puts the court's invited mediators (特邀调解员) first among equals;
5. the mediator's id (the older entry first), so ties never reorder.

Each suggestion carries its reason in Chinese, as the centre reads it: "专长:劳动争议;同镇;在办2件".
Candidates: active mediators of the case's county, and those above it in its city with no county
(a city's invited mediators).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from fengqiao.mediation.models import (
    LEVEL_CHINESE,
    LEVEL_RANK,
    SPECIALTY_CHINESE,
    Kind,
    Mediator,
    MediatorLevel,
    Specialty,
)
from fengqiao.mediation.queries import mediator_loads
from fengqiao.regions.models import Region

AREA_ORDER = ("village", "town", "county", "city")
AREA_CHINESE = {"village": "同村", "town": "同镇", "county": "同县", "city": "同市"}


@dataclass(frozen=True)
class Suggestion:
    mediator: Mediator
    reason: str  # 专长:劳动争议;同镇;在办2件
    specialty_match: bool
    area: str  # village, town, county, city
    load: int
    rank: tuple


def area_of(mediator: Mediator, region: Region) -> str:
    """How near the mediator's area is to the case's region."""
    if region.village_id and mediator.village_id == region.village_id:
        return "village"
    if region.town_id and mediator.town_id == region.town_id:
        return "town"
    if region.county_id and mediator.county_id == region.county_id:
        return "county"
    return "city"


def _level_rank(level: str, kind: str | None) -> int:
    if kind == Kind.PRE_LITIGATION and level == MediatorLevel.INVITED:
        return -1
    return LEVEL_RANK.get(MediatorLevel(level), len(LEVEL_RANK))


def reason_for(*, specialty: str, matched: bool, area: str, load: int, mediator: Mediator) -> str:
    parts = [f"专长:{SPECIALTY_CHINESE.get(Specialty(specialty), specialty) if specialty in Specialty.values else specialty}" if matched else "专长:无对口",
             AREA_CHINESE[area], f"在办{load}件"]
    if mediator.level in (MediatorLevel.GOLD, MediatorLevel.RED) or (
            mediator.level == MediatorLevel.INVITED):
        parts.append(LEVEL_CHINESE[mediator.level])
    return ";".join(parts)


def suggest_mediators(*, specialty: str, region: Region, kind: str | None = None, limit: int = 5,
                      exclude: Iterable[int] = ()) -> list[Suggestion]:
    """The best `limit` mediators for a matter of `specialty` filed under `region` (see the
    module for the order). `exclude`: mediator ids not to suggest (already on the case)."""
    candidates = Mediator.objects.filter(active=True, person__active=True).select_related("person", "org")
    if region.county_id:
        candidates = candidates.filter(Q(county_id=region.county_id)
                                       | Q(county_id=None, city_id=region.city_id, city_id__isnull=False))
    excluded = set(exclude)
    mediators = [m for m in candidates if m.pk not in excluded]
    loads = mediator_loads(m.pk for m in mediators)
    ranked: list[Suggestion] = []
    for m in mediators:
        matched = specialty in (m.specialties or [])
        area = area_of(m, region)
        load = loads.get(m.pk, 0)
        rank = (0 if matched else 1, AREA_ORDER.index(area), load, _level_rank(m.level, kind), m.pk)
        ranked.append(Suggestion(mediator=m, specialty_match=matched, area=area, load=load, rank=rank,
                                 reason=reason_for(specialty=specialty, matched=matched, area=area, load=load,
                                                   mediator=m)))
    ranked.sort(key=lambda s: s.rank)
    return ranked[:max(limit, 0)]


def suggest_for_case(case, *, limit: int = 5) -> list[Suggestion]:
    """Suggestions for an open case: its matter, its region and kind, leaving out its mediators."""
    on_case = case.mediators.filter(active=True).values_list("mediator_id", flat=True)
    return suggest_mediators(specialty=case.specialty, region=case.region, kind=case.kind, limit=limit,
                             exclude=list(on_case))
