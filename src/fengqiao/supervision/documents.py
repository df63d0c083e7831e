"""The bulletin pack's two files: the Word 通报 (python-docx) and the Excel ledger (openpyxl).

They only lay out what `supervision.bulletin.collect` gathered (every figure comes from
`fengqiao.command.queries`, the same as the pages and the API)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fengqiao.lib import xlsx

HEADER_FILL, HEADER_FONT = xlsx.HEADER_FILL, xlsx.HEADER_FONT
CJK_FONT = "宋体"
HEADING_FONT = "黑体"


@dataclass
class Table:
    """A titled table: headers and rows of plain values (already formatted for people)."""

    title: str
    sheet: str  # the ledger's sheet name (≤ 31 characters)
    headers: list[str]
    rows: list[list[object]]
    note: str = ""
    in_document: bool = True  # some tables (every village) go to the ledger only


@dataclass
class Pack:
    title: str  # 仙游县基层治理事项办理情况通报
    subtitle: str  # 统计时段:2026年11月16日至2026年11月22日
    issued: str  # 仙游县基层治理指挥中心 2026年11月23日
    summary: list[str]  # the opening paragraphs, with the key rates
    sections: list[tuple[str, list[Table | str]]] = field(default_factory=list)


def _run_font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _paragraph(doc, text: str, *, size: float = 12, bold: bool = False, align=None, font: str = CJK_FONT):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    _run_font(p.add_run(text), font, size, bold)
    return p


def _heading(doc, text: str, level: int):
    h = doc.add_heading(level=level)
    run = h.add_run(text)
    _run_font(run, HEADING_FONT, 16 if level == 1 else 14, True)
    run.font.color.rgb = RGBColor(0, 0, 0)
    if level == 0:
        h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return h


def _table(doc, table: Table) -> None:
    if table.title:
        _paragraph(doc, table.title, size=12, bold=True)
    t = doc.add_table(rows=1, cols=len(table.headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, table.headers, strict=True):
        cell.text = ""
        _run_font(cell.paragraphs[0].add_run(str(text)), CJK_FONT, 10.5, True)
    for row in table.rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _run_font(cell.paragraphs[0].add_run("" if value is None else str(value)), CJK_FONT, 10.5)
    if not table.rows:
        _paragraph(doc, "(无)", size=10.5)
    if table.note:
        _paragraph(doc, table.note, size=9)


def docx_bytes(pack: Pack) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = CJK_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    style.font.size = Pt(12)
    core = doc.core_properties
    core.title = pack.title
    core.subject = pack.subtitle
    _heading(doc, pack.title, 0)
    _paragraph(doc, pack.subtitle, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    for text in pack.summary:
        _paragraph(doc, text)
    for number, (heading, parts) in enumerate(pack.sections, start=1):
        _heading(doc, f"{_chinese_number(number)}、{heading}", 1)
        for part in parts:
            if isinstance(part, Table):
                if part.in_document:
                    _table(doc, part)
            else:
                _paragraph(doc, part)
    _paragraph(doc, pack.issued, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes(pack: Pack) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    xlsx.append(ws, [pack.title])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx.append(ws, [pack.subtitle])
    for text in pack.summary:
        xlsx.append(ws, [text])
    ws.column_dimensions["A"].width = 100
    for _heading_text, parts in pack.sections:
        for part in parts:
            if not isinstance(part, Table):
                continue
            sheet = wb.create_sheet(part.sheet[:31])
            xlsx.append(sheet, [str(h) for h in part.headers])
            for cell in sheet[1]:
                cell.font, cell.fill = HEADER_FONT, HEADER_FILL
                cell.alignment = Alignment(vertical="center")
            for row in part.rows:
                xlsx.append(sheet, ["" if v is None else v for v in row])
            sheet.freeze_panes = "A2"
            for i, header in enumerate(part.headers, start=1):
                longest = max([len(str(header)), *(len(str(r[i - 1])) for r in part.rows[:200])])
                sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 2 + 2))
    return xlsx.to_bytes(wb)


_DIGITS = "零一二三四五六七八九十"


def _chinese_number(n: int) -> str:
    if n <= 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + _DIGITS[n - 10]
    return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
