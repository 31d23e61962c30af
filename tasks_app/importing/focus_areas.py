"""Format ``focus-areas``: a work plan in focus areas with bold-titled items (新区2024年).

Shape (markdown, or a Word file whose headings and bold runs docx_text renders the same):
a lead paragraph (``2024年,哈尔滨新区将…``); ``### 聚焦实体经济 提升产业发展能级`` headings,
each a driver; items ``**坚定不移聚产业集群。**坚持把…`` (title: the bold text without its
final 。) whose text may run on over following lines (a page break inside a word is joined
without a space); one heading with 目标 whose bullets are annual targets
(``- 地区生产总值增长6.5%左右``).

Item-level quantified goals (``力争全年招商引资项目数量突破100个``) become targets attached
to the item's driver, for the plan's year, with the sentence they come from as source text:
they are numbers to monitor monthly like the annual targets, not dated checkpoints.
"""

import re

from django.utils.translation import gettext

from .common import TRAILER, numbered_lines
from .document import ImportFailed, ParsedDriver, ParsedPlan, ParsedTask
from .goals import item_targets, line_targets, targets_add
from .work_plan_header import work_plan_header

NAME = "focus-areas"
HEADING = re.compile(r"^#{2,4}\s+(.+)$")
ITEM = re.compile(r"^\*\*(?P<title>[^*]+?)[。！!]?\*\*(?P<rest>.*)$")
BULLET = re.compile(r"^[-*+•]\s+(.+)$")


def looks_like(text: str) -> bool:
    """Markdown headings and at least two lines opening with a bold title."""
    lines = [line for _, line in numbered_lines(text)]
    headings = sum(1 for line in lines if re.match(r"^#{3,4}\s", line))
    items = sum(1 for line in lines if ITEM.match(line))
    return headings >= 2 and items >= 2


def parse(text: str) -> ParsedPlan:
    lines = numbered_lines(text)
    plan = work_plan_header(lines, NAME)
    plan.source_text = text
    task: ParsedTask | None = None
    in_goals = False
    for number, line in lines:
        line = line.rstrip()
        heading, item, bullet = HEADING.match(line), ITEM.match(line), BULLET.match(line)
        if heading and line.startswith("###"):
            _finish(plan, task)
            task = None
            in_goals = "目标" in heading.group(1)
            if not in_goals:
                plan.drivers.append(ParsedDriver(len(plan.drivers) + 1,
                                                 heading.group(1).strip(), number))
        elif in_goals and bullet and (found := line_targets(
                bullet.group(1), line=number, year=plan.period_end)):
            targets_add(plan, found)
        elif item and plan.drivers and not in_goals:
            _finish(plan, task)
            task = _item(plan, item, number)
        elif task is not None and not heading and not TRAILER.match(line):
            task.text += line.replace("**", "")  # the item runs on over a page break
        else:
            plan.unparsed.append((number, line))
    _finish(plan, task)
    if not plan.tasks:
        raise ImportFailed(gettext("未找到“### 标题”下以粗体标题开头的事项"
                                   "（如“**坚定不移聚产业集群。**…”）"),
                           lines[-1][0] if lines else None)
    return plan


def _item(plan: ParsedPlan, item: re.Match, line: int) -> ParsedTask:
    title = item.group("title").strip()
    bold = item.group(0)[2: item.group(0).index("**", 2)]
    task = ParsedTask(len(plan.tasks) + 1, title, bold + item.group("rest").replace("**", ""),
                      line)
    plan.drivers[-1].tasks.append(task)
    return task


def _finish(plan: ParsedPlan, task: ParsedTask | None) -> None:
    if task is not None:
        driver = plan.drivers[-1].number
        targets_add(plan, item_targets(task.text, line=task.line, year=plan.period_end,
                                       driver_number=driver))
