"""Plan documents → :class:`ParsedPlan` → one transactional load (see loader.py)."""

from pathlib import Path

from . import implementation_plan
from .document import ImportFailed, ParsedPlan

FORMATS = {implementation_plan.NAME: implementation_plan}


def read_document(path: Path) -> str:
    """The document's text (UTF-8, with or without BOM)."""
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise ImportFailed(f"找不到文件 {path}") from error
    except UnicodeDecodeError as error:
        raise ImportFailed(f"文件不是 UTF-8 编码的文本:{path}") from error


def parse_document(text: str, fmt: str = "auto") -> ParsedPlan:
    """Parse ``text`` in format ``fmt`` (or the first format that recognises it)."""
    if fmt != "auto":
        if fmt not in FORMATS:
            raise ImportFailed(f"未知格式 {fmt}(可选:auto、{'、'.join(FORMATS)})")
        return FORMATS[fmt].parse(text)
    for module in FORMATS.values():
        if module.looks_like(text):
            return module.parse(text)
    return implementation_plan.parse(text)  # reports the first line it cannot understand


__all__ = ["FORMATS", "ImportFailed", "ParsedPlan", "parse_document", "read_document"]
