"""Word (.docx) files as text the formats read, in document order.

- a paragraph is a line; a paragraph styled 标题 N / Heading N starts with N+2 ``#`` (as in
  the markdown plans), and a paragraph opening with bold text keeps it as ``**…**``;
- a table row is a line ``| cell | cell |`` (a cell's paragraphs joined by ``<br>``, ``|``
  escaped); merged cells repeat their text; a row whose cells are all the same (a title
  spanning the table) is a plain line.

Numbers added by Word's automatic list numbering are not part of the text and are lost.
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
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(_paragraph(block))
            else:
                lines.extend(_table(block))
    except Exception as error:  # any malformed part: refused with a message, never a 500
        raise ImportFailed(unreadable) from error
    return "\n".join(lines) + "\n"


def _paragraph(paragraph: Paragraph) -> str:
    text = paragraph.text.strip()
    style = paragraph.style.name if paragraph.style is not None else ""
    heading = HEADING_STYLE.search(style or "")
    if heading and text:
        return "#" * min(int(heading.group(1)) + 2, 6) + " " + text
    bold = "".join(_leading_bold(paragraph)).strip()
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
