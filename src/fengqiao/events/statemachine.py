"""The event state machine, as data. One table of moves; `check` is the only gate.

    registered → dispatched → in_progress → resolved → closed
    registered → refused;  registered/dispatched/in_progress → merged
    dispatched/in_progress → registered (return: wrong jurisdiction)
    resolved → in_progress (call back: dissatisfied, counts as rework)
    dispatched/in_progress → dispatched at the next tier (escalate)

A move may also carry a guard (a named precondition on the event beyond its status, such as
"called back and satisfied" for close) and outcome-dependent targets (the call-back's answer
decides where it lands). The actions and the buttons both read them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.events.models import Event, Satisfaction, Status
from fengqiao.lib.errors import IllegalTransition, InvalidInput

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise

R, D, P, V, C, F, M = (
    Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED,
    Status.CLOSED, Status.REFUSED, Status.MERGED,
)
ACTIVE = frozenset({D, P})
NOT_TERMINAL = frozenset({R, D, P, V})


SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


@dataclass(frozen=True)
class Guard:
    """A precondition on the event beyond its status; refused with 409 and `code`."""

    holds: Callable[[Event], bool]
    code: str
    message: StrOrPromise


GUARDS: dict[str, Guard] = {
    # 回访 once per resolution: resolving clears the satisfaction, the call-back sets it.
    "not_called_back": Guard(
        lambda e: not e.satisfaction, "already_called_back",
        gettext_lazy("This resolution has already been called back."),
    ),
    # 归档 only after the citizen was called back and was satisfied (or basically).
    "called_back_satisfied": Guard(
        lambda e: e.satisfaction in SATISFIED, "call_back_first",
        gettext_lazy("Call the citizen back before closing the event."),
    ),
}


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (or depends on the outcome)
    label: StrOrPromise  # lazy: shown on buttons and in the timeline in the page language
    guard: str | None = None  # a key of GUARDS that must hold as well as the status
    # The target by the move's outcome (the call-back's satisfaction); absent: `target`.
    outcomes: Mapping[str, str] = field(default_factory=dict)


MOVES: dict[str, Move] = {
    "dispatch": Move(frozenset({R}), D, pgettext_lazy("event action", "Dispatch")),
    "acknowledge": Move(frozenset({D}), P, pgettext_lazy("event action", "Acknowledge")),
    "return": Move(ACTIVE, R, pgettext_lazy("event action", "Return")),
    "add_assignee": Move(ACTIVE, None, pgettext_lazy("event action", "Add assignee")),
    "comment": Move(NOT_TERMINAL, None, pgettext_lazy("event action", "Comment")),
    "call": Move(NOT_TERMINAL, None, pgettext_lazy("event action", "Call")),
    "resolve": Move(frozenset({P}), V, pgettext_lazy("event action", "Resolve")),
    "call_back": Move(frozenset({V}), None, pgettext_lazy("event action", "Call back"),
                      guard="not_called_back",
                      outcomes={Satisfaction.SATISFIED: V, Satisfaction.BASICALLY_SATISFIED: V,
                                Satisfaction.DISSATISFIED: P}),  # dissatisfied: rework
    "close": Move(frozenset({V}), C, pgettext_lazy("event action", "Close"), guard="called_back_satisfied"),
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


def guard_holds(event: Event, action: str) -> bool:
    """Whether the move's precondition beyond the status holds (True for a move without one)."""
    move = MOVES.get(action)
    return move is None or move.guard is None or GUARDS[move.guard].holds(event)


def legal_now(event: Event, action: str) -> bool:
    """The move is allowed from the event's status and its precondition holds: offer it."""
    return allows(event.status, action) and guard_holds(event, action)


def check_guard(event: Event, action: str) -> None:
    """Raise IllegalTransition (409, the guard's code) unless the move's precondition holds.
    Called by the action on the locked row, after `check`."""
    move = MOVES[action]
    if move.guard is not None and not GUARDS[move.guard].holds(event):
        guard = GUARDS[move.guard]
        raise IllegalTransition(str(guard.message), code=guard.code)


def outcome_target(action: str, outcome: str) -> str:
    """Where a move with outcome-dependent targets lands for `outcome` (checked by the action)."""
    return MOVES[action].outcomes[outcome]


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
