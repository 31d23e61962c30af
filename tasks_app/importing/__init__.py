"""Plan documents → :class:`ParsedPlan` → one transactional load (see loader.py).

Formats are pure functions ``parse(text) -> ParsedPlan`` with a ``looks_like(text)`` test;
``auto`` takes the first format, in the order of :data:`FORMATS`, that recognises the text.
"""

from pathlib import Path

from django.utils.translation import gettext, gettext_lazy

from ..i18n import join_list
from . import focus_areas, implementation_plan, numbered_areas, task_list, task_table
from .document import ImportFailed, ParsedPlan
from .docx_text import docx_text

FORMATS = {
    module.NAME: module
    for module in (implementation_plan, task_table, focus_areas, numbered_areas, task_list)
}
FORMAT_LABELS = {
    implementation_plan.NAME: gettext_lazy("实施方案(带文号,〔牵头部门:…〕分工说明)"),
    task_table.NAME: gettext_lazy("任务分工表(任务 | 牵头单位 | 责任单位 | 完成时限)"),
    focus_areas.NAME: gettext_lazy("工作计划:### 重点领域 + **粗体标题**事项"),
    numbered_areas.NAME: gettext_lazy("工作计划:编号工作领域(1 聚焦……)+ 标题事项"),
    task_list.NAME: gettext_lazy("任务清单:一、(一)1. 编号任务 + (责任单位:…)/牵头单位:…"),
}
EXTENSIONS = (".txt", ".md", ".docx")


def document_text(name: str, data: bytes) -> str:
    """The text of an uploaded or stored document, by its file extension."""
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        return docx_text(data)
    if suffix not in EXTENSIONS:
        raise ImportFailed(gettext("不支持的文件类型“%(type)s”:请上传 .txt、.md 或 .docx 文件")
                           % {"type": suffix or name})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(gettext("文件不是 UTF-8 编码的文本:%(name)s") % {"name": name}) \
            from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed(gettext("文件第 %(line)s 行含有空字符(NUL),不是正常的文本文件:%(name)s")
                           % {"line": line, "name": name}, line)
    return text


def read_document(path: Path) -> str:
    """The document's text: .txt/.md as UTF-8 (with or without BOM), .docx through Word."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise ImportFailed(gettext("找不到文件 %(path)s") % {"path": path}) from error
    return document_text(str(path), data)


def parse_document(text: str, fmt: str = "auto") -> ParsedPlan:
    """Parse ``text`` in format ``fmt`` (or the first format that recognises it)."""
    if fmt != "auto":
        if fmt not in FORMATS:
            raise ImportFailed(gettext("未知格式 %(format)s(可选:%(formats)s)") % {
                "format": fmt, "formats": join_list(["auto", *FORMATS])})
        return FORMATS[fmt].parse(text)
    for module in FORMATS.values():
        if module.looks_like(text):
            return module.parse(text)
    try:
        return implementation_plan.parse(text)  # names the first line it cannot understand
    except ImportFailed as error:
        raise ImportFailed(gettext("%(error)s;也不符合其他可识别的格式(%(formats)s),"
                                   "请检查文件内容或用 --format 指定格式") % {
            "error": error.message, "formats": join_list(FORMATS)}, error.line) from error


__all__ = ["EXTENSIONS", "FORMATS", "FORMAT_LABELS", "ImportFailed", "ParsedPlan",
           "document_text", "parse_document", "read_document"]
