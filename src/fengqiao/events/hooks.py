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
_listeners: list[Listener] = []


def listen(fn: Listener) -> Listener:
    """Register `fn` (idempotent; usable as a decorator)."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def unlisten(fn: Listener) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def snapshot(event: Event) -> dict[str, Any]:
    """The event's concrete field values, to pass as `before`."""
    return {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields}


def fire(change: EventChange) -> None:
    for fn in list(_listeners):
        fn(change)
