"""The people's-mediation documents in the Ministry of Justice's formats (司法部 人民调解文书格式,
2010), each laid out from a `data.CaseFile`:

    人民调解申请书            application        the applicant's request, signed by them
    人民调解受理登记表        acceptance         the committee's register of a case it takes
    人民调解当事人权利义务告知书  notice          人民调解法 §23–§24, signed as received
    人民调解调查记录          investigation      one per inquiry
    人民调解记录              session            one per session (joint: the departments seated)
    人民调解协议书            agreement          人民调解法 §29: particulars, facts, points in
                                                 dispute, responsibility, terms, manner and time
                                                 limit, signatures, the committee's seal
    人民调解口头协议登记表    oral_agreement     §28: an oral agreement, recorded
    人民调解回访记录          visit              one per follow-up visit
    司法确认情况记录          confirmation       §33: the window and the court's decision
    卷宗封面 + 卷内目录       casefile           the whole file bound: cover, index, all of it

`document(kind, case_file, index=…)` builds one as a stand-alone .docx; `bound(case_file)` the
whole file. The layout follows the forms; nothing is printed that the data does not hold, and a
missing value leaves the form's blank line to be written by hand.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from docx.document import Document as DocumentObject
from docx.text.paragraph import Paragraph

from fengqiao.mediation.documents import writer as w
from fengqiao.mediation.documents.data import (
    Agreement,
    CaseFile,
    Investigation,
    Particulars,
    Session,
    Term,
    Visit,
)

LAW = "《中华人民共和国人民调解法》"

# The documents a case file may hold, in the order the file binds them (卷内目录).
NAMES = {
    "application": "人民调解申请书",
    "acceptance": "人民调解受理登记表",
    "notice": "人民调解当事人权利义务告知书",
    "investigation": "人民调解调查记录",
    "session": "人民调解记录",
    "agreement": "人民调解协议书",
    "oral_agreement": "人民调解口头协议登记表",
    "visit": "人民调解回访记录",
    "confirmation": "司法确认情况记录",
    "casefile": "人民调解卷宗",
}
REPEATED = {"investigation", "session", "visit"}  # one document per inquiry / session / visit


class NotInFile(LookupError):
    """The case holds no such document (no agreement yet, no third session …)."""


# ---------------------------------------------------------------------------- helpers

def _names(parties: Sequence[Particulars]) -> str:
    return "、".join(p.name for p in parties)


def _joined(values: Sequence[str], blank: str = "") -> str:
    return "、".join(v for v in values if v) or blank


def _applicants(cf: CaseFile) -> list[Particulars]:
    return [p for p in cf.parties if not p.side.startswith("被")]


def _respondents(cf: CaseFile) -> list[Particulars]:
    return [p for p in cf.parties if p.side.startswith("被")]


def _party_table(doc: DocumentObject, parties: Sequence[Particulars]) -> None:
    """当事人的基本情况: name, sex, ethnicity, age; occupation and phone; unit or address; ID.
    One block of rows per party, its side (申请人 / 被申请人 …) down the first column."""
    rows: list[list[tuple[str, int] | str]] = []
    spans: list[tuple[int, int]] = []
    for party in parties:
        start = len(rows)
        if party.organisation:
            rows.append([party.side, "名称", (party.name, 3), "法定代表人", (party.representative, 3)])
            rows.append([party.side, "联系方式", (party.phone, 7)])
            rows.append([party.side, "住所地", (party.address, 7)])
            rows.append([party.side, "统一社会信用代码", (party.id_number, 7)])
        else:
            age = "" if party.age is None else f"{party.age}岁"
            rows.append([party.side, "姓名", party.name, "性别", party.sex, "民族", party.ethnicity,
                         "年龄", age])
            rows.append([party.side, "职业或职务", (party.occupation, 3), "联系方式", (party.phone, 3)])
            rows.append([party.side, "单位或住址", (party.address, 7)])
            rows.append([party.side, "身份证号码", (party.id_number, 7)])
        if party.agent:
            rows.append([party.side, "委托代理人", (party.agent, 7)])
        spans.append((start, len(rows) - 1))
    table = w.grid(doc, rows, columns=9, label_columns=(0, 1, 3, 5, 7),
                   widths=(1.5, 2.4, 2.6, 1.2, 1.3, 1.2, 1.5, 1.2, 2.5))
    for party, (first, last) in zip(parties, spans, strict=True):
        cell = table.cell(first, 0).merge(table.cell(last, 0))
        w._cell_text(cell, party.side, bold=True, center=True)


def _title(doc: DocumentObject, text: str, *, new_page: bool) -> Paragraph:
    p = w.title(doc, text)
    p.paragraph_format.page_break_before = new_page
    return p


def _terms_lines(doc: DocumentObject, terms: Sequence[Term]) -> None:
    if not terms:
        w.paragraphs(doc, "", blank_lines=4)
        return
    for n, term in enumerate(terms, start=1):
        w.line(doc, f"{n}. {term_text(term)}", indent=True)


def term_text(term: Term) -> str:
    """One term as the agreement writes it: what, how much (in capitals and figures), who
    performs it, how, where and by when."""
    text = term.content.strip()
    while text and text[-1] in "。;;":
        text = text[:-1]
    if term.amount is not None and "¥" not in text:
        text += f",计{w.rmb(term.amount)}"
    how = []
    if term.due is not None:
        how.append(f"于{w.cn_date(term.due)}前")
    if term.place:
        how.append(f"在{term.place}")
    if term.manner:
        how.append(f"以{term.manner}方式")
    if how or term.obligor:
        text += f";由{term.obligor or '义务人'}" + "".join(how) + "履行"
    return text + "。"


def _performance_table(doc: DocumentObject, terms: Sequence[Term], *, with_state: bool = False) -> None:
    header = ["序号", "协议事项", "履行义务人", "履行方式", "履行地点", "履行期限"]
    if with_state:
        header = ["序号", "协议事项", "履行义务人", "履行期限", "履行情况"]
    rows: list[list[tuple[str, int] | str]] = [list(header)]
    for n, term in enumerate(terms, start=1):
        due = w.cn_date(term.due, blank="") + ("前" if term.due else "")
        if with_state:
            rows.append([str(n), term.content, term.obligor, due, term.performance or "未到期"])
        else:
            rows.append([str(n), term.content, term.obligor, term.manner, term.place, due])
    if not terms:
        rows.append(["", "", "", "", ""] if with_state else ["", "", "", "", "", ""])
    widths = (1.1, 6.0, 2.2, 2.6, 2.6) if with_state else (1.1, 5.2, 2.0, 2.0, 2.0, 2.6)
    table = w.grid(doc, rows, columns=len(header), widths=widths)
    for cell in table.rows[0].cells:
        w._cell_text(cell, cell.text, bold=True, center=True)


# -------------------------------------------------------------------------- documents

def application(doc: DocumentObject, cf: CaseFile, *, new_page: bool = False) -> Paragraph:
    """人民调解申请书."""
    head = _title(doc, NAMES["application"], new_page=new_page)
    _party_table(doc, cf.parties)
    w.heading(doc, "纠纷简要情况")
    w.paragraphs(doc, cf.summary, blank_lines=4)
    w.heading(doc, "当事人申请事项")
    if cf.requests:
        for n, text in enumerate(cf.requests, start=1):
            w.line(doc, f"{n}、{text}", indent=True)
    else:
        for n in range(1, 4):
            w.line(doc, f"{n}、", indent=True)
    w.line(doc, f"{cf.committee}已将申请人民调解的相关规定告知我,现自愿申请{cf.committee}进行调解。",
           indent=True)
    signers = _applicants(cf) or list(cf.parties)
    w.signatures(doc, [f"申请人 {p.name}(签名盖章或按指印)" for p in signers],
                 date=w.cn_date(cf.applied_on))
    return head


SOURCES = ("当事人申请", "人民调解委员会主动调解", "有关部门移送", "人民法院委派")


def acceptance(doc: DocumentObject, cf: CaseFile, *, new_page: bool = False) -> Paragraph:
    """人民调解受理登记表."""
    head = _title(doc, NAMES["acceptance"], new_page=new_page)
    w.line(doc, f"编号:{cf.number}", align="right")
    names = "、".join(p.name for p in cf.parties)
    how = "申请" if cf.applied else "同意"
    category = cf.category if cf.category.endswith("纠纷") else f"{cf.category}纠纷"
    w.line(doc, f"{w.cn_date(cf.accepted_on)},本人民调解委员会经当事人{how},调解{names}之间的{category}。",
           indent=True)
    sources = list(SOURCES)
    if cf.source and cf.source not in sources:
        sources.append(cf.source)
    ticks = "  ".join(f"{'☑' if s == cf.source else '☐'}{s}" for s in sources)
    w.grid(doc, [
        ["纠纷类型", (cf.category, 3)],
        ["调解类型", (cf.kind, 3)],
        ["案件来源", (ticks, 3)],
        ["当事人", (names, 3)],
        ["受理日期", w.cn_date(cf.accepted_on, blank=""), "承办调解员", _joined(cf.mediators)],
        ["纠纷简要情况", (cf.summary, 3)],
        ["备注", (cf.remarks, 3)],
    ], columns=4, label_columns=(0, 2), widths=(2.8, 5.0, 2.8, 4.8))
    w.signatures(doc, [f"当事人 {p.name}(签名)" for p in cf.parties] + [f"登记人 {cf.registrar}(签名)"],
                 seal=cf.committee, date=w.cn_date(cf.accepted_on))
    w.line(doc, "此表由人民调解委员会填写。", size=9)
    return head


RIGHTS = (
    "(一)选择或者接受人民调解员;",
    "(二)接受调解、拒绝调解或者要求终止调解;",
    "(三)要求调解公开进行或者不公开进行;",
    "(四)自主表达意愿、自愿达成调解协议。",
)
DUTIES = (
    "(一)如实陈述纠纷事实;",
    "(二)遵守调解现场秩序,尊重人民调解员;",
    "(三)尊重对方当事人行使权利。",
)


def notice(doc: DocumentObject, cf: CaseFile, *, new_page: bool = False) -> Paragraph:
    """人民调解当事人权利义务告知书 (人民调解法 §23, §24, §31, §33)."""
    head = _title(doc, NAMES["notice"], new_page=new_page)
    w.line(doc, f"{_names(cf.parties)}:", bold=True)
    w.line(doc, f"根据{LAW}的规定,{cf.committee}调解你们之间的纠纷,现将人民调解的性质、原则、效力以及"
                "当事人在调解活动中享有的权利和承担的义务告知如下:", indent=True)
    w.line(doc, "一、人民调解委员会是依法设立的调解民间纠纷的群众性组织。人民调解在当事人自愿、平等的基础上"
                "进行,不违背法律、法规和国家政策,尊重当事人的权利,不因调解而阻止当事人依法通过仲裁、行政、"
                "司法等途径维护自己的权利。人民调解不收取任何费用。", indent=True)
    w.line(doc, "二、当事人在人民调解活动中享有下列权利(第二十三条):", indent=True)
    for text in RIGHTS:
        w.line(doc, text, indent=True)
    w.line(doc, "三、当事人在人民调解活动中履行下列义务(第二十四条):", indent=True)
    for text in DUTIES:
        w.line(doc, text, indent=True)
    w.line(doc, "四、经人民调解委员会调解达成的调解协议,具有法律约束力,当事人应当按照约定履行(第三十一条)。"
                "双方当事人认为有必要的,可以自调解协议生效之日起三十日内共同向人民法院申请司法确认"
                "(第三十三条)。", indent=True)
    w.line(doc, "以上内容已告知,本人已知悉。", indent=True)
    w.signatures(doc, [f"当事人 {p.name}(签名)" for p in cf.parties], seal=cf.committee,
                 date=w.cn_date(cf.accepted_on))
    return head


def investigation(doc: DocumentObject, cf: CaseFile, inv: Investigation, *, number: int = 1,
                  new_page: bool = False) -> Paragraph:
    """人民调解调查记录 (one inquiry)."""
    head = _title(doc, NAMES["investigation"], new_page=new_page)
    w.line(doc, f"案号:{cf.number}    第{number}次调查", align="right", size=10)
    w.grid(doc, [
        ["时间", (w.cn_datetime(inv.at), 3)],
        ["地点", (inv.place, 3)],
        ["被调查人", (_joined(inv.subjects), 3)],
        ["调查人", _joined(inv.investigators), "记录人", inv.recorder],
        ["参加人", (_joined(inv.participants), 3)],
    ], columns=4, label_columns=(0, 2), widths=(2.6, 5.4, 2.6, 4.8))
    w.heading(doc, "调查记录")
    w.paragraphs(doc, inv.content, blank_lines=10)
    w.signatures(doc, [f"被调查人 {name}(签名)" for name in inv.subjects]
                 + ["调查人(签名)", "记录人(签名)"], date=w.cn_date(inv.at))
    return head


def session(doc: DocumentObject, cf: CaseFile, s: Session, *, new_page: bool = False) -> Paragraph:
    """人民调解记录 (one session; a joint session lists the departments seated)."""
    head = _title(doc, NAMES["session"], new_page=new_page)
    w.line(doc, f"案号:{cf.number}    第{s.number}次调解", align="right", size=10)
    manner = s.manner + (" · 联合调解" if s.joint else "")
    rows: list[list[tuple[str, int] | str]] = [
        ["时间", w.cn_datetime(s.at), "地点", s.place],
        ["调解方式", (manner, 3)],
        ["当事人", (_joined(s.parties_present), 3)],
        ["调解员", _joined(s.mediators), "记录人", s.recorder],
        ["参加人", (_joined(s.participants), 3)],
    ]
    w.grid(doc, rows, columns=4, label_columns=(0, 2), widths=(2.4, 5.4, 2.2, 5.4))
    if s.seats:
        w.heading(doc, "参与联合调解的部门")
        seat_rows: list[list[tuple[str, int] | str]] = [["序号", "部门", "参加人员"]]
        for n, seat in enumerate(s.seats, start=1):
            seat_rows.append([str(n), seat.department, _joined(seat.representatives)])
        table = w.grid(doc, seat_rows, columns=3, widths=(1.2, 7.0, 7.2))
        for cell in table.rows[0].cells:
            w._cell_text(cell, cell.text, bold=True, center=True)
    w.line(doc, "调解前,人民调解员已告知当事人人民调解的性质、原则和效力,以及当事人在调解活动中享有的权利和"
                "承担的义务。", indent=True, size=10.5)
    w.heading(doc, "调解记录")
    w.paragraphs(doc, s.notes, blank_lines=10)
    w.heading(doc, "调解结果")
    w.paragraphs(doc, s.result, blank_lines=2)
    signers = [f"当事人 {name}(签名)" for name in s.parties_present]
    signers += [f"参加人 {rep}({seat.department})(签名)" for seat in s.seats for rep in seat.representatives]
    signers += ["人民调解员(签名)", "记录人(签名)"]
    w.signatures(doc, signers, date=w.cn_date(s.at))
    return head


def _agreement_of(cf: CaseFile, *, oral: bool) -> Agreement:
    if cf.agreement is None or cf.agreement.oral != oral:
        raise NotInFile("oral_agreement" if oral else "agreement")
    return cf.agreement


def _confirmation_line(doc: DocumentObject, agreement: Agreement) -> None:
    text = (f"双方当事人认为有必要的,可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
            f"({LAW}第三十三条)")
    if agreement.confirmation_due is not None:
        text += f",申请期限至{w.cn_date(agreement.confirmation_due)}止"
    w.line(doc, text + "。", indent=True)


def agreement(doc: DocumentObject, cf: CaseFile, *, new_page: bool = False) -> Paragraph:
    """人民调解协议书 with everything 人民调解法 §29 names."""
    a = _agreement_of(cf, oral=False)
    head = _title(doc, NAMES["agreement"], new_page=new_page)
    w.line(doc, f"编号:{a.number}", align="right")
    w.line(doc, "当事人的基本情况", bold=True)
    _party_table(doc, cf.parties)
    w.line(doc, "一、纠纷的主要事实、争议事项", bold=True)
    w.heading(doc, "纠纷的主要事实")
    w.paragraphs(doc, a.facts, blank_lines=3)
    w.heading(doc, "争议事项")
    w.paragraphs(doc, a.points, blank_lines=2)
    w.line(doc, "二、各方当事人的责任", bold=True)
    w.paragraphs(doc, a.responsibility, blank_lines=2)
    w.line(doc, f"三、经{cf.committee}调解,当事人自愿达成如下协议:", bold=True)
    _terms_lines(doc, a.terms)
    w.line(doc, "四、履行协议的方式、地点、期限", bold=True)
    if a.manner:
        w.labelled(doc, "履行方式", a.manner)
    _performance_table(doc, a.terms)
    w.line(doc, f"本协议一式{a.copies}份,当事人、人民调解委员会各执一份。", indent=True)
    w.line(doc, "本协议自各方当事人签名、盖章或者按指印,人民调解员签名并加盖人民调解委员会印章之日起生效"
                f"({LAW}第二十九条)。", indent=True)
    _confirmation_line(doc, a)
    signers = [f"当事人 {p.name}(签名盖章或按指印)" for p in cf.parties]
    signers += [f"人民调解员 {name}(签名)" for name in cf.mediators] or ["人民调解员(签名)"]
    signers += ["记录人(签名)"]
    w.signatures(doc, signers, seal=cf.committee, date=w.cn_date(a.concluded_on))
    return head


def oral_agreement(doc: DocumentObject, cf: CaseFile, *, new_page: bool = False) -> Paragraph:
    """人民调解口头协议登记表 (§28: the mediator records what was agreed orally)."""
    a = _agreement_of(cf, oral=True)
    head = _title(doc, NAMES["oral_agreement"], new_page=new_page)
    w.line(doc, f"编号:{a.number}", align="right")
    _party_table(doc, cf.parties)
    lines = [f"{n}. {term_text(term)}" for n, term in enumerate(a.terms, start=1)]
    manner = [f"履行方式:{a.manner}"] if a.manner else []
    for n, term in enumerate(a.terms, start=1):
        due = f"{w.cn_date(term.due)}前" if term.due else ""
        manner.append(f"{n}. " + ",".join(x for x in (term.obligor, term.manner, term.place, due) if x))
    w.grid(doc, [
        ["纠纷简要情况", (a.facts or cf.summary, 3)],
        ["争议事项", (a.points, 3)],
        ["各方责任", (a.responsibility, 3)],
        ["协议内容", ("\n".join(lines), 3)],
        ["履行方式、时限", ("\n".join(manner), 3)],
        ["达成日期", w.cn_date(a.concluded_on, blank=""), "调解员", _joined(cf.mediators)],
    ], columns=4, label_columns=(0, 2), widths=(3.0, 5.2, 2.2, 5.0))
    w.line(doc, f"口头调解协议自各方当事人达成协议之日起生效({LAW}第二十八条)。", indent=True, size=10.5)
    _confirmation_line(doc, a)
    w.signatures(doc, [f"当事人 {p.name}(签名)" for p in cf.parties]
                 + [f"登记人 {cf.registrar}(签名)"], seal=cf.committee, date=w.cn_date(a.concluded_on))
    return head


def visit(doc: DocumentObject, cf: CaseFile, v: Visit, *, number: int = 1, new_page: bool = False) -> Paragraph:
    """人民调解回访记录 (one visit): performance of each term and the parties' satisfaction."""
    head = _title(doc, NAMES["visit"], new_page=new_page)
    w.line(doc, f"案号:{cf.number}    第{number}次回访", align="right", size=10)
    number_of_agreement = cf.agreement.number if cf.agreement else ""
    w.grid(doc, [
        ["当事人", (_joined(v.visited), 3)],
        ["调解协议编号", (number_of_agreement, 3)],
        ["回访事由", (v.matter, 3)],
        ["回访时间", w.cn_datetime(v.at), "回访人", _joined(v.visitors)],
        ["回访方式", v.method, "纠纷状况", v.holding],
        ["履行情况", v.performance, "满意程度", v.satisfaction],
    ], columns=4, label_columns=(0, 2), widths=(2.8, 5.4, 2.2, 5.0))
    if cf.agreement and cf.agreement.terms:
        w.heading(doc, "协议履行情况")
        _performance_table(doc, cf.agreement.terms, with_state=True)
    w.heading(doc, "回访情况")
    w.paragraphs(doc, v.findings, blank_lines=6)
    w.signatures(doc, [f"回访人 {name}(签名)" for name in v.visitors]
                 + [f"被回访人 {name}(签名)" for name in v.visited], date=w.cn_date(v.at))
    return head


def confirmation(doc: DocumentObject, cf: CaseFile, *, new_page: bool = False) -> Paragraph:
    """司法确认情况记录 (§33): the window and, once known, the court's decision."""
    a = cf.agreement
    if a is None:
        raise NotInFile("confirmation")
    head = _title(doc, NAMES["confirmation"], new_page=new_page)
    w.grid(doc, [
        ["调解协议编号", a.number],
        ["协议生效日期", w.cn_date(a.effective_on, blank="")],
        ["申请期限", (f"自协议生效之日起三十日内,至{w.cn_date(a.confirmation_due)}止"
                     if a.confirmation_due else "自协议生效之日起三十日内")],
        ["人民法院确认情况", a.confirmation or "尚未申请或尚未作出决定"],
    ], columns=2, label_columns=(0,), widths=(3.6, 11.8))
    w.line(doc, "人民法院依法确认调解协议有效,一方当事人拒绝履行或者未全部履行的,对方当事人可以向人民法院申请"
                "强制执行;人民法院依法确认调解协议无效的,当事人可以通过人民调解方式变更原调解协议或者达成"
                f"新的调解协议,也可以向人民法院提起诉讼({LAW}第三十三条)。", indent=True, size=10.5)
    return head


def cover(doc: DocumentObject, cf: CaseFile) -> Paragraph:
    """卷宗封面."""
    for _ in range(3):
        w.line(doc, "")
    head = w.title(doc, cf.committee, size=20, space_after=18)
    w.title(doc, "调 解 卷 宗", size=30, space_after=36)
    ended = w.cn_date(cf.closed_on, blank="    年  月  日")
    w.grid(doc, [
        ["卷    名", cf.title],
        ["卷    号", cf.number],
        ["调解类型", cf.kind],
        ["纠纷类型", cf.category],
        ["当 事 人", _names(cf.parties)],
        ["人民调解员", _joined(cf.mediators)],
        ["调解日期", f"{w.cn_date(cf.accepted_on)} 至 {ended}"],
        ["立 卷 人", cf.filer],
        ["立卷日期", w.cn_date(cf.filed_on, blank="")],
        ["保管期限", cf.retention],
        ["备    注", cf.remarks],
    ], columns=2, label_columns=(0,), widths=(3.4, 11.0))
    return head


# ------------------------------------------------------------------------------ the file

@dataclass(frozen=True)
class Entry:
    key: str  # "session:2": the document's kind and, for a repeated one, its number
    name: str
    write: Callable[[DocumentObject, bool], Paragraph]
    required: bool


Writer = Callable[[DocumentObject, bool], Paragraph]


def _investigation_writer(cf: CaseFile, inv: Investigation, n: int) -> Writer:
    return lambda d, np: investigation(d, cf, inv, number=n, new_page=np)


def _session_writer(cf: CaseFile, s: Session) -> Writer:
    return lambda d, np: session(d, cf, s, new_page=np)


def _visit_writer(cf: CaseFile, v: Visit, n: int) -> Writer:
    return lambda d, np: visit(d, cf, v, number=n, new_page=np)


def entries(cf: CaseFile) -> list[Entry]:
    """The documents this case's file holds, in binding order (卷内目录)."""
    out: list[Entry] = []
    if cf.applied:
        out.append(Entry("application", NAMES["application"],
                         lambda d, np: application(d, cf, new_page=np), True))
    out.append(Entry("acceptance", NAMES["acceptance"], lambda d, np: acceptance(d, cf, new_page=np),
                     not cf.applied))
    out.append(Entry("notice", NAMES["notice"], lambda d, np: notice(d, cf, new_page=np), True))
    for n, inv in enumerate(cf.investigations, start=1):
        out.append(Entry(f"investigation:{n}", f"{NAMES['investigation']}(第{n}次)",
                         _investigation_writer(cf, inv, n), False))
    for s in cf.sessions:
        out.append(Entry(f"session:{s.number}", f"{NAMES['session']}(第{s.number}次)",
                         _session_writer(cf, s), True))
    if cf.agreement is not None and not cf.agreement.oral:
        out.append(Entry("agreement", NAMES["agreement"], lambda d, np: agreement(d, cf, new_page=np), True))
    if cf.agreement is not None and cf.agreement.oral:
        out.append(Entry("oral_agreement", NAMES["oral_agreement"],
                         lambda d, np: oral_agreement(d, cf, new_page=np), True))
    for n, v in enumerate(cf.visits, start=1):
        out.append(Entry(f"visit:{n}", f"{NAMES['visit']}(第{n}次)",
                         _visit_writer(cf, v, n), False))
    if cf.agreement is not None and (cf.agreement.confirmation or cf.agreement.confirmation_due):
        out.append(Entry("confirmation", NAMES["confirmation"],
                         lambda d, np: confirmation(d, cf, new_page=np), False))
    return out


def _index(doc: DocumentObject, cf: CaseFile, items: Sequence[Entry]) -> Paragraph:
    head = _title(doc, "卷 内 目 录", new_page=True)
    w.line(doc, f"卷号:{cf.number}", align="right", size=10)
    rows: list[list[tuple[str, int] | str]] = [["序号", "文书名称", "页号", "备注"]]
    for n, item in enumerate(items, start=1):
        remark = "必须" if item.required else "按需"
        if item.key in cf.scans:
            remark += ";附签名扫描件"
        rows.append([str(n), item.name, "", remark])
    table = w.grid(doc, rows, columns=4, widths=(1.4, 8.4, 2.0, 3.6))
    for cell in table.rows[0].cells:
        w._cell_text(cell, cell.text, bold=True, center=True)
    for n, item in enumerate(items, start=1):
        cell = table.cell(n, 2)
        w._cell_text(cell, "", center=True)
        w.page_reference(cell.paragraphs[0], _bookmark(item.key))
        w._cell_text(table.cell(n, 0), str(n), center=True)
    w.line(doc, f"本卷共{len(items)}份文书。页号以打开文件时自动更新的页码为准。", size=9)
    return head


def _bookmark(key: str) -> str:
    return "fq_" + key.replace(":", "_")


def _save(doc: DocumentObject) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def bound(cf: CaseFile) -> bytes:
    """The whole file in one .docx: cover, index (卷内目录, each entry's page a live field), then
    every document on a page of its own."""
    doc = w.new_document(title=f"{cf.title} 调解卷宗", subject=cf.number)
    cover(doc, cf)
    items = entries(cf)
    _index(doc, cf, items)
    for number, item in enumerate(items, start=1):
        head = item.write(doc, True)
        w.bookmark(head, _bookmark(item.key), number)
    w.update_fields_on_open(doc)
    return _save(doc)


def keys(cf: CaseFile) -> list[str]:
    """Every document key this case's file holds (besides "casefile", the whole)."""
    return [item.key for item in entries(cf)]


def document(key: str, cf: CaseFile) -> bytes:
    """One document as a stand-alone .docx (`key` as in `keys`, or "casefile" for the whole)."""
    if key == "casefile":
        return bound(cf)
    item = next((e for e in entries(cf) if e.key == key), None)
    if item is None:
        raise NotInFile(key)
    doc = w.new_document(title=f"{item.name} {cf.title}", subject=cf.number)
    item.write(doc, False)
    return _save(doc)


def filename(key: str, cf: CaseFile) -> str:
    """人民调解协议书-(2026)度尾人调字第12号.docx (the browser's download name)."""
    if key == "casefile":
        name = NAMES["casefile"]
    else:
        item = next((e for e in entries(cf) if e.key == key), None)
        name = item.name if item else NAMES.get(key.partition(":")[0], key)
    safe = "".join(ch for ch in f"{name}-{cf.number}" if ch not in '\\/:*?"<>|')
    return f"{safe}.docx"
