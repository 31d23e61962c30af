"""A department's whole monthly sheet saved at once (the uploaded Excel sheet).

Every row goes through :func:`tasks_app.services.reports.report_save` — the same rules as
the portal's form and the API — inside ONE transaction: when any row is refused, nothing
is saved and every problem is reported with its row and field.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.i18n import StrOrPromise

from ..choices import ReportState
from ..exceptions import StaleVersion
from ..models import ReportingPeriod
from ..selectors.portal import SheetRow, sheet_rows
from .reports import EDITABLE_STATES, REPORT_FIELDS, Filing, report_save

ROW_WIDE_FIELDS = ("period", "state", "__all__", "task", "version")
STALE_TEXT = gettext_lazy("下载表格后，该任务本期的报送已被修改；请重新下载表格后再填写。")


@dataclass(frozen=True)
class SheetEntry:
    """One filled row of the sheet: where it was, which task, what it says."""

    row: int
    task_number: int
    data: dict
    version: int | None = None


@dataclass(frozen=True)
class SheetProblem:
    row: int | None  # None: about the whole sheet
    field: str  # a report field name, "task", or "" for the whole row
    message: StrOrPromise


class SheetRejected(ValidationError):
    """The sheet was refused; ``problems`` says where and why. Nothing was saved."""

    def __init__(self, problems: list[SheetProblem]):
        self.problems = problems
        super().__init__([p.message for p in problems])


@dataclass
class SheetResult:
    saved: list[int] = field(default_factory=list)  # task numbers
    submitted: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def _same(row: SheetRow, data: dict) -> bool:
    """The row repeats what the sheet was given: this period's report, or (none yet) the
    values the sheet was prefilled with — a row nobody touched."""
    stored = row.values
    try:
        return all(str(stored[name]).strip() == str(data[name]).strip()
                   if name != "needs_coordination" else bool(stored[name]) == bool(data[name])
                   for name in REPORT_FIELDS if name in data)
    except KeyError:
        return False


def _row_problems(entry: SheetEntry, error: ValidationError) -> list[SheetProblem]:
    if isinstance(error, StaleVersion):
        return [SheetProblem(entry.row, "", STALE_TEXT)]
    if not hasattr(error, "error_dict"):
        return [SheetProblem(entry.row, "", message) for message in error.messages]
    return [SheetProblem(None if name == "period" else entry.row,
                         "" if name in ROW_WIDE_FIELDS else name, message)
            for name, messages in error.message_dict.items() for message in messages]


def _save_one(entry: SheetEntry, row: SheetRow, period: ReportingPeriod, department_id: int,
              user: User, submit: bool, result: SheetResult) -> None:
    if row.report is not None and row.report.state not in EDITABLE_STATES:
        if not _same(row, entry.data):
            raise ValidationError({"state": _("该任务本期报送%(state)s，不能修改；"
                                              "如需修改请先在门户撤回。")
                                   % {"state": row.report.get_state_display()}})
        result.unchanged.append(entry.task_number)
        return
    if _same(row, entry.data) and (row.report is None or not submit):
        # Untouched: neither saved again nor turned into a draft (or a filing) of what was
        # only prefilled from last month.
        result.unchanged.append(entry.task_number)
        return
    report_save(filing=Filing(row.task, department_id, period), data=entry.data, user=user,
                expected_version=entry.version, submit=submit)
    (result.submitted if submit else result.saved).append(entry.task_number)


def _dedupe(problems: list[SheetProblem]) -> list[SheetProblem]:
    seen, unique = set(), []
    for problem in problems:
        key = (problem.row, problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return sorted(unique, key=lambda p: (p.row is not None, p.row or 0))


@transaction.atomic
def reports_save_bulk(*, period: ReportingPeriod, department_id: int,
                      entries: list[SheetEntry], user: User,
                      submit: bool = False) -> SheetResult:
    """Save (or submit) every row of the department's sheet for the period: all or nothing.

    Rows for tasks the department does not work on in this plan are refused; rows already
    submitted are accepted only unchanged. Raises :class:`SheetRejected`.
    """
    rows = {row.task.number: row for row in sheet_rows(period, department_id)}
    problems: list[SheetProblem] = []
    result, seen = SheetResult(), set()
    if not entries:
        problems.append(SheetProblem(None, "", _("表格中没有任何任务行。")))
    for entry in entries:
        row = rows.get(entry.task_number)
        if row is None or entry.task_number in seen:
            message = (_("任务编号 %(number)s 在表格中重复出现。") if row is not None else
                       _("任务编号 %(number)s 不是本部门在该计划中需要报送的任务。"))
            problems.append(SheetProblem(entry.row, "task",
                                         message % {"number": entry.task_number}))
            continue
        seen.add(entry.task_number)
        try:
            _save_one(entry, row, period, department_id, user, submit, result)
        except PermissionDenied as error:
            problems.append(SheetProblem(entry.row, "task", str(error)))
        except ValidationError as error:
            problems.extend(_row_problems(entry, error))
    if problems:
        raise SheetRejected(_dedupe(problems))
    return result


def reports_submit_drafts(*, period: ReportingPeriod, department_id: int,
                          user: User) -> SheetResult:
    """全部报送: file every saved draft of the department for the period at once, all or
    nothing (the same checks as one by one; problems name the task). Rows never saved are
    left alone."""
    entries = [SheetEntry(row=row.task.number, task_number=row.task.number,
                          data={name: getattr(row.report, name) for name in REPORT_FIELDS},
                          version=row.report.version)
               for row in sheet_rows(period, department_id)
               if row.report is not None and row.report.state == ReportState.DRAFT]
    if not entries:
        raise SheetRejected([SheetProblem(None, "", _("本期没有待报送的草稿。"))])
    return reports_save_bulk(period=period, department_id=department_id, entries=entries,
                             user=user, submit=True)
