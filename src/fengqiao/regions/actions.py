"""Writes on the region tree."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from fengqiao.regions.models import ANCESTOR_LEVELS, LEVEL_ORDER, Region, bump_regions_version


class RegionError(ValueError):
    pass


def region_create(
    *,
    parent: Region | None,
    code: str,
    level: str,
    name: str,
    short_name: str = "",
    aliases: list[str] | None = None,
    edition: str = "",
) -> Region:
    """Create one region under `parent`, keeping the ancestor columns true."""
    if parent is not None and LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(parent.level):
        raise RegionError(f"a {level} cannot sit under a {parent.level}")
    with transaction.atomic():
        region = Region(
            parent=parent,
            code=code,
            level=level,
            name=name,
            short_name=short_name or derive_short_name(name, level),
            aliases=aliases or [],
            edition=edition,
        )
        region.set_ancestors_from(parent)
        region.save()
        if level in ANCESTOR_LEVELS:
            setattr(region, f"{level}_id", region.id)
            region.save(update_fields=[f"{level}_id"])
        bump_regions_version()
    return region


def fill_self_ancestor_columns() -> None:
    """After a bulk insert: point each region's own-level column at itself."""
    for lv in ANCESTOR_LEVELS:
        Region.objects.filter(level=lv, **{f"{lv}_id": None}).update(**{f"{lv}_id": F("id")})


# Suffixes dropped in speech: 洋坂村委会 → 洋坂村, 城东社区居委会 → 城东社区.
_SHORTENINGS = [
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
]


def derive_short_name(name: str, level: str) -> str:
    if level == "village":
        for long, short in _SHORTENINGS:
            if name.endswith(long):
                return name[: -len(long)] + short
    return name
