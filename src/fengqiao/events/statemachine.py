"""The event state machine, as data. One table of moves; `check` is the only gate.

    registered → dispatched → in_progress → resolved → closed
    registered → refused;  registered/dispatched/in_progress → merged
    dispatched/in_progress → registered (return: wrong jurisdiction)
    resolved → in_progress (call back: dissatisfied, counts as rework)
    dispatched/in_progress → dispatched at the next tier (escalate)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fengqiao.events.models import Status
from fengqiao.lib.errors import IllegalTransition, InvalidInput

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
    label: str


MOVES: dict[str, Move] = {
    "dispatch": Move(frozenset({R}), D, "分拨"),
    "acknowledge": Move(frozenset({D}), P, "签收"),
    "return": Move(ACTIVE, R, "退回"),
    "add_assignee": Move(ACTIVE, None, "增派"),
    "comment": Move(NOT_TERMINAL, None, "备注/会商"),
    "call": Move(NOT_TERMINAL, None, "一键拨号"),
    "resolve": Move(frozenset({P}), V, "办结"),
    "call_back": Move(frozenset({V}), None, "回访"),  # stays resolved, or back to in_progress
    "close": Move(frozenset({V}), C, "归档"),
    "refuse": Move(frozenset({R}), F, "不予受理"),
    "escalate": Move(ACTIVE, D, "提级"),
    "request_extension": Move(ACTIVE, None, "申请延期"),
    "approve_extension": Move(ACTIVE, None, "同意延期"),
    "reject_extension": Move(ACTIVE, None, "驳回延期"),
    "urge": Move(ACTIVE, None, "催办"),
    "supervise": Move(frozenset({R, D, P}), None, "督办"),
    "flag_risk": Move(frozenset({R, D, P, V}), None, "标记风险"),
    "unflag_risk": Move(frozenset({R, D, P, V}), None, "取消风险"),
    "merge": Move(frozenset({R, D, P}), M, "合并"),
}
ACTIONS = tuple(MOVES)


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
