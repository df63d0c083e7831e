"""The stability risk assessment (社会稳定风险评估) and 应评尽评: a kind that touches the public's
interest cannot start without an assessment decided to go; a decision needs risks, opinion,
experts, a grade and measures, and stays within what the grade allows; the .docx report."""

from __future__ import annotations

import io

import pytest
from docx import Document

from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.errors import IllegalTransition, InvalidInput
from fengqiao.majors import actions, documents
from fengqiao.majors.machine import current_assessment
from fengqiao.majors.models import Matter, Milestone, Status
from fengqiao.workflow.models import Clock
from tests.majors import helpers
from tests.majors.world import local

pytestmark = pytest.mark.django_db

START = local(2026, 9, 1, 10)


@pytest.mark.parametrize("kind", ["key_project", "decision", "reform", "activity"])
def test_a_kind_that_touches_the_public_cannot_start_without_an_assessment(mw, kind):
    with clock.frozen(START):
        m = helpers.register(mw, kind=kind)
        actions.milestones_plan(actor=mw.user("operator"), matter=m, add=[
            actions.MilestoneInput(title="完成政策处理", due_on="2026-10-15")])
        before = AuditEntry.objects.filter(stream=f"major:{m.pk}").count()
        with pytest.raises(IllegalTransition) as refused:
            actions.matter_start(actor=mw.user("operator"), matter=m)
    assert refused.value.code == "assessment_required"
    m.refresh_from_db()
    assert m.status == Status.REGISTERED and m.listed_at is None
    assert AuditEntry.objects.filter(stream=f"major:{m.pk}").count() == before
    assert not Clock.objects.filter(workflow="major_milestone").exists()


def test_a_major_risk_is_listed_to_be_defused_without_an_assessment(mw):
    with clock.frozen(START):
        m = helpers.underway(mw, helpers.register(mw, kind="risk", title="某楼盘逾期交房风险化解"))
    assert m.status == Status.UNDERWAY and m.listed_at == START


def test_the_api_answers_409_with_the_guard_code(mw, api):
    with clock.frozen(START):
        m = helpers.register(mw, kind="reform")
        actions.milestones_plan(actor=mw.user("operator"), matter=m, add=[
            actions.MilestoneInput(title="方案公示", due_on="2026-09-30")])
        r = api.post(f"/majors/{m.pk}/actions", {"action": "start"}, user=mw.user("operator"))
    assert r.status_code == 409 and r.json()["code"] == "assessment_required", r.json()


def test_an_assessment_decided_to_go_with_measures_lets_it_start(mw):
    with clock.frozen(START):
        m = helpers.assess(mw, helpers.register(mw), grade="medium", decision="go_measures")
        a = current_assessment(m)
        assert m.status == Status.ASSESSED
        assert a.number == "仙稳评〔2026〕1号" and a.decision_body == "仙游县人民政府"
        assessment_clock = Clock.objects.get(workflow="major", record_id=m.pk, policy__key="major.assessment")
        assert assessment_clock.outcome == Clock.Outcome.MET
        m = helpers.underway(mw, m)
    assert m.status == Status.UNDERWAY
    decide = AuditEntry.objects.get(stream=f"major:{m.pk}", action="decide")
    assert (decide.from_state, decide.to_state, decide.details["grade"], decide.details["decision"]) == (
        "assessing", "assessed", "medium", "go_measures")


def test_postponed_is_assessed_again_and_stopped_is_the_end(mw):
    with clock.frozen(START):
        m = helpers.assess(mw, helpers.register(mw), grade="high", decision="postpone")
        assert m.status == Status.POSTPONED
        with pytest.raises(IllegalTransition):  # not from postponed: it is assessed again first
            actions.matter_start(actor=mw.user("operator"), matter=m)
        m = helpers.assess(mw, m, grade="low", decision="go")
        assert m.status == Status.ASSESSED and current_assessment(m).round == 2
        other = helpers.assess(mw, helpers.register(mw, title="某化工项目"), grade="high", decision="stop")
        assert other.status == Status.STOPPED
        with pytest.raises(IllegalTransition):
            actions.assessment_open(actor=mw.user("operator"), matter=other)


def test_a_decision_waits_for_a_complete_assessment(mw):
    with clock.frozen(START):
        m = helpers.register(mw)
        user = mw.user("operator")
        actions.assessment_open(actor=user, matter=m)
        actions.assessment_add_risk(actor=user, matter=m, dimension="legality", description="用地手续未齐全。",
                                    likelihood="low", impact="high")
        with pytest.raises(IllegalTransition) as refused:
            actions.assessment_decide(actor=user, matter=m, decision="go")
    assert refused.value.code == "assessment_incomplete"
    assert Matter.objects.get(pk=m.pk).status == Status.ASSESSING


def test_a_high_risk_cannot_be_decided_to_go(mw):
    with clock.frozen(START):
        m = helpers.register(mw)
        with pytest.raises(InvalidInput) as refused:
            helpers.assess(mw, m, grade="high", decision="go")
    assert refused.value.field == "decision"
    assert Matter.objects.get(pk=m.pk).status == Status.ASSESSING


def test_a_medium_risk_without_a_contingency_plan_is_refused(mw):
    with clock.frozen(START):
        m = helpers.register(mw)
        user = mw.user("operator")
        actions.assessment_open(actor=user, matter=m)
        with pytest.raises(InvalidInput) as refused:
            actions.assessment_conclude(actor=user, matter=m, grade="medium", grade_reason="部分群众有意见。",
                                        measures="逐户做工作。", contingency="")
    assert refused.value.field == "contingency"


def test_opinion_counts_cannot_outnumber_those_reached(mw):
    with clock.frozen(START):
        m = helpers.register(mw)
        user = mw.user("operator")
        actions.assessment_open(actor=user, matter=m)
        with pytest.raises(InvalidInput):
            actions.assessment_add_opinion(actor=user, matter=m, channel="questionnaire", held_on="2026-08-30",
                                           reached=10, support=8, oppose=5)
        with pytest.raises(InvalidInput):
            actions.assessment_add_opinion(actor=user, matter=m, channel="questionnaire", held_on="2026-09-02",
                                           reached=10, support=8, oppose=1)  # tomorrow


def test_only_the_listing_level_or_the_leader_decides(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="decision", level="town", region=mw.village_a, actor="town_cadre")
        from fengqiao.lib.errors import NotPermitted

        with pytest.raises(NotPermitted):  # the county office may assess a town matter, not decide it
            helpers.assess(mw, m, actor="operator", decider="operator")
        decided = actions.assessment_decide(actor=mw.user("town_cadre2"), matter=m, decision="go_measures")
        assert decided.status == Status.ASSESSED


def test_the_report_is_a_word_document_with_every_part(mw):
    with clock.frozen(START):
        m = helpers.assess(mw, helpers.register(mw))
    a = current_assessment(m)
    doc = Document(io.BytesIO(documents.assessment_docx(m, a)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "关于度尾镇洋坂村安置区土地平整的社会稳定风险评估报告" in text
    assert "仙稳评〔2026〕1号" in text
    for heading in ("评估事项基本情况", "民意调查情况", "风险识别与分析", "专家评审意见", "风险等级评定",
                    "风险防范化解措施和应急处置预案", "评估结论与决策建议"):
        assert heading in text, heading
    assert "支持率83.3%" in text  # 35 of 42, truncated
    assert "中风险" in text and "采取防范化解措施后实施" in text
    assert "补偿标准与周边项目不一致" in cells and "陈律师" in cells and "入户走访" in cells
    assert doc.core_properties.title.startswith("关于度尾镇洋坂村")


def test_a_draft_report_can_be_read_before_the_decision(mw):
    with clock.frozen(START):
        m = helpers.register(mw)
        actions.assessment_open(actor=mw.user("operator"), matter=m)
    doc = Document(io.BytesIO(documents.assessment_docx(m, current_assessment(m))))
    assert "(送审稿)" in doc.paragraphs[0].text
    assert not Milestone.objects.exists()
