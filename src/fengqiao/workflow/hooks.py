"""Listeners other apps attach to every change of a workflow's records.

Each workflow has one `Hooks`; an app registers in `AppConfig.ready()` (`EVENT_HOOKS.listen(fn)`).
A listener runs *inside* the action's transaction, after the row is saved and the audit row is
written, so whatever it writes commits or rolls back with the action. Listeners must not start a
durable transaction and must be quick: they run on every action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Change:
    record: Any  # the row as saved by the action
    action: str  # a move of the machine, or a record-only entry ("clock_warning")
    from_state: str  # "" when the record was created by this action
    before: dict[str, Any] | None  # field values (by attname) before the action; None on create
    actor: Any  # the acting user, or None for the platform itself
    at: dt.datetime
    fresh: bool = False  # the record was inserted by this very transaction

    def changed(self, attname: str) -> bool:
        if self.before is None:
            return True
        return self.before.get(attname) != getattr(self.record, attname)


class Hooks:
    def __init__(self) -> None:
        self._listeners: list[Callable[[Any], None]] = []

    def listen(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """Register `fn` (idempotent; usable as a decorator)."""
        if fn not in self._listeners:
            self._listeners.append(fn)
        return fn

    def unlisten(self, fn: Callable[[Any], None]) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def fire(self, change: Any) -> None:
        for fn in list(self._listeners):
            fn(change)


def snapshot(record: models.Model) -> dict[str, Any]:
    """The record's concrete field values, to pass as `before`."""
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
