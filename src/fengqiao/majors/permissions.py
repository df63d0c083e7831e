"""Who may do what on a major matter they can already see (queries.py decides what they see).

The people of a matter:

- **the office at a level** (the stability office, 维稳办, of the city, county or town): at a
  county or city the operators, administrators and county leaders holding a post there; at a
  town its cadres. The office *at the listing region* is the matter's own: it decides the
  assessment and approves closing (销号) — a county-listed matter is closed by the county, a
  town-listed one by the town, a city-listed one by the city; nobody approves a closing they
  asked for themselves. Offices *above* the listing region oversee it: they urge, supervise
  (督办), escalate and may also act as the owner would. Closing is signed off by the office's
  staff at the listing region (its operators and administrators; a town's cadres), not by the
  county leaders the office serves.
- **the owner unit** (责任单位): the liaisons of the owning department.
- **the leader in charge** (包案领导) and **the task force** (攻坚小组): the leader acts as the
  owner does and records the decision; the task force reports progress, its heads complete
  milestones.

Registration is the office's: at a level, with a post at or above it over the matter's place.
No new role was added (the stability office sits with the command centre, seed 004).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.majors.models import Matter, Milestone, TeamMember, TeamPost
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, sees_everything
from fengqiao.regions.models import Level, Region

COUNTY_OFFICE = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER})
TOWN_OFFICE = frozenset({Role.TOWN_CADRE, Role.ADMIN})
# Who signs a closing off (销号) at a county or city: the office's staff, not the leaders it serves.
COUNTY_APPROVERS = frozenset({Role.OPERATOR, Role.ADMIN})
# Roles whose posts put the matters of a region in scope (queries.py).
REGIONAL_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.COUNTY_LEADER, Role.TOWN_CADRE,
                            Role.VILLAGE_LIAISON, Role.PARTY_SECRETARY})
# A region level → its rank among the listing levels (town 0, county 1, city 2; province above).
_RANK = {Level.TOWN: 0, Level.COUNTY: 1, Level.CITY: 2, Level.PROVINCE: 3}

OWNER_ACTIONS = frozenset({"assess", "edit_assessment", "start", "plan", "team", "report", "breakthrough",
                           "request_close", "reassign"})
OVERSIGHT_ACTIONS = frozenset({"urge", "supervise", "escalate"})
LISTING_ACTIONS = frozenset({"approve_close", "reject_close"})


def office_roles(region: Region) -> frozenset[str]:
    return TOWN_OFFICE if region.level == Level.TOWN else COUNTY_OFFICE


def _rank(level: str) -> int:
    return _RANK.get(Level(level), -1)


def is_office_at(user, region: Region) -> bool:
    """An office post at exactly `region`."""
    roles = office_roles(region)
    return any(p.region_id == region.pk and p.role in roles for p in posts_of(user))


def is_approver_at(user, region: Region) -> bool:
    """An approver's post at exactly `region`: its operators or administrators (county, city), its
    cadres (town)."""
    roles = TOWN_OFFICE if region.level == Level.TOWN else COUNTY_APPROVERS
    return any(p.region_id == region.pk and p.role in roles for p in posts_of(user))


def is_office_over(user, region: Region) -> bool:
    """An office post at `region` or at one of its ancestors (each judged by its own level)."""
    for post in posts_of(user):
        if post.region.level in _RANK and post.role in office_roles(post.region) \
                and post.region.is_ancestor_of(region):
            return True
    return False


def _person_id(user) -> int | None:
    person = person_of(user)
    return person.pk if person is not None else None


def is_owner_liaison(user, matter: Matter) -> bool:
    return any(p.role == Role.DEPARTMENT_LIAISON and p.department_id == matter.owner_id for p in posts_of(user))


def team_post(user, matter: Matter) -> str | None:
    pid = _person_id(user)
    if pid is None or not matter.pk:
        return None
    return (TeamMember.objects.filter(matter=matter, person_id=pid, active=True)
            .values_list("post", flat=True).first())


def is_leader(user, matter: Matter) -> bool:
    pid = _person_id(user)
    return pid is not None and pid == matter.leader_id


def acts_as_owner(user, matter: Matter) -> bool:
    """The owner unit, the leader in charge, or an office at or above the listing region."""
    return is_owner_liaison(user, matter) or is_leader(user, matter) or is_office_over(user, matter.listing_region)


def may_register(user, level: str | None = None, region: Region | None = None) -> bool:
    """The registration page and POST /majors: an office post at the listing level or above
    (over `region`, when given)."""
    if sees_everything(user):
        return True
    for post in posts_of(user):
        if post.region.level not in _RANK or post.role not in office_roles(post.region):
            continue
        if level is not None and _rank(post.region.level) < _rank(level):
            continue
        if region is not None and not post.region.is_ancestor_of(region):
            continue
        return True
    return False


def require_register(user, level: str | None = None, region: Region | None = None) -> None:
    if not may_register(user, level, region):
        raise NotPermitted(_("Your posts do not allow listing a major matter at this level here."))


def may_use_majors(user) -> bool:
    """The menu entry and the list: a post that sees matters, an owner unit's liaison, or a member."""
    if sees_everything(user):
        return True
    if any(p.role in REGIONAL_ROLES or p.role == Role.DEPARTMENT_LIAISON for p in posts_of(user)):
        return True
    person = person_of(user)
    return person is not None and (TeamMember.objects.filter(person=person, active=True).exists()
                                   or Matter.objects.filter(leader=person).exists())


def may(user, matter: Matter, action: str) -> bool:
    if sees_everything(user):
        return True
    if action in LISTING_ACTIONS:
        if not is_approver_at(user, matter.listing_region):
            return False
        # Four eyes: the one who asked for closing does not approve it.
        return action != "approve_close" or matter.close_requested_by_id != _person_id(user)
    if action == "decide":
        # 决策: the listing level's own office, or the leader in charge who records it.
        return is_office_at(user, matter.listing_region) or is_leader(user, matter)
    if action in OVERSIGHT_ACTIONS:
        return is_office_over(user, matter.listing_region)
    if action in {"report", "breakthrough"}:
        return acts_as_owner(user, matter) or team_post(user, matter) is not None
    if action in OWNER_ACTIONS:
        return acts_as_owner(user, matter)
    return False


def require(user, matter: Matter, action: str) -> None:
    if user is None:  # the platform itself (the clock scanner)
        return
    if not may(user, matter, action):
        raise NotPermitted(_("Your posts do not allow “%(action)s” on this major matter.") % {"action": action})


# ------------------------------------------------------------------------------ milestones


def may_milestone(user, milestone: Milestone, action: str) -> bool:
    matter = milestone.matter
    if sees_everything(user):
        return True
    if action == "complete":
        return acts_as_owner(user, matter) or team_post(user, matter) in (TeamPost.HEAD, TeamPost.DEPUTY)
    if action == "urge_milestone":
        return is_office_over(user, matter.listing_region)
    if action == "reschedule":
        # A listed node's date is the listing level's (or a level above it) to move.
        return is_office_over(user, matter.listing_region)
    return False


def require_milestone(user, milestone: Milestone, action: str) -> None:
    if user is None:
        return
    if not may_milestone(user, milestone, action):
        raise NotPermitted(_("Your posts do not allow “%(action)s” on this milestone.") % {"action": action})
