"""A record's timeline, as every workflow's page shows it: one row per audit entry, with the move's
and the states' names from the workflow's own machine. The markup is one include,
`fengqiao/_timeline.html`; each page passes the rows `present` makes from its stream."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


def actor_label(entry: Any) -> str:
    """Who did it: the person's name, or "System" for the platform's own steps."""
    if entry.actor_id is None and entry.actor_name in ("", "system"):
        return _("System")
    return str(entry.actor_name)


@dataclass(frozen=True)
class TimelineRow:
    entry: Any  # the AuditEntry
    action_label: str
    actor: str
    from_label: str  # "" when the record was created, or the state did not change
    to_label: str  # "" when the state did not change
    details: list[tuple[str, str]]

    @property
    def action(self) -> str:
        return str(self.entry.action)

    @property
    def created_at(self) -> dt.datetime:
        return self.entry.created_at

    @property
    def note(self) -> str:
        return str(self.entry.note)


def present(
    entries: Iterable[Any],
    *,
    action_label: Callable[[str], str],
    state_label: Callable[[str], Any],
    details: Callable[[Any], list[tuple[str, str]]] | None = None,
) -> list[TimelineRow]:
    rows = []
    for entry in entries:
        moved = entry.from_state != entry.to_state
        rows.append(TimelineRow(
            entry=entry,
            action_label=action_label(entry.action),
            actor=actor_label(entry),
            from_label=str(state_label(entry.from_state)) if moved and entry.from_state else "",
            to_label=str(state_label(entry.to_state)) if moved else "",
            details=details(entry) if details is not None else [],
        ))
    return rows
