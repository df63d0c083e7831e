"""The written notices, opened again with python-docx: each says what the regulations require it
to tell the petitioner, with the platform's particulars."""

from __future__ import annotations

import io

import pytest
from docx import Document as WordDocument

from fengqiao.petitions import actions
from fengqiao.petitions.actions import PetitionerInput
from fengqiao.petitions.documents import docx_bytes
from fengqiao.petitions.models import Document, Petition
from tests.petitions.helpers import ID_KE, at, local, petition_in, register

pytestmark = pytest.mark.django_db


def _text(document: Document, user) -> list[str]:
    return [p.text for p in WordDocument(io.BytesIO(docx_bytes(document, user=user))).paragraphs]


def _doc(p: Petition, kind: str) -> Document:
    return Document.objects.get(petition=p, kind=kind)


def test_the_notice_of_acceptance(world):
    p = petition_in(world, "accepted")  # a visit of 2 March 2026, routed on the 3rd, accepted on the 4th
    lines = _text(_doc(p, "acceptance"), world.dept_liaison.user)
    assert lines[:4] == ["县人社局", "信访事项受理告知书", "仙信受告〔2026〕1号", "柯志明:"]
    body = "\n".join(lines)
    assert ("您(你们)于2026年3月2日以来访形式提出的关于“反映拖欠工资问题”的信访事项"
            f"(编号:{p.code}),经审查,属于本机关职责范围") in body
    assert "本机关决定予以受理,受理日期为2026年3月4日" in body
    assert "自受理之日起60日内,即2026年5月3日前办结" in body
    assert "延长期限不超过30日" in body
    assert "县人社局(印章)" in lines and "2026年3月4日" in lines
    assert "送达地址:仙游县度尾镇洋坂村3组18号" in lines and "抄送:仙游县信访局" in lines


def test_notice_numbers_run_per_kind_and_year(world):
    petition_in(world, "accepted")
    second = petition_in(world, "accepted", title="反映社保缴纳问题")
    assert _doc(second, "acceptance").number == "仙信受告〔2026〕2号"


def test_the_notice_of_non_acceptance_gives_the_reasons(world):
    p = petition_in(world, "not_accepted")
    body = "\n".join(_text(_doc(p, "refusal"), world.operator.user))
    assert "信访事项不予受理告知书" in body and "本机关决定不予受理" in body
    assert "不予受理的理由:已进入诉讼程序" in body
    assert "通过诉讼、仲裁、行政复议等法定途径" in body


def test_the_notice_of_extension_tells_the_new_limit_and_why(world):
    p = petition_in(world, "handling")
    with at(local(2026, 4, 20)):
        actions.petition_extend(petition=p, actor=world.dept_liaison.user, days=20, reason="需赴外省调取用工记录")
    body = "\n".join(_text(_doc(p, "extension"), world.dept_liaison.user))
    assert "信访事项延期办理告知书" in body
    assert "本机关已于2026年3月4日受理,原定于2026年5月3日前办结" in body
    assert "因需赴外省调取用工记录,经本机关负责人批准" in body
    assert "办理期限延长20日,至2026年5月23日前办结" in body


def test_the_answer_review_and_re_review_each_name_the_next_step_and_who_takes_it(world):
    """A village office's answer is reviewed by the town government and re-reviewed by the
    county government; the re-review is final."""
    p = register(world, when=local(2026, 3, 2))
    steps = [
        (local(2026, 3, 3), lambda q: actions.petition_route(petition=q, actor=world.town_cadre.user, office=world.village_a)),
        (local(2026, 3, 4), lambda q: actions.petition_accept(petition=q, actor=world.secretary_a.user)),
        (local(2026, 3, 6), lambda q: actions.petition_answer(petition=q, actor=world.secretary_a.user,
                                                              answer="经村两委调查,老板已同意分期支付。\n第一期于三月十日前支付。")),
        (local(2026, 3, 20), lambda q: actions.petition_apply_review(petition=q, actor=world.operator.user)),
        (local(2026, 4, 10), lambda q: actions.petition_answer_review(petition=q, actor=world.county_leader.user,
                                                                      answer="经复查,维持原处理意见。")),
        (local(2026, 4, 20), lambda q: actions.petition_apply_rereview(petition=q, actor=world.operator.user)),
        (local(2026, 5, 10), lambda q: actions.petition_answer_rereview(petition=q, actor=world.county_leader.user,
                                                                        answer="经复核,维持复查意见。")),
    ]
    for moment, step in steps:
        with at(moment):
            step(Petition.objects.get(pk=p.pk))
    answer = _text(_doc(p, "answer"), world.secretary_a.user)
    assert answer[0] == "洋坂村委会" and answer[1] == "信访事项处理意见书"
    body = "\n".join(answer)
    assert "经调查核实,现提出处理意见如下" in body
    assert "\u3000\u3000经村两委调查,老板已同意分期支付。" in answer and "\u3000\u3000第一期于三月十日前支付。" in answer
    assert "可以自收到本意见书之日起30日内,向度尾镇人民政府请求复查" in body
    review = _text(_doc(p, "review"), world.operator.user)
    assert review[0] == "度尾镇人民政府" and review[1] == "信访事项复查意见书"
    assert "向仙游县人民政府请求复核" in "\n".join(review)
    final = "\n".join(_text(_doc(p, "rereview"), world.operator.user))
    assert "信访事项复核意见书" in final and "本复核意见为最终意见" in final and "不再受理" in final
    assert final.startswith("仙游县人民政府")


def test_a_joint_petition_is_addressed_to_its_representatives_and_the_headcount(world):
    people = [PetitionerInput(name="柯志明", id_number=ID_KE, is_representative=True),
              PetitionerInput(name="吴秀兰", is_representative=True), PetitionerInput(name="林国庆")]
    p = register(world, petitioners=people, joint=True, headcount=12, form="letter", title="反映征地补偿款分配问题")
    with at(local(2026, 3, 3)):
        actions.petition_route(petition=p, actor=world.operator.user, department=world.department)
    with at(local(2026, 3, 5)):
        actions.petition_accept(petition=p, actor=world.dept_liaison.user)
    lines = _text(_doc(p, "acceptance"), world.dept_liaison.user)
    assert "柯志明、吴秀兰等12人:" in lines
    assert "以来信形式提出" in "\n".join(lines)
    masked = _text(_doc(p, "acceptance"), world.town_cadre.user)
    assert "柯**、吴**等12人:" in masked
