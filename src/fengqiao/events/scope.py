"""The one place where scope is decided: which events a user sees.

A user sees the events in the subtree of their posts' regions and the events they are (or were)
bound to; a department liaison sees what was handed to their department and the events of the
villages paired (挂钩) with it; a grid worker or grid head (who files from the field) also sees
what they reported wherever it was filed — a matter they saw may be filed at the village, above
their grid — and follows all of it (`follows_whole_scope`). Every page, endpoint, export and search goes through
`visible_events` or `access_event_for_user`. The facts come from `fengqiao.people.queries`
(posts, paired villages); the rule is here, above both people and the events it selects.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from fengqiao.events.models import Assignment, Event
from fengqiao.people.models import Role
from fengqiao.people.queries import (
    paired_villages,
    person_of,
    posts_of,
    roles_over_region,
    sees_everything,
)


def event_scope_q(user) -> Q | None:
    """The Q selecting the events a user may see; None means no restriction.

    Each post adds one indexed equality (`village_id = …`); the events the person is bound to
    outside their posts' subtrees are added as a short literal id list (`Assignment.beyond_posts`,
    set at binding time), never as an `OR id IN (subquery)`, which would defeat the region indexes
    on a table of millions."""

    if sees_everything(user):
        return None
    q = Q(pk__in=[])
    for post in posts_of(user):
        region_q = Q(**post.region.subtree_kwargs(self_field="region_id"))
        if post.role == Role.DEPARTMENT_LIAISON:
            if post.department_id:
                q |= region_q & Q(department_id=post.department_id)
                paired = paired_villages(user, post.department_id)
                if paired:  # 挂钩: the villages paired with the department, whole
                    q |= region_q & Q(village_id__in=paired)
        else:
            q |= region_q
    beyond = _bound_beyond_posts(user)
    if beyond:
        q |= Q(pk__in=beyond)
    person = person_of(user)
    if person is not None and follows_whole_scope(user):
        q |= Q(registered_by_person_id=person.pk)  # what they reported (an indexed column)
    return q


# The field's posts: they report what they see and follow it, bound or not (网格员 follows what
# they reported and what is filed in their grid).
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_HEAD})


def follows_whole_scope(user) -> bool:
    """A grid worker's or grid head's worklist is all they see (their grid and what they
    reported), not only what they are bound to."""
    return any(p.role in FIELD_ROLES for p in posts_of(user))


def _bound_beyond_posts(user) -> list[int]:
    """Ids of events bound to the user outside their posts (cached on the request's user, like
    the posts themselves)."""
    cached = getattr(user, "_fq_beyond", None)
    if cached is not None:
        return cached
    person = person_of(user)
    beyond = (
        list(Assignment.objects.filter(person=person, beyond_posts=True).values_list("event_id", flat=True))
        if person is not None
        else []
    )
    user._fq_beyond = beyond
    return beyond


def visible_events(user) -> QuerySet:
    if user is None or not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    q = event_scope_q(user)
    return Event.objects.all() if q is None else Event.objects.filter(q)


def access_event_for_user(user, event_id, *, for_update: bool = False):
    """The event if the user may see it; 404 otherwise (never reveal that it exists).

    Exact for one event: its region under one of the user's posts, or any binding of the user
    (even one made before their posts changed)."""
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        raise Http404("no such event") from None
    if user is None or not getattr(user, "is_authenticated", False):
        raise Http404("no such event")
    q = event_scope_q(user)
    person = person_of(user)
    if q is not None and person is not None:
        q |= Q(pk__in=Assignment.objects.filter(person=person, event_id=pk).values("event_id"))
    qs = Event.objects.all() if q is None else Event.objects.filter(q)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("no such event") from None


def access_event_by_code(user, code: str):
    try:
        return visible_events(user).get(code=code)
    except Event.DoesNotExist:
        raise Http404("no such event") from None


def may_see_personal_data(user, event) -> bool:
    """Unmasked phones and ID numbers: people bound to the event, and operators and admins over
    it. Everyone else sees 138****1234."""
    if sees_everything(user):
        return True
    if roles_over_region(user, event.region) & {Role.OPERATOR, Role.ADMIN, Role.MEDIATOR}:
        return True
    person = person_of(user)
    return bool(person) and Assignment.objects.filter(event=event, person=person, active=True).exists()
