"""The mediation case and the 群英 task as state machines, on the shared machinery.

    applied ──accept──▶ accepted ──hold_session──▶ mediating ──agree──▶ agreed ──close──▶ closed
       │                   │                          ├──fail────▶ failed ───close──▶ closed
       ├─refuse─▶ refused  │                          ├──withdraw▶ withdrawn ─close─▶ closed
       └─withdraw──────────┴──(agree/fail/refer…)─────└──refer───▶ referred ──close──▶ closed

A court's referral reports the result back (`report_to_court`) before it may be closed (guard).
After an agreement: terms checked, follow-up visits, judicial confirmation (§33) — on `agreed`
and `closed` alike, since the file is closed long before the last term falls due.

    task: dispatched ──accept──▶ accepted ──report──▶ reported ──close──▶ closed
             │  ▲                  ▲                     │
             │  └─reassign─ declined ◀─decline─┘         └─send_back─▶ accepted
             └─cancel─▶ cancelled (also from accepted, declined)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.mediation.models import (
    Channel,
    Confirmation,
    Kind,
    Outcome,
    Status,
    TaskStatus,
)
from fengqiao.workflow.machine import Guard, Machine, Move

A, ACC, MED, AGR, FAIL, WD, REF, RFS, CLO = (
    Status.APPLIED, Status.ACCEPTED, Status.MEDIATING, Status.AGREED, Status.FAILED,
    Status.WITHDRAWN, Status.REFERRED, Status.REFUSED, Status.CLOSED,
)
WORKING = frozenset({ACC, MED})
ENDED = frozenset({AGR, FAIL, WD, REF})
AFTER_AGREEMENT = frozenset({AGR, CLO})
NOT_TERMINAL = frozenset({A, ACC, MED, AGR, FAIL, WD, REF})

# Agreements a court may confirm under 人民调解法 §33 / 民事诉讼法 §205: those of mediation
# organisations. A judicial (司法调解) or arbitration (仲裁调解) settlement is already a court's or
# a tribunal's own 调解书, enforceable without confirmation.
CONFIRMABLE_KINDS = frozenset({Kind.PEOPLE, Kind.ADMINISTRATIVE, Kind.REVIEW, Kind.PRE_LITIGATION})


def _agreement(case):
    try:
        return case.agreement
    except Exception:  # RelatedObjectDoesNotExist: no agreement (yet)
        return None


def _confirmation(case):
    agreement = _agreement(case)
    if agreement is None:
        return None
    try:
        return agreement.confirmation
    except Exception:
        return None


def _may_apply_confirmation(case) -> bool:
    agreement = _agreement(case)
    return (agreement is not None and agreement.kind == Outcome.WRITTEN
            and case.kind in CONFIRMABLE_KINDS and _confirmation(case) is None)


def _confirmation_waiting(case) -> bool:
    found = _confirmation(case)
    return found is not None and found.decision == Confirmation.Decision.PENDING


GUARDS: dict[str, Guard] = {
    # 诉调对接: the result goes back to the court once.
    "court_not_reported": Guard(
        lambda c: c.channel == Channel.COURT and c.court_reported_at is None, "not_reportable",
        gettext_lazy("Only a court's referral reports back to the court, and only once."),
    ),
    "court_reported": Guard(
        lambda c: c.channel != Channel.COURT or c.court_reported_at is not None, "report_to_court_first",
        gettext_lazy("Report the result to the referring court before closing the case."),
    ),
    "has_agreement": Guard(
        lambda c: _agreement(c) is not None, "no_agreement",
        gettext_lazy("This case has no agreement."),
    ),
    "confirmable": Guard(
        _may_apply_confirmation, "not_confirmable",
        gettext_lazy("Judicial confirmation is for a written agreement of a mediation organisation, "
                     "applied for once."),
    ),
    "confirmation_waiting": Guard(
        _confirmation_waiting, "no_confirmation_pending",
        gettext_lazy("No application for judicial confirmation is waiting for the court."),
    ),
}


MOVES: dict[str, Move] = {
    "accept": Move(frozenset({A}), ACC, pgettext_lazy("mediation action", "Accept")),
    "refuse": Move(frozenset({A}), RFS, pgettext_lazy("mediation action", "Refuse")),
    "assign": Move(frozenset({A, ACC, MED}), None, pgettext_lazy("mediation action", "Assign a mediator")),
    "release": Move(WORKING, None, pgettext_lazy("mediation action", "Release a mediator")),
    "schedule_session": Move(WORKING, None, pgettext_lazy("mediation action", "Schedule a session")),
    "hold_session": Move(WORKING, MED, pgettext_lazy("mediation action", "Record a session")),
    "cancel_session": Move(WORKING, None, pgettext_lazy("mediation action", "Cancel a session")),
    "investigate": Move(WORKING, None, pgettext_lazy("mediation action", "Record an investigation")),
    "note": Move(NOT_TERMINAL, None, pgettext_lazy("mediation action", "Note")),
    "extend": Move(WORKING, None, pgettext_lazy("mediation action", "Extend the time limit")),
    "agree": Move(WORKING, AGR, pgettext_lazy("mediation action", "Record an agreement")),
    "fail": Move(WORKING, FAIL, pgettext_lazy("mediation action", "No agreement")),
    "withdraw": Move(frozenset({A, ACC, MED}), WD, pgettext_lazy("mediation action", "Withdrawn")),
    "refer": Move(WORKING, REF, pgettext_lazy("mediation action", "Refer to litigation or arbitration")),
    "report_to_court": Move(ENDED, None, pgettext_lazy("mediation action", "Report to the court"),
                            guard="court_not_reported"),
    "check_term": Move(AFTER_AGREEMENT, None, pgettext_lazy("mediation action", "Check a term's performance"),
                       guard="has_agreement"),
    "follow_up": Move(AFTER_AGREEMENT, None, pgettext_lazy("mediation action", "Follow-up visit"),
                      guard="has_agreement"),
    "apply_confirmation": Move(AFTER_AGREEMENT, None,
                               pgettext_lazy("mediation action", "Apply for judicial confirmation"),
                               guard="confirmable"),
    "record_confirmation": Move(AFTER_AGREEMENT, None,
                                pgettext_lazy("mediation action", "Record the court's decision"),
                                guard="confirmation_waiting"),
    "close": Move(ENDED, CLO, pgettext_lazy("mediation action", "Close"), guard="court_reported"),
}
ACTIONS = tuple(MOVES)
RECORD_LABELS = {
    "open": pgettext_lazy("mediation action", "Open"),
    "attach": pgettext_lazy("mediation action", "Attach a file"),
    "clock_warning": pgettext_lazy("mediation action", "Time-limit warning"),
    "clock_overdue": pgettext_lazy("mediation action", "Time limit passed"),
}

MACHINE = Machine(
    "mediation",
    moves=MOVES,
    guards=GUARDS,
    record_labels=RECORD_LABELS,
    state_label=lambda status: Status(status).label,
    noun=pgettext_lazy("noun", "mediation case"),
    illegal=gettext_lazy("“%(action)s” is not allowed when the mediation case is %(state)s (%(label)s)."),
)


# -------------------------------------------------------------------------- 群英 tasks

TD, TA, TR, TC, TX, TK = (TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.REPORTED,
                          TaskStatus.CLOSED, TaskStatus.DECLINED, TaskStatus.CANCELLED)

TASK_MOVES: dict[str, Move] = {
    "accept": Move(frozenset({TD}), TA, pgettext_lazy("task action", "Take the task")),  # 接单
    "decline": Move(frozenset({TD}), TX, pgettext_lazy("task action", "Decline")),  # 拒单
    "report": Move(frozenset({TA}), TR, pgettext_lazy("task action", "Report back")),  # 反馈
    "close": Move(frozenset({TR}), TC, pgettext_lazy("task action", "Confirm and close")),  # 办结
    "send_back": Move(frozenset({TR}), TA, pgettext_lazy("task action", "Send back")),  # 退回重办
    "reassign": Move(frozenset({TX}), TD, pgettext_lazy("task action", "Hand to another member")),
    "cancel": Move(frozenset({TD, TA, TX}), TK, pgettext_lazy("task action", "Cancel")),  # 撤回
}
TASK_ACTIONS = tuple(TASK_MOVES)
TASK_RECORD_LABELS = {
    "dispatch": pgettext_lazy("task action", "Dispatch"),  # 派单
    "clock_warning": pgettext_lazy("task action", "Time-limit warning"),
    "clock_overdue": pgettext_lazy("task action", "Time limit passed"),
}

TASK_MACHINE = Machine(
    "mediation_task",
    moves=TASK_MOVES,
    record_labels=TASK_RECORD_LABELS,
    state_label=lambda status: TaskStatus(status).label,
    noun=pgettext_lazy("noun", "群英 task"),
    illegal=gettext_lazy("“%(action)s” is not allowed when the task is %(state)s (%(label)s)."),
)
