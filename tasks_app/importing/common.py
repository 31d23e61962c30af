"""Text helpers shared by the document formats."""

import datetime
import hashlib
import re

from django.utils.translation import gettext

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
            raise ImportFailed(gettext("无法识别的分工说明“%(note)s”"
                                       "（应为 牵头部门：… 或 责任部门：…）")
                               % {"note": segment}, line)
        key, names = match.group(1).strip(), match.group(2)
        for name in UNIT_SPLIT.split(names):
            name = name.strip()
            if not name:
                raise ImportFailed(gettext("分工说明“%(note)s”中有空的单位名称")
                                   % {"note": segment}, line)
            if name not in seen:
                seen.add(name)
                units.append(ParsedUnit(name=name, role=ROLE_KEYS[key]))
    return units


# --- shared by the formats added for issue 8 -------------------------------------------------

OPENING, CLOSING = "(（〔【[［", ")）〕】]］"
SEPARATORS = "、,，;；"
REGION_PREFIX = re.compile(r"^(?:哈经开区|经开区|开发区|自贸先导区|自贸区|先导区|新区|全区|我区)+")
TRAILER = re.compile(r"^(?:责任编辑|编辑|审核|校对|来源|原标题|作者)\s*[:：]")
TITLE_MAX = 200  # a paragraph without a full stop longer than this: its first clause is the title
SENTENCE_MAX = 500  # Task.title's length: a whole first sentence up to this stays the title
FULL_STOP = re.compile(r"。|\.(?!\d)")
HEADING_COLON = re.compile(r"^([^，,；;：:、]{4,30})[：:](?!\s*$)")
MARKDOWN_PREFIX = re.compile(r"^(?:#{1,6}\s+|[-*+]\s+|>\s*)")


def clean_line(line: str) -> str:
    """A line without markdown markup (headings, bullets, bold), spaces trimmed."""
    return MARKDOWN_PREFIX.sub("", line.strip()).replace("**", "").strip()


def bracket_depth(text: str) -> int:
    """Open minus closed brackets of any kind: positive while a note is still open."""
    return sum(text.count(c) for c in OPENING) - sum(text.count(c) for c in CLOSING)


def trailing_group(text: str) -> tuple[int, str] | None:
    """(start, inner text) of the bracketed group that ends ``text``, if any.

    Trailing sentence punctuation after the group is allowed: ``…。（责任单位:A）。``
    """
    end = len(text.rstrip("。；;，, \u3000"))
    if not end or text[end - 1] not in CLOSING:
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        char = text[index]
        if char in CLOSING:
            depth += 1
        elif char in OPENING:
            depth -= 1
            if depth == 0:
                return index, text[index + 1: end - 1]
    return None


def bracket_groups(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inner text) of every outermost bracketed group, in order."""
    groups, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in OPENING:
            if depth == 0:
                start = index
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, index + 1, text[start + 1: index]))
    return groups


def split_top(text: str, separators: str) -> list[str]:
    """``text`` split at separators outside brackets; parts stripped, empty parts dropped."""
    parts, current, depth = [], [], 0
    for char in text:
        depth += (char in OPENING) - (char in CLOSING)
        if depth == 0 and char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def split_names(text: str) -> list[str]:
    """Names separated by 、，,；; or spaces; separators inside brackets do not split."""
    return split_top(text, SEPARATORS + " \u3000\t")


def title_of(body: str) -> str:
    """A task's title: its text before the first full stop (。 or a half-width . not in a
    number), the whole text when there is none."""
    stop = FULL_STOP.search(body)
    title = body[: stop.start()].strip() if stop else body.strip().rstrip("；;，,")
    heading = HEADING_COLON.match(title)
    # 深化投资审批制度改革:全面推行…… — the words before the colon name it
    if heading and heading.group(1).count("“") == heading.group(1).count("”"):
        title = heading.group(1)
    # a paragraph without a full stop (or a sentence too long to store): its first clause;
    # a long first sentence stays whole (国务院 分工 items) and the preview flags its length
    if len(title) > (SENTENCE_MAX if stop else TITLE_MAX):
        title = re.split(r"[，,；;]", title)[0][:TITLE_MAX]
    return title


def generated_code(issuer: str, title: str, year: int | None, extra: str = "") -> str:
    """A stable code for a plan without a document number: same inputs, same code."""
    key = f"{issuer}|{title}|{year or ''}" + (f"|{extra}" if extra else "")
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"{issuer[:40] or '无文号'}-{year or '无年度'}-{digest}"
