"""Word (.docx) files as text the formats read, in document order.

- a paragraph is a line; a paragraph styled 标题 N / Heading N starts with N+2 ``#`` (as in
  the markdown plans), and a paragraph opening with bold text keeps it as ``**…**``;
- a table row is a line ``| cell | cell |`` (a cell's paragraphs joined by ``<br>``, ``|``
  escaped); merged cells repeat their text; a row whose cells are all the same (a title
  spanning the table) is a plain line.

Numbers added by Word's automatic list numbering (1. / （一） / 一、 set in the paragraph or its
style) are not in the paragraph's text: they are worked out from the numbering definitions and
written in front of it, as Word shows them.
"""

import io
import re
import zipfile

from django.utils.translation import gettext
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from security.uploads import UploadRefused, office_zip_check

from .document import ImportFailed

HEADING_STYLE = re.compile(r"(?:Heading|标题)\s*(\d)")


MAX_PARAGRAPHS = 20000  # a plan has a few hundred; paragraphs and table rows together
DOCX_MAX_BYTES = 10 * 1024 * 1024  # inflated size of the whole file


def _paragraph_count(data: bytes) -> int:
    """Paragraphs and table rows in word/document.xml, counted before Word parses it
    (the zip check has already bounded the member's size)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml")
    return sum(xml.count(tag) for tag in (b"<w:p>", b"<w:p ", b"<w:tr>", b"<w:tr "))


def docx_text(data: bytes) -> str:
    unreadable = gettext("无法读取 Word 文件（文件已损坏，或不是 .docx 格式；.doc 请先另存为 .doc"
                         "x）")
    try:
        office_zip_check(data, max_bytes=DOCX_MAX_BYTES)
        paragraphs = _paragraph_count(data)
    except UploadRefused as error:
        raise ImportFailed(unreadable if error.broken else error.message) from error
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        raise ImportFailed(unreadable) from error
    if paragraphs > MAX_PARAGRAPHS:
        raise ImportFailed(gettext("Word 文件段落过多（%(count)s 段，上限 %(limit)s 段）")
                           % {"count": paragraphs, "limit": MAX_PARAGRAPHS})
    try:
        document = Document(io.BytesIO(data))
        numbering = _Numbering(document)
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(_paragraph(block, numbering.label(block)))
            else:
                lines.extend(_table(block))
    except Exception as error:  # any malformed part: refused with a message, never a 500
        raise ImportFailed(unreadable) from error
    return "\n".join(lines) + "\n"


def _paragraph(paragraph: Paragraph, label: str = "") -> str:
    text = paragraph.text.strip()
    if label and text:
        text = label + text
    style = paragraph.style.name if paragraph.style is not None else ""
    heading = HEADING_STYLE.search(style or "")
    if heading and text:
        return "#" * min(int(heading.group(1)) + 2, 6) + " " + text
    bold = "".join(_leading_bold(paragraph)).strip()
    if bold and label:
        bold = label + bold
    if bold and len(bold) < len(text) and text.startswith(bold):
        return f"**{bold}**{text[len(bold):].lstrip()}"  # a bold title opening the paragraph
    return text


def _leading_bold(paragraph: Paragraph):
    for run in paragraph.runs:
        if run.bold:
            yield run.text
        elif run.text.strip():
            return


def _cell(cell) -> str:
    parts = [p.text.strip() for p in cell.paragraphs if p.text.strip()]
    return "<br>".join(parts).replace("|", "\\|")


def _table(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = [_cell(cell) for cell in row.cells]
        if not any(cells):
            continue
        if len(set(cells)) == 1 and len(cells) > 1:
            rows.append(cells[0].replace("<br>", ""))
        else:
            rows.append("| " + " | ".join(cells) + " |")
    return rows


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CN_DIGITS = "零一二三四五六七八九"
CHINESE_FORMATS = {"chineseCounting", "chineseCountingThousand", "ideographTraditional",
                   "chineseLegalSimplified", "ideographDigital", "taiwaneseCounting"}


def _chinese(number: int) -> str:
    if number < 10:
        return CN_DIGITS[number]
    tens, ones = divmod(number, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


class _Numbering:
    """Word's automatic numbers: counters per list and level, formats from numbering.xml."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → fmt
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for item in root.findall(f"{W}abstractNum"):
            levels = {}
            for level in item.findall(f"{W}lvl"):
                fmt, text, start = level.find(f"{W}numFmt"), level.find(f"{W}lvlText"), \
                    level.find(f"{W}start")
                levels[int(level.get(f"{W}ilvl"))] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    text.get(f"{W}val") if text is not None else "",
                    int(start.get(f"{W}val")) if start is not None else 1)
            abstract[item.get(f"{W}abstractNumId")] = levels
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{W}numId")] = abstract.get(ref.get(f"{W}val"), {})

    def label(self, paragraph: Paragraph) -> str:
        """The number Word shows in front of this paragraph ("" when it has none)."""
        num_id, level = self._num(paragraph)
        levels = self.levels.get(num_id or "", {})
        if level not in levels or not paragraph.text.strip():
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, levels[level][2] - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        fmt, text, _ = levels[level]
        if fmt in ("bullet", "none"):
            return ""

        def value(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            count = counters.get(index, levels.get(index, ("", "", 1))[2])
            kind = levels.get(index, ("decimal",))[0]
            return _chinese(count) if kind in CHINESE_FORMATS else str(count)

        return re.sub(r"%(\d)", value, text)

    @staticmethod
    def _num(paragraph: Paragraph) -> tuple[str | None, int]:
        for owner in (paragraph._p, paragraph.style.element if paragraph.style is not None
                      else None):
            ppr = owner.find(f"{W}pPr") if owner is not None else None
            numpr = ppr.find(f"{W}numPr") if ppr is not None else None
            if numpr is not None and numpr.find(f"{W}numId") is not None:
                ilvl = numpr.find(f"{W}ilvl")
                return (numpr.find(f"{W}numId").get(f"{W}val"),
                        int(ilvl.get(f"{W}val")) if ilvl is not None else 0)
        return None, 0
