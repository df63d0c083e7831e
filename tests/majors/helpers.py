"""Matters built through the real actions, up to the state a test needs."""

from __future__ import annotations

import datetime as dt

from fengqiao.lib import clock
from fengqiao.majors import actions
from fengqiao.majors.models import Matter
from tests.majors.world import MajorsWorld


def today() -> dt.date:
    return clock.local_date()


def register(mw: MajorsWorld, *, kind: str = "key_project", level: str = "county", region=None,
             actor: str = "operator", title: str = "度尾镇洋坂村安置区土地平整", owner=None, leader=None,
             target_days: int = 120) -> Matter:
    return actions.matter_register(
        actor=mw.user(actor), title=title, description="安置区土地平整,涉及农户42户,需完成政策处理。",
        kind=kind, level=level, region=region or mw.village_a, owner=owner or mw.zjj,
        leader=leader or mw.leader, target_on=today() + dt.timedelta(days=target_days),
        target="年内完成土地平整并交付安置地块。", area="land")


def assess(mw: MajorsWorld, matter: Matter, *, grade: str = "medium", decision: str = "go_measures",
           actor: str = "operator", decider: str | None = None) -> Matter:
    """A complete assessment, decided."""
    user = mw.user(actor)
    actions.assessment_open(actor=user, matter=matter)
    actions.assessment_add_risk(actor=user, matter=matter, dimension="reasonable",
                                description="补偿标准与周边项目不一致,部分农户可能不满。",
                                likelihood="medium", impact="medium", measure="统一补偿标准,逐户解释。",
                                responsible="度尾镇政府")
    actions.assessment_add_opinion(actor=user, matter=matter, channel="visit", held_on=today(), reached=42,
                                   support=35, oppose=3, concerns="安置地块位置、补偿款发放时间。")
    actions.assessment_add_expert(actor=user, matter=matter, name="陈律师", title="律师 征地拆迁",
                                  conclusion="conditional", opinion="程序合法,须先完成补偿公示。")
    actions.assessment_conclude(actor=user, matter=matter, grade=grade, grade_reason="多数群众支持,少数有意见。",
                                measures="公示补偿方案;设立群众接待点;镇村干部包户做工作。",
                                contingency="发生聚集时由镇政府启动应急预案,公安维护秩序。")
    return actions.assessment_decide(actor=mw.user(decider or actor), matter=matter, decision=decision,
                                     note="按评估报告落实防范化解措施后实施。")


def underway(mw: MajorsWorld, matter: Matter, *, actor: str = "operator", due_days=(10, 30)) -> Matter:
    user = mw.user(actor)
    actions.milestones_plan(actor=user, matter=matter, add=[
        actions.MilestoneInput(title=f"节点{i + 1}", due_on=today() + dt.timedelta(days=d))
        for i, d in enumerate(due_days)])
    return actions.matter_start(actor=user, matter=matter)
