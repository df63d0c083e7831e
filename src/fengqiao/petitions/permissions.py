"""Who may do what on a petition they can already see (queries.py decides what they see).

The people of a petition:

- **the petition office** (信访局 / 信访办): operators and administrators with a post over the
  petition's region. They register, route, record requests for review, close, list and re-sort
  the backlog, and see petitioners unmasked — when their post is at the county or above.
  Town cadres over the region register and route as the town's petition office does, but see
  petitioners masked unless they handle the petition.
- **the body responsible** (责任单位): for a county department its liaisons (部门联络员 posts of that
  department), for a town's or village's office the town cadres, party secretaries and village
  liaisons holding a post at exactly that region; and the handler (承办人) the body named.
  They accept or not, object, handle, extend, answer.
- **the leader in charge** (领导包案) and **the task team** (专班): they follow it; the leader may
  extend, answer a review and settle the backlog case.
- county leaders over the region oversee: urge, escalate (督办), name the leader and team.

Petitioners are unmasked for the office at the county, the body's clerks, the handler, the
leader in charge, the 专班 and whoever registered it (they took it down); everyone else sees
柯** / 350322********1234 / 139****5678 (`may_see_petitioners`).

No new role was added: the petition office is the county's operators and administrators (the
command centre and the petition office sit together, seed 004), everyone else by assignment.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, roles_over_region, sees_everything
from fengqiao.petitions.models import BacklogCase, Petition
from fengqiao.regions.models import Level

# The menu entry's label (config/templatetags/fq_nav.py asks for the same msgid and context).
MENU_LABEL = pgettext_lazy("nav", "Petitions")

OFFICE = frozenset({Role.OPERATOR, Role.ADMIN})
REGISTRARS = OFFICE | {Role.TOWN_CADRE}
OVERSEERS = OFFICE | {Role.COUNTY_LEADER}
URGERS = OVERSEERS | {Role.TOWN_CADRE}
# Roles that, at exactly the body's region, are its clerks (a town's 信访办, a village's 两委).
BODY_REGION_ROLES = frozenset({Role.TOWN_CADRE, Role.PARTY_SECRETARY, Role.VILLAGE_LIAISON,
                               Role.OPERATOR, Role.ADMIN})
# Roles whose posts put a region's petitions in scope (masked unless they handle it). Grid
# workers, grid heads and proxy agents do not handle petitions; a department liaison sees what
# was routed to their department.
REGIONAL_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER, Role.TOWN_CADRE,
                            Role.VILLAGE_LIAISON, Role.PARTY_SECRETARY, Role.COMMUNITY_POLICE,
                            Role.WORK_TEAM, Role.MEDIATOR})
COUNTY_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY})

BODY_ACTIONS = frozenset({"accept", "not_accept", "object", "start", "extend", "answer"})


def _person_id(user) -> int | None:
    person = person_of(user)
    return person.pk if person is not None else None


def is_member(user, petition: Petition) -> bool:
    """The handler, the leader in charge, a member of the 专班, or the backlog case's leader."""
    pid = _person_id(user)
    if pid is None:
        return False
    if pid in (petition.handler_id, petition.leader_id):
        return True
    if petition.pk and petition.team.filter(pk=pid).exists():
        return True
    return bool(petition.pk) and BacklogCase.objects.filter(petition=petition, leader_id=pid).exists()


def is_body_clerk(user, petition: Petition) -> bool:
    """A clerk of the body responsible (see the module)."""
    for post in posts_of(user):
        if petition.body_department_id is not None:
            if post.role == Role.DEPARTMENT_LIAISON and post.department_id == petition.body_department_id:
                return True
        elif petition.body_region_id is not None:
            if post.region_id == petition.body_region_id and post.role in BODY_REGION_ROLES:
                return True
    return False


def handles(user, petition: Petition) -> bool:
    """The body's clerks, the handler, the leader in charge and the 专班."""
    return is_body_clerk(user, petition) or is_member(user, petition)


def _roles(user, petition: Petition) -> set[str]:
    return roles_over_region(user, petition.region)


def is_office(user, petition: Petition) -> bool:
    """Petition-office staff over the petition at the county (or above): they see petitioners."""
    return any(post.role in OFFICE and post.region.level in COUNTY_LEVELS
               and post.region.is_ancestor_of(petition.region) for post in posts_of(user))


def may_see_petitioners(user, petition: Petition) -> bool:
    if sees_everything(user):
        return True
    if is_office(user, petition) or handles(user, petition):
        return True
    pid = _person_id(user)
    return pid is not None and pid == petition.registered_by_person_id


def may_register(user, region=None) -> bool:
    """The registration page and POST /petitions: a registrar's post (over `region`, if given)."""
    if sees_everything(user):
        return True
    for post in posts_of(user):
        if post.role in REGISTRARS and (region is None or post.region.is_ancestor_of(region)):
            return True
    return False


def require_register(user, region=None) -> None:
    if not may_register(user, region):
        raise NotPermitted(_("Your posts do not allow registering petitions here."))


def may_use_petitions(user) -> bool:
    """The menu entry and the worklist: any post that sees petitions, or membership."""
    if sees_everything(user):
        return True
    if any(p.role in REGIONAL_ROLES or p.role == Role.DEPARTMENT_LIAISON for p in posts_of(user)):
        return True
    return False


def may_manage_backlog(user) -> bool:
    """The backlog page's re-sorting: the petition office."""
    return sees_everything(user) or any(p.role in OFFICE for p in posts_of(user))


def may(user, petition: Petition, action: str) -> bool:
    if sees_everything(user):
        return True
    roles = _roles(user, petition)
    if Role.ADMIN in roles:
        return True
    if action in BODY_ACTIONS:
        if is_body_clerk(user, petition) or (petition.handler_id is not None
                                             and petition.handler_id == _person_id(user)):
            return True
        return action == "extend" and petition.leader_id is not None and petition.leader_id == _person_id(user)
    if action in {"route", "apply_review", "apply_rereview"}:
        return bool(roles & REGISTRARS)
    if action in {"close", "link_event"}:
        return bool(roles & REGISTRARS) or is_body_clerk(user, petition) or (
            petition.handler_id is not None and petition.handler_id == _person_id(user))
    if action in {"answer_review", "answer_rereview"}:
        return bool(roles & OVERSEERS) or (petition.leader_id is not None
                                           and petition.leader_id == _person_id(user))
    if action in {"assign", "escalate"}:
        return bool(roles & OVERSEERS)
    if action == "urge":
        return bool(roles & URGERS) or (petition.leader_id is not None
                                        and petition.leader_id == _person_id(user))
    if action in {"list_backlog", "resort"}:
        return bool(roles & OFFICE)
    if action == "settle_backlog":
        return bool(roles & OFFICE) or is_member(user, petition)
    return False


def require(user, petition: Petition, action: str) -> None:
    if user is None:  # the platform itself (the clock scanner)
        return
    if not may(user, petition, action):
        raise NotPermitted(
            _("Your posts do not allow “%(action)s” on this petition.") % {"action": action}
        )
