"""Reads for the triage queue, and who may see which item.

The queue is for those who dispatch: operators and administrators over their county, town cadres
over their towns (the roles `events.permissions.DISPATCHERS`). An item is visible when its event
lies in the subtree of one of those posts — one indexed equality per post on the event's ancestor
columns, as in `people.queries`. Anyone else is refused (403, `triage.permissions`); an item
outside the area is a 404.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fengqiao.people.queries import sees_everything
from fengqiao.triage.models import REASON_FIELDS, Reason, TriageItem, TwinFlag
from fengqiao.triage.permissions import may_triage, triage_posts


def _scope_q(user) -> Q | None:
    if sees_everything(user):
        return None
    q = Q(pk__in=[])
    for post in triage_posts(user):
        kwargs = post.region.subtree_kwargs(self_field="region_id")
        q |= Q(**{f"event__{k}": v for k, v in kwargs.items()})
    return q


def visible_items(user, *, reason: str | None = None, open_only: bool = True) -> QuerySet:
    if not may_triage(user):
        return TriageItem.objects.none()
    qs = TriageItem.objects.all()
    q = _scope_q(user)
    if q is not None:
        qs = qs.filter(q)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    if reason:
        if reason not in Reason.values:
            raise LookupError(f"reason:{reason}")
        qs = qs.filter(**{REASON_FIELDS[Reason(reason)]: True})
    return qs


def access_item_for_user(user, item_id) -> TriageItem:
    """The item if the user may triage it (open or closed); 404 otherwise."""
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise Http404("no such triage item") from None
    item = visible_items(user, open_only=False).select_related(
        "event", "event__category", "event__region", "closed_by"
    ).filter(pk=pk).first()
    if item is None:
        raise Http404("no such triage item")
    return item


def reason_counts(user) -> dict[str, int]:
    """Open items per reason, in one query (the aliases must not be the flags' own names)."""
    counts = visible_items(user).aggregate(
        **{f"n_{r.value}": Count("pk", filter=Q(**{REASON_FIELDS[r]: True})) for r in Reason}
    )
    return {r.value: counts[f"n_{r.value}"] or 0 for r in Reason}


def twins_of(item: TriageItem) -> list[TwinFlag]:
    return list(item.twin_flags.select_related("twin", "twin__category", "twin__region").order_by("-score", "id"))
