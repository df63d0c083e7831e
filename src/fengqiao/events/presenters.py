"""How an event is shown to one user: masked or not, with the actions their posts allow.
Shared by the API and the pages so both say the same thing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from fengqiao.events import permissions as perms
from fengqiao.events.models import Event, PersonalDataRead
from fengqiao.events.scope import may_see_personal_data
from fengqiao.lib import clock
from fengqiao.lib.masking import mask_id_number, mask_phone
from fengqiao.people.models import Role


def parties_for(user, event: Event, *, via: str) -> list[dict[str, Any]]:
    parties = list(event.parties.all())
    clear = may_see_personal_data(user, event)
    if clear and any(p.phone or p.id_number for p in parties):
        PersonalDataRead.objects.create(
            user=user if getattr(user, "pk", None) else None, event=event, via=via, created_at=clock.now()
        )
    return [
        {
            "id": p.id,
            "name": p.name,
            "phone": p.phone if clear else mask_phone(p.phone),
            "id_number": p.id_number if clear else mask_id_number(p.id_number),
            "is_reporter": p.is_reporter,
            "masked": not clear,
        }
        for p in parties
    ]


def assignees_for(user, event: Event) -> list[dict[str, Any]]:
    rows = event.assignments.select_related("person").order_by("-active", "id")
    return [
        {
            "person_id": a.person_id,
            "name": a.person.name,
            "role": a.role,
            "role_name": Role(a.role).label if a.role in Role.values else a.role,
            "kind": a.kind,
            "tier": a.tier,
            "active": a.active,
            # Colleagues' work phones are for calling them: shown to those who may act.
            "phone": mask_phone(a.person.phone),
        }
        for a in rows
    ]


def is_overdue(event: Event) -> bool:
    return event.overdue_at(clock.now())


def actions_for(user, event: Event) -> list[str]:
    return perms.available_actions(user, event)


def deadline_state(event: Event, now: dt.datetime) -> str:
    """'overdue', 'due_soon' or '' — for the red and amber badges."""
    if event.deadline is None:
        return ""
    if event.overdue_at(now):
        return "overdue"
    if event.is_open and event.deadline - now <= dt.timedelta(hours=settings.FENGQIAO_DEADLINE_WARNING_HOURS):
        return "due_soon"
    return ""


def event_rows(events, now: dt.datetime) -> list[dict[str, Any]]:
    """The rows of an event table (templates/events/_event_table.html): each event and its badge."""
    return [{"event": e, "deadline_state": deadline_state(e, now)} for e in events]
