"""Reads on supervision, within the user's scope (404 outside it, as for events)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from fengqiao.people.models import Pairing, Role
from fengqiao.people.queries import person_of, posts_of, sees_everything
from fengqiao.supervision.models import AccountabilityRecord, BulletinRun

LEVEL_COLUMNS = {"county": "county_id", "town": "town_id", "village": "village_id"}


def records_scope_q(user) -> Q | None:
    """Records filed under the user's posts' regions, against their department, or against
    themselves. None: no restriction."""
    if sees_everything(user):
        return None
    q = Q(pk__in=[])
    for post in posts_of(user):
        column = LEVEL_COLUMNS.get(post.region.level)
        if post.role == Role.DEPARTMENT_LIAISON:
            if post.department_id:
                q |= Q(target_department_id=post.department_id)
            continue
        if column:
            q |= Q(**{column: post.region_id})
        elif post.region.level in ("province", "city"):
            q |= Q(**{f"scope_region__{post.region.level}_id": post.region_id})
        else:
            q |= Q(scope_region_id=post.region_id)
    person = person_of(user)
    if person is not None:
        q |= Q(target_person=person)
    return q


def visible_records(user) -> QuerySet:
    if user is None or not getattr(user, "is_authenticated", False):
        return AccountabilityRecord.objects.none()
    q = records_scope_q(user)
    qs = AccountabilityRecord.objects.all() if q is None else AccountabilityRecord.objects.filter(q)
    return qs.select_related("target_region", "target_department", "target_person", "scope_region")


def access_record_for_user(user, record_id) -> AccountabilityRecord:
    try:
        return visible_records(user).get(pk=int(record_id))
    except (AccountabilityRecord.DoesNotExist, TypeError, ValueError):
        raise Http404("no such record") from None


def visible_pairings(user) -> QuerySet:
    """Pairings of villages the user's posts cover, and of the user's own department."""
    qs = Pairing.objects.select_related("department", "village", "village__town")
    if sees_everything(user):
        return qs
    departments = [p.department_id for p in posts_of(user)
                   if p.role == Role.DEPARTMENT_LIAISON and p.department_id]
    regional = [p for p in posts_of(user) if p.role != Role.DEPARTMENT_LIAISON]
    q = Q(department_id__in=departments)
    for post in regional:
        q |= Q(**{f"village__{k}": v for k, v in post.region.subtree_kwargs().items()})
    return qs.filter(q)


def visible_bulletin_runs(user) -> QuerySet:
    """The bulletin packs a user may list and fetch: their own, and every one over a region their
    posts cover (the packs `fengqiao bulletin` kept included), newest first."""
    from fengqiao.people.queries import visible_regions

    if user is None or not getattr(user, "is_authenticated", False):
        return BulletinRun.objects.none()
    qs = BulletinRun.objects.select_related("region", "created_by__person").order_by("-created_at", "-id")
    if sees_everything(user):
        return qs
    return qs.filter(Q(created_by_id=user.pk) | Q(region__in=visible_regions(user)))


def access_bulletin_run(user, run_id) -> BulletinRun:
    """A bulletin pack: its requester's, or any over a region the user's posts cover."""
    from fengqiao.people.queries import visible_regions

    try:
        run = BulletinRun.objects.select_related("region").get(pk=int(run_id))
    except (BulletinRun.DoesNotExist, TypeError, ValueError):
        raise Http404("no such bulletin") from None
    if sees_everything(user) or run.created_by_id == getattr(user, "pk", None):
        return run
    if visible_regions(user).filter(pk=run.region_id).exists():
        return run
    raise Http404("no such bulletin")
