"""Who may use the command centre and run campaigns. The object-level lookups (`check_region`,
`campaign_region_for`: 404 for a region or campaign outside the user's posts) are in
`command.queries`; pages and /api/v1/stats ask these checks first (403 when refused)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.command.queries import home_region
from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import posts_of, sees_everything

# Who starts a campaign (专项行动) over the county or a part of it.
CAMPAIGN_RUNNERS = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER})


def may_view_command(user) -> bool:
    """The dashboard, rankings, drill-down, big screen and statistics need a region of one's own
    (a regional post); a superuser sees the county."""
    return sees_everything(user) or home_region(user) is not None


def is_department_liaison(user) -> bool:
    """A liaison has no region of their own: their page is the paired villages instead."""
    return any(p.role == Role.DEPARTMENT_LIAISON for p in posts_of(user))


def require_command_view(user) -> None:
    if not may_view_command(user):
        raise NotPermitted(_("The command centre needs a post over a region."))


def may_run_campaigns(user) -> bool:
    return sees_everything(user) or any(p.role in CAMPAIGN_RUNNERS for p in posts_of(user))


def require_run_campaigns(user) -> None:
    if not may_run_campaigns(user):
        raise NotPermitted(_("Only operators, county leaders and administrators start campaigns."))
