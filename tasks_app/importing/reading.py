"""Bytes of an uploaded or stored document → its text, by file type.

One entry point (:func:`document_text`) so checks on uploads (size, archives) can sit in front
of it. Text files are UTF-8 or, detected with charset-normalizer, GB18030/GBK/Big5; PDFs are
read from their text layer with pdfplumber, hard-wrapped lines joined again and tables kept as
``| cell |`` rows; Word (.docx) through docx_text; .doc/.wps are refused with a clear message.
"""

import io
from pathlib import Path

from django.utils.translation import gettext

from .document import ImportFailed
from .docx_text import docx_text

EXTENSIONS = (".txt", ".md", ".docx", ".pdf")
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
    if suffix == ".pdf":
        return pdf_text(data)
    if suffix not in EXTENSIONS:
        raise ImportFailed(gettext("不支持的文件类型“%(type)s”："
                                   "请上传 .txt、.md、.docx 或 .pdf 文件")
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
    """The PDF's text layer: wrapped lines joined, tables as ``| cell |`` rows."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, PdfminerException, ValueError) as error:
        raise ImportFailed(gettext("无法读取 PDF 文件：文件已损坏或不是 PDF")) from error
    lines: list[str] = []
    with pdf:
        for page in pdf.pages:
            lines += _page_lines(page)
    if not any(line.strip() for line in lines):
        raise ImportFailed(gettext("PDF 文件没有文字层（可能是扫描件）："
                                   "请上传可复制文字的 PDF 或 Word 文件"))
    return "\n".join(lines) + "\n"


def _joined(parts: list[str]) -> str:
    """A cell's wrapped lines as one text: no space between Chinese characters."""
    text = ""
    for part in (part.strip() for part in parts):
        if text and part and (text[-1].isascii() and part[0].isascii()):
            text += " "
        text += part
    return text


def _page_lines(page) -> list[str]:
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    rows: list[tuple[float, str]] = []
    for table in tables:
        for cells in table.extract():
            values = [_joined((cell or "").split("\n")).replace("|", "\\|") for cell in cells]
            if any(values):
                rows.append((table.bbox[1], "| " + " | ".join(values) + " |"))
    text_lines = [line for line in page.extract_text_lines()
                  if not any(b[0] <= line["x0"] <= b[2] and b[1] <= line["top"] <= b[3]
                             for b in boxes)]
    right = max((line["x1"] for line in text_lines), default=0)
    paragraphs: list[tuple[float, str]] = []
    joining = False
    for line in text_lines:
        text = line["text"].strip()
        if joining and paragraphs:
            paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + text)
        else:
            paragraphs.append((line["top"], text))
        size = (line["x1"] - line["x0"]) / max(len(text), 1)
        # a line that reaches the right margin was wrapped, unless it ends a sentence
        joining = line["x1"] >= right - 1.5 * size and not text.endswith(tuple("。"))
    merged = sorted(paragraphs + rows, key=lambda item: item[0])
    seen_tables: set[str] = set()
    out = []
    for _, text in merged:
        if text.startswith("| ") and text in seen_tables:
            continue
        seen_tables.add(text)
        out.append(text)
    return out
