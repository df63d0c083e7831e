"""Who may register at the desk (一窗受理): the posts that receive matters in person — the
command centre (operators, administrators), town cadres and the village's people (the "3" and
the work team); a superuser too. A grid worker or grid head files from the field (网格采集, the
citizen app's field report), a mediator opens cases at the mediation centre, a department liaison
takes what is handed to the department, a county leader decides what is escalated: none of them
keeps a desk, so none has it in the menu. The page `/events/new/` and `POST /api/v1/events` both
ask here first (403 otherwise); which region a holder may file under is scope
(`visible_regions`), checked after."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import posts_of, sees_everything

DESK_ROLES = frozenset({
    Role.OPERATOR, Role.ADMIN, Role.TOWN_CADRE,
    Role.VILLAGE_LIAISON, Role.PARTY_SECRETARY, Role.COMMUNITY_POLICE, Role.WORK_TEAM,
})


def may_register(user) -> bool:
    return sees_everything(user) or any(p.role in DESK_ROLES for p in posts_of(user))


def require_register(user) -> None:
    if not may_register(user):
        if posts_of(user):
            raise NotPermitted(_("The registration desk is for the command centre, town cadres and the "
                                 "village's people; your posts file matters through their own pages."))
        raise NotPermitted(_("Registering events needs a post in a region. Ask the administrator to give you one."))
