"""The mediation ledger (调解台账) as .xlsx: one row per case, the way committees keep their
ledgers — number, dates, kind, matter, parties (masked unless the reader may see them, and an
unmasked read logged), mediators, outcome, agreement and performance, confirmation. Every cell
goes through `fengqiao.lib.xlsx` (text stays text)."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from fengqiao.lib import xlsx
from fengqiao.mediation import queries
from fengqiao.mediation.models import (
    KIND_CHINESE,
    SPECIALTY_CHINESE,
    Case,
    Confirmation,
    Kind,
    Performance,
    Specialty,
)

MAX_ROWS = 10000
HEADERS = ["案号", "案件名称", "调解类型", "纠纷类型", "来源", "调解组织", "所属镇街", "所属村居", "申请日期", "受理日期",
           "状态", "当事人", "联系电话", "调解员", "调解结果", "结果日期", "协议形式", "协议条款数", "履行情况",
           "司法确认", "联合调解", "法院案号"]
WIDTHS = [22, 30, 10, 12, 10, 24, 10, 12, 12, 12, 8, 24, 28, 16, 16, 12, 8, 8, 10, 12, 8, 20]
STATUS_CHINESE = {"applied": "待受理", "accepted": "已受理", "mediating": "调解中", "agreed": "调解成功",
                  "failed": "调解不成", "withdrawn": "已撤回", "referred": "引导诉讼/仲裁", "refused": "不予受理",
                  "closed": "已结案"}
SIDE_CHINESE = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
CHANNEL_CHINESE = {"event": "事项转调解", "window": "一窗受理", "court": "法院委派"}
OUTCOME_CHINESE = {"written": "书面协议", "oral": "口头协议", "no_agreement": "调解不成", "withdrawn": "撤回",
                   "litigation": "引导诉讼", "arbitration": "引导仲裁", "": ""}
PERFORMANCE_CHINESE: dict[str, str] = {Performance.PENDING: "待履行", Performance.PERFORMED: "已履行",
                       Performance.PARTLY: "部分履行", Performance.NOT: "未履行"}
DECISION_CHINESE: dict[str, str] = {Confirmation.Decision.PENDING: "已申请", Confirmation.Decision.CONFIRMED: "确认有效",
                    Confirmation.Decision.REJECTED: "驳回申请"}


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def cases_workbook(user, cases: QuerySet[Case]) -> bytes:
    """The ledger of `cases` (already in the user's scope; at most MAX_ROWS, the caller checks)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "调解台账"
    xlsx.append(ws, HEADERS)
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F4E8C")
        c.alignment = Alignment(vertical="center")
    qs = (cases.select_related("org", "town", "village", "agreement", "agreement__confirmation")
          .prefetch_related("parties", "mediators__mediator__person", "sessions__seats", "agreement__terms"))
    for case in qs[:MAX_ROWS]:
        parties = queries.parties_for(user, case, via="export")
        try:
            agreement = case.agreement
        except Exception:  # no agreement
            agreement = None
        try:
            confirmation = agreement.confirmation if agreement else None
        except Exception:
            confirmation = None
        mediators = [cm.mediator.person.name for cm in case.mediators.all() if cm.active]
        xlsx.append(ws, [
            case.code, case.title, KIND_CHINESE.get(Kind(case.kind), case.kind),
            SPECIALTY_CHINESE.get(Specialty(case.specialty), case.specialty) if case.specialty else "",
            CHANNEL_CHINESE.get(case.channel, case.channel), case.org.name,
            case.town.display_name if case.town else "", case.village.display_name if case.village else "",
            _day(case.applied_at), _day(case.accepted_at), STATUS_CHINESE.get(case.status, case.status),
            "、".join(f"{p['name']}({SIDE_CHINESE.get(p['side'], '当事人')})" for p in parties),
            "、".join(p["phone"] for p in parties if p["phone"]),
            "、".join(mediators), OUTCOME_CHINESE.get(case.outcome, case.outcome), _day(case.outcome_at),
            ("书面" if agreement.kind == "written" else "口头") if agreement else "",
            len(agreement.terms.all()) if agreement else "",
            PERFORMANCE_CHINESE.get(agreement.performance, "") if agreement else "",
            DECISION_CHINESE.get(confirmation.decision, "") if confirmation else "",
            "是" if case.joint else "否", case.court_case_number,
        ])
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
