"""Which actions a user's posts allow on an event they can already see."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from fengqiao.events import statemachine as sm
from fengqiao.events.models import Assignment, Event, Tier
from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import person_of, posts_of, roles_over_region, sees_everything

COMMANDERS = {Role.OPERATOR, Role.ADMIN}
DISPATCHERS = {Role.OPERATOR, Role.ADMIN, Role.TOWN_CADRE}
OVERSEERS = {Role.OPERATOR, Role.COUNTY_LEADER, Role.TOWN_CADRE, Role.ADMIN}
APPROVERS = {Role.TOWN_CADRE, Role.OPERATOR, Role.COUNTY_LEADER, Role.ADMIN}

# Actions anyone who can see the event may take.
OPEN_TO_ALL = frozenset({"comment", "call"})
# Actions for the people bound to the event at its current tier (and commanders).
HANDLING = frozenset({"acknowledge", "resolve", "return", "escalate", "request_extension", "flag_risk", "unflag_risk"})


def tier_region(event: Event):
    if event.tier == Tier.VILLAGE:
        return event.village or event.town or event.county
    if event.tier == Tier.TOWN:
        return event.town or event.county
    return event.county


def is_bound(user, event: Event) -> bool:
    """Bound to the event to handle it. A proxy agent (代办员) is bound to follow the matter for
    the citizen, not to handle it: that binding grants no handling actions."""
    person = person_of(user)
    return bool(person) and Assignment.objects.filter(
        event=event, person=person, active=True
    ).exclude(role=Role.PROXY_AGENT).exists()


def may_decide_extension(user, event: Event) -> bool:
    """Extensions are decided one tier up: a village's by its town (or the county), a town's by
    the county, the county's by a county leader."""
    if sees_everything(user):
        return True
    region = tier_region(event)
    if region is None:
        return False
    for post in posts_of(user):
        if post.role not in APPROVERS:
            continue
        if event.tier == Tier.COUNTY:
            if post.role in {Role.COUNTY_LEADER, Role.ADMIN} and post.region.is_ancestor_of(region):
                return True
        elif post.region.is_ancestor_of(region) and post.region_id != region.id:
            return True
    return False


def _grants(user, event: Event) -> Iterator[tuple[frozenset[str], Callable[[], bool]]]:
    """The rules: which actions a condition on the user's posts grants. Conditions are checked
    lazily, so one action's check costs only the queries its own rule needs."""
    roles = roles_over_region(user, event.region or event.county)
    yield OPEN_TO_ALL, lambda: True
    yield HANDLING | {"add_assignee"}, lambda: Role.ADMIN in roles or is_bound(user, event)
    yield (frozenset({"dispatch", "add_assignee", "call_back", "close", "flag_risk", "unflag_risk"}),
           lambda: bool(roles & DISPATCHERS))
    yield frozenset({"refuse", "merge", "return"}), lambda: bool(roles & COMMANDERS)
    yield frozenset({"recategorise"}), lambda: bool(roles & DISPATCHERS)
    yield frozenset({"urge", "supervise"}), lambda: bool(roles & OVERSEERS)
    yield (frozenset({"approve_extension", "reject_extension"}),
           lambda: may_decide_extension(user, event))


def permitted_actions(user, event: Event) -> set[str]:
    """The actions the user's posts allow, whatever the state (the state machine decides that)."""
    if sees_everything(user):
        return set(sm.ACTIONS)
    allowed: set[str] = set()
    for granted, condition in _grants(user, event):
        if not granted <= allowed and condition():
            allowed |= granted
    return allowed


def may(user, event: Event, action: str) -> bool:
    """Whether the user's posts allow one action (checks only the rules that grant it)."""
    if sees_everything(user):
        return True
    return any(action in granted and condition() for granted, condition in _grants(user, event))


def available_actions(user, event: Event) -> list[str]:
    """What to offer as buttons: legal now by the machine (its status and guard — a move already
    made that may not be repeated is refused by its guard) and permitted by the user's posts."""
    offered = sm.offered(event)
    if not offered:
        return []
    allowed = permitted_actions(user, event)
    return [a for a in offered if a in allowed]


def require(user, event: Event, action: str) -> None:
    if user is None:  # the system itself (automatic dispatch, deadline scanner)
        return
    if not may(user, event, action):
        raise NotPermitted(
            _("Your posts do not allow “%(action)s” on this event.") % {"action": action}
        )
