"""Read paths for the department portal: each page's data in a fixed number of queries.

A department user's view of the world is "the tasks my departments have a live part in"
(directly or through a group). Everything here starts from an :class:`Access`.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, Subquery

from departments.access import Access
from departments.models import Department, DepartmentGroup

from ..choices import AssignmentRole, FeedbackCycle, Health, ReportState, ReportStatus
from ..health import with_health
from ..models import (
    Assignment,
    Attachment,
    ProgressReport,
    ReportingPeriod,
    Task,
    TaskEvent,
    TaskSummary,
)
from ..models.reports import REPORT_FIELDS
from ..permissions import (
    live_parts,
    parts_of_departments,
    visible_reports,
    visible_tasks,
)
from ..rules.obligations import (
    DUE,
    OVERDUE,
    STANDING_LABELS,
    MissingReport,
    asked_periods,
    owed_reports,
)
from ..rules.states import CLOSED_TASKS, EDITABLE_REPORTS, WITHDRAWABLE_REPORTS
from ..visibility import visible_events
from ..workdays import month_start
from .owed import recent_periods


def department_roles(department_ids) -> dict[int, dict[int, tuple[str, str]]]:
    """Task id → {department id: (role, department name)} for these departments.

    Groups are expanded to the departments of ``department_ids`` that belong to them; a
    direct part wins over a group's, and of two groups' parts the first in the task's
    order. One query (in the parts' order within a task, not the plans': no join to them).
    """
    ids = set(department_ids)
    rows = parts_of_departments(ids).order_by("role", "position", "id").values_list(
        "task_id", "role", "department_id", "department__name", "group__members",
        "group__members__name")
    roles: dict[int, dict[int, tuple[str, str]]] = {}
    for task_id, role, department_id, name, member_id, member_name in sorted(
            rows, key=lambda row: row[2] is None):
        if department_id is not None:
            roles.setdefault(task_id, {})[department_id] = (role, name)
        elif member_id in ids:
            roles.setdefault(task_id, {}).setdefault(member_id, (role, member_name))
    return roles


# ---------------------------------------------------------------- home


@dataclass
class HomeRow:
    """One task as one of the user's departments sees it, with the period it reports for:
    the overdue one if a report is still missing there, else the one coming up."""

    task: Task
    department_id: int
    department_name: str
    role: str
    period: ReportingPeriod | None
    report: ProgressReport | None
    standing: str | None = None  # DUE (待报送), OVERDUE (逾期未报) or None: nothing owed

    @property
    def is_active(self) -> bool:
        return self.task.status not in CLOSED_TASKS

    @property
    def needs_report(self) -> bool:
        """The rules say the department owes this report (tasks_app.rules.obligations)."""
        return self.standing is not None

    @property
    def is_overdue(self) -> bool:
        return self.standing == OVERDUE

    @property
    def is_returned(self) -> bool:
        """Its report came back from review: the next thing the liaison has to do."""
        return self.report is not None and self.report.state == ReportState.RETURNED

    @property
    def standing_label(self) -> str:
        return str(STANDING_LABELS[self.standing]) if self.standing else ""


@dataclass
class Home:
    departments: list[Department]
    rows: list[HomeRow]

    @cached_property
    def missing(self) -> list[HomeRow]:
        return [row for row in self.rows if row.needs_report]

    @cached_property
    def due(self) -> list[HomeRow]:
        return [row for row in self.rows if row.standing == DUE]

    @cached_property
    def overdue(self) -> list[HomeRow]:
        return [row for row in self.rows if row.standing == OVERDUE]

    @cached_property
    def red_count(self) -> int:
        return len({row.task.pk for row in self.rows
                    if row.task.health == Health.RED})  # type: ignore[attr-defined]  # annotated

    @cached_property
    def sheets(self) -> list[dict]:
        """The batch-report pages worth linking: one per (period, department)."""
        seen: dict[tuple[int, int], dict] = {}
        for row in self.rows:
            if row.period is None or not row.is_active:
                continue
            sheet = seen.setdefault((row.period.pk, row.department_id), {
                "period": row.period, "plan": row.task.plan, "department_id": row.department_id,
                "department_name": row.department_name, "due": 0, "missing": 0,
                "overdue": row.is_overdue})
            sheet["due"] += 1
            sheet["missing"] += row.needs_report
        return list(seen.values())


def _asked(tasks: list[Task], periods: dict[int, list[ReportingPeriod]],
           today: datetime.date) -> dict[int, list[tuple[str, ReportingPeriod]]]:
    """Plan id → the periods a report may be asked for: the chased one (逾期未报) first,
    then the one coming up (待报送) — months, and weeks for weekly items; else this month's
    (this week's), to show its report."""
    return {plan.pk: asked_periods(periods.get(plan.pk, []), today, plan.tracking_start)
            for plan in {task.plan_id: task.plan for task in tasks}.values()}


def _current(periods: list[ReportingPeriod], today: datetime.date,
             weekly: bool) -> ReportingPeriod | None:
    """This month's period, or this week's for a weekly item."""
    if weekly:
        return next((p for p in periods if p.is_weekly and p.opens_on <= today
                     and (today - p.opens_on).days < 7), None)
    return next((p for p in periods if not p.is_weekly and p.month == month_start(today)), None)


# What the home page shows of a task, its plan and driver (not the task's text).
_HOME_TASK_FIELDS = ("plan__code", "plan__tracking_start", "driver__title", "number", "title",
                     "due_on", "status", "progress", "feedback_type", "feedback_cycle",
                     "health_override", "health_override_reason")


def home(access: Access, today: datetime.date, now: datetime.datetime | None = None) -> Home:
    """The user's departments' tasks across plans: returned reports first, then missing
    ones (6 queries)."""
    ids = access.department_ids
    departments = list(Department.objects.filter(pk__in=ids).order_by("name"))
    if not ids:
        return Home(departments, [])
    roles = department_roles(ids)
    # The tasks the roles name, by id: the visible tasks without a second subquery to plan.
    tasks = list(with_health(Task.objects.filter(pk__in=list(roles)), now)
                 .select_related("plan", "driver").only(*_HOME_TASK_FIELDS))
    periods = recent_periods({t.plan_id for t in tasks}, today) if tasks else {}
    asked = _asked(tasks, periods, today)
    shown = [period for pairs in asked.values() for _, period in pairs]
    owed: dict[tuple[int, int, int], MissingReport] = {
        (row.period_id, row.task_id, row.department_id): row
        for rows in owed_reports(shown, department_ids=ids, times=False).values()
        for row in rows}
    current = {(plan_id, weekly): _current(mine, today, weekly)
               for plan_id, mine in periods.items() for weekly in (False, True)}
    reports = {
        (r.period_id, r.task_id, r.department_id): r
        for r in ProgressReport.objects.filter(
            period_id__in=[p.pk for p in shown] + [p.pk for p in current.values() if p],
            department_id__in=ids,
        ).order_by().only("id", "task_id", "department_id", "period_id", "state", "version",
                          "is_late", "submitted_at", "progress", "status")
    } if periods else {}
    rows = []
    for task in tasks:
        for department_id, (role, name) in sorted(roles.get(task.pk, {}).items()):
            standing, period = None, current.get(
                (task.plan_id, task.feedback_cycle == FeedbackCycle.WEEKLY))
            for candidate, asked_period in asked.get(task.plan_id, []):
                row = owed.get((asked_period.pk, task.pk, department_id))
                if row is not None and not row.filed:
                    standing, period = candidate, asked_period
                    break
            report = reports.get((period.pk, task.pk, department_id)) if period else None
            rows.append(HomeRow(task, department_id, name, role, period, report, standing))
    rows.sort(key=lambda r: (not r.is_returned, not r.is_overdue, not r.needs_report,
                             not r.is_active,
                             r.task.plan_id, r.task.number))
    return Home(departments, rows)


# ---------------------------------------------------------------- task page


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "report", "summary" or "event"
    item: object


@dataclass
class TaskDetail:
    task: Task
    parts: list[Assignment]
    milestones: list
    reports: list[ProgressReport]
    summaries: list[TaskSummary]
    events: list[TaskEvent]
    my_departments: dict[int, str] = field(default_factory=dict)  # id → role on this task
    leads_here: bool = False

    @property
    def timeline(self) -> list[TimelineEntry]:
        entries = [TimelineEntry(r.submitted_at or r.updated_at, "report", r)
                   for r in self.reports]
        entries += [TimelineEntry(s.updated_at, "summary", s) for s in self.summaries]
        entries += [TimelineEntry(e.at, "event", e) for e in self.events]
        return sorted(entries, key=lambda e: e.at, reverse=True)

    @property
    def attachments(self) -> list[Attachment]:
        return [a for r in self.reports for a in r.attachments.all()]


def _parts_with_mine(task: Task, department_ids) -> list[Assignment]:
    """The task's live parts; ``mine`` is the user's department holding the part, if any."""
    through = DepartmentGroup.members.through.objects.filter(
        departmentgroup_id=OuterRef("group_id"), department_id__in=department_ids)
    return list(live_parts().filter(task=task).select_related("department", "group")
                .annotate(member_of_mine=Subquery(through.values("department_id")[:1]))
                .order_by("role", "position", "id"))


def visible_task(access: Access, pk: int, now: datetime.datetime | None = None) -> Task:
    """One task the user may see, with health, plan and driver; Task.DoesNotExist if not."""
    return with_health(visible_tasks(access).select_related("plan", "driver"), now).get(pk=pk)


def task_detail(access: Access, pk: int, now: datetime.datetime | None = None) -> TaskDetail:
    """Everything the task page shows (7 queries); Task.DoesNotExist when invisible."""
    task = visible_task(access, pk, now)
    ids = access.department_ids
    parts = _parts_with_mine(task, ids)
    mine: dict[int, str] = {}
    for part in parts:
        holder = (part.department_id if part.department_id in ids
                  else part.member_of_mine)  # type: ignore[attr-defined]  # annotated
        if holder:
            mine.setdefault(holder, part.role)
    leads_here = AssignmentRole.LEAD in mine.values()
    # What the timeline shows of a report (who reviewed it is on the review page): each
    # join more cost PostgreSQL ≈ 1 ms of planning for a task's twenty reports.
    reports = (visible_reports(access, task.reports.all())
               .select_related("department", "period", "submitted_by")
               .prefetch_related("attachments"))
    events = visible_events(access, task, task.events.select_related("actor", "department"),
                            leads_here=leads_here)
    return TaskDetail(
        task=task, parts=parts, milestones=list(task.milestones.all()), reports=list(reports),
        summaries=list(task.summaries.select_related("period", "author")),
        events=list(events), my_departments=mine, leads_here=leads_here,
    )


# ---------------------------------------------------------------- batch report (the sheet)


@dataclass
class SheetRow:
    """One row of the old Excel sheet: a task, this period's report, the previous one."""

    task: Task
    role: str
    report: ProgressReport | None
    previous: ProgressReport | None

    @property
    def version(self) -> int:
        return self.report.version if self.report else 0

    @property
    def editable(self) -> bool:
        return self.report is None or self.report.state in EDITABLE_REPORTS

    @property
    def withdrawable(self) -> bool:
        return self.report is not None and self.report.state in WITHDRAWABLE_REPORTS

    @property
    def prefilled(self) -> bool:
        return self.report is None and self.previous is not None

    @property
    def values(self) -> dict:
        return report_initial(self.task, self.report, self.previous)


def report_initial(task: Task, report: ProgressReport | None,
                   previous: ProgressReport | None) -> dict:
    """A report form's starting values: this period's report, else the previous one's
    (only what changed needs typing again), else the task's current progress."""
    source = report or previous
    if source is None:
        return {"status": ReportStatus.ON_TRACK, "progress": task.progress, "progress_text": "",
                "problems": "", "next_steps": "", "needs_coordination": False}
    values = {name: getattr(source, name) for name in REPORT_FIELDS}
    if report is None:
        values["needs_coordination"] = False  # a request to the meeting is per month
    return values


def sheet_rows(period: ReportingPeriod, department_id: int,
               task_id: int | None = None, *, attachments: bool = True) -> list[SheetRow]:
    """The department's active tasks in the period's plan with current and previous reports:
    a weekly period's sheet lists the weekly items, a monthly one the others.

    Two queries whatever the number of tasks (the tasks with the ids of both reports, then
    the reports), a third for the reports' attachments when ``attachments``.
    """
    parts = parts_of_departments([department_id]).filter(task=OuterRef("pk"))
    previous = ProgressReport.objects.filter(
        task=OuterRef("pk"), department_id=department_id, period__plan_id=period.plan_id,
        period__deadline__lt=period.deadline,
    ).order_by("-period__deadline").values("pk")[:1]
    current = ProgressReport.objects.filter(
        task=OuterRef("pk"), period=period, department_id=department_id).values("pk")[:1]
    weekly = Q(feedback_cycle=FeedbackCycle.WEEKLY)
    tasks = (Task.objects.filter(Exists(parts), plan_id=period.plan_id)
             .filter(weekly if period.is_weekly else ~weekly)
             .exclude(status__in=CLOSED_TASKS)
             .annotate(my_role=Subquery(parts.order_by("role").values("role")[:1]),
                       previous_id=Subquery(previous), current_id=Subquery(current))
             .order_by("number"))
    if task_id is not None:
        tasks = tasks.filter(pk=task_id)
    found_tasks = list(tasks)
    if not found_tasks:
        return []
    reports = ProgressReport.objects.select_related("period")
    if attachments:
        reports = reports.prefetch_related("attachments")
    found = reports.in_bulk([report_id for t in found_tasks
                             for report_id in (t.current_id, t.previous_id) if report_id])
    return [SheetRow(t, t.my_role, found.get(t.current_id), found.get(t.previous_id))
            for t in found_tasks]


def department_on_plan(department_id: int, plan_id: int) -> bool:
    return parts_of_departments([department_id]).filter(task__plan_id=plan_id).exists()
