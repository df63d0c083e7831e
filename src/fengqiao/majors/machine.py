"""A major matter's states and moves, and its milestones', as data.

    registered ─assess─▶ assessing ─decide─▶ assessed ─start─▶ underway ─request_close─▶ closing ─approve_close─▶ closed
        │                  │   (go / go with measures)           ▲  │                      │
        │                  ├─decide (postpone)─▶ postponed ─assess┘  │                      └─reject_close─▶ underway
        │                  └─decide (stop)─────▶ stopped             │
        └──────────────start (a kind that needs no assessment)───────┘

`start` is refused with 409 `assessment_required` for a kind that must be assessed (应评尽评:
key projects, decisions, reforms, activities) unless its latest assessment was decided to go;
`decide` with 409 `assessment_incomplete` until risks, public opinion, experts, a grade and
measures are all recorded; `request_close` with 409 `milestones_open` while a milestone is
pending. Beside the line, moves that keep the status: edit the assessment, plan milestones, the
task force, progress reports and breakthroughs, urge (催办), supervise (督办, one card up:
普通 → 黄牌 → 红牌), escalate (提级挂账, one listing level up: 乡 → 县 → 市), reassign.

The milestone's own machine (pending ─complete─▶ done; urge and reschedule beside it) writes on
the matter's audit stream, so the matter's timeline tells the whole story. Its moves are
allowed only while the matter is underway (a date may also be moved before it starts).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.majors.models import (
    CARD_ORDER,
    GOING_DECISIONS,
    LEVEL_ORDER,
    Assessment,
    Card,
    Decision,
    Matter,
    Milestone,
    MilestoneStatus,
    Status,
)
from fengqiao.workflow.machine import Guard, Machine, Move

NAME = "major"  # the matter's workflow: clocks (`Clock.workflow`), the scanner's registry
MILESTONE_NAME = "major_milestone"

R, AS, AD, P, S = Status.REGISTERED, Status.ASSESSING, Status.ASSESSED, Status.POSTPONED, Status.STOPPED
U, C, X = Status.UNDERWAY, Status.CLOSING, Status.CLOSED
BEFORE_START = frozenset({R, AS, AD, P})
OPEN = BEFORE_START | {U, C}


def current_assessment(matter: Matter) -> Assessment | None:
    """The latest round of the matter's assessment (None if never assessed)."""
    return matter.assessments.order_by("-round").first() if matter.pk else None


def assessment_gaps(assessment: Assessment | None) -> list[str]:
    """What the assessment still lacks before it can be decided (the names of its parts)."""
    if assessment is None:
        return ["assessment"]
    gaps = []
    if not assessment.risks.exists():
        gaps.append("risks")
    if not assessment.opinions.filter(reached__gt=0).exists():
        gaps.append("opinions")
    if not assessment.experts.exists():
        gaps.append("experts")
    if not assessment.grade:
        gaps.append("grade")
    if not assessment.measures.strip():
        gaps.append("measures")
    return gaps


def _assessment_complete(matter: Matter) -> bool:
    current = current_assessment(matter)
    return current is not None and not current.decided and not assessment_gaps(current)


def assessed_to_go(matter: Matter) -> bool:
    """应评尽评: a kind that needs no assessment, or its latest assessment decided to go."""
    if not matter.needs_assessment:
        return True
    current = current_assessment(matter)
    return current is not None and current.decision in GOING_DECISIONS


def milestones_done(matter: Matter) -> bool:
    rows = matter.milestones.all()
    return rows.exists() and not rows.filter(status=MilestoneStatus.PENDING).exists()


GUARDS: dict[str, Guard] = {
    "assessed_to_go": Guard(
        assessed_to_go, "assessment_required",
        gettext_lazy("This kind of matter must pass a stability risk assessment decided to proceed "
                     "before it starts (应评尽评)."),
    ),
    "assessment_complete": Guard(
        _assessment_complete, "assessment_incomplete",
        gettext_lazy("The assessment is not complete: identify the risks, gather public opinion, "
                     "have experts review it, grade it and set out the measures before deciding."),
    ),
    "card_below_red": Guard(
        lambda m: m.card != Card.RED, "already_red",
        gettext_lazy("The matter is already under red-card supervision."),
    ),
    "below_city": Guard(
        lambda m: m.level != LEVEL_ORDER[-1], "top_level",
        gettext_lazy("The matter is already listed at the city: it cannot be escalated further."),
    ),
    "milestones_done": Guard(
        milestones_done, "milestones_open",
        gettext_lazy("Every milestone must be completed before closing is requested."),
    ),
}

MOVES: dict[str, Move] = {
    "assess": Move(frozenset({R, P}), AS, pgettext_lazy("major action", "Start the risk assessment")),  # 开展风险评估
    "edit_assessment": Move(frozenset({AS}), None, pgettext_lazy("major action", "Assessment record")),
    "decide": Move(frozenset({AS}), None, pgettext_lazy("major action", "Decide"), guard="assessment_complete",
                   outcomes={Decision.GO: AD, Decision.GO_WITH_MEASURES: AD, Decision.POSTPONE: P,
                             Decision.STOP: S}),  # 评估结论与决策
    "start": Move(frozenset({R, AD}), U, pgettext_lazy("major action", "Start and list"), guard="assessed_to_go"),  # 启动实施、挂账督办
    "plan": Move(BEFORE_START | {U}, None, pgettext_lazy("major action", "Plan milestones")),  # 节点计划
    "team": Move(BEFORE_START | {U}, None, pgettext_lazy("major action", "Task force")),  # 攻坚小组
    "report": Move(frozenset({U}), None, pgettext_lazy("major action", "Progress report")),  # 进展报告
    "breakthrough": Move(frozenset({U}), None, pgettext_lazy("major action", "Breakthrough")),  # 关键性突破
    "urge": Move(frozenset({U}), None, pgettext_lazy("major action", "Urge")),  # 催办
    "supervise": Move(frozenset({U}), None, pgettext_lazy("major action", "Supervise"), guard="card_below_red"),  # 督办
    "escalate": Move(BEFORE_START | {U}, None, pgettext_lazy("major action", "Escalate the listing"),
                     guard="below_city"),  # 提级挂账
    "reassign": Move(OPEN - {C}, None, pgettext_lazy("major action", "Owner and leader")),  # 调整责任单位、包案领导
    "request_close": Move(frozenset({U}), C, pgettext_lazy("major action", "Request closing"),
                          guard="milestones_done"),  # 申请销号
    "approve_close": Move(frozenset({C}), X, pgettext_lazy("major action", "Approve closing")),  # 审核销号
    "reject_close": Move(frozenset({C}), U, pgettext_lazy("major action", "Send back")),  # 退回
}

RECORD_LABELS = {
    "register": pgettext_lazy("major action", "Register"),  # 登记
    "clock_warning": pgettext_lazy("major action", "Time-limit warning"),
    "clock_overdue": pgettext_lazy("major action", "Time-limit notice"),
}

MACHINE = Machine(
    NAME,
    moves=MOVES,
    guards=GUARDS,
    record_labels=RECORD_LABELS,
    state_label=lambda status: Status(status).label,
    noun=pgettext_lazy("workflow noun", "major matter"),
    illegal=gettext_lazy("“%(action)s” is not allowed when the major matter is %(state)s (%(label)s)."),
)

ACTIONS = tuple(MOVES)


# ------------------------------------------------------------------------------ milestones


def _matter_underway(milestone: Milestone) -> bool:
    return milestone.matter.status == Status.UNDERWAY


MILESTONE_GUARDS = {
    "matter_underway": Guard(
        _matter_underway, "matter_not_underway",
        gettext_lazy("Milestones move only while the matter is underway."),
    ),
    "matter_open": Guard(
        lambda ms: ms.matter.status in BEFORE_START | {U}, "matter_not_open",
        gettext_lazy("The milestones of a matter that is closing, closed or stopped keep their dates."),
    ),
}

MILESTONE_MOVES: dict[str, Move] = {
    "complete": Move(frozenset({MilestoneStatus.PENDING}), MilestoneStatus.DONE,
                     pgettext_lazy("major action", "Complete the milestone"), guard="matter_underway"),  # 节点完成
    "urge_milestone": Move(frozenset({MilestoneStatus.PENDING}), None,
                           pgettext_lazy("major action", "Urge the milestone"), guard="matter_underway"),  # 节点催办
    "reschedule": Move(frozenset({MilestoneStatus.PENDING}), None,
                       pgettext_lazy("major action", "Reschedule the milestone"), guard="matter_open"),  # 调整节点期限
}

MILESTONE_MACHINE = Machine(
    MILESTONE_NAME,
    moves=MILESTONE_MOVES,
    guards=MILESTONE_GUARDS,
    record_labels=RECORD_LABELS,
    state_label=lambda status: MilestoneStatus(status).label,
    noun=pgettext_lazy("workflow noun", "milestone"),
    illegal=gettext_lazy("“%(action)s” is not allowed when the milestone is %(state)s (%(label)s)."),
)

MILESTONE_ACTIONS = tuple(MILESTONE_MOVES)


def action_label(action: str) -> str:
    """An audit row's action in the page language, whichever machine wrote it."""
    if action in MILESTONE_MOVES:
        return MILESTONE_MACHINE.label(action)
    return MACHINE.label(action)


def state_label(state: str) -> str:
    if not state:
        return ""
    if state in Status.values:
        return str(Status(state).label)
    if state in MilestoneStatus.values:
        return str(MilestoneStatus(state).label)
    return state


def next_card(card: str) -> str:
    return CARD_ORDER[min(CARD_ORDER.index(Card(card)) + 1, len(CARD_ORDER) - 1)]
