"""Format ``numbered-areas``: a work plan in numbered areas of work (哈尔滨新区2023年).

Shape: a lead paragraph (``2023年,哈尔滨新区将…``); a heading with 主要目标 followed by one
annual target a line (``全区地区生产总值增长6.5%左右``); areas ``1 聚焦制度创新,…。`` … ``10 …``
numbered in order; under each area an optional introduction (its first sentence is long or
has a comma) and titled items (``系统推进行政管理体制改革。…``: the title is the sentence
before the first 。). Areas become drivers, items tasks (text verbatim, no units: they wait
for the lead office), target lines targets. Everything else is listed as not understood.
"""

import re

from django.utils.translation import gettext

from .common import TRAILER, numbered_lines, title_of
from .document import ImportFailed, ParsedDriver, ParsedPlan, ParsedTask
from .goals import line_targets, targets_add
from .work_plan_header import work_plan_header

NAME = "numbered-areas"
AREA = re.compile(r"^(\d{1,2})[ \u3000]+(\S.*)$")
GOALS_HEADING = re.compile(r"^\d{0,4}年?.{0,12}(?:主要目标|预期目标|目标任务)$")
TITLE_LIMIT = 30


def looks_like(text: str) -> bool:
    """At least three areas numbered 1, 2, 3 … at the start of a line, then a space."""
    numbers = [int(m.group(1)) for _, line in numbered_lines(text) if (m := AREA.match(line))]
    return len(numbers) >= 3 and numbers[:3] == [1, 2, 3]


def parse(text: str) -> ParsedPlan:
    lines = numbered_lines(text)
    plan = work_plan_header(lines, NAME)
    plan.source_text = text
    in_goals = False
    for number, line in lines:
        area = AREA.match(line)
        if area:
            in_goals = False
            _start_area(plan, area, number)
        elif GOALS_HEADING.match(line) and not plan.drivers:
            in_goals = True
        elif in_goals and (found := line_targets(line, line=number, year=plan.period_end)):
            targets_add(plan, found)
        elif plan.drivers and not TRAILER.match(line) and _is_item(plan.drivers[-1], line):
            driver = plan.drivers[-1]
            driver.tasks.append(ParsedTask(len(plan.tasks) + 1, title_of(line), line, number))
        else:
            plan.unparsed.append((number, line))
    if not plan.tasks:
        raise ImportFailed(gettext("未找到编号的工作领域（如“1 聚焦制度创新，……”）及其下的事项"),
                           lines[-1][0] if lines else None)
    return plan


def _start_area(plan: ParsedPlan, area: re.Match, line: int) -> None:
    expected = len(plan.drivers) + 1
    if int(area.group(1)) != expected:
        raise ImportFailed(gettext("工作领域序号应为 %(expected)s，实为 %(found)s")
                           % {"expected": expected, "found": area.group(1)}, line)
    title = area.group(2).strip().rstrip("。")
    plan.drivers.append(ParsedDriver(expected, title, line))


def _is_item(driver: ParsedDriver, line: str) -> bool:
    """A titled item; an area's first paragraph with a long or comma'd opening is its intro."""
    if driver.tasks:
        return True
    title, stop, _ = line.partition("。")
    return bool(stop) and len(title) <= TITLE_LIMIT and not re.search(r"[,，;；:：]", title)
