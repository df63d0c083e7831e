"""The red and black lists (红黑榜) of a village for a period as a Word document."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from fengqiao.incentives.models import ListEntry
from fengqiao.lib.masking import mask_name
from fengqiao.regions.models import Region


def _font(document) -> None:
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def lists_docx(*, village: Region, period: str, red: list[ListEntry], black: list[ListEntry]) -> bytes:
    """The published lists: the household's number, the head's name (masked on the black list:
    a public notice names no one in full for a fault), and the reason."""
    document = Document()
    _font(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{village.display_name}{period}红黑榜")
    run.bold = True
    run.font.size = Pt(20)
    for heading, rows, masked in (("红榜", red, False), ("黑榜", black, True)):
        p = document.add_paragraph()
        r = p.add_run(f"{heading}（{len(rows)}户）")
        r.bold = True
        r.font.size = Pt(15)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, ["序号", "户号", "户主", "事由"], strict=True):
            cell.text = text
        for n, entry in enumerate(rows, start=1):
            cells = table.add_row().cells
            head = entry.household.head_name
            for cell, text in zip(cells, [str(n), entry.household.code, mask_name(head) if masked else head,
                                          entry.reason], strict=True):
                cell.text = text
        document.add_paragraph()
    end = document.add_paragraph(f"{village.display_name}村民委员会")
    end.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
