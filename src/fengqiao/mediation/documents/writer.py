"""The few python-docx moves the forms are made of: an A4 page in 宋体, a centred title (with a
bookmark the bound file's index points at), ruled tables of label and value, a signature block,
page-number fields.

python-docx has no API for fields and bookmarks; they are written as the OOXML elements Word
itself writes (w:fldChar begin/separate/end around a w:instrText; w:bookmarkStart/End). The bound
file asks Word to update its fields when opened (w:updateFields), so the index's page numbers are
the real ones however long each document runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_SIZE = 12  # 小四
TABLE_SIZE = 11
TITLE_SIZE = 18  # 小二
BLANK = "            "  # a line left for the pen


# ------------------------------------------------------------------------------- values

def cn_date(value: dt.date | dt.datetime | None, *, blank: str = "    年  月  日") -> str:
    """2026年11月26日; a blank form line when there is no date."""
    if value is None:
        return blank
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: dt.datetime | None) -> str:
    """2026年11月26日 14时30分."""
    if value is None:
        return "    年  月  日    时  分"
    return f"{cn_date(value)} {value.hour}时{value.minute:02d}分"


_UPPER = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    """0 < n < 10000 in capitals, with the 零 the cheque convention writes for a gap."""
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        digit = n // 10**pos % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _UPPER[digit] + _SMALL_UNITS[pos]
    return out


def rmb_upper(amount: Decimal) -> str:
    """人民币 in capitals, as agreements and receipts write money: 12000 → 壹万贰仟元整,
    10500.5 → 壹万零伍佰元伍角."""
    if amount < 0:
        raise ValueError("a negative amount")
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    text = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            text += _four(group) + _BIG_UNITS[index]
            pending_zero = False
        text += "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _UPPER[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _UPPER[fen] + "分"
    return text


def rmb(amount: Decimal) -> str:
    """人民币壹万贰仟元整(¥12,000.00)."""
    return f"人民币{rmb_upper(amount)}(¥{amount:,.2f})"


# ----------------------------------------------------------------------------- document

def _font(run, name: str = BODY_FONT, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def new_document(*, title: str, subject: str = "") -> DocumentObject:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    style.font.size = Pt(BODY_SIZE)
    style.paragraph_format.space_after = Pt(4)
    style.paragraph_format.line_spacing = 1.3
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    _page_footer(section)
    doc.core_properties.title = title
    doc.core_properties.subject = subject
    doc.core_properties.language = "zh-CN"
    return doc


def _field(paragraph: Paragraph, instruction: str, cached: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, PAGEREF …) with `cached` as its text until updated."""
    def char(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")  # Word recomputes it on opening
        run._element.append(el)
        return run

    char("begin")
    instr = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    instr._element.append(text)
    char("separate")
    _font(paragraph.add_run(cached), size=TABLE_SIZE)
    char("end")


def _page_footer(section) -> None:
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("第 "), size=9)
    _field(footer, "PAGE", "1")
    _font(footer.add_run(" 页"), size=9)


def update_fields_on_open(doc: DocumentObject) -> None:
    """Ask Word to refresh every field (the index's page numbers) when the file is opened."""
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings.append(el)
    el.set(qn("w:val"), "true")


def bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def page_reference(paragraph: Paragraph, name: str) -> None:
    """The page the bookmark `name` is on (the bound file's index)."""
    _field(paragraph, f"PAGEREF {name} \\h", "")


def new_page(doc: DocumentObject) -> None:
    doc.add_section(WD_SECTION.NEW_PAGE)


def page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# ----------------------------------------------------------------------------- paragraphs

def title(doc: DocumentObject, text: str, *, size: float = TITLE_SIZE, space_after: float = 6) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space_after)
    _font(p.add_run(text), TITLE_FONT, size, True)
    return p


def line(doc: DocumentObject, text: str = "", *, bold: bool = False, align=None, size: float = BODY_SIZE,
         indent: bool = False) -> Paragraph:
    p = doc.add_paragraph()
    if align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), size=size, bold=bold)
    return p


def labelled(doc: DocumentObject, label: str, text: str, *, size: float = BODY_SIZE) -> Paragraph:
    """标签:内容 on one line (bold label), the content kept as written (new lines included)."""
    p = doc.add_paragraph()
    _font(p.add_run(f"{label}:"), size=size, bold=True)
    _font(p.add_run(text or BLANK), size=size)
    return p


def heading(doc: DocumentObject, label: str, *, size: float = BODY_SIZE) -> Paragraph:
    """A section's label (纠纷简要情况:) with its text in the paragraphs that follow."""
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = True
    _font(p.add_run(f"{label}:"), size=size, bold=True)
    return p


def paragraphs(doc: DocumentObject, text: str, *, blank_lines: int = 2) -> None:
    """Free text, one paragraph per line; lines to write on when there is none."""
    lines = [t for t in (text or "").splitlines() if t.strip()]
    if not lines:
        for _ in range(blank_lines):
            line(doc, "")
        return
    for t in lines:
        line(doc, t.strip(), indent=True)


# --------------------------------------------------------------------------------- tables

def _cell_text(cell: _Cell, text: str, *, bold: bool = False, size: float = TABLE_SIZE,
               center: bool = False) -> None:
    cell.text = ""
    parts = (text or "").split("\n")
    p = cell.paragraphs[0]
    for i, part in enumerate(parts):
        if i:
            p = cell.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(part), size=size, bold=bold)


def grid(doc: DocumentObject, rows: Sequence[Sequence[tuple[str, int] | str]], *, columns: int,
         label_columns: Sequence[int] = (), widths: Sequence[float] | None = None) -> Table:
    """A ruled table; each row a list of cells, a cell `text` or `(text, span)`. Cells in
    `label_columns` (the column a cell starts in) are bold and centred: the form's labels."""
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for spec in rows:
        cells = table.add_row().cells
        col = 0
        for item in spec:
            text, span = (item, 1) if isinstance(item, str) else item
            cell = cells[col]
            if span > 1:
                cell = cell.merge(cells[col + span - 1])
            is_label = col in label_columns
            _cell_text(cell, text, bold=is_label, center=is_label)
            col += span
        if col != columns:
            raise ValueError(f"a row of {col} columns in a table of {columns}")
    if widths:
        # Word reads the cells' widths, LibreOffice the table grid's: set both.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=False):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = Cm(width)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def signatures(doc: DocumentObject, lines: Sequence[str], *, seal: str = "", date: str = "") -> None:
    """The signing block: one line per signer, the committee's seal place-holder and the date,
    right-aligned as the forms print them."""
    line(doc, "")
    for text in lines:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(10)
        _font(p.add_run(f"{text}:"))
        blank = p.add_run(BLANK * 2)
        _font(blank)
        blank.underline = True
    if seal:
        line(doc, f"{seal}(印章)", align="right")
    line(doc, date or cn_date(None), align="right")
