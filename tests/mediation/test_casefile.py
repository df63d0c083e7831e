"""The case file of a real case, built through the real actions and opened again with python-docx:
the §29 contents of the agreement from the case's rows, every party's particulars, the terms with
their due dates, the joint session's departments, the §33 window; masking of phone and ID numbers
for a viewer whose work does not need them (and the unmasked read logged for one whose does)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.mediation import actions, casefile
from fengqiao.mediation.documents import formats
from fengqiao.mediation.models import Case, PartyRead
from tests.factories import register
from tests.mediation.test_casefile_formats import docx_text, table_rows
from tests.mediation.world import OFFICE_TIME, Centre, build_centre, frozen

TZ = OFFICE_TIME.tzinfo


def _valid_id(prefix17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(prefix17, weights, strict=True))
    return prefix17 + "10X98765432"[total % 11]


KE_ID = _valid_id("35032219800315123")  # born 1980-03-15; 17th digit 3: male
WU_ID = _valid_id("35032219721120002")  # born 1972-11-20; 17th digit 2: female
APPLICANT = {"side": "applicant", "name": "柯某", "phone": "13912345678", "id_number": KE_ID,
             "address": "仙游县度尾镇洋坂村3组", "occupation": "务工人员"}
RESPONDENT = {"side": "respondent", "name": "吴某", "phone": "13987654321", "id_number": WU_ID,
              "address": "仙游县度尾镇洋坂村5组", "occupation": "柚子加工厂业主", "sex": "女"}


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def at(days: float, hour: int = 10) -> dt.datetime:
    return (OFFICE_TIME + dt.timedelta(days=days)).replace(hour=hour)


def joint_case(centre: Centre, *, form: str = "written") -> Case:
    """洋坂村's wage dispute: opened from the walk-in event, accepted, investigated, mediated jointly
    with the labour office, the police station and a legal adviser seated, agreed with two terms,
    visited."""
    w = centre.world
    mediator = centre.user("town_mediator")
    with frozen(at(0)):
        event = register(w, actor=w.operator.user, title="柯某反映吴某拖欠工资",
                         description="柯某称吴某拖欠其三个月工资一万二千元。")
        case = actions.case_open(actor=mediator, event=event, org=centre.town_committee, kind="people",
                                 title="柯某与吴某劳务报酬纠纷", facts="柯某在吴某的柚子加工厂务工,吴某拖欠其三个月工资。",
                                 claims="请求吴某支付拖欠工资一万二千元\n请求吴某出具欠条",
                                 parties=[APPLICANT, RESPONDENT])
        actions.case_accept(case=case, actor=mediator)
        actions.case_assign(case=case, actor=mediator, mediator=centre.town_mediator, reason="专长:劳动争议")
    with frozen(at(1)):
        actions.case_investigate(case=case, actor=mediator, held_at=at(1, 9), place="洋坂村委会", subject="吴某",
                                 content="吴某承认拖欠柯某2025年1月至3月工资。", investigators=["程忠定"])
    with frozen(at(2)):
        session = actions.case_schedule_session(
            case=case, actor=mediator, scheduled_for=at(3, 14), place="度尾镇矛调中心联合调解室",
            seats=[actions.SeatInput(kind="labour", representative="张所长", unit_name="度尾镇劳动保障所"),
                   actions.SeatInput(kind="police", representative="林辉", unit_name="度尾派出所"),
                   actions.SeatInput(kind="legal_adviser", representative="陈律师")])
    with frozen(at(3, 16)):
        parties = list(case.parties.order_by("id"))
        actions.case_hold_session(case=case, actor=mediator, session=session, held_at=at(3, 14),
                                  parties_present=[p.pk for p in parties], attendees=["柯某之妻"],
                                  notes="调解员向双方解释劳动报酬的法律规定,双方同意分期支付。")
        actions.case_agree(case=case, actor=mediator, form=form, facts="吴某拖欠柯某2025年1月至3月工资共计一万二千元。",
                           disputes="拖欠工资的数额和支付时间。", responsibility="吴某应当按时足额支付劳动报酬。",
                           performance_manner="银行转账", signed_at=at(3, 16),
                           terms=[actions.TermInput(content="吴某向柯某支付拖欠工资人民币12000元",
                                                    due_on=dt.date(2025, 3, 31), obligor_id=parties[1].pk),
                                  actions.TermInput(content="柯某撤回劳动仲裁申请", due_on=dt.date(2025, 3, 10),
                                                    obligor_id=parties[0].pk)])
    with frozen(at(20)):
        actions.case_follow_up(case=case, actor=mediator, method="visit", visited_at=at(20),
                               note="柯某已收到工资,双方无新的矛盾。")
    return Case.objects.get(pk=case.pk)


def build(case: Case, user, key: str) -> list[str]:
    with frozen(at(21)):
        _name, content = casefile.build(case, viewer=user, key=key)
    return docx_text(content).splitlines()


def test_the_agreement_prints_every_section_29_item_from_the_case(centre):
    case = joint_case(centre)
    lines = build(case, centre.user("town_mediator"), "agreement")
    assert lines[0] == "人民调解协议书"
    assert f"编号:{case.code}" in lines
    # (一) the parties' particulars, in full for the case's mediator; age and sex from the ID.
    assert "申请人 | 姓名 | 柯某 | 性别 | 男 | 民族 |  | 年龄 | 44岁" in lines  # on 2025-03-04, when applied
    assert "申请人 | 职业或职务 | 务工人员 | 联系方式 | 13912345678" in lines
    assert "申请人 | 单位或住址 | 仙游县度尾镇洋坂村3组" in lines
    assert f"申请人 | 身份证号码 | {KE_ID}" in lines
    assert "被申请人 | 姓名 | 吴某 | 性别 | 女 | 民族 |  | 年龄 | 52岁" in lines
    # (二) the facts, the points in dispute, each side's responsibility.
    assert lines[lines.index("纠纷的主要事实:") + 1] == "吴某拖欠柯某2025年1月至3月工资共计一万二千元。"
    assert lines[lines.index("争议事项:") + 1] == "拖欠工资的数额和支付时间。"
    assert lines[lines.index("二、各方当事人的责任") + 1] == "吴某应当按时足额支付劳动报酬。"
    # (三) the terms, who performs them, how and by when.
    heading = lines.index("三、经度尾镇人民调解委员会调解,当事人自愿达成如下协议:")
    assert lines[heading + 1] == "1. 吴某向柯某支付拖欠工资人民币12000元;由吴某于2025年3月31日前履行。"
    assert lines[heading + 2] == "2. 柯某撤回劳动仲裁申请;由柯某于2025年3月10日前履行。"
    # The manner agreed for the whole (Agreement.performance_manner), then each term's row.
    assert "履行方式:银行转账" in lines
    assert "1 | 吴某向柯某支付拖欠工资人民币12000元 | 吴某 |  |  | 2025年3月31日前" in lines
    # Copies: each party one, the committee one; signatures and the committee's seal.
    assert "本协议一式3份,当事人、人民调解委员会各执一份。" in lines
    assert any(x.startswith("当事人 柯某(签名盖章或按指印):") for x in lines)
    assert any(x.startswith("当事人 吴某(签名盖章或按指印):") for x in lines)
    assert any(x.startswith("人民调解员 程忠定(签名):") for x in lines)
    assert "度尾镇人民调解委员会(印章)" in lines
    assert lines[-1] == "2025年3月7日"
    # §33: thirty days from the agreement taking effect (2025-03-07 + 30 = 2025-04-06).
    assert any("申请期限至2025年4月6日止" in x for x in lines)


def test_a_viewer_without_the_right_gets_ids_and_phones_masked_and_nothing_logged(centre):
    case = joint_case(centre)
    cadre = centre.world.user("town_cadre")  # an officer over the town: may act, not see personal data
    before = PartyRead.objects.count()
    lines = build(case, cadre, "agreement")
    assert "申请人 | 身份证号码 | 350322********" + KE_ID[-4:] in lines
    assert "申请人 | 职业或职务 | 务工人员 | 联系方式 | 139****5678" in lines
    assert not any(KE_ID in x or "13912345678" in x or WU_ID in x for x in lines)
    assert "申请人 | 姓名 | 柯某 | 性别 |  | 民族 |  | 年龄 | " in lines  # neither read out of a masked ID
    assert PartyRead.objects.count() == before
    # The case's mediator reads them in full, and that read is logged as a document's.
    build(case, centre.user("town_mediator"), "agreement")
    read = PartyRead.objects.latest("id")
    assert read.via == "document" and read.case_id == case.pk and read.user == centre.user("town_mediator")


def test_the_session_record_seats_the_departments_and_the_file_holds_every_document(centre):
    case = joint_case(centre)
    user = centre.user("town_mediator")
    session = build(case, user, "session:1")
    assert "调解方式 | 面对面调解 · 联合调解" in session
    assert "1 | 度尾镇劳动保障所 | 张所长" in session
    assert "2 | 度尾派出所 | 林辉" in session
    assert "3 | 法律顾问 | 陈律师" in session
    assert "参加人 | 柯某之妻" in session
    assert session[session.index("调解结果:") + 1] == "经调解,双方当事人自愿达成书面调解协议。"
    with frozen(at(21)):
        keys = casefile.keys(case, viewer=user)
    assert keys == ["application", "acceptance", "notice", "investigation:1", "session:1", "agreement",
                    "visit:1", "confirmation"]  # a walk-in: the party applied, so the 申请书 is filed
    application = build(case, user, "application")
    assert application[application.index("当事人申请事项:") + 1:][:2] == ["1、请求吴某支付拖欠工资一万二千元",
                                                                        "2、请求吴某出具欠条"]
    acceptance = build(case, user, "acceptance")
    assert "2025年3月4日,本人民调解委员会经当事人申请,调解柯某、吴某之间的劳资纠纷。" in acceptance
    assert any(x.startswith("登记人 程忠定(签名):") for x in acceptance)
    visit = build(case, user, "visit:1")
    assert "1 | 吴某向柯某支付拖欠工资人民币12000元 | 吴某 | 2025年3月31日前 | 未到期" in visit
    assert "2 | 柯某撤回劳动仲裁申请 | 柯某 | 2025年3月10日前 | 已到期待核实" in visit


def test_the_bound_file_cover_names_the_committee_number_parties_and_mediator(centre):
    case = joint_case(centre)
    user = centre.user("town_mediator")
    with frozen(at(22)):
        actions.case_close(case=case, actor=user)
    case.refresh_from_db()
    with frozen(at(23)):
        _name, content = casefile.build(case, viewer=user, key="casefile")
    lines = docx_text(content).splitlines()
    assert "度尾镇人民调解委员会" in lines[:6] and "调 解 卷 宗" in lines
    for row in (f"卷    号 | {case.code}", "卷    名 | 柯某与吴某劳务报酬纠纷", "调解类型 | 人民调解",
                "当 事 人 | 柯某、吴某", "人民调解员 | 程忠定", "调解日期 | 2025年3月4日 至 2025年3月26日",
                "立 卷 人 | 程忠定", "立卷日期 | 2025年3月26日", "保管期限 | 长期"):
        assert row in lines, row
    index = [r[1] for r in table_rows(content) if len(r) == 4 and r[0].isdigit() and r[3].startswith(("必须", "按需"))]
    assert index == ["人民调解申请书", "人民调解受理登记表", "人民调解当事人权利义务告知书", "人民调解调查记录(第1次)",
                     "人民调解记录(第1次)", "人民调解协议书", "人民调解回访记录(第1次)", "司法确认情况记录"]


def test_an_oral_agreement_is_registered_not_written(centre):
    case = joint_case(centre, form="oral")
    user = centre.user("town_mediator")
    with frozen(at(21)):
        keys = casefile.keys(case, viewer=user)
    assert "oral_agreement" in keys and "agreement" not in keys and "confirmation" not in keys
    lines = build(case, user, "oral_agreement")
    assert lines[0] == "人民调解口头协议登记表"
    assert any(x.startswith("协议内容 | 1. 吴某向柯某支付拖欠工资人民币12000元") for x in lines)
    with pytest.raises(formats.NotInFile):
        build(case, user, "agreement")


def test_a_signed_scan_is_noted_in_the_index(centre):
    case = joint_case(centre)
    user = centre.user("town_mediator")
    pdf = SimpleUploadedFile("协议书-签字.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf")
    with frozen(at(4)):
        actions.case_attach(case=case, actor=user, upload=pdf, document="agreement")
    with frozen(at(21)):
        _name, content = casefile.build(case, viewer=user, key="casefile")
    remarks = {r[1]: r[3] for r in table_rows(content) if len(r) == 4 and r[0].isdigit()}
    assert remarks["人民调解协议书"] == "必须;附签名扫描件"
    assert remarks["人民调解记录(第1次)"] == "必须"


def test_a_court_referral_is_the_courts_and_names_its_case_number(centre):
    w = centre.world
    mediator = centre.user("town_mediator")
    with frozen(at(0)):
        case = actions.case_open_from_court(
            actor=mediator, org=centre.town_committee, court_name="仙游县人民法院", court_case_number="(2025)闽0322民诉前调1号",
            title="柯某与吴某买卖合同纠纷", description="诉前委派调解", region=w.village_a,
            parties=[APPLICANT, RESPONDENT], court_deadline=at(30))
    lines = build(Case.objects.get(pk=case.pk), mediator, "acceptance")
    assert any(x.startswith("案件来源 |") and "☑人民法院委派" in x for x in lines)
    assert any("仙游县人民法院委派调解,案号(2025)闽0322民诉前调1号,调解期限至2025年4月3日" in x for x in lines)
    assert "application" not in casefile.keys(Case.objects.get(pk=case.pk), viewer=mediator)
