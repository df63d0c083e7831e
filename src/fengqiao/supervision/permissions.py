"""Who may decide and record in supervision. The object-level lookups (`access_record_for_user`,
`access_bulletin_run`, `visible_pairings`: 404 outside the user's area) are in
`supervision.queries`; the actions, pages and API all ask these checks (403 when refused)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import posts_of, roles_over_region, sees_everything
from fengqiao.regions.models import Level, Region

# Who decides for the county: categories, pairing, thresholds.
COUNTY_DECIDERS = frozenset({Role.OPERATOR, Role.COUNTY_LEADER, Role.ADMIN})
# Who may record a bulletin, summons, accountability or evaluation over a region they cover.
RECORDERS = COUNTY_DECIDERS | {Role.TOWN_CADRE}


def _has_role(user, roles: frozenset[str]) -> bool:
    return sees_everything(user) or any(p.role in roles for p in posts_of(user))


def may_decide(actor, region: Region | None, roles: frozenset[str] = COUNTY_DECIDERS) -> bool:
    """One of `roles` over `region` (the platform itself, `actor=None`, may)."""
    if actor is None or sees_everything(actor):
        return True
    if region is None:
        return False
    return bool(roles_over_region(actor, region) & roles)


def require_decide(actor, region: Region | None, roles: frozenset[str] = COUNTY_DECIDERS) -> None:
    if not may_decide(actor, region, roles):
        raise NotPermitted(_("Your posts do not allow this here."))


def may_record(user) -> bool:
    """Record bulletins, summons, accountability and evaluations (somewhere): the form, the
    dashboard's and the rankings' buttons."""
    return _has_role(user, RECORDERS)


def require_record(user) -> None:
    if not may_record(user):
        raise NotPermitted(_("Your posts do not allow recording bulletins, summons or accountability."))


def may_decide_county(user) -> bool:
    """Pair departments with villages and confirm village categories (somewhere)."""
    return _has_role(user, COUNTY_DECIDERS)


def require_decide_county(user) -> None:
    if not may_decide_county(user):
        raise NotPermitted(_("Your posts do not allow this here."))


def may_set_thresholds(actor) -> bool:
    """The category thresholds: an administrator (of the county), or the platform itself."""
    if actor is None or sees_everything(actor) or any(p.role == Role.ADMIN for p in posts_of(actor)):
        return True
    county = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    return may_decide(actor, county, frozenset({Role.ADMIN}))
