"""Who may take which action on a mediation case or a 群英 task they can already see (scope is
`queries.py`: 404 outside), and who may use the centre's pages and registry.

Cases — officers are the holders of a post of role mediator, operator, admin or town cadre whose
region covers the case (the centre's mediators, the command centre, the town's 司法所 cadres);
the mediators on the case are its handlers:

- deciding moves (accept, refuse, assign, release, extend, close): officers;
- handling moves (sessions, investigations, notes, outcomes, the report to the court, terms,
  follow-ups, judicial confirmation): officers and the mediators on the case.

Tasks — dispatched by a person bound to the event (an active events Assignment other than a proxy
agent's: the community police officer, the village's 3, a town cadre bound at escalation);
taken, declined and reported by the 群英 member it was handed to; closed, sent back, handed on or
cancelled by its dispatcher or anyone bound to the event. Administrators over the region may do
anything; the platform itself (actor None) is not asked.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.events.permissions import is_bound
from fengqiao.lib.errors import NotPermitted
from fengqiao.mediation import machine
from fengqiao.mediation.models import Case, CaseMediator, Mediator, PoolMember, Task
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, roles_over_region, sees_everything

OFFICER_ROLES = frozenset({Role.MEDIATOR, Role.OPERATOR, Role.ADMIN, Role.TOWN_CADRE})
REGISTRY_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
DECIDING = frozenset({"accept", "refuse", "assign", "release", "extend", "close"})
HANDLING = frozenset(machine.ACTIONS) - DECIDING

TASK_MEMBER = frozenset({"accept", "decline", "report"})
TASK_DISPATCHER = frozenset({"close", "send_back", "reassign", "cancel"})


# ---------------------------------------------------------------------------- cases


def is_officer(user, case: Case) -> bool:
    return sees_everything(user) or bool(roles_over_region(user, case.region) & OFFICER_ROLES)


def is_case_mediator(user, case: Case) -> bool:
    person = person_of(user)
    return person is not None and CaseMediator.objects.filter(
        case=case, mediator__person=person, active=True).exists()


def may(user, case: Case, action: str) -> bool:
    if sees_everything(user):
        return True
    if action in DECIDING:
        return is_officer(user, case)
    if action in HANDLING:
        return is_officer(user, case) or is_case_mediator(user, case)
    return False


def permitted_actions(user, case: Case) -> set[str]:
    if sees_everything(user) or is_officer(user, case):
        return set(machine.ACTIONS)
    if is_case_mediator(user, case):
        return set(HANDLING)
    return set()


def require(user, case: Case, action: str) -> None:
    if user is None:  # the platform itself (the clock scanner)
        return
    if not may(user, case, action):
        raise NotPermitted(
            _("Your posts do not allow “%(action)s” on this mediation case.") % {"action": action})


def may_open(user, region, event=None) -> bool:
    """Open a case: officers over the region, or someone bound to the dispute event (a community
    police officer handing the dispute to the centre)."""
    if user is None or sees_everything(user):
        return True
    if region is not None and roles_over_region(user, region) & OFFICER_ROLES:
        return True
    return event is not None and is_bound(user, event)


def require_open(user, region, event=None) -> None:
    if not may_open(user, region, event):
        raise NotPermitted(_("Your posts do not allow opening a mediation case here."))


# ---------------------------------------------------------------------------- tasks


def may_dispatch(user, event) -> bool:
    """派单: a person bound to the event (or an administrator over it)."""
    if user is None or sees_everything(user):
        return True
    if Role.ADMIN in roles_over_region(user, event.region or event.county):
        return True
    return is_bound(user, event)


def require_dispatch(user, event) -> None:
    if not may_dispatch(user, event):
        raise NotPermitted(_("Only the people bound to the event may hand it to a 群英 member."))


def _is_member(user, task: Task) -> bool:
    person = person_of(user)
    return person is not None and task.member.person_id == person.pk


def _is_dispatcher(user, task: Task) -> bool:
    person = person_of(user)
    if person is not None and task.dispatcher_id == person.pk:
        return True
    if Role.ADMIN in roles_over_region(user, task.region):
        return True
    return is_bound(user, task.event)


def may_task(user, task: Task, action: str) -> bool:
    if sees_everything(user):
        return True
    if action in TASK_MEMBER:
        return _is_member(user, task)
    if action in TASK_DISPATCHER:
        return _is_dispatcher(user, task)
    return False


def permitted_task_actions(user, task: Task) -> set[str]:
    if sees_everything(user):
        return set(machine.TASK_ACTIONS)
    allowed: set[str] = set()
    if _is_member(user, task):
        allowed |= TASK_MEMBER
    if _is_dispatcher(user, task):
        allowed |= TASK_DISPATCHER
    return allowed


def require_task(user, task: Task, action: str) -> None:
    if user is None:
        return
    if not may_task(user, task, action):
        raise NotPermitted(_("Your posts do not allow “%(action)s” on this task.") % {"action": action})


# ---------------------------------------------------------------------- pages, registry


def may_use_centre(user) -> bool:
    """The centre's case lists and pages: officers anywhere, and mediators."""
    if sees_everything(user):
        return True
    if any(post.role in OFFICER_ROLES for post in posts_of(user)):
        return True
    person = person_of(user)
    return person is not None and Mediator.objects.filter(person=person, active=True).exists()


def require_centre(user) -> None:
    if not may_use_centre(user):
        raise NotPermitted(_("The mediation centre's pages are for its mediators and officers."))


def is_pool_member(user) -> bool:
    person = person_of(user)
    return person is not None and PoolMember.objects.filter(person=person, active=True).exists()


def may_use_tasks(user) -> bool:
    """The 群英 task list: members of a pool, and whoever may use the centre."""
    return is_pool_member(user) or may_use_centre(user) or bool(posts_of(user))


def may_manage_registry(user, region) -> bool:
    """Organisations, mediators, pools and the duty roster: operators and administrators over
    the region."""
    if user is None or sees_everything(user):
        return True
    return region is not None and bool(roles_over_region(user, region) & REGISTRY_ROLES)


def require_registry(user, region) -> None:
    if not may_manage_registry(user, region):
        raise NotPermitted(_("Only operators and administrators over the region keep the mediation registry."))
