"""Who may do what in the grid network. Pages, API, actions and the menu ask here (403);
which rows a user sees is `grid.queries` (404 outside).

- Field work (visits, hazard checks, publicity, patrols) is logged by the grid's workers: people
  posts `grid_worker` or `grid_head` at a grid or a unit, in their own grid.
- The registries are kept (created, edited, imported) by the grid's people and the village,
  town and county cadres over them.
- Personal data is shown unmasked to those whose work needs it — the grid's workers and heads,
  the village's party secretary and community police, administrators — and masked to everyone
  else; every unmasked read is logged (`grid.presenters`).
- The rules, the checklists and the zones are the administrators' (and operators' for zones).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import REGIONAL_ROLES, posts_of, roles_over_region, sees_everything
from fengqiao.regions.models import Level, Region

FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_HEAD})
KEEPERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.TOWN_CADRE, Role.PARTY_SECRETARY,
                     Role.GRID_HEAD, Role.GRID_WORKER})
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.PARTY_SECRETARY, Role.COMMUNITY_POLICE,
                                 Role.GRID_HEAD, Role.GRID_WORKER})
RULE_KEEPERS = frozenset({Role.ADMIN})
ZONE_KEEPERS = frozenset({Role.ADMIN, Role.OPERATOR})
# Appointing grid posts: the village's secretary and the cadres above.
APPOINTERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.TOWN_CADRE, Role.PARTY_SECRETARY})


def field_regions(user) -> list[Region]:
    """The grids (and units) a user works in: the regions of their grid worker / grid head posts."""
    return [p.region for p in posts_of(user)
            if p.role in FIELD_ROLES and p.region.level in {Level.GRID, Level.UNIT}
            and p.region.retired_at is None]


def may_work_in(user, region: Region | None) -> bool:
    if region is None:
        return False
    return any(g.is_ancestor_of(region) for g in field_regions(user))


def require_work_in(user, region: Region | None) -> None:
    if not may_work_in(user, region):
        raise NotPermitted(_("You can log field work only in your own grid."))


def may_do_field_work(user) -> bool:
    return bool(field_regions(user))


def may_view_grid(user) -> bool:
    """The registries and the views of field work: anyone with a regional post."""
    return sees_everything(user) or any(p.role in REGIONAL_ROLES for p in posts_of(user))


def require_view_grid(user) -> None:
    if not may_view_grid(user):
        raise NotPermitted(_("The grid's registries are for the grid's and the village's people."))


def may_keep(user, region: Region | None) -> bool:
    if sees_everything(user):
        return True
    if region is None:
        return any(p.role in KEEPERS for p in posts_of(user))
    return bool(roles_over_region(user, region) & KEEPERS)


def require_keep(user, region: Region | None) -> None:
    if not may_keep(user, region):
        raise NotPermitted(_("Only the grid's people and the cadres over it keep its registries."))


def may_see_personal_data(user, region: Region) -> bool:
    return sees_everything(user) or bool(roles_over_region(user, region) & PERSONAL_DATA_ROLES)


def may_keep_rules(user) -> bool:
    return sees_everything(user) or any(p.role in RULE_KEEPERS for p in posts_of(user))


def require_keep_rules(user) -> None:
    if not may_keep_rules(user):
        raise NotPermitted(_("Only administrators set the grid's rules and checklists."))


def may_keep_zones(user) -> bool:
    return sees_everything(user) or any(p.role in ZONE_KEEPERS for p in posts_of(user))


def require_keep_zones(user) -> None:
    if not may_keep_zones(user):
        raise NotPermitted(_("Only administrators and operators keep the zones."))


def may_appoint(user, region: Region | None) -> bool:
    if sees_everything(user):
        return True
    if region is None:
        return any(p.role in APPOINTERS for p in posts_of(user))
    return bool(roles_over_region(user, region) & APPOINTERS)


def require_appoint(user, region: Region) -> None:
    if not may_appoint(user, region):
        raise NotPermitted(_("Only the village's secretary and the cadres above appoint grid posts."))


def require_recheck(user, region: Region) -> None:
    """A re-check is field work in the hazard's grid, or a keeper's over it."""
    if not (may_work_in(user, region) or may_keep(user, region)):
        raise NotPermitted(_("Only the grid's people re-check its hazards."))
