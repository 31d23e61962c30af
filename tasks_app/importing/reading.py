"""Bytes of an uploaded or stored document → its text, by file type.

One entry point (:func:`document_text`) so checks on uploads (size, archives) can sit in front
of it. Text files are UTF-8 or, detected with charset-normalizer, GB18030/GBK/Big5; PDFs are
read from their text layer with pdfplumber, hard-wrapped lines joined again and tables kept as
``| cell |`` rows; Word (.docx) through docx_text; .doc/.wps are refused with a clear message.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext

from .document import ImportFailed
from .docx_text import docx_text
from .xlsx_text import xlsx_text

EXTENSIONS = (".txt", ".md", ".docx", ".xlsx", ".pdf")
OLD_WORD = (".doc", ".wps", ".wpt", ".dot")
CHINESE_ENCODINGS = ("gb18030", "big5")
SENTENCE_END = "。；;:：!！?？”）)】〕]"


def document_text(name: str, data: bytes) -> str:
    """The text of a document named ``name`` (its extension decides how it is read)."""
    suffix = Path(name).suffix.lower()
    if suffix in OLD_WORD:
        raise ImportFailed(gettext("“%(name)s”是旧版 Word/WPS 文件（%(type)s），无法直接读取："
                                   "请在 Word 或 WPS 中“另存为”.docx 格式后再上传")
                           % {"name": name, "type": suffix})
    if suffix == ".docx":
        return docx_text(data)
    if suffix == ".xlsx":
        return xlsx_text(data)
    if suffix == ".pdf":
        return pdf_text(data)
    if suffix not in EXTENSIONS:
        raise ImportFailed(gettext("不支持的文件类型“%(type)s”："
                                   "请上传 .txt、.md、.docx、.xlsx 或 .pdf 文件")
                           % {"type": suffix or name})
    text = decoded(name, data)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed(gettext("文件第 %(line)s 行含有空字符（NUL），不是正常的文本文件："
                                   "%(name)s")
                           % {"line": line, "name": name}, line)
    return text


def decoded(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), else the Chinese encoding charset-normalizer finds."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "gb2312", "big5", "utf_16"]).best()
    if best is not None:
        return str(best)
    for encoding in CHINESE_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(gettext("无法识别“%(name)s”的文字编码：请另存为 UTF-8 或 GB18030 编码的文本"
                               "（记事本“另存为”时选择编码）") % {"name": name})


def pdf_text(data: bytes) -> str:
    """The PDF's text layer: wrapped lines joined (also across pages), running headers,
    footers and page numbers dropped, tables as ``| cell |`` rows."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, PdfminerException, ValueError) as error:
        raise ImportFailed(gettext("无法读取 PDF 文件：文件已损坏或不是 PDF")) from error
    with pdf:
        pages = [_page_items(page) for page in pdf.pages]
    running = _running_lines(pages)
    lines: list[str] = []
    joining = False
    for page in pages:
        joining = _page_lines(page, running, lines, joining)
    if not any(line.strip() for line in lines):
        raise ImportFailed(gettext("PDF 文件没有文字层（可能是扫描件）："
                                   "请上传可复制文字的 PDF 或 Word 文件"))
    return "\n".join(lines) + "\n"


PAGE_NUMBER = re.compile(r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*"
                         r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                         r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$")
MARGIN_SHARE = 0.12  # running headers and footers sit in the top and bottom 12 % of a page
NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|"
                      r"\d{1,3}\s*(?:[.．](?!\d)|、)|[①-⑳])")


@dataclass
class _PageItems:
    height: float
    lines: list[dict]  # pdfplumber text lines outside tables
    rows: list[tuple[float, str]]  # table rows as | cell | lines, by their table's top


def _page_items(page) -> _PageItems:
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    rows: list[tuple[float, str]] = []
    for table in tables:
        for cells in _table_grid(table):
            values = [_joined((cell or "").split("\n")).replace("|", "\\|") for cell in cells]
            filled = [value for value, cell in zip(values, cells) if cell is not None]
            if len(filled) == 1 and filled[0] and len(cells) > 1:
                rows.append((table.bbox[1], filled[0]))  # a section row spanning the table
            elif any(values):
                rows.append((table.bbox[1], "| " + " | ".join(values) + " |"))
    text_lines = [line for line in page.extract_text_lines()
                  if not any(b[0] <= line["x0"] <= b[2] and b[1] <= line["top"] <= b[3]
                             for b in boxes)]
    return _PageItems(float(page.height), text_lines, rows)


def _table_grid(table) -> list[list[str | None]]:
    """The table's cell texts, a cell merged down from the row above filled with its text
    (pdfplumber gives None where no cell starts: a 类别 or 牵头单位 cell spanning rows), as
    the Excel reader does; None stays for a cell merged across from its left."""
    grid: list[list[str | None]] = []
    above: dict[int, tuple[float, str]] = {}  # column → (bottom, text) of its last cell
    for row, texts in zip(table.rows, table.extract()):
        top = row.bbox[1]
        values: list[str | None] = []
        for column, (box, text) in enumerate(zip(row.cells, texts)):
            if box is not None:
                above[column] = (box[3], text or "")
                values.append(text or "")
            elif column in above and above[column][0] > top + 1:
                values.append(above[column][1])
            else:
                values.append(None)
        grid.append(values)
    return grid


def _in_margin(line: dict, height: float) -> bool:
    return line["top"] < MARGIN_SHARE * height or line["bottom"] > (1 - MARGIN_SHARE) * height


def _running_key(line: dict) -> tuple[str, int]:
    return re.sub(r"\d+", "#", line["text"].strip()), round(line["top"] / 6)


def _running_lines(pages: list[_PageItems]) -> set[tuple[str, int]]:
    """Lines in the margins found at the same place on two pages or more (a running header
    or footer: the document number, the issuer, 第#页): not part of the text."""
    seen: dict[tuple[str, int], int] = {}
    for page in pages:
        for key in {_running_key(line) for line in page.lines if _in_margin(line, page.height)}:
            seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= 2}


def _page_lines(page: _PageItems, running: set, out: list[str], joining: bool) -> bool:
    """Append the page's paragraphs and table rows to ``out``; returns whether its last line
    runs on (the next page's first line continues it)."""
    text_lines = [line for line in page.lines if not (
        _in_margin(line, page.height)
        and (_running_key(line) in running or PAGE_NUMBER.match(line["text"].strip())))]
    right = max((line["x1"] for line in text_lines), default=0)
    left = min((line["x0"] for line in text_lines), default=0)
    size = max((line["bottom"] - line["top"] for line in text_lines), default=0) or 10
    indents = any(line["x0"] > left + 1.5 * size for line in text_lines)
    paragraphs: list[tuple[float, str]] = []
    for line in text_lines:
        text = line["text"].strip()
        indented = line["x0"] > left + 1.5 * size
        if joining and not (indents and indented) and not NUMBERED.match(text) and (
                paragraphs or out):
            if paragraphs:
                paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + text)
            else:  # a paragraph carried over from the previous page
                out[-1] += text
        else:
            paragraphs.append((line["top"], text))
        # a line that reaches the right margin was wrapped; without first-line indents to
        # tell paragraphs apart, one ending a sentence is taken to end its paragraph
        joining = line["x1"] >= right - 2.5 * size and (indents or not text.endswith("。"))
    merged = sorted(paragraphs + page.rows, key=lambda item: item[0])
    seen_tables: set[str] = set()
    for _, text in merged:
        if text.startswith("| ") and text in seen_tables:
            continue
        seen_tables.add(text)
        out.append(text)
    return joining and bool(paragraphs) and merged[-1][1] == paragraphs[-1][1]


def _joined(parts: list[str]) -> str:
    """A cell's wrapped lines as one text: no space between Chinese characters."""
    text = ""
    for part in (part.strip() for part in parts):
        if text and part and (text[-1].isascii() and part[0].isascii()):
            text += " "
        text += part
    return text
