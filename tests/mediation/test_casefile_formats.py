"""The case file's formats on their own: each document built from a CaseFile, opened again with
python-docx, and read the way a clerk checks a file — title, number, each party's particulars,
the §29 contents of the agreement, the terms with their due dates, the signing places and the
committee's seal, the bound file's cover and index (its page numbers live fields pointing at
every document).

No database: the formats only lay out the values they are given (masking is decided before, in
casefile.collect; tests/mediation/test_casefile.py checks it with real cases)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from fengqiao.mediation.documents import formats
from fengqiao.mediation.documents.data import (
    Agreement,
    CaseFile,
    Investigation,
    Particulars,
    Seat,
    Session,
    Term,
    Visit,
)
from fengqiao.mediation.documents.writer import rmb, rmb_upper

COMMITTEE = "仙游县度尾镇人民调解委员会"


def docx_text(content: bytes) -> str:
    """Every paragraph and table row of a .docx in document order, one per line: a row's cells
    joined by " | ", a merged cell once (a vertically merged one on each row it spans)."""
    doc = Document(io.BytesIO(content))
    tables = iter(doc.tables)
    out: list[str] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for row in next(tables).rows:
                cells, seen = [], []
                for cell in row.cells:
                    if any(cell._tc is s for s in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append(cell.text)
                out.append(" | ".join(cells))
    return "\n".join(out)


def table_rows(content: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(content))
    rows = []
    for table in doc.tables:
        for row in table.rows:
            rows.append([c.text for c in row.cells])
    return rows


def make_file(**changes) -> CaseFile:
    base = dict(
        committee=COMMITTEE,
        number="(2026)度尾人调字第12号",
        title="柯某与吴某劳务报酬纠纷",
        kind="人民调解",
        category="劳务报酬纠纷",
        source="当事人申请",
        summary="柯某在吴某的柚子加工厂务工,吴某拖欠其三个月工资。\n双方自行协商十余次未果。",
        parties=(
            Particulars("申请人", "柯某", "男", "汉族", 45, "务工人员", "仙游县度尾镇洋坂村3组",
                        "139****5678", "350322********1234"),
            Particulars("被申请人", "吴某", "男", "汉族", 52, "仙游县度尾镇吴氏柚子加工厂业主",
                        "仙游县度尾镇洋坂村5组", "138****0000", "350322********4321"),
        ),
        requests=("请求吴某支付拖欠工资一万二千元",),
        applied=True,
        applied_on=dt.date(2026, 11, 2),
        accepted_on=dt.date(2026, 11, 3),
        closed_on=dt.date(2026, 12, 8),
        registrar="吴见来",
        mediators=("程忠定", "吴见来"),
        filer="程忠定",
        filed_on=dt.date(2026, 12, 20),
        retention="长期",
        investigations=(
            Investigation(dt.datetime(2026, 11, 4, 9, 30), "洋坂村委会", ("吴某",), ("程忠定",), "李文书",
                          (), "吴某承认拖欠柯某三个月工资。"),
        ),
        sessions=(
            Session(1, dt.datetime(2026, 11, 6, 14, 0), "度尾镇矛调中心联合调解室", "面对面调解",
                    ("柯某", "吴某"), ("程忠定",), "李文书",
                    (Seat("度尾镇劳动保障所", ("张所长",)), Seat("度尾派出所", ("林辉",)),
                     Seat("法律顾问", ("陈律师",))),
                    (), "调解员向双方解释劳动报酬的法律规定。", "双方达成调解协议。", joint=True),
        ),
        agreement=Agreement(
            "(2026)度尾人调协字第12号", False, dt.date(2026, 11, 6), dt.date(2026, 11, 6),
            facts="柯某在吴某的加工厂务工,吴某拖欠其2026年8月至10月工资。",
            points="拖欠工资的数额和支付时间。",
            responsibility="吴某应当按时足额支付劳动报酬,对拖欠负全部责任。",
            terms=(
                Term("吴某向柯某支付拖欠的工资", "吴某", Decimal("12000"), "银行转账",
                     dt.date(2026, 11, 30), "度尾镇人民调解委员会", "已履行"),
                Term("柯某撤回向县劳动人事争议仲裁委员会提出的仲裁申请", "柯某", None, "书面申请",
                     dt.date(2026, 11, 10)),
            ),
            copies=3,
            confirmation_due=dt.date(2026, 12, 6),
            manner="一次性支付",
        ),
        visits=(
            Visit(dt.datetime(2026, 12, 2, 10, 0), ("吴见来",), ("柯某",), "劳务报酬纠纷",
                  "柯某已收到工资,双方无新的矛盾。", "已履行", "满意"),
        ),
    )
    base.update(changes)
    return CaseFile(**base)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- money

@pytest.mark.parametrize(("amount", "text"), [
    ("12000", "壹万贰仟元整"),
    ("10500.50", "壹万零伍佰元伍角"),
    ("100000", "壹拾万元整"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1000001", "壹佰万零壹元整"),
    ("100000100", "壹亿零壹佰元整"),
    ("0.05", "伍分"),
    ("1.05", "壹元零伍分"),
    ("0", "零元整"),
    ("38600.25", "叁万捌仟陆佰元贰角伍分"),
])
def test_money_is_written_in_capitals_as_agreements_write_it(amount, text):
    assert rmb_upper(Decimal(amount)) == text


def test_money_prints_capitals_and_figures():
    assert rmb(Decimal("12000")) == "人民币壹万贰仟元整(¥12,000.00)"


# ------------------------------------------------------------------------- agreement

def test_agreement_holds_everything_section_29_requires():
    content = formats.document("agreement", make_file())
    text = docx_text(content)
    lines = text.splitlines()
    assert lines[0] == "人民调解协议书"
    assert "编号:(2026)度尾人调协字第12号" in lines
    # (一) the parties' particulars: name, sex, ethnicity, age, occupation, address, ID.
    assert "申请人 | 姓名 | 柯某 | 性别 | 男 | 民族 | 汉族 | 年龄 | 45岁" in lines
    assert "申请人 | 职业或职务 | 务工人员 | 联系方式 | 139****5678" in lines
    assert "申请人 | 单位或住址 | 仙游县度尾镇洋坂村3组" in lines
    assert "申请人 | 身份证号码 | 350322********1234" in lines
    assert "被申请人 | 姓名 | 吴某 | 性别 | 男 | 民族 | 汉族 | 年龄 | 52岁" in lines
    # (二) the main facts, the points in dispute and each side's responsibility.
    facts = lines.index("一、纠纷的主要事实、争议事项")
    assert lines[facts + 2] == "柯某在吴某的加工厂务工,吴某拖欠其2026年8月至10月工资。"
    assert lines[lines.index("争议事项:") + 1] == "拖欠工资的数额和支付时间。"
    assert lines[lines.index("二、各方当事人的责任") + 1] == "吴某应当按时足额支付劳动报酬,对拖欠负全部责任。"
    # (三) the agreed terms, with the manner and time limit of performance.
    terms = lines.index(f"三、经{COMMITTEE}调解,当事人自愿达成如下协议:")
    assert lines[terms + 1] == ("1. 吴某向柯某支付拖欠的工资,计人民币壹万贰仟元整(¥12,000.00);由吴某于"
                                "2026年11月30日前在度尾镇人民调解委员会以银行转账方式履行。")
    assert lines[terms + 2].startswith("2. 柯某撤回向县劳动人事争议仲裁委员会提出的仲裁申请;由柯某于2026年11月10日前")
    assert "四、履行协议的方式、地点、期限" in lines
    assert "履行方式:一次性支付" in lines
    assert "序号 | 协议事项 | 履行义务人 | 履行方式 | 履行地点 | 履行期限" in lines
    assert "1 | 吴某向柯某支付拖欠的工资 | 吴某 | 银行转账 | 度尾镇人民调解委员会 | 2026年11月30日前" in lines
    assert "2 | 柯某撤回向县劳动人事争议仲裁委员会提出的仲裁申请 | 柯某 | 书面申请 |  | 2026年11月10日前" in lines
    # Copies, when it takes effect, §33.
    assert "本协议一式3份,当事人、人民调解委员会各执一份。" in lines
    assert any(x.startswith("本协议自各方当事人签名、盖章或者按指印,人民调解员签名并加盖人民调解委员会印章之日起生效")
               for x in lines)
    assert any("自本协议生效之日起三十日内共同向人民法院申请司法确认" in x and "申请期限至2026年12月6日止" in x
               for x in lines)
    # Signatures or seals of the parties, the mediators' signatures, the committee's seal.
    assert "当事人 柯某(签名盖章或按指印):" in text
    assert "当事人 吴某(签名盖章或按指印):" in text
    assert "人民调解员 程忠定(签名):" in text and "人民调解员 吴见来(签名):" in text
    assert f"{COMMITTEE}(印章)" in lines
    assert lines[-1] == "2026年11月6日"


def test_an_organisation_party_prints_its_name_and_representative():
    firm = Particulars("被申请人", "仙游县度尾镇吴氏柚子加工厂", organisation=True, representative="吴某",
                       address="仙游县度尾镇洋坂村5组", phone="138****0000", id_number="92350322MA3*****7X")
    cf = make_file(parties=(make_file().parties[0], firm))
    lines = docx_text(formats.document("agreement", cf)).splitlines()
    assert "被申请人 | 名称 | 仙游县度尾镇吴氏柚子加工厂 | 法定代表人 | 吴某" in lines
    assert "被申请人 | 统一社会信用代码 | 92350322MA3*****7X" in lines
    assert "被申请人 | 住所地 | 仙游县度尾镇洋坂村5组" in lines


def test_a_missing_value_leaves_the_forms_blank_line_not_a_made_up_one():
    bare = Particulars("申请人", "柯某")
    cf = make_file(parties=(bare,), mediators=())
    lines = docx_text(formats.document("agreement", cf)).splitlines()
    assert "申请人 | 姓名 | 柯某 | 性别 |  | 民族 |  | 年龄 | " in lines
    assert "申请人 | 身份证号码 | " in lines
    assert any(x.startswith("人民调解员(签名):") for x in lines)


def test_an_oral_agreement_has_its_register_not_an_agreement():
    oral = make_file().agreement
    assert oral is not None
    cf = make_file(agreement=Agreement(**{**oral.__dict__, "oral": True, "number": "(2026)度尾口协第3号"}))
    assert "oral_agreement" in formats.keys(cf) and "agreement" not in formats.keys(cf)
    with pytest.raises(formats.NotInFile):
        formats.document("agreement", cf)
    text = docx_text(formats.document("oral_agreement", cf))
    lines = text.splitlines()
    assert lines[0] == "人民调解口头协议登记表"
    assert "编号:(2026)度尾口协第3号" in lines
    assert "申请人 | 姓名 | 柯某 | 性别 | 男 | 民族 | 汉族 | 年龄 | 45岁" in lines
    assert "协议内容 | 1. 吴某向柯某支付拖欠的工资,计人民币壹万贰仟元整(¥12,000.00)" in text
    assert "履行方式、时限 | 履行方式:一次性支付\n1. 吴某,银行转账,度尾镇人民调解委员会,2026年11月30日前" in text
    assert any("口头调解协议自各方当事人达成协议之日起生效" in x for x in lines)
    assert "登记人 吴见来(签名):" in text


def test_no_agreement_means_no_agreement_document():
    cf = make_file(agreement=None, visits=())
    assert not {"agreement", "oral_agreement", "confirmation"} & set(formats.keys(cf))
    with pytest.raises(formats.NotInFile):
        formats.document("agreement", cf)


# --------------------------------------------------------------------- the others

def test_application_names_the_applicant_the_requests_and_the_voluntary_statement():
    lines = docx_text(formats.document("application", make_file())).splitlines()
    assert lines[0] == "人民调解申请书"
    assert "申请人 | 姓名 | 柯某 | 性别 | 男 | 民族 | 汉族 | 年龄 | 45岁" in lines
    assert lines[lines.index("纠纷简要情况:") + 1] == "柯某在吴某的柚子加工厂务工,吴某拖欠其三个月工资。"
    assert lines[lines.index("当事人申请事项:") + 1] == "1、请求吴某支付拖欠工资一万二千元"
    assert f"{COMMITTEE}已将申请人民调解的相关规定告知我,现自愿申请{COMMITTEE}进行调解。" in lines
    assert any(x.startswith("申请人 柯某(签名盖章或按指印):") for x in lines)
    assert not any(x.startswith("申请人 吴某") for x in lines)  # the respondent does not sign it
    assert lines[-1] == "2026年11月2日"


def test_acceptance_register_ticks_the_source_and_names_the_registrar():
    lines = docx_text(formats.document("acceptance", make_file())).splitlines()
    assert lines[0] == "人民调解受理登记表"
    assert "编号:(2026)度尾人调字第12号" in lines
    assert "2026年11月3日,本人民调解委员会经当事人申请,调解柯某、吴某之间的劳务报酬纠纷。" in lines
    assert "案件来源 | ☑当事人申请  ☐人民调解委员会主动调解  ☐有关部门移送  ☐人民法院委派" in lines
    assert "受理日期 | 2026年11月3日 | 承办调解员 | 程忠定、吴见来" in lines
    assert any(x.startswith("登记人 吴见来(签名):") for x in lines)
    assert f"{COMMITTEE}(印章)" in lines


def test_a_source_beyond_the_forms_list_is_added_and_ticked():
    lines = docx_text(formats.document("acceptance", make_file(source="公安机关移送"))).splitlines()
    assert any(x.startswith("案件来源 |") and x.endswith("☑公安机关移送") and "☑当事人申请" not in x for x in lines)


def test_joint_session_record_lists_every_department_seated_and_their_signatures():
    text = docx_text(formats.document("session:1", make_file()))
    lines = text.splitlines()
    assert lines[0] == "人民调解记录"
    assert "时间 | 2026年11月6日 14时00分 | 地点 | 度尾镇矛调中心联合调解室" in lines
    assert "调解方式 | 面对面调解 · 联合调解" in lines
    assert "序号 | 部门 | 参加人员" in lines
    assert "1 | 度尾镇劳动保障所 | 张所长" in lines
    assert "2 | 度尾派出所 | 林辉" in lines
    assert "3 | 法律顾问 | 陈律师" in lines
    assert lines[lines.index("调解结果:") + 1] == "双方达成调解协议。"
    assert "参加人 张所长(度尾镇劳动保障所)(签名):" in text
    assert "当事人 柯某(签名):" in text and "记录人(签名):" in text


def test_investigation_record_names_who_was_asked_by_whom():
    lines = docx_text(formats.document("investigation:1", make_file())).splitlines()
    assert lines[0] == "人民调解调查记录"
    assert "被调查人 | 吴某" in lines
    assert "调查人 | 程忠定 | 记录人 | 李文书" in lines
    assert lines[lines.index("调查记录:") + 1] == "吴某承认拖欠柯某三个月工资。"


def test_visit_record_shows_each_terms_performance():
    lines = docx_text(formats.document("visit:1", make_file())).splitlines()
    assert lines[0] == "人民调解回访记录"
    assert "调解协议编号 | (2026)度尾人调协字第12号" in lines
    assert "履行情况 | 已履行 | 满意程度 | 满意" in lines
    assert "1 | 吴某向柯某支付拖欠的工资 | 吴某 | 2026年11月30日前 | 已履行" in lines
    assert "2 | 柯某撤回向县劳动人事争议仲裁委员会提出的仲裁申请 | 柯某 | 2026年11月10日前 | 未到期" in lines
    assert lines[lines.index("回访情况:") + 1] == "柯某已收到工资,双方无新的矛盾。"


def test_a_document_the_case_does_not_hold_is_not_made():
    with pytest.raises(formats.NotInFile):
        formats.document("session:2", make_file())
    with pytest.raises(formats.NotInFile):
        formats.document("visit:7", make_file())


# ------------------------------------------------------------------------ the whole

def test_the_bound_file_has_its_cover_index_and_every_document_in_order():
    cf = make_file(scans=frozenset({"agreement"}))
    content = formats.bound(cf)
    lines = docx_text(content).splitlines()
    # The cover.
    assert COMMITTEE in lines[:6] and "调 解 卷 宗" in lines
    for row in ("卷    名 | 柯某与吴某劳务报酬纠纷", "卷    号 | (2026)度尾人调字第12号", "调解类型 | 人民调解",
                "当 事 人 | 柯某、吴某", "人民调解员 | 程忠定、吴见来", "调解日期 | 2026年11月3日 至 2026年12月8日",
                "立 卷 人 | 程忠定", "立卷日期 | 2026年12月20日", "保管期限 | 长期"):
        assert row in lines, row
    # The index: one row per document, in the order they are bound.
    names = [
        "人民调解申请书", "人民调解受理登记表", "人民调解当事人权利义务告知书", "人民调解调查记录(第1次)",
        "人民调解记录(第1次)", "人民调解协议书", "人民调解回访记录(第1次)", "司法确认情况记录",
    ]
    index = [row for row in table_rows(content) if row[0].isdigit() and row[1] in names]
    assert [r[1] for r in index] == names
    assert [r[0] for r in index] == [str(n) for n in range(1, len(names) + 1)]
    assert index[5][3] == "必须;附签名扫描件"
    # Every document follows on a page of its own, in the same order.
    titles = [x for x in lines if x in {n.split("(")[0] for n in names}]
    assert titles == [n.split("(")[0] for n in names]


def test_the_index_page_numbers_are_fields_pointing_at_each_documents_bookmark():
    content = formats.bound(make_file())
    doc = Document(io.BytesIO(content))
    body = doc.element.body
    bookmarks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    references = [i.text.split()[1] for i in body.iter(qn("w:instrText")) if i.text.strip().startswith("PAGEREF")]
    assert len(references) == len(formats.keys(make_file()))
    assert set(references) <= bookmarks
    # Each bookmark sits on a document's title, which starts a new page.
    for start in body.iter(qn("w:bookmarkStart")):
        paragraph = start.getparent()
        text = "".join(t.text for t in paragraph.iter(qn("w:t")))
        assert text.startswith("人民调解") or text.startswith("司法确认")
        assert paragraph.find(qn("w:pPr")).find(qn("w:pageBreakBefore")) is not None
    # Word is asked to update the fields on opening.
    update = doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_the_file_name_names_the_document_and_the_case():
    cf = make_file()
    assert formats.filename("agreement", cf) == "人民调解协议书-(2026)度尾人调字第12号.docx"
    assert formats.filename("session:1", cf) == "人民调解记录(第1次)-(2026)度尾人调字第12号.docx"
    assert formats.filename("casefile", cf) == "人民调解卷宗-(2026)度尾人调字第12号.docx"
    assert "/" not in formats.filename("casefile", make_file(number="TJ/2026/12"))
