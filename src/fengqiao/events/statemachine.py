"""The event state machine, as data. One table of moves; `check` is the only gate.

    registered → dispatched → in_progress → resolved → closed
    registered → refused;  registered/dispatched/in_progress → merged
    dispatched/in_progress → registered (return: wrong jurisdiction)
    resolved → in_progress (call back: dissatisfied, counts as rework)
    dispatched/in_progress → dispatched at the next tier (escalate)

A move may also carry a guard (a named precondition on the event beyond its status, such as
"called back and satisfied" for close) and outcome-dependent targets (the call-back's answer
decides where it lands). The actions and the buttons both read them from here; the machinery
that runs them is the one every workflow shares (`fengqiao.workflow.machine`).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.events.models import Event, ExtensionRequest, Satisfaction, Status, Tier
from fengqiao.workflow.machine import Guard, Machine, Move

R, D, P, V, C, F, M = (
    Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED,
    Status.CLOSED, Status.REFUSED, Status.MERGED,
)
ACTIVE = frozenset({D, P})
NOT_TERMINAL = frozenset({R, D, P, V})


SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


def _extension_pending(e: Event) -> bool:
    return ExtensionRequest.objects.filter(event=e, state=ExtensionRequest.State.PENDING).exists()


_PENDING_EXTENSION = Q(Exists(ExtensionRequest.objects.filter(
    event=OuterRef("pk"), state=ExtensionRequest.State.PENDING)))


GUARDS: dict[str, Guard] = {
    # 回访 once per resolution: resolving clears the satisfaction, the call-back sets it.
    "not_called_back": Guard(
        lambda e: not e.satisfaction, "already_called_back",
        gettext_lazy("This resolution has already been called back."),
        where=Q(satisfaction=""),
    ),
    # 归档 only after the citizen was called back and was satisfied (or basically).
    "called_back_satisfied": Guard(
        lambda e: e.satisfaction in SATISFIED, "call_back_first",
        gettext_lazy("Call the citizen back before closing the event."),
        where=Q(satisfaction__in=SATISFIED),
    ),
    # 申请延期 once at a time; 审批 only what waits for a decision.
    "no_extension_pending": Guard(
        lambda e: not _extension_pending(e), "extension_pending",
        gettext_lazy("An extension request is already waiting for a decision."),
        where=~_PENDING_EXTENSION,
    ),
    "extension_pending": Guard(
        _extension_pending, "no_pending_extension",
        gettext_lazy("There is no extension request to decide."),
        where=_PENDING_EXTENSION,
    ),
    # 提级 stops at the county's command centre.
    "below_county": Guard(
        lambda e: e.tier != Tier.COUNTY, "top_tier",
        gettext_lazy("The event is already at the county command centre."),
        where=~Q(tier=Tier.COUNTY),
    ),
    # 标记风险 / 取消标记: each only when it changes something.
    "not_high_risk": Guard(
        lambda e: not e.high_risk, "already_flagged",
        gettext_lazy("The event is already flagged."), where=Q(high_risk=False),
    ),
    "high_risk": Guard(
        lambda e: e.high_risk, "not_flagged",
        gettext_lazy("The event is not flagged."), where=Q(high_risk=True),
    ),
}


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
    "escalate": Move(ACTIVE, D, pgettext_lazy("event action", "Escalate"), guard="below_county"),
    "request_extension": Move(ACTIVE, None, pgettext_lazy("event action", "Request extension"),
                              guard="no_extension_pending"),
    "approve_extension": Move(ACTIVE, None, pgettext_lazy("event action", "Approve extension"),
                              guard="extension_pending"),
    "reject_extension": Move(ACTIVE, None, pgettext_lazy("event action", "Reject extension"),
                             guard="extension_pending"),
    "urge": Move(ACTIVE, None, pgettext_lazy("event action", "Urge")),
    "supervise": Move(frozenset({R, D, P}), None, pgettext_lazy("event action", "Supervise")),
    "flag_risk": Move(frozenset({R, D, P, V}), None, pgettext_lazy("event action", "Flag as high risk"),
                      guard="not_high_risk"),
    "unflag_risk": Move(frozenset({R, D, P, V}), None, pgettext_lazy("event action", "Remove risk flag"),
                        guard="high_risk"),
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


MACHINE = Machine(
    "event",
    moves=MOVES,
    guards=GUARDS,
    record_labels=RECORD_LABELS,
    state_label=lambda status: Status(status).label,
    illegal=gettext_lazy("“%(action)s” is not allowed when the event is %(state)s (%(label)s)."),
)


def action_label(action: str) -> str:
    """The action's name in the page language (buttons, timeline, exports)."""
    return MACHINE.label(action)


def allows(status: str, action: str) -> bool:
    return MACHINE.allows(status, action)


def guard_holds(event: Event, action: str) -> bool:
    """Whether the move's precondition beyond the status holds (True for a move without one)."""
    return MACHINE.guard_holds(event, action)


def legal_now(event: Event, action: str) -> bool:
    """The move is allowed from the event's status and its precondition holds: offer it."""
    return MACHINE.legal_now(event, action)


def outcome_target(action: str, outcome: str) -> str:
    """Where a move with outcome-dependent targets lands for `outcome` (checked by the action)."""
    return MACHINE.outcome_target(action, outcome)


def offered(event: Event) -> list[str]:
    """Every move legal now (status and guard), in the table's order: what may be offered."""
    return MACHINE.offered(event)


def legal_q(action: str) -> Q:
    """The events on which `action` is legal now, as a filter (a worklist tab's)."""
    return MACHINE.legal_q(action)


def check(status: str, action: str) -> Move:
    return MACHINE.check(status, action)
