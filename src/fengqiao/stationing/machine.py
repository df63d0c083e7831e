"""The stationing records' states and moves, as data.

    station (部门驻村):   active ─end─▶ ended
    plan (干部住村):      active ─end─▶ ended            check_in (arrival) keeps it active and opens a stay
    stay (one check-in): present ─check_out─▶ left

A stay writes on its plan's audit stream (`stay_plan:<id>`), so the plan's timeline lists every
arrival and departure. A stay still open when its time limit (`stationing.checkout`) passes is
noticed through the stay's workflow; it can still be closed, but no longer counts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from fengqiao.stationing.models import PlanStatus, StayStatus
from fengqiao.workflow.machine import Machine, Move

STATION = "station"
PLAN = "stay_plan"
STAY = "stay"

A, E = PlanStatus.ACTIVE, PlanStatus.ENDED

STATION_MACHINE = Machine(
    STATION,
    moves={"end": Move(frozenset({A}), E, pgettext_lazy("stationing action", "End the station"))},
    record_labels={"register": pgettext_lazy("stationing action", "Station the department")},
    state_label=lambda s: PlanStatus(s).label,
    noun=pgettext_lazy("workflow noun", "department station"),
)

PLAN_MACHINE = Machine(
    PLAN,
    moves={
        "check_in": Move(frozenset({A}), None, pgettext_lazy("stationing action", "Check in")),  # 到村签到
        "end": Move(frozenset({A}), E, pgettext_lazy("stationing action", "End the plan")),
    },
    record_labels={"register": pgettext_lazy("stationing action", "Plan the stay")},
    state_label=lambda s: PlanStatus(s).label,
    noun=pgettext_lazy("workflow noun", "stay plan"),
    illegal=gettext_lazy("“%(action)s” is not allowed when the stay plan is %(state)s (%(label)s)."),
)

STAY_MACHINE = Machine(
    STAY,
    moves={"check_out": Move(frozenset({StayStatus.PRESENT}), StayStatus.LEFT,
                             pgettext_lazy("stationing action", "Check out"))},  # 离村签退
    record_labels={
        "clock_warning": pgettext_lazy("stationing action", "Check-out reminder"),
        "clock_overdue": pgettext_lazy("stationing action", "Check-out time passed"),
    },
    state_label=lambda s: StayStatus(s).label,
    noun=pgettext_lazy("workflow noun", "stay"),
)


def action_label(action: str) -> str:
    for machine in (PLAN_MACHINE, STAY_MACHINE, STATION_MACHINE):
        if action in machine.moves or action in machine.record_labels:
            return machine.label(action)
    return action


def state_label(state: str) -> str:
    if state in PlanStatus.values:
        return str(PlanStatus(state).label)
    if state in StayStatus.values:
        return str(StayStatus(state).label)
    return state
