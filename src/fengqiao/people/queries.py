"""Reads about people: who a user is, their posts, the regions they may pick, the villages their
departments are paired (挂钩) with.

Which events a user sees is decided above this app, in `fengqiao.events.scope`, from these
facts; people never imports events.
"""

from __future__ import annotations

from django.db.models import Q

from fengqiao.people.models import Pairing, Person, Post, Role

# Roles that see the whole subtree of their post's region.
REGIONAL_ROLES = frozenset(Role) - {Role.DEPARTMENT_LIAISON}


def person_of(user) -> Person | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "_fq_person"):  # looked up before on this user object (maybe None)
        return user._fq_person
    person = Person.objects.filter(user=user, active=True).first()
    user._fq_person = person
    return person


def posts_of(user) -> list[Post]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_fq_posts", None)
    if cached is not None:
        return cached
    person = person_of(user)
    posts = (
        list(
            Post.objects.filter(person=person, active=True)
            .select_related("region", "department")
            .order_by("id")
        )
        if person
        else []
    )
    user._fq_posts = posts
    return posts


def sees_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def paired_villages(user, department_id: int) -> list[int]:
    """Ids of the villages paired (挂钩) with a department, as a short literal list (cached on
    the request's user like the posts)."""
    cache = getattr(user, "_fq_paired", None)
    if cache is None:
        cache = user._fq_paired = {}
    if department_id not in cache:
        cache[department_id] = list(
            Pairing.objects.filter(department_id=department_id, active=True)
            .values_list("village_id", flat=True)
        )
    return cache[department_id]


def paired_village_ids(user) -> list[int]:
    """The villages paired (挂钩) with the user's departments, for a department liaison's lists."""
    ids: list[int] = []
    for post in posts_of(user):
        if post.role == Role.DEPARTMENT_LIAISON and post.department_id:
            ids += [i for i in paired_villages(user, post.department_id) if i not in ids]
    return ids


def visible_regions(user):
    """The regions a user may pick or browse: their posts' subtrees."""
    from fengqiao.regions.models import Region

    if sees_everything(user):
        return Region.objects.all()
    q = Q(pk__in=[])
    for post in posts_of(user):
        q |= Q(**post.region.subtree_kwargs())
    return Region.objects.filter(q)


def roles_over_region(user, region) -> set[str]:
    """The roles the user holds at `region` or above it."""
    if region is None:
        return set()
    return {
        post.role for post in posts_of(user) if post.region.is_ancestor_of(region)
    }
