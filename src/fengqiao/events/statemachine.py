"""The event state machine, as data. One table of moves; `check` is the only gate.

    registered → dispatched → in_progress → resolved → closed
    registered → refused;  registered/dispatched/in_progress → merged
    dispatched/in_progress → registered (return: wrong jurisdiction)
    resolved → in_progress (call back: dissatisfied, counts as rework)
    dispatched/in_progress → dispatched at the next tier (escalate)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from fengqiao.events.models import Status
from fengqiao.lib.errors import IllegalTransition, InvalidInput

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise

R, D, P, V, C, F, M = (
    Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED,
    Status.CLOSED, Status.REFUSED, Status.MERGED,
)
ACTIVE = frozenset({D, P})
NOT_TERMINAL = frozenset({R, D, P, V})


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (or depends on the input)
    label: StrOrPromise  # lazy: shown on buttons and in the timeline in the page language


MOVES: dict[str, Move] = {
    "dispatch": Move(frozenset({R}), D, pgettext_lazy("event action", "Dispatch")),
    "acknowledge": Move(frozenset({D}), P, pgettext_lazy("event action", "Acknowledge")),
    "return": Move(ACTIVE, R, pgettext_lazy("event action", "Return")),
    "add_assignee": Move(ACTIVE, None, pgettext_lazy("event action", "Add assignee")),
    "comment": Move(NOT_TERMINAL, None, pgettext_lazy("event action", "Comment")),
    "call": Move(NOT_TERMINAL, None, pgettext_lazy("event action", "Call")),
    "resolve": Move(frozenset({P}), V, pgettext_lazy("event action", "Resolve")),
    "call_back": Move(frozenset({V}), None, pgettext_lazy("event action", "Call back")),
    "close": Move(frozenset({V}), C, pgettext_lazy("event action", "Close")),
    "refuse": Move(frozenset({R}), F, pgettext_lazy("event action", "Refuse")),
    "escalate": Move(ACTIVE, D, pgettext_lazy("event action", "Escalate")),
    "request_extension": Move(ACTIVE, None, pgettext_lazy("event action", "Request extension")),
    "approve_extension": Move(ACTIVE, None, pgettext_lazy("event action", "Approve extension")),
    "reject_extension": Move(ACTIVE, None, pgettext_lazy("event action", "Reject extension")),
    "urge": Move(ACTIVE, None, pgettext_lazy("event action", "Urge")),
    "supervise": Move(frozenset({R, D, P}), None, pgettext_lazy("event action", "Supervise")),
    "flag_risk": Move(frozenset({R, D, P, V}), None, pgettext_lazy("event action", "Flag as high risk")),
    "unflag_risk": Move(frozenset({R, D, P, V}), None, pgettext_lazy("event action", "Remove risk flag")),
    "merge": Move(frozenset({R, D, P}), M, pgettext_lazy("event action", "Merge")),
    "recategorise": Move(frozenset({R, D, P}), None, pgettext_lazy("event action", "Change category")),
}
ACTIONS = tuple(MOVES)
# Entries in the record that are not moves of the state machine.
RECORD_LABELS = {
    "register": pgettext_lazy("event action", "Register"),
    "intake": pgettext_lazy("event action", "Received through a channel"),  # the intake door
    "attach": pgettext_lazy("event action", "Attach a file"),
    "deadline_warning": pgettext_lazy("event action", "Deadline warning"),
    "overdue": pgettext_lazy("event action", "Overdue notice"),
    "confirm_category": pgettext_lazy("event action", "Confirm category"),  # triage
    "not_duplicate": pgettext_lazy("event action", "Not a duplicate"),  # triage
}


def action_label(action: str) -> str:
    """The action's name in the page language (buttons, timeline, exports)."""
    move = MOVES.get(action)
    label = move.label if move is not None else RECORD_LABELS.get(action)
    return str(label) if label is not None else action


def allows(status: str, action: str) -> bool:
    move = MOVES.get(action)
    return move is not None and status in move.sources


def check(status: str, action: str) -> Move:
    move = MOVES.get(action)
    if move is None:
        raise InvalidInput(
            _("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action"
        )
    if status not in move.sources:
        raise IllegalTransition(
            _("“%(action)s” is not allowed when the event is %(state)s (%(label)s).")
            % {"action": action, "state": status, "label": Status(status).label}
        )
    return move
