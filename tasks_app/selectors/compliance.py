"""Who has not reported for a period: the facts behind reminders, chases, the meeting pack
and the bulletin.

A department owes a report on a task for a period when it has a live part in the task
(directly, or as a member of a group named on it) that existed by the deadline, the task is
neither completed nor suspended, and the task reports monthly (quarterly tasks only in the
last month of a quarter; one-off items never). A report counts once it is filed: submitted,
approved by the head or accepted by the lead department (a returned report is owed again).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from ..choices import FeedbackCycle, FeedbackType, PartState, ReportState, TaskStatus
from ..models import Assignment, ProgressReport, ReportingPeriod, Schedule
from ..workdays import add_working_days

FILED_STATES = (ReportState.SUBMITTED, ReportState.HEAD_APPROVED, ReportState.ACCEPTED)
OWING_PART_STATES = (PartState.PENDING_ACK, PartState.IN_PROGRESS,
                     PartState.EXTENSION_REQUESTED, PartState.COMPLETION_REQUESTED,
                     PartState.SUPPLEMENTING, PartState.RECTIFYING)
CLOSED_TASK_STATES = (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)
QUARTER_END_MONTHS = (3, 6, 9, 12)


@dataclass(frozen=True)
class MissingReport:
    """One report a department owes for a period."""

    period_id: int
    plan_id: int
    task_id: int
    task_number: int
    task_title: str
    department_id: int
    department_name: str
    driver_id: int | None = None


@dataclass(frozen=True)
class RedDepartment:
    """A department still without its reports when the chase reached the red level."""

    department_id: int
    department_name: str
    missing: tuple[MissingReport, ...]

    @property
    def task_numbers(self) -> list[int]:
        return [row.task_number for row in self.missing]


@dataclass(frozen=True)
class _Owed:
    plan_id: int
    driver_id: int | None
    task_id: int
    task_number: int
    task_title: str
    feedback_type: str
    feedback_cycle: str
    created_on: datetime.date
    department_id: int
    department_name: str


_TASK_FIELDS = ("task__plan_id", "task__driver_id", "task_id", "task__number", "task__title",
                "task__feedback_type", "task__feedback_cycle", "created_at")


def _owing_parts(*, plan_ids: set[int] | None = None,
                 task_ids: set[int] | None = None) -> list[_Owed]:
    """Every live department part on open tasks, groups expanded (2 queries)."""
    parts = (Assignment.objects.filter(state__in=OWING_PART_STATES)
             .exclude(task__status__in=CLOSED_TASK_STATES))
    if plan_ids is not None:
        parts = parts.filter(task__plan_id__in=plan_ids)
    if task_ids is not None:
        parts = parts.filter(task_id__in=task_ids)
    direct = parts.filter(department__isnull=False, department__is_active=True).values_list(
        *_TASK_FIELDS, "department_id", "department__name")
    grouped = parts.filter(group__isnull=False, group__members__is_active=True).values_list(
        *_TASK_FIELDS, "group__members__id", "group__members__name")
    owed: dict[tuple[int, int], _Owed] = {}
    for rows in (direct, grouped):
        for plan_id, driver_id, task_id, number, title, *feedback, created, dept, name in rows:
            created_on = timezone.localtime(created).date()
            if (task_id, dept) not in owed or created_on < owed[task_id, dept].created_on:
                owed[task_id, dept] = _Owed(plan_id, driver_id, task_id, number, title, *feedback,
                                            created_on, dept, name)
    return list(owed.values())


def departments_on_tasks(task_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """(department id, name) of the departments working on each open task (2 queries)."""
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in sorted(_owing_parts(task_ids=task_ids), key=lambda r: r.department_name):
        result[row.task_id].append((row.department_id, row.department_name))
    return result


def _is_due(row: _Owed, period: ReportingPeriod) -> bool:
    if row.created_on > period.deadline:
        return False
    return (row.feedback_cycle != FeedbackCycle.QUARTERLY
            or period.month.month in QUARTER_END_MONTHS)


def missing_reports_for(
    periods: Iterable[ReportingPeriod], *, as_of: datetime.datetime | None = None,
) -> dict[int, list[MissingReport]]:
    """Missing reports by period id, ordered by task number and department name.

    ``as_of``: count only reports filed before that moment. Three queries whatever the number
    of periods, tasks and departments.
    """
    periods = list(periods)
    if not periods:
        return {}
    owed = [row for row in _owing_parts(plan_ids={period.plan_id for period in periods})
            if row.feedback_type != FeedbackType.ONE_OFF]
    filed = ProgressReport.objects.filter(period__in=periods, state__in=FILED_STATES)
    if as_of is not None:
        filed = filed.filter(submitted_at__lt=as_of)
    done = set(filed.values_list("period_id", "task_id", "department_id"))
    result: dict[int, list[MissingReport]] = {}
    for period in periods:
        rows = [
            MissingReport(period.pk, row.plan_id, row.task_id, row.task_number, row.task_title,
                          row.department_id, row.department_name, row.driver_id)
            for row in owed
            if row.plan_id == period.plan_id and _is_due(row, period)
            and (period.pk, row.task_id, row.department_id) not in done
        ]
        result[period.pk] = sorted(rows, key=lambda r: (r.task_number, r.department_name))
    return result


def missing_reports(period: ReportingPeriod) -> list[MissingReport]:
    """Reports still owed for the period, now."""
    return missing_reports_for([period])[period.pk]


def red_day(period: ReportingPeriod, schedule: Schedule) -> datetime.date:
    """The working day on which a missing report is escalated to the lead office (red)."""
    return add_working_days(period.deadline, schedule.chase_lead_office_after)


def red_departments(period: ReportingPeriod, today: datetime.date) -> list[RedDepartment]:
    """Departments named red for the period: still without a report when the chase turned red
    (the red day at the schedule's send time). Empty before that day."""
    schedule = Schedule.objects.get(plan_id=period.plan_id)
    day = red_day(period, schedule)
    if today < day:
        return []
    as_of = timezone.make_aware(datetime.datetime.combine(day, schedule.send_time))
    by_department: dict[int, list[MissingReport]] = defaultdict(list)
    for row in missing_reports_for([period], as_of=as_of)[period.pk]:
        by_department[row.department_id].append(row)
    return sorted(
        (RedDepartment(rows[0].department_id, rows[0].department_name, tuple(rows))
         for rows in by_department.values()),
        key=lambda red: red.department_name,
    )
