"""The task ledger (督办台账) as .xlsx: a title row with the plan and the date, Chinese
headers frozen at the top, set column widths, health as a coloured cell.

The workbook, its styles and heading come from openpyxl (write-only); the body rows are
written as SpreadsheetML text (``xlsx.BodyRows``), so a city's 35,000 rows take a few
seconds, not 25 s of building a styled cell object per value.
"""

from collections.abc import Callable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from common.formatting import cn_date, cn_month

from ..choices import Health
from ..selectors.ledger import Ledger, LedgerRow
from .xlsx import (
    DATE,
    HEADING_ROWS,
    BodyRows,
    Column,
    health_style,
    new_workbook,
    safe_filename,
    streamed_workbook_bytes,
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


def _values(number: int, row: LedgerRow, labels: dict) -> list:
    """A row's cells; each label, month and standing is formatted once per distinct value
    (``labels`` keeps them: a gettext per cell was 1.5 s of a city's ledger)."""
    task, report = row.task, row.report
    driver = (f"（{task['driver__number']}）{task['driver__title']}"
              if task["driver__title"] else "")
    status = labels.get(("status", task["status"])) or labels.setdefault(
        ("status", task["status"]), row.status_label)
    health = labels.get(("health", task["health"])) or labels.setdefault(
        ("health", task["health"]), row.health_label)
    role = labels.get(("role", row.role)) or labels.setdefault(("role", row.role),
                                                               row.role_label)
    standing = ""
    if row.standing:
        key = ("standing", row.standing, row.standing_period)
        standing = labels.get(key) or labels.setdefault(key, row.standing_label)
    if report is None:
        return [number, driver, task["number"], task["title"], row.lead, row.responsible,
                row.department, role, task["due_on"], status, task["progress"], health,
                "", "", None, "", "", "", standing]
    month = labels.get(("month", report.month)) or labels.setdefault(
        ("month", report.month), cn_month(report.month))
    report_status = labels.get(("report", report.status)) or labels.setdefault(
        ("report", report.status), report.status_label)
    return [
        number, driver, task["number"], task["title"], row.lead, row.responsible,
        row.department, role, task["due_on"], status, task["progress"], health,
        month, report_status, report.progress, report.progress_text, report.problems,
        report.next_steps, standing,
    ]


def ledger_workbook(ledger: Ledger, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The ledger as the bytes of an .xlsx file; ``progress(rows written, rows)`` is called
    every PROGRESS_EVERY rows (an export job shows it)."""
    multi = ledger.single_plan is None and len(ledger.plans) > 1
    columns = (PLAN_COLUMN, *COLUMNS) if multi else COLUMNS
    title, subtitle = ledger_heading(ledger)
    workbook = new_workbook()
    sheet = write_only_sheet(workbook, _("督办台账"), columns, heading=title, subtitle=subtitle)
    body = BodyRows(sheet, columns)
    shift = 1 if multi else 0
    styles = list(body.styles)
    styles[DUE_INDEX + shift] = body.style_id(DATE)
    health_styles = {health: body.style_id(health_style(health)) for health in Health.values}
    rows = _body_rows(ledger, body, styles, health_styles, multi, progress)
    return streamed_workbook_bytes(workbook, body, rows)


def _body_rows(ledger: Ledger, body: BodyRows, styles: list[int],
               health_styles: dict[str, int], multi: bool,
               progress: Callable[[int, int], None] | None) -> Iterator[str]:
    shift = 1 if multi else 0
    labels: dict = {}
    total = len(ledger.rows)
    for number, row in enumerate(ledger.rows, start=1):
        values = _values(number, row, labels)
        if multi:
            values.insert(0, row.task["plan__code"])
        styles[HEALTH_INDEX + shift] = health_styles[row.task["health"]]
        yield body.row(HEADING_ROWS + number, values, styles)
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, total)


def ledger_filename(ledger: Ledger) -> str:
    plan = ledger.single_plan
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = _("%(plan)s台账-%(date)s") % {"plan": plan[0] if plan else _("督办"), "date": stamp}
    return safe_filename(name) + ".xlsx"
