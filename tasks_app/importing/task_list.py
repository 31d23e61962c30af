"""Format ``task-list``: the common government style of a 工作方案 / 任务分工方案.

Shape: a title (and optionally a document number, an issuer and a date); headings 一、… and
（一）…; numbered tasks ``1．…`` / ``1.`` / ``1、`` (numbering may restart under each heading:
tasks are renumbered 1…N in document order); each task may carry

- a trailing note in any bracket, full- or half-width: ``（责任单位：市发改委、市工信局）``,
  ``(牵头单位:A;配合单位:B,C)``, ``〔…〕``, ``（A、B分别牵头，C配合）``, ``（A、B）``;
- following lines ``牵头单位：A 配合单位：B`` and ``完成时限：2025年6月``;
- deadlines in its text (``2024年底前完成``) — the latest one is the due date unless a
  完成时限 is given;
- nested items ``（1）…（2）…`` / ``①②`` — milestones, dated by their own deadlines; their text
  stays in the task's text and their notes' units join the task.

Also: ``……。责任单位：A、B`` after the task's last sentence; leader lines (``分管省领导：…``,
``责任领导：…``) kept as text; a heading's note (``一、强化科技创新（区科技局牵头）``) for the
tasks below it without one; ``1）`` numbers; （1）（2） items as tasks when nothing is numbered
1. or （一） and most items carry a note.

A note left open at the end of a line continues on the next. The rule
``列第一位的为牵头单位，下同`` (in a note or on its own line) applies to every task without an
explicit lead and is recorded in ``ParsedPlan.rules``. Tasks are drivers' children: the
nearest heading above a task is its driver (headings without tasks are not drivers).
When no task is numbered 1. 2. …, headings （一）（二）… are the tasks.
"""

import re

from django.utils.translation import gettext

from .common import (
    FULL_STOP,
    TRAILER,
    bracket_depth,
    bracket_groups,
    clean_line,
    numbered_lines,
    title_of,
    trailing_group,
)
from .deadlines import deadline_in_text, deadline_in_year, keyed_deadline
from .document import (
    ImportFailed,
    ParsedDriver,
    ParsedMilestone,
    ParsedPlan,
    ParsedTask,
    ParsedUnit,
)
from .list_header import list_header
from .notes import KEYED, Note, apply_first_is_lead, find_rule, parse_note

NAME = "task-list"
SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．﹒]\s*(\S.*)$")
SUBSECTION = re.compile(r"^[(（][一二三四五六七八九十]+[)）]\s*(\S.*)$")
TASK = re.compile(r"^\d{1,3}\s*(?:[.．﹒](?!\d)|、|[)）])\s*(\S.*)$")
# 11.121人才梯队项目: task 11 when task 10 came before
GLUED = re.compile(r"^(\d{1,3})[.．﹒](\d+[^\d.．%％].*)$")
NUMBER = re.compile(r"^(\d{1,3})")
SUB_ITEM = re.compile(r"^(?:[(（]\d{1,2}[)）]|[①-⑳])\s*(\S.*)$")
# 分管省领导:林克庆 / 牵头负责领导:刘惠 / 责任领导:… — a person: the task's text, never a unit
LEADER_LINE = re.compile(r"^(?:分管|协管|牵头负责|牵头|责任|包抓|包保|联系|主要)?"
                         r"(?:[省市区县]|副省长|副市长|副区长|副县长)?(?:级)?领导(?:同志)?\s*[:：]")
# ……。责任单位：区发改局、区财政局 — a keyed note after the task's last sentence, in its line
INLINE_KEYED = re.compile(rf"(?<=[。；;])\s*((?:{KEYED.pattern}).*)$")
NOTE_HINT = re.compile(rf"{KEYED.pattern}|分别牵头|牵头[,，]|[(（][^()（）]+牵头[)）]")


class _Task:
    """A task being read: its lines, its notes, its milestones."""

    def __init__(self, task: ParsedTask) -> None:
        self.task = task
        self.note = Note()
        self.body_lines: list[str] = []
        self.title_open = False  # the first line ended mid-sentence (no full stop, no note)

    def add_body(self, text: str, line: int, plan: ParsedPlan) -> str:
        """Add a line of the task's text; returns it without its notes.

        Every note binds to its own sentence: ``……(区审批局负责)。……(区市场局牵头)。``
        gives both; inside a sentence only a keyed or verb note counts (not a bare list of
        names, which may be a place: 筹建黄石(上海)离岸科创中心).
        """
        self.body_lines.append(text)
        kept, end = [], 0
        trailing = trailing_group(text)
        for start, stop, content in bracket_groups(text):
            last = trailing is not None and start == trailing[0]
            note = parse_note(content, bare_names=last)
            if note is None or not (note.units or note.rule or note.due_on) or (
                    not last and not note.units):
                continue
            self._merge(note, line, plan, text[start:stop])
            kept.append(text[end:start])
            end = stop
        body = ("".join(kept) + text[end:]).rstrip() if kept else text
        inline = INLINE_KEYED.search(body)
        note = parse_note(inline.group(1).rstrip("。"), bare_names=False) if inline else None
        if inline and note is not None and (note.units or note.due_on or note.due_text):
            self._merge(note, line, plan, inline.group(1))
            body = body[: inline.start()].rstrip()
        return body

    def _merge(self, note: Note, line: int, plan: ParsedPlan, source: str = "") -> None:
        if note.units:
            self.task.sources.append((source, [unit.name for unit in note.units]))
        self.note.merge(note)
        if note.rule and note.rule not in plan.rules:
            plan.rules.append(note.rule)
        plan.unparsed.extend((line, text) for text in note.not_understood)


def looks_like(text: str) -> bool:
    """Numbered items and at least one statement of who does them."""
    lines = [clean_line(line) for _, line in numbered_lines(text)]
    items = any(TASK.match(line) or SUBSECTION.match(line) for line in lines)
    return items and bool(NOTE_HINT.search(text))


def parse(text: str) -> ParsedPlan:
    lines = _logical_lines(numbered_lines(text))
    plan, body = list_header(lines, NAME)
    plan.source_text = text
    tasks_at_subsections = not any(TASK.match(line) for _, line in body)
    reader = _Reader(plan, tasks_at_subsections)
    # 一、…三十、 measures with nothing numbered below them: the measures are the tasks
    reader.tasks_at_sections = tasks_at_subsections and not any(
        SUBSECTION.match(line) for _, line in body)
    # （1）…（2）… items under 一、 headings, most with their own note: the items are the tasks
    items = [line for _, line in body if SUB_ITEM.match(line)]
    if reader.tasks_at_sections and items and 2 * sum(map(_noted, items)) >= len(items):
        reader.tasks_at_sections, reader.tasks_at_items = False, True
    for number, line in body:
        reader.read(number, line)
    reader.finish()
    if not plan.tasks:
        raise ImportFailed(gettext("未找到编号任务（如“1．……”或“（一）……”）"),
                           lines[-1][0] if lines else None)
    if plan.rules:
        for note in reader.notes:
            apply_first_is_lead(note)
    plan.unparsed.sort()
    return plan


def _noted(line: str) -> bool:
    """The line says who does it (a note with units)."""
    group = trailing_group(line)
    note = parse_note(group[1]) if group else None
    return bool(note and note.units) or bool(NOTE_HINT.search(line))


def _rule_line(line: str, rule: str) -> bool:
    """A line stating the rule (注:各项任务责任单位中,列第一位的为牵头单位。), not a task's
    text that ends with a note stating it."""
    rest = re.sub(r"[\W_]", "", line.replace(rule, ""))
    return len(rest) <= 16


def _logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Markdown removed; a line whose bracket is still open is joined with the next one."""
    joined: list[tuple[int, str]] = []
    for number, raw in lines:
        line = clean_line(raw)
        if joined and bracket_depth(joined[-1][1]) > 0 and not TASK.match(line):
            joined[-1] = (joined[-1][0], joined[-1][1] + line)
        elif line:
            joined.append((number, line))
    return joined


class _Reader:
    def __init__(self, plan: ParsedPlan, tasks_at_subsections: bool) -> None:
        self.plan = plan
        self.tasks_at_subsections = tasks_at_subsections
        self.tasks_at_sections = False
        self.tasks_at_items = False  # （1）…（2）… are the tasks (nothing numbered 1. or （一）)
        self.last_number = 0  # of the last task numbered 1. 2. …, for 11.121人才梯队项目
        self.heading: tuple[int, str] | None = None
        # 一、强化科技创新(区科技局牵头): the heading's note, for the tasks below it without one
        self.heading_notes: dict[str, tuple[str, Note]] = {}
        self.headings: list[tuple[int, str]] = []  # heading lines, for the unparsed list
        self.driver_of: dict[int, ParsedDriver] = {}
        self.current: _Task | None = None
        self.notes: list[Note] = []  # one per task, for the document-wide rule

    def read(self, number: int, line: str) -> None:
        glued = GLUED.match(line)
        if TRAILER.match(line):
            self.plan.unparsed.append((number, line))
        elif self.tasks_at_sections and (match := SECTION.match(line)):
            self._close()
            self._open(number, match.group(1))
        elif glued and int(glued.group(1)) == self.last_number + 1:
            self._close()
            self.last_number += 1
            self._open(number, glued.group(2))
        elif self.tasks_at_items and (match := SUB_ITEM.match(line)):
            self._close()
            self._open(number, match.group(1))
        elif (match := SECTION.match(line)) or (
                not self.tasks_at_subsections and (match := SUBSECTION.match(line))):
            self._close()
            level = "section" if SECTION.match(line) else "subsection"
            self.heading = (number, self._heading_note(level, match.group(1).strip(), number))
            self.headings.append((number, line))
        elif (match := TASK.match(line)) or (
                self.tasks_at_subsections and (match := SUBSECTION.match(line))):
            self._close()
            if numbered := NUMBER.match(line):
                self.last_number = int(numbered.group(1))
            self._open(number, match.group(1))
        elif self.current and (leader := LEADER_LINE.match(line)):
            # 责任领导:张三  牵头单位:区发改局 — the person stays text, the units are read
            key = KEYED.search(line, leader.end())
            self.current.task.text += "\n" + line
            self.current.title_open = False
            if key and (note := parse_note(line[key.start():], bare_names=False)):
                self.current._merge(note, number, self.plan, line[key.start():])
        elif self.current and (match := SUB_ITEM.match(line)):
            self._milestone(number, line, match.group(1))
        elif (rule := find_rule(line)) and not KEYED.search(line) and _rule_line(line, rule):
            if line not in self.plan.rules and rule not in self.plan.rules:
                self.plan.rules.append(line)
        elif self.current and (note := self._unit_line(line)):
            self.current._merge(note, number, self.plan, line)
            self.current.title_open = False
        elif self.current:
            body = self.current.add_body(line, number, self.plan)
            self.current.task.text += "\n" + line
            task = self.current.task
            if self.current.title_open and task.text.count("\n") == 1:
                # 1.加强项目 / 谋划储备。… : a title hard-wrapped onto the next line
                task.title = title_of(task.title + body)
            self.current.title_open = False
        else:
            self.plan.unparsed.append((number, line))

    def _heading_note(self, level: str, text: str, number: int) -> str:
        """The heading's title without its note; the note is kept for the tasks below."""
        if level == "section":
            self.heading_notes.clear()
        self.heading_notes.pop("subsection", None)
        group = trailing_group(text)
        note = parse_note(group[1], bare_names=False) if group else None
        if group is None or note is None or not note.units:
            return text
        if note.rule and note.rule not in self.plan.rules:
            self.plan.rules.append(note.rule)
        self.heading_notes[level] = (text[group[0]:].rstrip("。"), note)
        self.plan.unparsed.extend((number, item) for item in note.not_understood)
        return text[: group[0]].rstrip(" 。")

    def _unit_line(self, line: str) -> Note | None:
        """``牵头单位：A 配合单位：B``, ``完成时限：…``, ``A、B分别牵头``, ``（责任单位：…）``."""
        group = trailing_group(line)
        if group and group[0] == 0:
            return parse_note(group[1])
        if KEYED.match(line) or re.search(r"(?:牵头|配合|协办)[。.]?$", line):
            return parse_note(line.rstrip("。."), bare_names=False)
        return None

    def _open(self, number: int, text: str) -> None:
        driver = self._driver(number)
        task = ParsedTask(len(self.plan.tasks) + 1, "", text, number)
        driver.tasks.append(task)
        self.current = _Task(task)
        body = self.current.add_body(text, number, self.plan)
        task.title = title_of(body)
        self.current.title_open = not FULL_STOP.search(body) and body == text and not re.search(
            r"[,，;；:：、]$", body) and len(body) < 40

    def _driver(self, line: int) -> ParsedDriver:
        key, title = self.heading or (0, "重点任务")
        if key not in self.driver_of:
            driver = ParsedDriver(len(self.plan.drivers) + 1, title, key or line)
            self.plan.drivers.append(driver)
            self.driver_of[key] = driver
        return self.driver_of[key]

    def _milestone(self, number: int, line: str, text: str) -> None:
        body = self.current.add_body(text, number, self.plan)
        self.current.task.text += "\n" + line
        self.current.task.milestones.append(ParsedMilestone(
            title=body.rstrip("；;。，,"), due_on=deadline_in_text(body)))

    def _close(self) -> None:
        if self.current is None:
            return
        task, note = self.current.task, self.current.note
        inherited = self.heading_notes.get("subsection") or self.heading_notes.get("section")
        if not note.units and inherited:  # the heading's note names who does its tasks
            source, heading = inherited
            note.units = [ParsedUnit(u.name, u.role, u.collective) for u in heading.units]
            note.explicit_roles = heading.explicit_roles
            task.sources.append((source, [unit.name for unit in note.units]))
        task.units = note.units
        task.due_on = note.due_on or keyed_deadline(task.text) or deadline_in_text(task.text)
        if task.due_on is None and note.due_text:  # 完成时限:6月底前, in the plan's year
            task.due_on = deadline_in_year(note.due_text, self.plan.period_start)
            if task.due_on is None:
                self.plan.unparsed.append((task.line, f"完成时限：{note.due_text}"))
        self.notes.append(note)
        if not task.title:
            raise ImportFailed(gettext("任务没有标题"), task.line)
        self.current = None

    def finish(self) -> None:
        self._close()
        used = {driver.line for driver in self.plan.drivers}
        self.plan.unparsed.extend(item for item in self.headings if item[0] not in used)

