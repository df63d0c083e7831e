"""Who may use the staff's citizen channels: proxy agents (代办员) register matters for
citizens, grid workers and grid heads file field reports (网格采集) in their own grids. The
actions, pages and the nav ask here; anyone else gets 403 (the public report and tracking
pages need no login)."""

from __future__ import annotations

from fengqiao.people.models import Post, Role
from fengqiao.people.queries import posts_of
from fengqiao.regions.models import Level, Region

FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_HEAD})


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
