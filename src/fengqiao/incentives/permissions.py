"""Who may do what in the incentive scheme (403); which rows a user sees is
`incentives.queries` (404 outside).

- Points are given and deducted by the grid's people and the village over them (the grid
  workers and heads, the party secretary, administrators).
- Households are scored by the grid (its workers and head) and the village.
- A shop's keeper is the region's cadres: the village's secretary for a village's shop, the
  town's cadres for a town's; they record redemptions.
- Lists and elections are the village's and town's cadres' (and the county's).
- Rules, the rubric and the star thresholds are the administrators'.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import REGIONAL_ROLES, posts_of, roles_over_region, sees_everything
from fengqiao.regions.models import Region

POINT_GIVERS = frozenset({Role.ADMIN, Role.PARTY_SECRETARY, Role.GRID_HEAD, Role.GRID_WORKER})
SCORERS = frozenset({Role.ADMIN, Role.PARTY_SECRETARY, Role.GRID_HEAD, Role.GRID_WORKER})
SHOP_KEEPERS = frozenset({Role.ADMIN, Role.TOWN_CADRE, Role.PARTY_SECRETARY})
CADRES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COUNTY_LEADER, Role.TOWN_CADRE, Role.PARTY_SECRETARY})


def _over(user, region: Region, roles: frozenset) -> bool:
    return sees_everything(user) or bool(roles_over_region(user, region) & roles)


def may_view(user) -> bool:
    return sees_everything(user) or any(p.role in REGIONAL_ROLES for p in posts_of(user))


def require_view(user) -> None:
    if not may_view(user):
        raise NotPermitted(_("The incentive scheme is for the grid's and the regions' people."))


def require_give_points(user, region: Region) -> None:
    if not _over(user, region, POINT_GIVERS):
        raise NotPermitted(_("Only the grid's people and the village's secretary give or deduct points."))


def require_score(user, region: Region) -> None:
    if not _over(user, region, SCORERS):
        raise NotPermitted(_("Only the grid's people and the village's secretary score households."))


def may_keep_shop(user, region: Region) -> bool:
    return _over(user, region, SHOP_KEEPERS)


def require_keep_shop(user, region: Region) -> None:
    if not may_keep_shop(user, region):
        raise NotPermitted(_("Only the shop's keepers record exchanges."))


def may_run_lists(user, region: Region) -> bool:
    return _over(user, region, CADRES)


def require_run_lists(user, region: Region) -> None:
    if not may_run_lists(user, region):
        raise NotPermitted(_("Only the village's and the town's cadres publish lists and run elections."))


def may_keep_rules(user) -> bool:
    return sees_everything(user) or any(p.role == Role.ADMIN for p in posts_of(user))


def require_keep_rules(user) -> None:
    if not may_keep_rules(user):
        raise NotPermitted(_("Only administrators set the incentive rules, the rubric and the stars."))
