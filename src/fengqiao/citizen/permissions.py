"""Who may use the staff's citizen channels: proxy agents (代办员) register matters for
citizens, grid workers and grid heads file field reports (网格采集) in their own grids; operators,
administrators and town cadres keep the proxy agencies (代办机构) of their regions. The actions,
pages and the nav ask here; anyone else gets 403 (the public report and tracking pages need no
login). Which agency a user may look at is `citizen.queries.access_agency_for_user` (404 outside)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Post, Role
from fengqiao.people.queries import REGIONAL_ROLES, posts_of, roles_over_region, sees_everything
from fengqiao.regions.models import Level, Region

FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_HEAD})
# Who sets up agencies and appoints their agents, over their region (a town cadre: their town).
AGENCY_KEEPERS = frozenset({Role.OPERATOR, Role.ADMIN, Role.TOWN_CADRE})


def proxy_agent_posts(user) -> list[Post]:
    return [p for p in posts_of(user) if p.role == Role.PROXY_AGENT]


def may_proxy(user) -> bool:
    return bool(proxy_agent_posts(user))


def field_grids(user) -> list[Region]:
    """The grids the user collects in: the regions of their grid worker / grid head posts."""
    return [p.region for p in posts_of(user)
            if p.role in FIELD_ROLES and p.region.level in {Level.GRID, Level.UNIT}
            and p.region.retired_at is None]


def may_file_field_reports(user) -> bool:
    return bool(field_grids(user))


def may_keep_agencies(user, region: Region | None = None) -> bool:
    """May the user set up agencies and appoint agents (under `region`, or anywhere they keep)?"""
    if sees_everything(user):
        return True
    if region is None:
        return any(p.role in AGENCY_KEEPERS for p in posts_of(user))
    return bool(roles_over_region(user, region) & AGENCY_KEEPERS)


def require_keep_agencies(user, region: Region) -> None:
    if not may_keep_agencies(user, region):
        raise NotPermitted(_("Only operators, administrators and the town's cadres keep its proxy agencies."))


def may_view_agencies(user) -> bool:
    """The agencies' list: anyone with a regional post (they see the agencies of their regions)."""
    return sees_everything(user) or any(p.role in REGIONAL_ROLES for p in posts_of(user))
