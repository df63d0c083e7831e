"""The notices a petition office issues to the petitioner, as Word documents (python-docx):
受理告知书, 不予受理告知书, 延期告知书, 处理意见书, 复查意见书, 复核意见书.

The particulars were fixed when the notice was issued (`Document.facts`, written by the action);
the petitioner's name and address are filled in here, unmasked only for those who handle the
petition (each such download is a `PetitionerRead` row), masked for everyone else.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from fengqiao.petitions.models import Document, Form, Petition
from fengqiao.petitions.presenters import addressee, petitioners_for

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
INDENT = "\u3000\u3000"  # two full-width spaces open a paragraph
REGULATIONS = "《信访工作条例》"

TITLES = {
    Document.Kind.ACCEPTANCE: "信访事项受理告知书",
    Document.Kind.REFUSAL: "信访事项不予受理告知书",
    Document.Kind.EXTENSION: "信访事项延期办理告知书",
    Document.Kind.ANSWER: "信访事项处理意见书",
    Document.Kind.REVIEW: "信访事项复查意见书",
    Document.Kind.REREVIEW: "信访事项复核意见书",
}
FORM_WORDS = {Form.LETTER: "来信", Form.VISIT: "来访", Form.PHONE: "来电", Form.ONLINE: "网上信访"}


def chinese_date(value: str | dt.date | None) -> str:
    """2026-03-05 → 2026年3月5日."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def _run(paragraph, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _para(doc, text: str = "", *, align=None, font: str = BODY_FONT, size: float = 16, bold: bool = False):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(4)
    if text:
        _run(p, text, font=font, size=size, bold=bold)
    return p


def _body_paragraphs(kind: str, f: dict[str, Any], to: str) -> list[str]:
    """The notice's paragraphs after the salutation (see the module for which notice says what)."""
    form = FORM_WORDS.get(Form(f["form"]), "来信") if f.get("form") in Form.values else "来信"
    matter = (f"您(你们)于{chinese_date(f.get('received'))}以{form}形式提出的关于“{f['title']}”的"
              f"信访事项(编号:{f['code']})")
    if kind == Document.Kind.ACCEPTANCE:
        return [
            f"{matter},经审查,属于本机关职责范围。根据{REGULATIONS}有关规定,本机关决定予以受理,"
            f"受理日期为{chinese_date(f.get('accepted'))}。",
            f"本机关将自受理之日起{f.get('handle_days', 60)}日内,即{chinese_date(f.get('handle_due'))}前办结,"
            "并向您(你们)出具书面处理意见。情况复杂的,经本机关负责人批准,可以适当延长办理期限,"
            "但延长期限不超过30日,并将告知延期理由。",
            "请您(你们)依法有序反映诉求,配合做好调查核实工作。",
            "特此告知。",
        ]
    if kind == Document.Kind.REFUSAL:
        return [
            f"{matter},经审查,本机关决定不予受理。",
            f"不予受理的理由:{f.get('reason', '')}",
            f"根据{REGULATIONS}有关规定,对依法应当通过诉讼、仲裁、行政复议等法定途径解决的诉求,"
            "请依照有关法律、行政法规规定的程序向有关机关提出。",
            "特此告知。",
        ]
    if kind == Document.Kind.EXTENSION:
        return [
            f"{matter},本机关已于{chinese_date(f.get('accepted'))}受理,原定于"
            f"{chinese_date(f.get('due_before'))}前办结。",
            f"因{f.get('reason', '')},经本机关负责人批准,根据{REGULATIONS}有关规定,办理期限延长"
            f"{f.get('days')}日,至{chinese_date(f.get('due_after'))}前办结。",
            "特此告知。",
        ]
    if kind == Document.Kind.ANSWER:
        return [
            f"{matter},本机关已于{chinese_date(f.get('accepted'))}受理。经调查核实,现提出处理意见如下:",
            *[line for line in str(f.get("answer", "")).splitlines() if line.strip()],
            f"如不服本处理意见,可以自收到本意见书之日起{f.get('review_days', 30)}日内,"
            f"向{f.get('review_by', '上一级机关')}请求复查。",
        ]
    if kind == Document.Kind.REVIEW:
        return [
            f"{matter},{f.get('body', '')}已出具处理意见。您(你们)不服该处理意见,向本机关请求复查。"
            "经复查,现提出复查意见如下:",
            *[line for line in str(f.get("answer", "")).splitlines() if line.strip()],
            f"如不服本复查意见,可以自收到本意见书之日起{f.get('rereview_days', 30)}日内,"
            f"向{f.get('rereview_by', '上一级机关')}请求复核。",
        ]
    return [  # REREVIEW
        f"{matter},您(你们)不服复查意见,向本机关请求复核。经复核,现提出复核意见如下:",
        *[line for line in str(f.get("answer", "")).splitlines() if line.strip()],
        "本复核意见为最终意见。信访人对复核意见不服,仍以同一事实和理由提出信访请求的,"
        f"依照{REGULATIONS}有关规定不再受理。",
    ]


def issuer_of(document: Document) -> str:
    f = document.facts
    if document.kind == Document.Kind.REVIEW:
        return f.get("reviewer") or f.get("body", "")
    if document.kind == Document.Kind.REREVIEW:
        return f.get("rereviewer") or f.get("body", "")
    return f.get("body", "")


DAY_OF = {Document.Kind.ACCEPTANCE: "accepted", Document.Kind.REFUSAL: "decided",
          Document.Kind.ANSWER: "answered", Document.Kind.REVIEW: "answered",
          Document.Kind.REREVIEW: "answered"}


def issued_day(document: Document) -> str:
    """The date under the signature: the day of the decision the notice tells."""
    from django.utils import timezone

    day = document.facts.get(DAY_OF.get(Document.Kind(document.kind), ""), "")
    return chinese_date(day or timezone.localtime(document.issued_at).date())


def docx_bytes(document: Document, *, user, petition: Petition | None = None) -> bytes:
    """The notice as .docx for `user`: the petitioner's identity unmasked (and logged) only for
    those who handle the petition."""
    petition = petition or document.petition
    rows = petitioners_for(user, petition, via="document")
    to = addressee(rows, petition)
    f = document.facts

    doc = WordDocument()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Pt(80)
    _para(doc, issuer_of(document), align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=18, bold=True)
    _para(doc, TITLES[Document.Kind(document.kind)], align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT,
          size=22, bold=True)
    _para(doc, document.number, align=WD_ALIGN_PARAGRAPH.CENTER, size=16)
    _para(doc, f"{to}:")
    for text in _body_paragraphs(document.kind, f, to):
        _para(doc, INDENT + text)
    _para(doc)
    _para(doc, f"{issuer_of(document)}(印章)", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, issued_day(document), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc)
    first = next((r for r in rows if r["is_representative"]), rows[0] if rows else None)
    details = [f"信访事项编号:{f.get('code', petition.code)}"]
    if first is not None and first.get("address"):
        details.append(f"送达地址:{first['address']}")
    if first is not None and first.get("phone"):
        details.append(f"联系电话:{first['phone']}")
    county = f.get("county")
    if county:
        details.append(f"抄送:{county}信访局")
    for line in details:
        _para(doc, line, size=12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filename(document: Document) -> str:
    return f"{document.petition.code}-{TITLES[Document.Kind(document.kind)]}.docx"
