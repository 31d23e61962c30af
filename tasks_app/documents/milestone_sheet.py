"""A task's 节点 as .xlsx: download them pre-filled, change or add rows offline, upload,
preview, confirm (see :mod:`tasks_app.services.milestone_sheets` for the rules).

The 节点 number and version are locked; content, 时限, 责任部门 (names separated by 、)
and 完成日期 are open, and empty rows below the 节点 take new ones. A hidden sheet says
which task the file is for.
"""

import datetime
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Protection

from common.formatting import cn_date

from ..models import Milestone, Task
from ..services.milestone_sheets import MilestoneEntry
from ..services.report_sheets import SheetProblem, SheetRejected
from .reading_sheet import UNREADABLE, _open_sheet, problem_rows_for
from .report_sheet import SheetColumn, _text, _whole, fillable_sheet
from .xlsx import (
    BODY_FONT,
    BORDER,
    CENTER,
    LOCKED_FILL,
    WRAP,
    cell_value,
    safe_filename,
    workbook_bytes,
)

SHEET_TITLE = gettext_lazy("任务节点")
META_TITLE = "_duban"
HEADER_ROW, FIRST_ROW = 3, 4
BLANK_ROWS = 20  # open rows for new 节点
MAX_ROWS = 500
SEPARATORS = re.compile(r"[、,,;;\s]+")
CN_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")

COLUMNS = (
    SheetColumn(gettext_lazy("节点编号"), 9, field="milestone"),
    SheetColumn(gettext_lazy("节点内容"), 48, wrap=True, field="title", editable=True),
    SheetColumn(gettext_lazy("节点时限"), 16, field="due_on", editable=True),
    SheetColumn(gettext_lazy("责任部门（用顿号分隔）"), 30, wrap=True, field="departments",
                editable=True),
    SheetColumn(gettext_lazy("完成日期"), 16, field="completed_on", editable=True),
    SheetColumn(gettext_lazy("版本（请勿修改）"), 8, field="version"),
)


def _values(milestone: Milestone) -> list:
    return [milestone.pk, milestone.title, milestone.due_on,
            "、".join(d.name for d in milestone.departments.all()), milestone.completed_on,
            milestone.version]


def milestone_workbook(task: Task, milestones: list[Milestone]) -> bytes:
    """The task's 节点 (departments prefetched) and empty rows for new ones."""
    workbook, sheet = fillable_sheet(
        SHEET_TITLE, COLUMNS,
        _("任务 %(number)s. %(title)s 节点计划") % {"number": task.number, "title": task.title},
        _("%(plan)s · 完成时限 %(due)s · 灰色单元格不可修改；日期填 2026-06-30 或 "
          "2026年6月30日；在下方空行填写新节点；表格中没有的节点不会改动。") % {
            "plan": task.plan.code, "due": cn_date(task.due_on) or "—"})
    rows = [_values(m) for m in milestones] + [[None] * len(COLUMNS)] * BLANK_ROWS
    for offset, values in enumerate(rows):
        for index, (value, column) in enumerate(zip(values, COLUMNS), 1):
            cell = sheet.cell(row=FIRST_ROW + offset, column=index, value=cell_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = WRAP if column.wrap else CENTER
            cell.protection = Protection(locked=not column.editable)
            if not column.editable:
                cell.fill = LOCKED_FILL
    sheet.freeze_panes = "B4"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    meta = workbook.create_sheet(META_TITLE)
    meta.append(["task", str(task.pk)])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    workbook.active = 0
    return workbook_bytes(workbook)


def milestone_filename(task: Task) -> str:
    return safe_filename(_("任务%(number)s节点计划") % {"number": task.number}) + ".xlsx"


def _date(value, row: int, name: str, problems: list[SheetProblem]) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    match = CN_DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    problems.append(SheetProblem(row, name,
                                 _("日期格式不正确，请填写如 2026-06-30 或 2026年6月30日。")))
    return None


def milestone_entries(upload, task: Task, departments: dict[str, int]) -> list[MilestoneEntry]:
    """The sheet's filled rows; ``departments``: name → id of the task's departments.
    SheetRejected when the file is wrong or a cell cannot be read."""
    workbook, sheet = _open_sheet(upload, SHEET_TITLE, COLUMNS, HEADER_ROW,
                                  {"task": str(task.pk)},
                                  _("该表格不是本任务的节点表；请在本页重新下载后填写。"))
    try:
        return _entries(sheet, departments)
    except SheetRejected:
        raise
    except Exception as error:  # malformed XML surfaces while streaming
        raise SheetRejected([SheetProblem(None, "", str(UNREADABLE))]) from error
    finally:
        workbook.close()


def _entries(sheet, departments: dict[str, int]) -> list[MilestoneEntry]:
    entries, problems = [], []
    fields = [column.field for column in COLUMNS]
    for number, values in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_col=len(COLUMNS),
                                                    values_only=True), FIRST_ROW):
        if number > FIRST_ROW + MAX_ROWS:
            raise SheetRejected([SheetProblem(None, "", _("表格超过 %(rows)s 行。")
                                              % {"rows": MAX_ROWS})])
        cells = dict(zip(fields, values))
        if all(cells.get(f) in (None, "") for f in ("title", "due_on", "departments",
                                                     "completed_on")):
            continue
        before = len(problems)
        raw_id = cells.get("milestone")
        milestone_id = _whole(raw_id)
        if raw_id not in (None, "") and milestone_id is None:
            problems.append(SheetProblem(number, "milestone",
                                         _("节点编号必须是整数（请勿修改灰色单元格）。")))
        names = [n for n in SEPARATORS.split(_text(cells.get("departments")).strip()) if n]
        unknown = [n for n in names if n not in departments]
        if unknown:
            problems.append(SheetProblem(number, "departments", _(
                "%(names)s 不是该任务的牵头或责任部门。") % {"names": "、".join(unknown)}))
        due_on = _date(cells.get("due_on"), number, "due_on", problems)
        completed_on = _date(cells.get("completed_on"), number, "completed_on", problems)
        if len(problems) > before:
            continue
        entries.append(MilestoneEntry(
            number, milestone_id, _text(cells.get("title")).strip(), due_on,
            tuple(sorted({departments[n] for n in names})), completed_on,
            _whole(cells.get("version"))))
    if problems:
        raise SheetRejected(problems)
    return entries


def milestone_problem_rows(problems: list[SheetProblem]) -> list[dict]:
    return problem_rows_for(problems, COLUMNS)
