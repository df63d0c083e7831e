"""The in-app inbox: GET /api/v1/me/notifications."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from fengqiao.lib import clock
from fengqiao.lib.inputs import MAX_PAGE_SIZE
from fengqiao.notify.models import Notification

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    event_id: int | None
    created_at: dt.datetime
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[NotificationOut]


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id, kind=n.kind, title=n.title, body=n.body, event_id=n.event_id,
        created_at=n.created_at, read=n.read_at is not None,
    )


@router.get("/me/notifications", response=InboxOut)
def my_notifications(request, unread_only: bool = False, limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):
    qs = Notification.objects.filter(user=request.auth)
    unread = qs.filter(read_at=None).count()
    if unread_only:
        qs = qs.filter(read_at=None)
    return InboxOut(unread=unread, items=[_out(n) for n in qs[:limit]])


@router.post("/me/notifications/{notification_id}/read", response=NotificationOut)
def mark_read(request, notification_id: int):
    n = get_object_or_404(Notification, pk=notification_id, user=request.auth)
    if n.read_at is None:
        n.read_at = clock.now()
        n.save(update_fields=["read_at"])
    return _out(n)


@router.post("/me/notifications/read-all")
def mark_all_read(request):
    count = Notification.objects.filter(user=request.auth, read_at=None).update(read_at=clock.now())
    return {"marked": count}
