"""The petition's states and moves, as data (信访工作条例 2022).

    registered ─route─▶ routed ─accept─▶ accepted ─start─▶ handling ─answer─▶ answered ─close─▶ closed
        ▲                 │  └─not_accept─▶ not_accepted          (accepted ─answer─▶ answered too)
        └───object────────┘  (the body is not responsible: 异议, back to routing)
    answered ─apply_review─▶ in_review ─answer_review─▶ reviewed ─apply_rereview─▶ in_rereview
        ─answer_rereview─▶ rereviewed ─close─▶ closed          (reviewed ─close─▶ closed too)

Beside the line, moves that keep the status: extend (once, ≤ 30 days, with reasons), assign
(领导包案, 专班, 承办人), urge (催办), escalate (督办/提级), link an event, and the backlog's
(信访积案): list it, re-sort it among 四个一批, settle it. Guards say what the status alone
cannot: an objection only within its 5 working days, one extension, a review or re-review only
while its 30 days to apply run. `petitions/actions.py` performs the moves through the shared
transition function; the pages offer a button only when `MACHINE.legal_now`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.lib import clock
from fengqiao.petitions.models import Petition, Status
from fengqiao.workflow.machine import Guard, Machine, Move
from fengqiao.workflow.models import Clock

NAME = "petition"  # the workflow's name: clocks, the scanner's registry, `Clock.workflow`

R, T, A, N, H, W = (Status.REGISTERED, Status.ROUTED, Status.ACCEPTED, Status.NOT_ACCEPTED,
                    Status.HANDLING, Status.ANSWERED)
IR, RV, IRR, RRV, C = (Status.IN_REVIEW, Status.REVIEWED, Status.IN_REREVIEW, Status.REREVIEWED,
                       Status.CLOSED)
OPEN = frozenset({R, T, A, H, W, IR, RV, IRR, RRV})
EVERY = frozenset(Status)
WAITING_ON_A_BODY = frozenset({T, A, H, IR, IRR})


def _window_open(petition: Petition, key: str) -> bool:
    """The clock `key` runs on the petition and its limit has not passed."""
    running = (Clock.objects.filter(workflow=NAME, record_id=petition.pk, policy__key=key,
                                    stopped_at=None).values_list("due_at", flat=True).first())
    return running is not None and clock.now() <= running


def _backlog(petition: Petition):
    try:
        return petition.backlog
    except Petition.backlog.RelatedObjectDoesNotExist:
        return None


def backlog_open(petition: Petition) -> bool:
    case = _backlog(petition)
    return case is not None and case.settled_at is None


GUARDS: dict[str, Guard] = {
    # 异议: within 5 working days of receiving the petition (the clock petition.object).
    "objection_window_open": Guard(
        lambda p: _window_open(p, "petition.object"), "objection_window_closed",
        gettext_lazy("The 5 working days to object have passed: the body must decide whether it accepts."),
    ),
    # 延期: once, by up to 30 days.
    "not_extended": Guard(
        lambda p: p.extended_days == 0, "already_extended",
        gettext_lazy("The handling time limit has already been extended once."),
    ),
    "review_window_open": Guard(
        lambda p: _window_open(p, "petition.review_apply"), "review_window_closed",
        gettext_lazy("The 30 days to ask for a review have passed."),
    ),
    "rereview_window_open": Guard(
        lambda p: _window_open(p, "petition.rereview_apply"), "rereview_window_closed",
        gettext_lazy("The 30 days to ask for a re-review have passed."),
    ),
    "not_backlog": Guard(
        lambda p: _backlog(p) is None, "already_backlog",
        gettext_lazy("This petition is already listed as a backlog case."),
    ),
    "backlog_open": Guard(
        backlog_open, "no_open_backlog",
        gettext_lazy("This petition is not an unsettled backlog case."),
    ),
}


MOVES: dict[str, Move] = {
    "route": Move(frozenset({R}), T, pgettext_lazy("petition action", "Route")),  # 转送 / 交办
    "object": Move(frozenset({T}), R, pgettext_lazy("petition action", "Object"), guard="objection_window_open"),  # 异议
    "accept": Move(frozenset({T}), A, pgettext_lazy("petition action", "Accept")),  # 受理
    "not_accept": Move(frozenset({T}), N, pgettext_lazy("petition action", "Do not accept")),  # 不予受理
    "start": Move(frozenset({A}), H, pgettext_lazy("petition action", "Start handling")),  # 开始办理
    "extend": Move(frozenset({A, H}), None, pgettext_lazy("petition action", "Extend"), guard="not_extended"),  # 延期
    "answer": Move(frozenset({A, H}), W, pgettext_lazy("petition action", "Answer")),  # 出具处理意见
    "apply_review": Move(frozenset({W}), IR, pgettext_lazy("petition action", "Review requested"), guard="review_window_open"),  # 申请复查
    "answer_review": Move(frozenset({IR}), RV, pgettext_lazy("petition action", "Answer the review")),  # 复查意见
    "apply_rereview": Move(frozenset({RV}), IRR, pgettext_lazy("petition action", "Re-review requested"),
                           guard="rereview_window_open"),  # 申请复核
    "answer_rereview": Move(frozenset({IRR}), RRV, pgettext_lazy("petition action", "Answer the re-review")),  # 复核意见
    "close": Move(frozenset({W, RV, RRV}), C, pgettext_lazy("petition action", "Close")),  # 办结 / 终结
    "assign": Move(OPEN, None, pgettext_lazy("petition action", "Leader and team")),  # 领导包案, 专班, 承办人
    "urge": Move(WAITING_ON_A_BODY, None, pgettext_lazy("petition action", "Urge")),  # 催办
    "escalate": Move(OPEN - {W, RV, RRV}, None, pgettext_lazy("petition action", "Escalate")),  # 提级 / 督办
    "link_event": Move(OPEN, None, pgettext_lazy("petition action", "Link an event")),
    "list_backlog": Move(EVERY, None, pgettext_lazy("petition action", "List as backlog case"), guard="not_backlog"),  # 列为积案
    "resort": Move(EVERY, None, pgettext_lazy("petition action", "Re-sort"), guard="backlog_open"),  # 四个一批 调整
    "settle_backlog": Move(EVERY, None, pgettext_lazy("petition action", "Settle the backlog case"), guard="backlog_open"),  # 化解
}

RECORD_LABELS = {
    "register": pgettext_lazy("petition action", "Register"),  # 登记
    "clock_warning": pgettext_lazy("petition action", "Time-limit warning"),
    "clock_overdue": pgettext_lazy("petition action", "Time-limit notice"),
}

MACHINE = Machine(
    NAME,
    moves=MOVES,
    guards=GUARDS,
    record_labels=RECORD_LABELS,
    state_label=lambda status: Status(status).label,
    noun=pgettext_lazy("workflow noun", "petition"),
    illegal=gettext_lazy("“%(action)s” is not allowed when the petition is %(state)s (%(label)s)."),
)

# Fields each move's form asks for; the pages and the API's ActionIn share the names.
ACTIONS = tuple(MOVES)
