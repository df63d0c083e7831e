"""A state machine as data: one table of moves per workflow, and the one gate that checks them.

A workflow (the event, a mediation case, a petition) declares its moves:

    MACHINE = Machine(
        "petition",
        moves={"accept": Move(frozenset({"registered"}), "accepted", pgettext_lazy(…, "Accept")), …},
        guards={…},
        state_label=lambda s: Status(s).label,
    )

`check(status, action)` is the only gate: an unknown action is a 400, a move from a state that
does not allow it a 409 naming the state. A move may carry a guard (a named precondition on the
record beyond its status, refused with 409 and the guard's code) and outcome-dependent targets
(the answer decides where it lands). Actions and the buttons of the pages both read them from
here — `legal_now` is what a page asks before it offers a button.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from fengqiao.lib.errors import IllegalTransition, InvalidInput

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Guard:
    """A precondition on the record beyond its status; refused with 409 and `code`."""

    holds: Callable[[Any], bool]
    code: str
    message: StrOrPromise
    # The same precondition as a queryset filter, for lists of the records it holds on now (the
    # worklist tab 待回访 lists exactly the events where 回访 is offered). None: not listable.
    where: Q | None = None


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (or depends on the outcome)
    label: StrOrPromise  # lazy: shown on buttons and in the timeline in the page language
    guard: str | None = None  # a key of the machine's guards that must hold as well as the status
    # The target by the move's outcome; absent: `target`.
    outcomes: Mapping[str, str] = field(default_factory=dict)


class Machine:
    """One workflow's moves, guards and labels."""

    def __init__(
        self,
        name: str,
        *,
        moves: Mapping[str, Move],
        state_label: Callable[[str], StrOrPromise],
        guards: Mapping[str, Guard] | None = None,
        record_labels: Mapping[str, StrOrPromise] | None = None,
        status_field: str = "status",
        noun: StrOrPromise | None = None,
        illegal: StrOrPromise | None = None,
    ) -> None:
        self.name = name
        self.moves = dict(moves)
        self.guards = dict(guards or {})
        # Entries in the record that are not moves (register, a clock's warning, an attachment).
        self.record_labels = dict(record_labels or {})
        self.state_label = state_label
        self.status_field = status_field
        self.noun = noun or name  # "petition" in the messages, in the page language
        # The message of a refused move (%(action)s, %(state)s, %(label)s, %(what)s).
        self.illegal = illegal
        for action, move in self.moves.items():
            if move.guard is not None and move.guard not in self.guards:
                raise ValueError(f"{name}: move {action!r} names an unknown guard {move.guard!r}")

    # ---------------------------------------------------------------------------- reading

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def status_of(self, record: Any) -> str:
        return str(getattr(record, self.status_field))

    def label(self, action: str) -> str:
        """The action's name in the page language (buttons, timeline, exports)."""
        move = self.moves.get(action)
        label = move.label if move is not None else self.record_labels.get(action)
        return str(label) if label is not None else action

    def allows(self, status: str, action: str) -> bool:
        move = self.moves.get(action)
        return move is not None and status in move.sources

    def guard_holds(self, record: Any, action: str) -> bool:
        """Whether the move's precondition beyond the status holds (True for a move without one)."""
        move = self.moves.get(action)
        return move is None or move.guard is None or self.guards[move.guard].holds(record)

    def legal_now(self, record: Any, action: str) -> bool:
        """The move is allowed from the record's status and its precondition holds: offer it."""
        return self.allows(self.status_of(record), action) and self.guard_holds(record, action)

    def offered(self, record: Any) -> list[str]:
        """Every move legal now, in the table's order (what a page may offer, before posts).

        A move already made that may not be made again (a second call-back of one resolution, a
        second pending extension, flagging what is flagged) is refused by its guard, so it is
        never offered either: pages, APIs and lists ask here, never keep their own copy."""
        return [a for a in self.moves if self.legal_now(record, a)]

    def legal_q(self, action: str) -> Q:
        """The records on which `action` is legal now, as a filter (status and guard): a list of
        what waits for the move selects by the same data as the button."""
        move = self.moves[action]
        q = Q(**{f"{self.status_field}__in": sorted(move.sources)})
        if move.guard is not None:
            where = self.guards[move.guard].where
            if where is None:
                raise ValueError(f"{self.name}: guard {move.guard!r} of {action!r} has no queryset filter")
            q &= where
        return q

    def outcome_target(self, action: str, outcome: str) -> str:
        return self.moves[action].outcomes[outcome]

    # ----------------------------------------------------------------------------- gates

    def check(self, status: str, action: str) -> Move:
        move = self.moves.get(action)
        if move is None:
            raise InvalidInput(
                _("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action"
            )
        if status not in move.sources:
            template = (str(self.illegal) if self.illegal is not None else
                        _("“%(action)s” is not allowed when the %(what)s is %(state)s (%(label)s)."))
            raise IllegalTransition(
                template % {"action": action, "what": str(self.noun), "state": status,
                            "label": self.state_label(status)}
            )
        return move

    def check_guard(self, record: Any, action: str) -> None:
        """Raise IllegalTransition (409, the guard's code) unless the move's precondition holds."""
        move = self.moves[action]
        if move.guard is not None and not self.guards[move.guard].holds(record):
            guard = self.guards[move.guard]
            raise IllegalTransition(str(guard.message), code=guard.code)
