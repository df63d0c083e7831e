"""Listeners that other apps attach to every change of an event.

A listener runs *inside* the action's transaction, after the row is saved and the audit row is
written, so whatever it writes (a rollup, an outbox row, a triage item) commits or rolls back with
the action. Apps register in `AppConfig.ready()`:

    from fengqiao.events import hooks
    hooks.listen(on_event_change)

Listeners must not start a durable transaction and must be quick: they run on every action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fengqiao.events.models import Event
from fengqiao.workflow.hooks import Hooks
from fengqiao.workflow.hooks import snapshot as _snapshot


@dataclass(frozen=True)
class EventChange:
    event: Event  # the row as saved by the action
    action: str  # "register", a state-machine action, or a record-only action ("overdue")
    from_state: str  # "" on register
    before: dict[str, Any] | None  # field values (by attname) before the action; None on register
    actor: Any  # the acting user, or None for the platform itself
    at: dt.datetime
    # The event was inserted by this very transaction (registration and its own dispatch): no
    # other row can refer to it yet — no triage item, no binding, no earlier callback.
    fresh: bool = False

    def changed(self, attname: str) -> bool:
        if self.before is None:
            return True
        return self.before.get(attname) != getattr(self.event, attname)


Listener = Callable[[EventChange], None]
# The events' listeners, kept by the shared machinery (`fengqiao.workflow.hooks`).
HOOKS = Hooks()


def listen(fn: Listener) -> Listener:
    """Register `fn` (idempotent; usable as a decorator)."""
    HOOKS.listen(fn)
    return fn


def unlisten(fn: Listener) -> None:
    HOOKS.unlisten(fn)


def snapshot(event: Event) -> dict[str, Any]:
    """The event's concrete field values, to pass as `before`."""
    return _snapshot(event)


def fire(change: EventChange) -> None:
    HOOKS.fire(change)


def make_change(*, record: Event, **kwargs: Any) -> EventChange:
    """How the shared transition tells the events' listeners of a change."""
    return EventChange(event=record, **kwargs)
