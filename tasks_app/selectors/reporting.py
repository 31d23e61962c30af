"""Who had to report, and who reported on time — per department, over a list of periods.

A department is *expected* to report on a task for a period when it had a part in the task
on the period's deadline — directly, or as a member of a group named on it (see
tasks_app.permissions): the part was given by then, and neither the part nor the task was
closed (completed or suspended) by then. Closing dates are the ``closed_at`` columns: the
department's part's, else the task's; a closed part without a closing time is not
expected. Transferred parts, inactive departments and one-off items (一次性反馈) are never
expected; items reporting quarterly only in a quarter's last month (the same rules as the
cycle's chases). A report counts when it is submitted (submitted, approved by the head, or
accepted); it is on time when it was not filed after the deadline (``is_late``). The
bulletin's on-time rates and the assessment's timeliness score read these numbers; the
counting is tasks_app.rules.obligations'.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet

from ..models import Assignment, Plan, ReportingPeriod
from ..rules.obligations import owed_and_filed
from ..rules.states import INACTIVE_PARTS

__all__ = ["Compliance", "per_department", "reporting_compliance", "tracked_periods"]


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


def tracked_periods(plan: Plan, months: Iterable[datetime.date]) -> list[ReportingPeriod]:
    """The plan's existing periods for these months, from its tracking start on."""
    start = plan.tracking_start.replace(day=1)
    return list(ReportingPeriod.objects.filter(
        plan=plan, month__in=[m for m in months if m >= start]).order_by("month"))


def reporting_compliance(plan: Plan, periods: list[ReportingPeriod]) -> dict[int, Compliance]:
    """Department id → :class:`Compliance` over ``periods``. Four queries whatever the size."""
    return {department_id: Compliance(*counts)
            for department_id, counts in owed_and_filed(plan, periods).items() if any(counts)}


def per_department(tasks: QuerySet, *, values: tuple[str, ...] = (),
                   excluded_parts: tuple[str, ...] = INACTIVE_PARTS,
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
