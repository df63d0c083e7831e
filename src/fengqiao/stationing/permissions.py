"""Who may do what with stations, plans and stays they can already see (queries.py decides what
they see).

- **Stations** (部门驻村) are the county's to set and end: operators, administrators and county
  leaders over the village (the organisation work sits with the command centre).
- **Plans** (干部住村): the county office over the place; a town's cadres for plans in their
  town that belong to no department station (town and village cadres, community police); a
  department's liaisons for its own station's plans.
- **Check-ins**: only the plan's person, from their own login — nobody checks in for another.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, sees_everything
from fengqiao.regions.models import Region
from fengqiao.stationing.models import Plan, Station, Stay

COUNTY_OFFICE = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER})
REGIONAL_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER, Role.TOWN_CADRE,
                            Role.VILLAGE_LIAISON, Role.PARTY_SECRETARY})
RANKING_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER, Role.TOWN_CADRE})


def _over(user, region: Region, roles: frozenset[str]) -> bool:
    return any(p.role in roles and p.region.is_ancestor_of(region) for p in posts_of(user))


def is_county_office_over(user, region: Region) -> bool:
    return _over(user, region, COUNTY_OFFICE)


def may_manage_station(user, village: Region) -> bool:
    return sees_everything(user) or is_county_office_over(user, village)


def require_manage_station(user, village: Region) -> None:
    if not may_manage_station(user, village):
        raise NotPermitted(_("Your posts do not allow stationing departments in this village."))


def may_manage_plan(user, region: Region, station: Station | None) -> bool:
    if sees_everything(user) or is_county_office_over(user, region):
        return True
    if station is None:
        return _over(user, region, frozenset({Role.TOWN_CADRE}))
    return any(p.role == Role.DEPARTMENT_LIAISON and p.department_id == station.department_id
               for p in posts_of(user))


def require_manage_plan(user, region: Region, station: Station | None) -> None:
    if not may_manage_plan(user, region, station):
        raise NotPermitted(_("Your posts do not allow planning stays here."))


def may_plan_anything(user) -> bool:
    """The new-plan page: some post that may plan somewhere."""
    return sees_everything(user) or any(
        p.role in COUNTY_OFFICE | {Role.TOWN_CADRE, Role.DEPARTMENT_LIAISON} for p in posts_of(user))


def may_station_anything(user) -> bool:
    """The new-station page: a county office post."""
    return sees_everything(user) or any(p.role in COUNTY_OFFICE for p in posts_of(user))


def is_own(user, plan: Plan) -> bool:
    person = person_of(user)
    return person is not None and person.pk == plan.person_id


def require_station(user, station: Station, action: str) -> None:
    if user is not None and not may_manage_station(user, station.region):
        raise NotPermitted(_("Your posts do not allow “%(action)s” on this station.") % {"action": action})


def require_plan(user, plan: Plan, action: str) -> None:
    if user is None:
        return
    if action == "check_in":
        if not is_own(user, plan):
            raise NotPermitted(_("Only the cadre of the plan checks in, from their own login."))
        return
    if not may_manage_plan(user, plan.region, plan.station):
        raise NotPermitted(_("Your posts do not allow “%(action)s” on this stay plan.") % {"action": action})


def require_stay(user, stay: Stay, action: str) -> None:
    if user is None:
        return
    person = person_of(user)
    if person is None or person.pk != stay.person_id:
        raise NotPermitted(_("Only the cadre who checked in checks out."))


def may_use_stationing(user) -> bool:
    """The menu entry: a post that sees plans, a department liaison, or a plan of one's own."""
    if sees_everything(user):
        return True
    if any(p.role in REGIONAL_ROLES or p.role == Role.DEPARTMENT_LIAISON for p in posts_of(user)):
        return True
    person = person_of(user)
    return person is not None and Plan.objects.filter(person=person).exists()


def may_check_in(user) -> bool:
    person = person_of(user)
    return person is not None and Plan.objects.filter(person=person, status="active").exists()


def may_view_ranking(user) -> bool:
    return sees_everything(user) or any(p.role in RANKING_ROLES or p.role == Role.DEPARTMENT_LIAISON
                                        for p in posts_of(user))
