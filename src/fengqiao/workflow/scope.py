"""Scope by region, for every workflow's records: the union of the subtrees of a user's posts.

A record with the ancestor columns (province … village, grid, filled from its `region` when it is
filed) is selected by one indexed equality per post (`town_id = …`), the same rule as the
events' (`events/scope.py` adds what is particular to events: bindings and departments). Each
workflow's `queries.py` adds the records its people are members of (a mediator's cases, a 群英
member's tasks) and raises 404 outside — never a 403 that tells the record exists.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from fengqiao.people.queries import posts_of, sees_everything
from fengqiao.regions.models import ANCESTOR_LEVELS, Region


def region_scope_q(user, *, self_field: str = "region_id", roles: set[str] | None = None) -> Q | None:
    """The Q selecting records under the user's posts (only posts of `roles`, when given);
    None means no restriction (a superuser)."""
    if sees_everything(user):
        return None
    q = Q(pk__in=[])
    for post in posts_of(user):
        if roles is not None and post.role not in roles:
            continue
        q |= Q(**post.region.subtree_kwargs(self_field=self_field))
    return q


def file_under(record, region: Region) -> None:
    """Copy the region and its ancestor columns (a region's own level included) onto the record,
    before it is saved; the division importer keeps them current afterwards."""
    record.region = region
    for level in ANCESTOR_LEVELS:
        setattr(record, f"{level}_id", getattr(region, f"{level}_id"))


def record_id(value) -> int:
    """An id from a URL or a request, as the access lookups take it: anything that is not a
    positive 64-bit integer is a record that does not exist (404), never a 400 or a 500."""
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Http404("no such record") from None
    if not 0 < pk < 2**63:
        raise Http404("no such record")
    return pk
