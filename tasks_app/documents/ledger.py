"""The task ledger (督办台账) as .xlsx: a title row with the plan and the date, Chinese
headers frozen at the top, set column widths, health as a coloured cell.

Written in openpyxl's write-only mode, so a city's 10,000 tasks stream into the file
without holding a styled cell object per value.
"""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from common.formatting import cn_date, cn_month

from ..selectors.ledger import Ledger, LedgerRow
from .xlsx import (
    DATE,
    Column,
    body_row,
    health_style,
    new_workbook,
    safe_filename,
    workbook_bytes,
    write_only_sheet,
)

PLAN_COLUMN = Column(gettext_lazy("计划文号"), 22)
COLUMNS = (
    Column(gettext_lazy("序号"), 6),
    Column(gettext_lazy("战略驱动"), 22, wrap=True),
    Column(gettext_lazy("任务编号"), 8),
    Column(gettext_lazy("任务名称"), 40, wrap=True),
    Column(gettext_lazy("牵头部门"), 18, wrap=True),
    Column(gettext_lazy("责任部门"), 24, wrap=True),
    Column(gettext_lazy("填报部门"), 16, wrap=True),
    Column(gettext_lazy("部门角色"), 9),
    Column(gettext_lazy("完成时限"), 15),
    Column(gettext_lazy("任务状态"), 11),
    Column(gettext_lazy("任务进度（%）"), 9),
    Column(pgettext_lazy("health column", "预警"), 8),
    Column(gettext_lazy("最近报送月份"), 12),
    Column(gettext_lazy("推进情况"), 10),
    Column(gettext_lazy("部门报送进度（%）"), 10),
    Column(gettext_lazy("本期进展"), 44, wrap=True),
    Column(gettext_lazy("存在问题"), 30, wrap=True),
    Column(gettext_lazy("下步计划"), 30, wrap=True),
    Column(gettext_lazy("本期报送"), 10),
)
PROGRESS_EVERY = 2000
HEALTH_INDEX = 11  # position of 预警 in COLUMNS
DUE_INDEX = 8


def ledger_heading(ledger: Ledger) -> tuple[str, str]:
    """The title row and the subtitle row."""
    plan = ledger.single_plan
    title = _("%(plan)s 督办台账") % {"plan": plan[0]} if plan else _("督办台账")
    count = len(ledger.plans)
    facts = [plan[1]] if plan else [
        ngettext("%(count)d 个计划", "%(count)d 个计划", count) % {"count": count}]
    facts += [_("截至 %(date)s") % {"date": cn_date(ledger.as_of)},
              _("%(tasks)s,%(rows)s") % {
                  "tasks": ngettext("%(count)d 项任务", "%(count)d 项任务", ledger.task_count)
                  % {"count": ledger.task_count},
                  "rows": ngettext("%(count)d 行（任务 × 部门）", "%(count)d 行（任务 × 部门）",
                                   len(ledger.rows)) % {"count": len(ledger.rows)}}]
    return title, " · ".join(facts)


def _values(number: int, row: LedgerRow) -> list:
    task, report = row.task, row.report
    driver = (f"（{task['driver__number']}）{task['driver__title']}"
              if task["driver__title"] else "")
    return [
        number, driver, task["number"], task["title"], row.lead, row.responsible,
        row.department, row.role_label, task["due_on"], row.status_label, task["progress"],
        row.health_label,
        cn_month(report.month) if report else "", report.status_label if report else "",
        report.progress if report else None, report.progress_text if report else "",
        report.problems if report else "", report.next_steps if report else "",
        row.standing_label,
    ]


def ledger_workbook(ledger: Ledger, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The ledger as the bytes of an .xlsx file; ``progress(rows written, rows)`` is called
    every PROGRESS_EVERY rows (an export job shows it)."""
    multi = ledger.single_plan is None and len(ledger.plans) > 1
    columns = (PLAN_COLUMN, *COLUMNS) if multi else COLUMNS
    shift = 1 if multi else 0
    title, subtitle = ledger_heading(ledger)
    workbook = new_workbook()
    sheet = write_only_sheet(workbook, _("督办台账"), columns, heading=title, subtitle=subtitle)
    for number, row in enumerate(ledger.rows, start=1):
        values = _values(number, row)
        if multi:
            values.insert(0, row.task["plan__code"])
        sheet.append(body_row(sheet, values, columns, {
            HEALTH_INDEX + shift: health_style(row.task["health"]),
            DUE_INDEX + shift: DATE,
        }))
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, len(ledger.rows))
    return workbook_bytes(workbook)


def ledger_filename(ledger: Ledger) -> str:
    plan = ledger.single_plan
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = _("%(plan)s台账-%(date)s") % {"plan": plan[0] if plan else _("督办"), "date": stamp}
    return safe_filename(name) + ".xlsx"
