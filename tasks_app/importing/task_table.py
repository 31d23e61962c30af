"""Format ``task-table``: a 任务分工表 (task | 牵头单位 | 责任单位 | 完成时限), in a Word
file (read by docx_text) or as a markdown table.

Columns are recognised by their headers: 序号; 领域/类别 (a driver per value); the task
(任务/工作内容/事项/举措); 牵头单位/牵头部门 (leads); 责任单位/配合单位/协办单位/参与单位
(responsible units); 完成时限/时间节点 (the due date); 责任领导/备注/完成情况 (kept in the
task's text: a leader is a person, never a unit). Without a 领域 column, the heading
above a table (一、… / （一）… / a Word heading) is its driver. A cell's lines (``<br>``) stay
in the task's text; lines numbered （1）（2） are milestones. Cells of other columns, and
deadlines that are not dates (other than 长期/持续…), are listed as not understood.
"""

import re

from django.utils.translation import gettext

from .common import clean_line, numbered_lines, split_names, title_of, trailing_group
from .deadlines import deadline_in_text, deadline_in_year, is_ongoing, parse_deadline
from .document import ImportFailed, ParsedDriver, ParsedMilestone, ParsedPlan, ParsedTask
from .list_header import BODY_START, list_header
from .notes import FIRST_IS_LEAD, Note, apply_first_is_lead, find_rule, parse_note

NAME = "task-table"
ROW = re.compile(r"^\|(.*)\|$")
SEPARATOR = re.compile(r"^\|?[\s:|-]+\|?$")
HEADING = re.compile(r"^(?:#{1,6}\s*)?(?:[一二三四五六七八九十]+[、.．]"
                     r"|[(（][一二三四五六七八九十]+[)）])\s*(\S.*)$|^#{1,6}\s+(\S.*)$")
SUB_ITEM = re.compile(r"^(?:[(（]\d{1,2}[)）]|[①-⑳])\s*(\S.*)$")
COLUMNS = [  # first match wins: 任务类别 is a driver column, not the task
    # 责任领导 / 牵头领导 (a person, never a unit), 备注, 完成情况: kept in the task's text
    ("note", re.compile(r"领导|备注|说明|责任人|联系人|完成情况|进展情况")),
    ("other", re.compile(r"^(?:年度)?目标$|依据|评分")),
    ("number", re.compile(r"^(?:序号|编号)$")),
    ("area", re.compile(r"领域|类别|板块|方面|专项")),
    ("starred", re.compile(r"[*＊※]号?为牵头")),  # 责任部门(加*号为牵头部门,其余为参与部门)
    ("lead", re.compile(r"牵头")),
    ("support", re.compile(r"配合|协办|参与|协同")),
    ("responsible", re.compile(r"责任")),
    ("deadline", re.compile(r"时限|时间|节点")),
    ("title", re.compile(r"名称")),  # 任务名称 beside 任务要求及举措: the title
    ("task", re.compile(r"任务|工作|事项|举措|措施|内容")),
]
STAR = re.compile(r"[*＊※]")
BODY = re.compile(rf"{BODY_START.pattern}|^\|")


def _cells(line: str) -> list[str] | None:
    match = ROW.match(line)
    if not match:
        return None
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", match.group(1))]


def _columns(cells: list[str]) -> dict[int, str] | None:
    """Column index → role, when these cells are a 分工表 header."""
    roles = {}
    for index, cell in enumerate(cells):
        # 责任单位（列第一位的为牵头单位）: a 责任单位 column; the rule is read with the header
        text = FIRST_IS_LEAD.sub("", re.sub(r"\s", "", cell))
        roles[index] = next((role for role, pattern in COLUMNS if pattern.search(text)), "other")
    found = set(roles.values())
    if "title" in found and "task" not in found:
        roles = {index: "task" if role == "title" else role for index, role in roles.items()}
        found = set(roles.values())
    return roles if "task" in found and found & {"lead", "responsible", "support", "starred"} \
        else None


def looks_like(text: str) -> bool:
    return any((cells := _cells(line.strip())) and _columns(cells)
               for _, line in numbered_lines(text))


def parse(text: str) -> ParsedPlan:
    lines = numbered_lines(text)
    plan, body = list_header(lines, NAME, body_start=BODY)
    plan.source_text = text
    reader = _TableReader(plan)
    for number, line in body:
        reader.read(number, line.strip())
    if not plan.tasks:
        raise ImportFailed(gettext("未找到任务分工表（表头应有“任务”和“牵头单位”或“责任单位”列）"),
                           lines[-1][0] if lines else None)
    if plan.rules:
        for note in reader.notes:
            apply_first_is_lead(note)
    return plan


class _TableReader:
    def __init__(self, plan: ParsedPlan) -> None:
        self.plan = plan
        self.columns: dict[int, str] | None = None
        self.headers: list[str] = []
        self.heading: tuple[int, str] | None = None
        self.drivers: dict[tuple[int, str], ParsedDriver] = {}
        self.notes: list[Note] = []
        self.numbered = False  # the last task's row had its 序号
        self.sources: list[tuple[str, list[str]]] = []

    def read(self, number: int, line: str) -> None:
        cells = _cells(line)
        if cells is None:  # a section row spanning the table, or text between two parts
            self._paragraph(number, clean_line(line))  # of a table: the columns carry on
        elif SEPARATOR.match(line):
            return
        elif (columns := _columns(cells)) is not None:
            self.columns, self.headers = columns, cells
            for rule in filter(None, map(find_rule, cells)):
                if rule not in self.plan.rules:
                    self.plan.rules.append(rule)
        elif self.columns is None or len(cells) != len(self.columns):
            self.plan.unparsed.append((number, line))
        else:
            self._row(number, cells)

    def _paragraph(self, number: int, line: str) -> None:
        heading = HEADING.match(line)
        if find_rule(line):
            self.plan.rules.append(line)
        elif heading:
            self.heading = (number, (heading.group(1) or heading.group(2)).strip())
        else:
            self.plan.unparsed.append((number, line))

    def _driver(self, number: int, area: str) -> ParsedDriver:
        key = (0, area) if area else self.heading or (0, "重点任务")
        if key not in self.drivers:
            self.drivers[key] = ParsedDriver(len(self.plan.drivers) + 1, key[1], key[0] or number)
            self.plan.drivers.append(self.drivers[key])
        return self.drivers[key]

    def _row(self, number: int, cells: list[str]) -> None:
        by_role: dict[str, list[str]] = {}
        for index, cell in enumerate(cells):
            role = self.columns[index]
            by_role.setdefault(role, []).append(cell)
            if role == "other" and cell:
                self.plan.unparsed.append((number, f"{self.headers[index]}：{cell}"))
            elif role == "note" and cell:
                header = re.sub(r"\s", "", self.headers[index])
                by_role.setdefault("notes", []).append(f"{header}：{cell.replace('<br>', ' ')}")
        task_cells = [cell for cell in by_role.get("task", []) if cell.strip()]
        title_cell = " ".join(by_role.get("title", [])).strip()
        if not title_cell and len(task_cells) > 1:  # 工作任务 | 具体措施: the first names it
            title_cell, task_cells = task_cells[0].strip(), task_cells[1:]
        task_cell = " ".join(task_cells).strip()
        if title_cell:
            task_cell = "<br>".join(part for part in (title_cell, task_cell) if part)
        if not task_cell:
            self.plan.unparsed.append((number, " | ".join(cells)))
            return
        numbered = "".join(by_role.get("number", [])).strip()
        if "number" in by_role and not numbered and self.numbered and self.plan.tasks:
            self._continued(number, by_role, task_cell)  # a row broken by a page break
            return
        self.numbered = bool(numbered)
        driver = self._driver(number, " ".join(by_role.get("area", [])).strip())
        task = self._task(number, task_cell)
        task.text += "".join(f"\n{line}" for line in by_role.get("notes", []))
        driver.tasks.append(task)
        self.sources = []
        note = self._units(by_role)
        task.units = note.units
        task.sources = self.sources
        self.notes.append(note)
        deadline = " ".join(by_role.get("deadline", [])).replace("<br>", " ").strip()
        year = self.plan.period_start  # 6月底前 in an annual plan: that year
        task.due_on = (parse_deadline(deadline) or deadline_in_year(deadline, year)
                       if deadline else deadline_in_text(task.text))
        if deadline and task.due_on is None and not is_ongoing(deadline):
            self.plan.unparsed.append((number, f"完成时限：{deadline}"))

    def _continued(self, number: int, by_role: dict[str, list[str]], task_cell: str) -> None:
        """The rest of the task above, carried onto the next page (a PDF table row broken at
        the page's foot): its words join the task's text, its units the task's units."""
        task, note = self.plan.tasks[-1], self.notes[-1]
        task.text += "\n" + task_cell.replace("<br>", "\n")
        task.text += "".join(f"\n{line}" for line in by_role.get("notes", []))
        self.sources = task.sources
        note.merge(self._units(by_role))
        task.units = note.units
        if not task.due_on:
            task.due_on = parse_deadline(" ".join(by_role.get("deadline", []))) or None
        self.plan.unparsed.append((number, gettext("（续上一行）%(text)s") % {
            "text": task_cell.replace("<br>", "")[:60]}))

    def _task(self, number: int, cell: str) -> ParsedTask:
        parts = cell.split("<br>")
        first = parts[0]
        group = trailing_group(first)
        if group and parse_note(group[1]) is not None:
            first = first[: group[0]]
        task = ParsedTask(len(self.plan.tasks) + 1, title_of(first), "\n".join(parts), number)
        for part in parts[1:]:
            if item := SUB_ITEM.match(part):
                text = item.group(1).rstrip("；;。，,")
                task.milestones.append(ParsedMilestone(text, deadline_in_text(text)))
        return task

    def _units(self, by_role: dict[str, list[str]]) -> Note:
        note = Note()  # a filled 牵头单位 cell makes the roles explicit
        for cell in by_role.get("starred", []):  # 区农业农村委*、区规划资源局: * leads
            names = cell.replace("<br>", "、")
            starred = "、".join(n for n in split_names(names) if STAR.search(n))
            others = "、".join(n for n in split_names(names) if not STAR.search(n))
            keyed = [f"牵头单位:{STAR.sub('', starred)}" if starred else "",
                     f"责任单位:{others}" if others else ""]
            if cell_note := parse_note(";".join(part for part in keyed if part)):
                note.merge(cell_note)
                self.sources.append((cell, [u.name for u in cell_note.units]))
        roles = set(self.columns.values())
        # 责任单位 | 配合单位 without a 牵头 column: the 责任单位 is the lead
        main = "牵头单位" if "support" in roles and not roles & {"lead", "starred"} else "责任单位"
        for role, key in (("lead", "牵头单位"), ("responsible", main), ("support", "责任单位")):
            for cell in by_role.get(role, []):
                names = re.sub(r"(?:分别)?牵头$", "", cell.replace("<br>", "、"))
                if names.strip() and (cell_note := parse_note(f"{key}:{names}")):
                    note.merge(cell_note)
                    self.sources.append((cell, [u.name for u in cell_note.units]))
        return note

