"""Who had to report, and who reported on time — per department and period, counted in SQL.

A department is *expected* to report on a task for a period when it had a part in the task
on the period's deadline — directly, or as a member of a group named on it (see
tasks_app.permissions): the part was given by then, and neither the part nor the task was
closed (completed or suspended) by then. Closing dates come from the task's history: PART
events of the department's part, else the STATUS event that closed the task; a closed part
whose closing is nowhere in the history is not expected. Transferred parts, inactive
departments and one-off items (一次性反馈) are never expected; items reporting quarterly
only in a quarter's last month (the same rules as the cycle's chases). A report counts when
it is submitted (submitted, approved by the head, or accepted); it is on time when it was
not filed after the deadline (``is_late``). The bulletin's on-time rates, the departments
it names, and the assessment's timeliness score all read these numbers.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import translation

from ..choices import (
    EventKind,
    FeedbackCycle,
    FeedbackType,
    PartState,
    ReportState,
    TaskStatus,
)
from ..models import Assignment, Plan, ProgressReport, ReportingPeriod, Schedule, TaskEvent
from ..workdays import add_working_days

CLOSED_PARTS = (PartState.SUSPENDED, PartState.COMPLETED)
CLOSED_TASKS = (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)
SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.HEAD_APPROVED, ReportState.ACCEPTED)
QUARTER_END_MONTHS = (3, 6, 9, 12)


def history_labels(*choices) -> list[str]:
    """Labels as history rows store them (before → after), in every language of the site."""
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.update(str(choice.label) for choice in choices)
    return sorted(labels)


def _closed_on(*, part: bool) -> TruncDate:
    """The day the part (or its task) was last closed, from the task's history."""
    if part:
        events = TaskEvent.objects.filter(
            task=OuterRef("task_id"), department=OuterRef("department_id"),
            kind=EventKind.PART, field="state", after__in=history_labels(*CLOSED_PARTS))
    else:
        events = TaskEvent.objects.filter(
            task=OuterRef("task_id"), kind=EventKind.STATUS, field="status",
            after__in=history_labels(*CLOSED_TASKS))
    return TruncDate(Subquery(events.order_by("-at").values("at")[:1]))


def reporting_parts(plan: Plan) -> QuerySet[Assignment]:
    """The plan's parts that are not transferred, with the aliases :func:`open_on` reads."""
    return (Assignment.objects.filter(task__plan_id=plan.pk)
            .exclude(state=PartState.TRANSFERRED)
            .exclude(task__feedback_type=FeedbackType.ONE_OFF)
            .alias(given_on=TruncDate("created_at"), task_closed_on=_closed_on(part=False))
            .alias(part_closed_on=Coalesce(_closed_on(part=True), "task_closed_on")))


def open_on(day) -> Q:
    """The part was live on ``day`` (a date or an OuterRef to one). Cheap tests come first
    so that the history is only read for closed parts."""
    return (Q(given_on__lte=day)
            & (~Q(state__in=CLOSED_PARTS) | Q(part_closed_on__gt=day))
            & (~Q(task__status__in=CLOSED_TASKS) | Q(task_closed_on__gt=day)))


@dataclass
class Compliance:
    expected: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return max(self.expected - self.on_time - self.late, 0)

    @property
    def rate(self) -> float | None:
        """On-time share of expected reports, None when nothing was expected."""
        return min(self.on_time / self.expected, 1.0) if self.expected else None

    def add(self, other: "Compliance") -> None:
        self.expected += other.expected
        self.on_time += other.on_time
        self.late += other.late


def tracked_periods(plan: Plan, months: Iterable[datetime.date]) -> list[ReportingPeriod]:
    """The plan's existing periods for these months, from its tracking start on."""
    start = plan.tracking_start.replace(day=1)
    return list(ReportingPeriod.objects.filter(
        plan=plan, month__in=[m for m in months if m >= start]).order_by("month"))


def _reports_in(period: ReportingPeriod) -> Q:
    """Tasks that report every quarter owe a report only in a quarter's last month."""
    if period.month.month in QUARTER_END_MONTHS:
        return Q()
    return ~Q(task__feedback_cycle=FeedbackCycle.QUARTERLY)


def _expected(plan: Plan, periods: list[ReportingPeriod]) -> dict[tuple[int, int], int]:
    """(department id, period id) → number of tasks it had to report on. Two queries."""
    counts = {f"p{period.pk}": Count("task_id", distinct=True,
                                     filter=open_on(period.deadline) & _reports_in(period))
              for period in periods}
    parts = reporting_parts(plan)
    direct = (parts.filter(department__isnull=False, department__is_active=True)
              .values(dept=F("department_id")))
    named_directly = reporting_parts(plan).filter(task_id=OuterRef("task_id"),
                                                  department_id=OuterRef("dept"))
    via_group = (parts.filter(group__isnull=False)
                 .annotate(dept=F("group__members"), active=F("group__members__is_active"))
                 .filter(dept__isnull=False, active=True).exclude(Exists(named_directly))
                 .values("dept"))
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for rows in (direct.annotate(**counts), via_group.annotate(**counts)):
        for row in rows:
            for period in periods:
                expected[row["dept"], period.pk] += row[f"p{period.pk}"]
    return expected


def _submitted(plan: Plan, periods: list[ReportingPeriod]) -> dict[tuple[int, int], tuple]:
    """(department id, period id) → (on time, late) among expected reports. One query."""
    parts = reporting_parts(plan).filter(open_on(OuterRef("period__deadline")),
                                         task_id=OuterRef("task_id"))
    on_part = (Exists(parts.filter(department_id=OuterRef("department_id")))
               | Exists(parts.filter(group__members=OuterRef("department_id"))))
    off_month = (Q(task__feedback_cycle=FeedbackCycle.QUARTERLY)
                 & ~Q(period__month__month__in=QUARTER_END_MONTHS))
    rows = (ProgressReport.objects.filter(period__in=periods, state__in=SUBMITTED_STATES,
                                          department__is_active=True)
            .exclude(off_month).filter(on_part).order_by().values("department_id", "period_id")
            .annotate(on_time=Count("id", filter=Q(is_late=False)),
                      late=Count("id", filter=Q(is_late=True))))
    return {(r["department_id"], r["period_id"]): (r["on_time"], r["late"]) for r in rows}


def reporting_compliance(
    plan: Plan, periods: list[ReportingPeriod]
) -> dict[tuple[int, int], Compliance]:
    """(department id, period id) → :class:`Compliance`. Three queries whatever the size."""
    if not periods:
        return {}
    expected = _expected(plan, periods)
    submitted = _submitted(plan, periods)
    result: dict[tuple[int, int], Compliance] = {}
    for key in expected.keys() | submitted.keys():
        on_time, late = submitted.get(key, (0, 0))
        if expected.get(key, 0) or on_time or late:
            result[key] = Compliance(expected.get(key, 0), on_time, late)
    return result


def compliance_by_department(
    compliance: dict[tuple[int, int], Compliance]
) -> dict[int, Compliance]:
    totals: dict[int, Compliance] = defaultdict(Compliance)
    for (department_id, _period_id), counts in compliance.items():
        totals[department_id].add(counts)
    return dict(totals)


def red_on(schedule: Schedule, period: ReportingPeriod) -> datetime.date:
    """The day a missing report reaches the red step of the ladder (named in the bulletin)."""
    return add_working_days(period.deadline, schedule.chase_lead_office_after)


def named_departments(
    schedule: Schedule, periods: list[ReportingPeriod],
    compliance: dict[tuple[int, int], Compliance], today: datetime.date,
) -> dict[int, list[tuple[ReportingPeriod, int]]]:
    """Department id → [(period, missing reports)] for periods already at the red step.

    Our own selector for the departments a bulletin names; it reads the same counts as the
    on-time rates so that the bulletin never contradicts itself.
    """
    named: dict[int, list[tuple[ReportingPeriod, int]]] = defaultdict(list)
    for period in periods:
        if red_on(schedule, period) > today:
            continue
        for (department_id, period_id), counts in compliance.items():
            if period_id == period.pk and counts.missing:
                named[department_id].append((period, counts.missing))
    return dict(named)


def per_department(tasks: QuerySet, *, values: tuple[str, ...] = (),
                   excluded_parts: tuple[str, ...] = (PartState.TRANSFERRED,),
                   **aggregates) -> list[dict]:
    """Aggregate a Task queryset per department working on the tasks. Two queries.

    Rows carry ``dept`` plus ``values`` and ``aggregates`` (use ``distinct=True`` counts
    over task ids). A department counts once per task: directly named, or else through a
    group it belongs to; a department named both ways appears only in the direct rows.
    """
    named = Assignment.objects.filter(task_id=OuterRef("pk"), department_id=OuterRef("dept"))
    rows = []
    for path, extra in (("assignments__department_id", None),
                        ("assignments__group__members",
                         Exists(named.exclude(state__in=excluded_parts)))):
        queryset = (tasks.annotate(dept=F(path), part_state=F("assignments__state"))
                    .filter(dept__isnull=False).exclude(part_state__in=excluded_parts))
        if extra is not None:
            queryset = queryset.exclude(extra)
        rows.extend(queryset.order_by().values("dept", *values).annotate(**aggregates))
    return rows
