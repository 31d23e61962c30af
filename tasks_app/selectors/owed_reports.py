"""Which reports were owed and which arrived, per department and period (rules: reporting.py).

Open parts (the part and its task still open) owe a report for every period whose deadline
came after they were given: counted in SQL, grouped by department and day given. Closed
parts (completed or suspended, or on a closed task) owed reports only until they closed;
their rows and their closing days (``closed_at`` of tasks and parts, two queries) are laid over
the periods here. Nothing is read per report or per period: nine queries whatever the size.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..choices import FeedbackCycle, FeedbackType, PartState, ReportState, TaskStatus
from ..models import Assignment, Plan, ProgressReport, ReportingPeriod, Task

CLOSED_PARTS = (PartState.SUSPENDED, PartState.COMPLETED)
LIVE_PARTS = tuple(state for state in PartState.values if state != PartState.TRANSFERRED)
OPEN_PARTS = tuple(state for state in LIVE_PARTS if state not in CLOSED_PARTS)
CLOSED_TASKS = (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)
SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.HEAD_APPROVED, ReportState.ACCEPTED)
QUARTER_END_MONTHS = (3, 6, 9, 12)
NEVER = datetime.date(1900, 1, 1)  # closed, but the history does not say when
OPEN = Q(state__in=OPEN_PARTS) & ~Q(task__status__in=CLOSED_TASKS)

Counts = dict[tuple[int, int], list[int]]  # (department id, period id) → [owed, on time, late]


def owes(given_on: datetime.date, closed_on: datetime.date | None, cycle: str,
         period: ReportingPeriod) -> bool:
    """A part given on ``given_on`` and closed on ``closed_on`` owed a report for ``period``."""
    if cycle == FeedbackCycle.QUARTERLY and period.month.month not in QUARTER_END_MONTHS:
        return False
    return given_on <= period.deadline and (closed_on is None or closed_on > period.deadline)


def _candidates(plan: Plan) -> tuple[QuerySet, QuerySet]:
    """Parts that may owe reports, with ``dept`` and ``given_on``: direct ones of active
    departments, and group ones for each active member not named directly (a member of two
    groups on one task counts once, through the group given first)."""
    parts = (Assignment.objects.filter(task__plan_id=plan.pk, state__in=LIVE_PARTS)
             .exclude(task__feedback_type=FeedbackType.ONE_OFF)
             .annotate(given_on=TruncDate("created_at")))
    direct = parts.filter(department__isnull=False, department__is_active=True).annotate(
        dept=F("department_id"))
    live = Assignment.objects.filter(task_id=OuterRef("task_id"), state__in=LIVE_PARTS)
    via_group = (parts.filter(group__isnull=False)
                 .annotate(dept=F("group__members"), active=F("group__members__is_active"))
                 .filter(dept__isnull=False, active=True)
                 .exclude(Exists(live.filter(department_id=OuterRef("dept"))))
                 .exclude(Exists(live.filter(group__members=OuterRef("dept"),
                                             pk__lt=OuterRef("pk")))))
    return direct, via_group


def _local_days(rows: Iterable[tuple]) -> dict:
    return {key: timezone.localtime(at).date() for key, at in rows}


def _closing_days(plan: Plan) -> tuple[dict[int, datetime.date], dict[tuple, datetime.date]]:
    """Task id → day the task was last closed; (task, department) → day the part was
    (the ``closed_at`` columns the lifecycle services set when they close)."""
    tasks = (Task.objects.filter(plan_id=plan.pk, closed_at__isnull=False).order_by()
             .values_list("pk", "closed_at"))
    parts = (Assignment.objects.filter(task__plan_id=plan.pk, department__isnull=False,
                                       closed_at__isnull=False)
             .order_by("closed_at").values_list("task_id", "department_id", "closed_at"))
    return _local_days(tasks), _local_days(((t, d), at) for t, d, at in parts)


@dataclass(frozen=True)
class ClosedPart:
    given_on: datetime.date
    closed_on: datetime.date
    cycle: str


def _closed_parts(plan: Plan) -> dict[tuple[int, int], ClosedPart]:
    """(department id, task id) → the closed part's days. Four queries."""
    task_days, part_days = _closing_days(plan)
    result: dict[tuple[int, int], ClosedPart] = {}
    for queryset, through_group in zip(_candidates(plan), (False, True)):
        rows = queryset.exclude(OPEN).order_by().values_list(
            "dept", "task_id", "given_on", "task__feedback_cycle", "state", "task__status")
        for dept, task_id, given_on, cycle, state, status in rows:
            days = [task_days.get(task_id, NEVER)] if status in CLOSED_TASKS else []
            if state in CLOSED_PARTS:
                own = None if through_group else part_days.get((task_id, dept))
                days.append(own or task_days.get(task_id, NEVER))
            result[dept, task_id] = ClosedPart(given_on, min(days), cycle)
    return result


def _owed(plan: Plan, periods: list[ReportingPeriod],
          closed: dict[tuple[int, int], ClosedPart], counts: Counts) -> None:
    """Add the reports owed by open parts (two grouped queries) and by closed parts."""
    for queryset in _candidates(plan):
        for row in (queryset.filter(OPEN).order_by()
                    .values("dept", "given_on", "task__feedback_cycle")
                    .annotate(n=Count("task_id", distinct=True))):
            for period in periods:
                if owes(row["given_on"], None, row["task__feedback_cycle"], period):
                    counts[row["dept"], period.pk][0] += row["n"]
    for (dept, _task_id), part in closed.items():
        for period in periods:
            if owes(part.given_on, part.closed_on, part.cycle, period):
                counts[dept, period.pk][0] += 1


def _reports(periods: list[ReportingPeriod]) -> QuerySet[ProgressReport]:
    return (ProgressReport.objects.filter(period__in=periods, state__in=SUBMITTED_STATES,
                                          department__is_active=True)
            .exclude(task__feedback_type=FeedbackType.ONE_OFF)
            .exclude(Q(task__feedback_cycle=FeedbackCycle.QUARTERLY)
                     & ~Q(period__month__month__in=QUARTER_END_MONTHS))
            .order_by())


def _add_filed(rows, counts: Counts) -> None:
    for row in rows.values("department_id", "period_id").annotate(
            on_time=Count("id", filter=Q(is_late=False)), late=Count("id", filter=Q(is_late=True))):
        counts[row["department_id"], row["period_id"]][1] += row["on_time"]
        counts[row["department_id"], row["period_id"]][2] += row["late"]


def _filed(plan: Plan, periods: list[ReportingPeriod],
           closed: dict[tuple[int, int], ClosedPart], counts: Counts) -> None:
    """Add the owed reports that were filed: on open parts (joined to the department's own
    part, or through a group) in SQL; on closed parts by (department, task, period)."""
    reports = _reports(periods)
    open_task = ~Q(task__status__in=CLOSED_TASKS)
    _add_filed(reports.filter(open_task, task__assignments__department_id=F("department_id"),
                              task__assignments__state__in=OPEN_PARTS)
               .alias(given_on=TruncDate("task__assignments__created_at"))
               .filter(given_on__lte=F("period__deadline")), counts)
    live = Assignment.objects.filter(task_id=OuterRef("task_id"), state__in=LIVE_PARTS)
    group_part = (live.filter(state__in=OPEN_PARTS, group__members=OuterRef("department_id"))
                  .alias(given_on=TruncDate("created_at"))
                  .filter(given_on__lte=OuterRef("period__deadline")))
    grouped = Assignment.objects.filter(task__plan_id=plan.pk, group__isnull=False)
    _add_filed(reports.filter(open_task, task__in=grouped.values("task_id"))
               .filter(Exists(group_part))
               .exclude(Exists(live.filter(department_id=OuterRef("department_id")))), counts)
    closing = Assignment.objects.filter(task__plan_id=plan.pk, state__in=CLOSED_PARTS)
    rows = (reports.filter(Q(task__status__in=CLOSED_TASKS)
                           | Q(task__in=closing.values("task_id")))
            .values_list("department_id", "task_id", "period_id", "is_late")
            .annotate(n=Count("id")))
    by_id = {period.pk: period for period in periods}
    for dept, task_id, period_id, is_late, n in rows:
        part = closed.get((dept, task_id))
        if part and owes(part.given_on, part.closed_on, part.cycle, by_id[period_id]):
            counts[dept, period_id][2 if is_late else 1] += n


def owed_and_filed(plan: Plan, periods: list[ReportingPeriod]) -> Counts:
    """(department id, period id) → [owed, filed on time, filed late]."""
    counts: Counts = defaultdict(lambda: [0, 0, 0])
    if periods:
        closed = _closed_parts(plan)
        _owed(plan, periods, closed, counts)
        _filed(plan, periods, closed, counts)
    return counts
