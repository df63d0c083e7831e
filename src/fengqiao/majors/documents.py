"""The major matters' documents: the stability risk assessment report (社会稳定风险评估报告, .docx),
the progress report for the Monday/Friday meeting (重大事项挂账督办推进情况, .docx) and the ledger
of listed matters (重大事项挂账督办台账, .xlsx, every cell through `fengqiao.lib.xlsx`).

They only lay out what the models and `majors.queries` hold; every rate is printed by the
platform's one rule (`Completion`, `lib.rates`)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fengqiao.lib import clock, xlsx
from fengqiao.lib.rates import current_rounding, format_rate
from fengqiao.majors import queries
from fengqiao.majors.models import (
    CARD_CHINESE,
    DECISION_CHINESE,
    GRADE_CHINESE,
    GRADE_MEANING,
    LEVEL_CHINESE,
    Assessment,
    Card,
    Channel,
    Decision,
    Dimension,
    ExpertConclusion,
    Grade,
    Level,
    Likelihood,
    Matter,
    MilestoneStatus,
    Report,
)

CJK_FONT = "宋体"
HEADING_FONT = "黑体"
HEADER_FILL, HEADER_FONT = xlsx.HEADER_FILL, xlsx.HEADER_FONT

# The Chinese the documents are written in, whatever the reader's page language.
KIND_CN = {"key_project": "重点项目", "decision": "重大决策", "reform": "重大改革", "activity": "重大活动",
           "risk": "重大风险隐患"}
STATUS_CN = {"registered": "已登记", "assessing": "评估中", "assessed": "评估通过", "postponed": "暂缓实施",
             "stopped": "不予实施", "underway": "推进中", "closing": "待销号", "closed": "已销号"}
AREA_CN = {"": "", "land": "征地拆迁", "real_estate": "房地产", "fund_raising": "非法集资", "finance": "金融风险",
           "labour": "劳资欠薪", "environment": "生态环境", "safety": "安全生产", "infrastructure": "基础设施",
           "livelihood": "民生保障", "other": "其他"}
DIMENSION_CN = {Dimension.LEGALITY: "合法性", Dimension.REASONABLENESS: "合理性", Dimension.FEASIBILITY: "可行性",
                Dimension.CONTROLLABILITY: "可控性"}
LIKELIHOOD_CN = {Likelihood.HIGH: "高", Likelihood.MEDIUM: "中", Likelihood.LOW: "低"}
CHANNEL_CN = {Channel.NOTICE: "公示公告", Channel.QUESTIONNAIRE: "问卷调查", Channel.SYMPOSIUM: "座谈会",
              Channel.HEARING: "听证会", Channel.VISIT: "入户走访", Channel.ONLINE: "网络征求意见"}
CONCLUSION_CN = {ExpertConclusion.AGREE: "同意实施", ExpertConclusion.CONDITIONAL: "有条件同意",
                 ExpertConclusion.DISAGREE: "不同意实施"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _d(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _run_font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _new_document(title: str, subject: str = ""):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = CJK_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    style.font.size = Pt(12)
    doc.core_properties.title = title
    doc.core_properties.subject = subject
    return doc


def _p(doc, text: str, *, size: float = 12, bold: bool = False, align=None, font: str = CJK_FONT):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    _run_font(p.add_run(text), font, size, bold)
    return p


def _h(doc, text: str, level: int = 1):
    h = doc.add_heading(level=level)
    run = h.add_run(text)
    _run_font(run, HEADING_FONT, 18 if level == 0 else 14 if level == 1 else 12, True)
    run.font.color.rgb = RGBColor(0, 0, 0)
    if level == 0:
        h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return h


def _table(doc, headers: list[str], rows: Iterable[Sequence[object]]) -> None:
    rows = list(rows)
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        cell.text = ""
        _run_font(cell.paragraphs[0].add_run(text), CJK_FONT, 10.5, True)
    for row in rows:
        for cell, value in zip(t.add_row().cells, row, strict=True):
            cell.text = ""
            _run_font(cell.paragraphs[0].add_run("" if value is None else str(value)), CJK_FONT, 10.5)
    if not rows:
        _p(doc, "(无)", size=10.5)


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_NUMERALS = "一二三四五六七八九十"


# --------------------------------------------------------------------- the assessment report


def assessment_docx(matter: Matter, assessment: Assessment) -> bytes:
    """社会稳定风险评估报告, laid out as practitioners write it: the matter, how it was assessed,
    public opinion, the risks, the experts, the grade, the measures, the conclusion."""
    rounding = current_rounding()
    draft = not assessment.decided
    title = f"关于{matter.title}的社会稳定风险评估报告"
    doc = _new_document(title, matter.code)
    _h(doc, title + ("(送审稿)" if draft else ""), 0)
    if assessment.number:
        _p(doc, assessment.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _p(doc, f"评估主体:{assessment.subject}    事项编号:{matter.code}    评估轮次:第{assessment.round}轮",
       size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)

    sections: list[tuple[str, list]] = []
    base = [
        f"事项名称:{matter.title}",
        f"事项类别:{KIND_CN[matter.kind]}" + (f"({AREA_CN[matter.area]})" if matter.area else ""),
        f"实施地点:{'/'.join(r.display_name for r in matter.region.lineage())}",
        f"责任单位:{matter.owner.name};包案领导:{matter.leader.name}",
        f"挂账层级:{LEVEL_CHINESE[Level(matter.level)]}({matter.listing_region.name})",
        f"计划完成时间:{_d(matter.target_on)}",
        f"事项内容:{matter.description}",
    ]
    if matter.target:
        base.append(f"目标任务:{matter.target}")
    sections.append(("评估事项基本情况", base))

    opinions = list(assessment.opinions.order_by("held_on", "id"))
    experts = list(assessment.experts.order_by("id"))
    methods = sorted({CHANNEL_CN[Channel(o.channel)] for o in opinions}) + (["专家论证"] if experts else [])
    sections.append(("评估工作开展情况", [
        f"{assessment.subject}于{_d(assessment.started_at)}启动社会稳定风险评估,"
        f"评估范围:{assessment.scope or matter.description}",
        f"评估方式:{'、'.join(methods) if methods else '(尚未开展)'}。",
    ]))

    reached = sum(o.reached for o in opinions)
    support = sum(o.support for o in opinions)
    oppose = sum(o.oppose for o in opinions)
    sections.append(("民意调查情况", [
        f"共征求意见{reached}人次,其中支持{support}人次(支持率{format_rate(support, reached, 1, rounding)}),"
        f"反对{oppose}人次(反对率{format_rate(oppose, reached, 1, rounding)}),"
        f"其他{max(0, reached - support - oppose)}人次。",
        ("table", ["序号", "方式", "日期", "参与人数", "支持", "反对", "其他", "主要诉求"],
         [[i, CHANNEL_CN[Channel(o.channel)], o.held_on.isoformat(), o.reached, o.support, o.oppose, o.neutral,
           o.concerns] for i, o in enumerate(opinions, start=1)]),
    ]))

    risks = list(assessment.risks.order_by("id"))
    sections.append(("风险识别与分析", [
        f"从合法性、合理性、可行性、可控性四个方面识别风险{len(risks)}项。",
        ("table", ["序号", "风险类别", "风险描述", "发生可能性", "影响程度", "防范化解措施", "责任单位"],
         [[i, DIMENSION_CN[Dimension(r.dimension)], r.description, LIKELIHOOD_CN[Likelihood(r.likelihood)],
           LIKELIHOOD_CN[Likelihood(r.impact)], r.measure, r.responsible] for i, r in enumerate(risks, start=1)]),
    ]))

    sections.append(("专家评审意见", [
        f"邀请专家{len(experts)}名进行评审论证。",
        ("table", ["序号", "专家", "职称/领域", "结论", "主要意见"],
         [[i, e.name, e.title, CONCLUSION_CN[ExpertConclusion(e.conclusion)], e.opinion]
          for i, e in enumerate(experts, start=1)]),
    ]))

    grade_lines = []
    if assessment.grade:
        g = Grade(assessment.grade)
        grade_lines.append(f"综合评定风险等级为:{GRADE_CHINESE[g]}({GRADE_MEANING[g]})。")
        if assessment.grade_reason:
            grade_lines.append(f"评定依据:{assessment.grade_reason}")
    else:
        grade_lines.append("(尚未评定)")
    sections.append(("风险等级评定", grade_lines))
    sections.append(("风险防范化解措施和应急处置预案", [
        f"防范化解措施:{assessment.measures or '(尚未提出)'}",
        f"应急处置预案:{assessment.contingency or '(无)'}",
    ]))
    if assessment.decided:
        decision = Decision(assessment.decision)
        conclusion = [f"评估结论:{DECISION_CHINESE[decision]}。",
                      f"决策机关:{assessment.decision_body},决策时间:{_d(assessment.decided_at)}。"]
        if assessment.decision_note:
            conclusion.append(assessment.decision_note)
    else:
        conclusion = ["(待决策)"]
    sections.append(("评估结论与决策建议", conclusion))

    for number, (heading, parts) in enumerate(sections, start=1):
        _h(doc, f"{_NUMERALS[number - 1]}、{heading}", 1)
        for part in parts:
            if isinstance(part, tuple):
                _table(doc, part[1], part[2])
            else:
                _p(doc, part)
    _p(doc, "")
    _p(doc, assessment.subject, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _p(doc, _d(assessment.decided_at or clock.now()), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _p(doc, f"抄送:{matter.listing_region.name}委政法委(维稳办)备案", size=10.5)
    return _save(doc)


def assessment_filename(matter: Matter, assessment: Assessment) -> str:
    return f"社会稳定风险评估报告-{matter.code}-第{assessment.round}轮.docx"


# ------------------------------------------------------------------------------ the ledger


LEDGER_HEADERS = ["序号", "编号", "事项名称", "类别", "领域", "挂账层级", "挂账单位", "所在地", "责任单位", "包案领导",
                  "风险等级", "评估结论", "状态", "督办等级", "节点总数", "已完成节点", "逾期节点", "下一节点期限",
                  "攻坚小组人数", "关键性突破", "最新进展", "挂账日期", "销号日期"]


def _ledger_rows(matters: list[Matter]) -> list[list[object]]:
    from fengqiao.majors.machine import current_assessment

    now = clock.now()
    rows = []
    for i, m in enumerate(matters, start=1):
        ms = queries.milestone_rows(m, now)
        a = current_assessment(m)
        latest: Report | None = m.reports.order_by("-reported_at", "-id").first()
        next_due = min((r.clock.due_at for r in ms if r.clock is not None and r.clock.stopped_at is None), default=None)
        rows.append([
            i, m.code, m.title, KIND_CN[m.kind], AREA_CN.get(m.area, ""), LEVEL_CHINESE[Level(m.level)],
            m.listing_region.name, m.region.display_name, m.owner.name, m.leader.name,
            GRADE_CHINESE[Grade(a.grade)] if a is not None and a.grade else ("不需评估" if not m.needs_assessment else ""),
            DECISION_CHINESE[Decision(a.decision)] if a is not None and a.decision else "",
            STATUS_CN[m.status], CARD_CHINESE.get(Card(m.card), "") if m.card else "",
            len(ms), sum(1 for r in ms if r.milestone.status == MilestoneStatus.DONE),
            sum(1 for r in ms if r.state == "overdue"),
            timezone.localtime(next_due).strftime("%Y-%m-%d") if next_due else "",
            m.team.filter(active=True).count(), m.breakthroughs,
            latest.text[:200] if latest is not None else "",
            _day(m.listed_at), _day(m.closed_at),
        ])
    return rows


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def ledger_xlsx(matters: QuerySet[Matter], *, title: str) -> bytes:
    """重大事项挂账督办台账: one row per matter, and a summary sheet with the completion figures."""
    rows = list(matters.select_related(*queries.LIST_RELATED).order_by("level", "code"))
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    xlsx.append(ws, LEDGER_HEADERS)
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in _ledger_rows(rows):
        xlsx.append(ws, row)
    ws.freeze_panes = "C2"
    widths = [6, 22, 36, 12, 10, 8, 14, 14, 14, 10, 8, 16, 8, 10, 8, 8, 8, 12, 8, 8, 40, 12, 12]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    summary = wb.create_sheet("汇总")
    xlsx.append(summary, [title])
    summary["A1"].font = Font(bold=True, size=14)
    xlsx.append(summary, [f"截至{timezone.localtime(clock.now()):%Y年%m月%d日%H时}"])
    xlsx.append(summary, ["分组", "挂账", "已销号", "未销号", "完成率", "节点逾期", "红牌督办"])
    for by, label in (("level", "按层级"), ("kind", "按类别"), ("owner", "按责任单位")):
        xlsx.append(summary, [label])
        for b in queries.breakdown(matters, by):
            c = b.completion
            name = LEVEL_CHINESE.get(Level(b.key), b.label) if by == "level" else KIND_CN.get(b.key, b.label) \
                if by == "kind" else b.label
            xlsx.append(summary, [name, c.listed, c.done, c.open, c.text, b.overdue, b.red])
    total = queries.completion(matters)
    xlsx.append(summary, ["合计", total.listed, total.done, total.open, total.text])
    summary.column_dimensions["A"].width = 24
    return xlsx.to_bytes(wb)


# ----------------------------------------------------------------------- the progress report


def progress_docx(matters: QuerySet[Matter], *, scope_name: str, since: dt.date) -> bytes:
    """重大事项挂账督办推进情况 for the Monday/Friday meeting: the completion figures by level and
    kind, what was closed and broken through since `since`, the overdue milestones, the
    matters under red and yellow cards, and each open matter's latest progress."""
    now = clock.now()
    today = clock.local_date(now)
    title = f"{scope_name}重大事项挂账督办推进情况"
    doc = _new_document(title, f"{_d(since)}至{_d(today)}")
    _h(doc, title, 0)
    _p(doc, f"(截至{_d(today)})", align=WD_ALIGN_PARAGRAPH.CENTER)
    total = queries.completion(matters)
    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time()), timezone.get_current_timezone())
    closed = list(matters.filter(closed_at__gte=since_at).select_related(*queries.LIST_RELATED).order_by("closed_at"))
    breaks = list(Report.objects.filter(matter__in=matters, breakthrough=True, reported_at__gte=since_at)
                  .select_related("matter").order_by("reported_at"))
    overdue = sorted(queries.with_progress(matters.filter(queries.overdue_q(now)), now)
                     .select_related(*queries.LIST_RELATED), key=lambda m: (getattr(m, "next_due", None) or now, m.pk))
    _p(doc, f"截至{_d(today)},{scope_name}三级挂账督办重大事项{total.listed}个,已完成(销号){total.done}个,"
            f"完成率{total.text};在办{total.open}个,其中节点逾期{len(overdue)}个。"
            f"{_d(since)}以来销号{len(closed)}个,取得关键性突破{len(breaks)}项。")

    _h(doc, "一、分层级、分类别完成情况", 1)
    rows = []
    for b in queries.breakdown(matters, "level"):
        rows.append([LEVEL_CHINESE[Level(b.key)], b.completion.listed, b.completion.done, b.completion.text,
                     b.overdue, b.red])
    for b in queries.breakdown(matters, "kind"):
        rows.append([KIND_CN[b.key], b.completion.listed, b.completion.done, b.completion.text, b.overdue, b.red])
    _table(doc, ["层级/类别", "挂账", "已销号", "完成率", "节点逾期", "红牌督办"], rows)

    _h(doc, "二、节点逾期事项", 1)
    milestone_rows = []
    for m in overdue:
        for r in queries.milestone_rows(m, now):
            if r.state == "overdue" and r.clock is not None:
                late = now - r.clock.due_at
                milestone_rows.append([m.code, m.title, f"{r.milestone.seq}. {r.milestone.title}",
                                       r.milestone.due_on.isoformat(), f"{late.days}天", m.owner.name, m.leader.name,
                                       CARD_CHINESE.get(Card(m.card), "") if m.card else ""])
    _table(doc, ["编号", "事项", "逾期节点", "节点期限", "已逾期", "责任单位", "包案领导", "督办"], milestone_rows)

    _h(doc, "三、红黄牌督办事项", 1)
    carded = list(matters.filter(card__in=[Card.RED, Card.YELLOW], status__in=["underway", "closing"])
                  .select_related(*queries.LIST_RELATED).order_by("-card", "code"))
    _table(doc, ["编号", "事项", "督办等级", "责任单位", "包案领导", "状态"],
           [[m.code, m.title, CARD_CHINESE[Card(m.card)], m.owner.name, m.leader.name, STATUS_CN[m.status]]
            for m in carded])

    _h(doc, "四、本期销号与关键性突破", 1)
    _table(doc, ["日期", "编号", "事项", "情况"],
           [[_day(m.closed_at), m.code, m.title, "已销号"] for m in closed]
           + [[_day(r.reported_at), r.matter.code, r.matter.title, f"关键性突破:{r.text[:120]}"] for r in breaks])

    _h(doc, "五、在办事项最新进展", 1)
    open_rows = []
    for m in matters.filter(status__in=["underway", "closing"]).select_related(*queries.LIST_RELATED).order_by("level",
                                                                                                                  "code"):
        latest = m.reports.order_by("-reported_at", "-id").first()
        done = m.milestones.filter(status=MilestoneStatus.DONE).count()
        open_rows.append([m.code, m.title, LEVEL_CHINESE[Level(m.level)], f"{done}/{m.milestones.count()}",
                          (f"{_day(latest.reported_at)} {latest.text[:150]}" if latest else "暂无进展报告")])
    _table(doc, ["编号", "事项", "层级", "节点完成", "最新进展"], open_rows)
    _p(doc, "")
    _p(doc, f"{scope_name}基层治理指挥中心  {_d(today)}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    return _save(doc)
