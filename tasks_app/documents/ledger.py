"""The task ledger (督办台账) as .xlsx: a title row with the plan and the date, Chinese
headers frozen at the top, set column widths, health as a coloured cell.

Written in openpyxl's write-only mode, so a city's 10,000 tasks stream into the file
without holding a styled cell object per value.
"""

from django.utils import timezone

from ..formatting import cn_date, cn_month
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

PLAN_COLUMN = Column("计划文号", 22)
COLUMNS = (
    Column("序号", 6),
    Column("战略驱动", 22, wrap=True),
    Column("任务编号", 8),
    Column("任务名称", 40, wrap=True),
    Column("牵头部门", 18, wrap=True),
    Column("责任部门", 24, wrap=True),
    Column("填报部门", 16, wrap=True),
    Column("部门角色", 9),
    Column("完成时限", 15),
    Column("任务状态", 11),
    Column("任务进度(%)", 9),
    Column("预警", 8),
    Column("最近报送月份", 12),
    Column("推进情况", 10),
    Column("部门报送进度(%)", 10),
    Column("本期进展", 44, wrap=True),
    Column("存在问题", 30, wrap=True),
    Column("下步计划", 30, wrap=True),
)
HEALTH_INDEX = 11  # position of 预警 in COLUMNS
DUE_INDEX = 8


def ledger_heading(ledger: Ledger) -> tuple[str, str]:
    """The title row and the subtitle row."""
    plan = ledger.single_plan
    title = f"{plan[0]} 督办台账" if plan else "督办台账"
    facts = [plan[1]] if plan else [f"{len(ledger.plans)} 个计划"]
    facts += [f"截至 {cn_date(ledger.as_of)}",
              f"{ledger.task_count} 项任务,{len(ledger.rows)} 行(任务 × 部门)"]
    return title, " · ".join(facts)


def _values(number: int, row: LedgerRow) -> list:
    task, report = row.task, row.report
    driver = (f"({task['driver__number']}){task['driver__title']}"
              if task["driver__title"] else "")
    return [
        number, driver, task["number"], task["title"], row.lead, row.responsible,
        row.department, row.role_label, task["due_on"], row.status_label, task["progress"],
        row.health_label,
        cn_month(report.month) if report else "", report.status_label if report else "",
        report.progress if report else None, report.progress_text if report else "",
        report.problems if report else "", report.next_steps if report else "",
    ]


def ledger_workbook(ledger: Ledger) -> bytes:
    """The ledger as the bytes of an .xlsx file."""
    multi = ledger.single_plan is None and len(ledger.plans) > 1
    columns = (PLAN_COLUMN, *COLUMNS) if multi else COLUMNS
    shift = 1 if multi else 0
    title, subtitle = ledger_heading(ledger)
    workbook = new_workbook()
    sheet = write_only_sheet(workbook, "督办台账", columns, heading=title, subtitle=subtitle)
    for number, row in enumerate(ledger.rows, start=1):
        values = _values(number, row)
        if multi:
            values.insert(0, row.task["plan__code"])
        sheet.append(body_row(sheet, values, columns, {
            HEALTH_INDEX + shift: health_style(row.task["health"]),
            DUE_INDEX + shift: DATE,
        }))
    return workbook_bytes(workbook)


def ledger_filename(ledger: Ledger) -> str:
    plan = ledger.single_plan
    stamp = timezone.localdate().strftime("%Y%m%d")
    return safe_filename(f"{plan[0] if plan else '督办'}台账-{stamp}") + ".xlsx"
