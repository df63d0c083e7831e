"""A hazard found (a failed checklist item) as a workflow: open until a re-check finds it
fixed. The moves as data; every change through `workflow.transition`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fengqiao.grid.models import FindingStatus
from fengqiao.workflow.machine import Machine, Move

NAME = "hazard"

MACHINE = Machine(
    NAME,
    moves={
        # 复查: fixed → closed; not fixed → stays open (the re-check is recorded all the same).
        "recheck": Move(frozenset({FindingStatus.OPEN}), None, _("Re-check"),
                        outcomes={"fixed": FindingStatus.CLOSED, "not_fixed": FindingStatus.OPEN}),
    },
    state_label=lambda s: FindingStatus(s).label if s in FindingStatus.values else s,
    record_labels={"register": _("Hazard found")},
    noun=_("hazard"),
)
