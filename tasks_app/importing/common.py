"""Text helpers shared by the document formats."""

import datetime
import re

from ..choices import AssignmentRole
from .document import ImportFailed, ParsedUnit

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{2,16}[〔\[［(（]\d{4}[〕\]］)）]\d+号")
SECTION = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")
SUBSECTION = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]\s*(.+)$")
NOTE = re.compile(r"〔([^〔〕]*)〕\s*$")
NOTE_KEY_SPLIT = re.compile(r"[,，;；]\s*(?=[\u4e00-\u9fa5]{2,6}[:：])")
UNIT_SPLIT = re.compile(r"[、,，;；]")
ROLE_KEYS = {
    "牵头部门": AssignmentRole.LEAD, "牵头单位": AssignmentRole.LEAD,
    "责任部门": AssignmentRole.RESPONSIBLE, "责任单位": AssignmentRole.RESPONSIBLE,
    "配合单位": AssignmentRole.RESPONSIBLE, "配合部门": AssignmentRole.RESPONSIBLE,
    "协办单位": AssignmentRole.RESPONSIBLE, "参与单位": AssignmentRole.RESPONSIBLE,
}


def chinese_number(text: str) -> int:
    """一 … 九十九 as an int."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return CN_DIGITS.get(tens, 1) * 10 + CN_DIGITS.get(ones, 0)
    return CN_DIGITS[text]


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, stripped line) for every non-empty line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]


def parse_chinese_date(text: str) -> datetime.date | None:
    match = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if not match:
        return None
    return datetime.date(*(int(part) for part in match.groups()))


def parse_units_note(note: str, line: int) -> list[ParsedUnit]:
    """Units of a note such as ``牵头部门:A,责任部门:B、C`` in document order.

    A unit named twice keeps its first role (a department cannot be both lead and
    responsible on one task).
    """
    units: list[ParsedUnit] = []
    seen: set[str] = set()
    for segment in NOTE_KEY_SPLIT.split(note.strip()):
        match = re.match(r"^\s*([^:：]+)[:：](.*)$", segment, re.S)
        if not match or match.group(1).strip() not in ROLE_KEYS:
            raise ImportFailed(f"无法识别的分工说明“{segment}”(应为 牵头部门:… 或 责任部门:…)",
                               line)
        key, names = match.group(1).strip(), match.group(2)
        for name in UNIT_SPLIT.split(names):
            name = name.strip()
            if not name:
                raise ImportFailed(f"分工说明“{segment}”中有空的单位名称", line)
            if name not in seen:
                seen.add(name)
                units.append(ParsedUnit(name=name, role=ROLE_KEYS[key]))
    return units
