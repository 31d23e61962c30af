"""Format ``implementation-plan``: a 实施方案 issued as a numbered document.

Shape (哈经开委发〔2023〕1号): a notice with the document number, issuer and date; the plan
with sections 一、二、三、四; 二、主要目标 holds paragraphs (一)(二) with numeric targets and
a 〔牵头部门:…,责任部门:…〕 note each; 三、重点任务 holds driver headings (一)… and numbered
tasks ``N.`` each ending with an optional note.
"""

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext

from ..choices import TargetKind
from .common import (
    DOC_NUMBER,
    NOTE,
    REGION_PREFIX,
    SECTION,
    SUBSECTION,
    chinese_number,
    numbered_lines,
    parse_chinese_date,
    parse_units_note,
)
from .document import ImportFailed, ParsedDriver, ParsedPlan, ParsedTarget, ParsedTask

NAME = "implementation-plan"
TASK = re.compile(r"^(\d+)[.．、]\s*(.+)$")
SIGNED = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
PERIOD = re.compile(r"[(（](\d{4})\s*[-—–－~至]+\s*(\d{4})年?[)）]")
TITLE_IN_NOTICE = re.compile(r"《([^《》]+(?:方案|计划|规划|意见)[^《》]*)》")
QUANTITY = re.compile(
    r"(?P<verb>力争达到|力争突破|力争超过|达到|突破|超过|达)\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>亿美元|万亿元|亿元|万元|万人|亿|万|家|个|项|%)"
)
CLAUSE_BOUNDARY = re.compile(r"[，,；;。、:：]")
LEADING_WORDS = re.compile(r"^(?:其中|到\d{4}年|力争|实现|确保|全年)+")
DRIVER_MARKER = re.compile(r"([一二三四五六七八九十])是[^。]*?战略驱动")
RANKING = re.compile(r"进入([^，,。；;]*?第一方阵)|([\u4e00-\u9fa5]{2,8}?)前(\d+)名")


def looks_like(text: str) -> bool:
    """A document number, numbered tasks ``N.`` under driver headings, 〔…〕 notes."""
    head = "\n".join(text.strip().splitlines()[:15])
    if not DOC_NUMBER.search(head):
        return False  # the parser requires one; other formats take the document
    has_tasks = re.search(r"^\s*[一二三四五六七八九十]+、\s*(?:重点任务|主要任务)", text, re.M)
    return bool(has_tasks) and "〔" in text and ("部门" in text or "单位" in text)


def parse(text: str) -> ParsedPlan:
    lines = numbered_lines(text)
    if not lines:
        raise ImportFailed(gettext("文件为空"), 1)
    plan = _parse_header(lines)
    plan.source_text = text
    sections = _sections(lines)
    tasks_key = next((key for key in sections if "任务" in sections[key][0][1]), None)
    if tasks_key is None:
        raise ImportFailed(
            gettext("未找到“三、重点任务”部分：这不是一份可识别的实施方案（应有 一、二、三… 章节，"
                    "其中一章为重点任务）"), lines[-1][0],
        )
    plan.drivers = _parse_tasks(sections[tasks_key][1:], plan)
    goals_key = next((key for key in sections if "目标" in sections[key][0][1]), None)
    if goals_key is not None:
        plan.targets = _parse_targets(sections[goals_key][1:], plan)
    match = re.search(r"由(\S+?)负责牵头抓总", text)
    if match:
        plan.lead_office = match.group(1)
    return plan


def _parse_header(lines: list[tuple[int, str]]) -> ParsedPlan:
    head = lines[:12]
    code_match = next(((n, m) for n, line in head if (m := DOC_NUMBER.search(line))), None)
    if code_match is None:
        raise ImportFailed(gettext("未找到文号（如 哈经开委发〔2023〕1号），文件开头应有发文字号"),
                           lines[0][0])
    code = code_match[1].group(0)
    signed_index = next((i for i, (_, line) in enumerate(lines) if SIGNED.match(line)), None)
    signed_on = issuer = None
    if signed_index is not None:
        signed_on = parse_chinese_date(lines[signed_index][1])
        issuer = lines[signed_index - 1][1] if signed_index else None
    first = lines[0][1]
    if not issuer:
        match = re.search(r"--(.+?)关于印发", first)
        issuer = match.group(1) if match else ""
    title = _title(lines, signed_index)
    period = PERIOD.search(title)
    head_text = "\n".join(line for _, line in head)
    published = re.search(r"时间[:：]\s*(\d{4})-(\d{2})-(\d{2})", head_text)
    body = "\n".join(line for _, line in lines)
    parent = next((m.group(0) for m in DOC_NUMBER.finditer(body) if m.group(0) != code), "")
    return ParsedPlan(
        code=code, title=title, source_format=NAME, issuer=issuer, signed_on=signed_on,
        published_on=datetime.date(*map(int, published.groups())) if published else None,
        period_start=int(period.group(1)) if period else None,
        period_end=int(period.group(2)) if period else None,
        parent_policy=parent,
    )


def _title(lines: list[tuple[int, str]], signed_index: int | None) -> str:
    for _, line in lines[:15]:
        if "印发" in line and (match := TITLE_IN_NOTICE.search(line)):
            return match.group(1)
    if signed_index is not None and signed_index + 1 < len(lines):
        title = lines[signed_index + 1][1]
        following = lines[signed_index + 2][1] if signed_index + 2 < len(lines) else ""
        return title + following if PERIOD.fullmatch(following) else title
    return lines[0][1]


def _sections(lines: list[tuple[int, str]]) -> dict[int, list[tuple[int, str]]]:
    """Top-level sections 一、二、… keyed by number, each starting with its heading line."""
    sections: dict[int, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for number, line in lines:
        match = SECTION.match(line)
        if match and len(match.group(2)) <= 20:
            key = chinese_number(match.group(1))
            current = sections.setdefault(key, [])
        if current is not None:
            current.append((number, line))
    return sections


def _parse_tasks(lines: list[tuple[int, str]], plan: ParsedPlan) -> list[ParsedDriver]:
    drivers: list[ParsedDriver] = []
    task: ParsedTask | None = None
    for number, line in lines:
        heading = SUBSECTION.match(line)
        task_match = TASK.match(line)
        if heading and not task_match:
            _finish(task)
            task = None
            driver_number = chinese_number(heading.group(1))
            if driver_number != len(drivers) + 1:
                raise ImportFailed(gettext("战略驱动序号应为（%(expected)s），实为（%(found)s）") % {  # noqa: E501
                    "expected": len(drivers) + 1, "found": heading.group(1)}, number)
            drivers.append(ParsedDriver(driver_number, heading.group(2).strip(), number))
        elif task_match:
            _finish(task)
            if not drivers:
                raise ImportFailed(gettext("任务出现在第一个战略驱动标题之前"), number)
            expected = sum(len(d.tasks) for d in drivers) + 1
            if int(task_match.group(1)) != expected:
                raise ImportFailed(gettext("任务序号应为 %(expected)s，实为 %(found)s")
                                   % {"expected": expected, "found": task_match.group(1)}, number)
            task = ParsedTask(int(task_match.group(1)), "", task_match.group(2).strip(), number)
            drivers[-1].tasks.append(task)
        elif task is not None and "〔" in task.text and "〕" not in task.text:
            task.text += line  # a note that continues on the next line
        else:
            plan.unparsed.append((number, line))
    _finish(task)
    if not any(driver.tasks for driver in drivers):
        raise ImportFailed(gettext("“重点任务”部分没有编号任务（应为 1. 2. 3. …）"),
                           lines[0][0] if lines
                           else None)
    return drivers


def _finish(task: ParsedTask | None) -> None:
    """Split the task's verbatim text into title and department note."""
    if task is None:
        return
    if task.text.count("〔") != task.text.count("〕"):
        raise ImportFailed(gettext("分工说明的括号〔〕未闭合"), task.line)
    note = NOTE.search(task.text)
    if note:
        task.units = parse_units_note(note.group(1), task.line)
        task.sources = [(note.group(0), [unit.name for unit in task.units])]
    body = task.text[: note.start()] if note else task.text
    title, stop, _ = body.partition("。")
    task.title = title.strip() if stop else body.strip()
    if not task.title:
        raise ImportFailed(gettext("任务没有标题"), task.line)


def _parse_targets(lines: list[tuple[int, str]], plan: ParsedPlan) -> list[ParsedTarget]:
    targets: list[ParsedTarget] = []
    for number, line in lines:
        if not SUBSECTION.match(line):
            continue
        note = NOTE.search(line)
        units = parse_units_note(note.group(1), number) if note else []
        paragraph = line[: note.start()] if note else line
        found = _quantities(paragraph, number, plan) + _rankings(paragraph, number, plan)
        for target in found:
            target.units = units
        targets.extend(found)
    return targets


def _quantities(paragraph: str, line: int, plan: ParsedPlan) -> list[ParsedTarget]:
    drivers = [(m.start(), chinese_number(m.group(1))) for m in DRIVER_MARKER.finditer(paragraph)]
    found: list[ParsedTarget] = []
    parent: str | None = None
    last_end = 0
    for match in QUANTITY.finditer(paragraph):
        between = paragraph[last_end: match.start()]
        if "。" in between:
            parent = None
        if "其中" in between and found:
            parent = found[-1].name if found[-1].parent is None else found[-1].parent
        raw = re.split(CLAUSE_BOUNDARY, paragraph[: match.start()])[-1]
        name = REGION_PREFIX.sub("", LEADING_WORDS.sub("", raw)).strip()
        if not name:
            raise ImportFailed(gettext("无法识别指标名称：“%(text)s”") % {"text": match.group(0)},
                               line)
        years = re.findall(r"到(\d{4})年", paragraph[: match.start()])
        driver = next((d for start, d in reversed(drivers) if start <= match.start()), None)
        verb = match.group("verb")
        qualifier = verb if verb.startswith("力争") or "力争" not in raw else "力争" + verb
        found.append(ParsedTarget(
            name=name, value=Decimal(match.group("value")), unit=match.group("unit"),
            year=int(years[-1]) if years else plan.period_end, line=line,
            kind=TargetKind.QUANTITY, qualifier=qualifier,
            source_text=_sentence(paragraph, match.start()),
            parent=parent, driver_number=driver,
        ))
        last_end = match.end()
    return found


def _sentence(paragraph: str, position: int) -> str:
    start = paragraph.rfind("。", 0, position) + 1
    end = paragraph.find("。", position)
    return paragraph[start: end + 1 if end >= 0 else len(paragraph)].strip()


def _rankings(paragraph: str, line: int, plan: ParsedPlan) -> list[ParsedTarget]:
    found = []
    for match in RANKING.finditer(paragraph):
        if match.group(1):
            name, value, unit, qualifier = match.group(1), None, "", "进入"
        else:
            name = match.group(0)
            value, unit, qualifier = Decimal(match.group(3)), "名", "前"
        found.append(ParsedTarget(
            name=name, value=value, unit=unit, year=plan.period_end, line=line,
            kind=TargetKind.RANKING, qualifier=qualifier,
            source_text=_sentence(paragraph, match.start()),
        ))
    return found
