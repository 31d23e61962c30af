"""Read paths for targets and their monthly readings."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from departments.access import Access

from ..attainment import is_behind, target_expected
from ..models import Target, TargetAssignment, TargetReading
from ..permissions import enters_readings, target_departments, visible_targets
from ..workdays import add_months


def target_list(access: Access) -> QuerySet[Target]:
    """The targets the user sees, with their units (and the units' group members)."""
    units = TargetAssignment.objects.select_related("department", "group").prefetch_related(
        "group__members").order_by("role", "position", "id")
    return visible_targets(access).prefetch_related(Prefetch("assignments", units))


def reading_list(access: Access) -> QuerySet[TargetReading]:
    readings = TargetReading.objects.select_related("target", "department", "reported_by")
    if access.reads_everything:
        return readings
    return readings.filter(target__in=visible_targets(access).values("pk"))


@dataclass
class IndicatorRow:
    """One target on the monitoring page: this month's figure, last month's, the path."""

    target: Target
    reading: TargetReading | None
    previous: TargetReading | None
    expected: Decimal | None
    may_enter: bool  # the user enters its figure (permissions.enters_readings)

    @property
    def behind(self) -> bool:
        return self.reading is not None and is_behind(self.target.kind, self.expected,
                                                      self.reading.value)


def indicator_rows(access: Access, month: datetime.date,
                   plan_id: int | None = None) -> list[IndicatorRow]:
    """The targets the user monitors (owners: theirs; lead office and managers: all active
    plans'), each with its reading for ``month`` and the month before. Four queries."""
    targets = target_list(access).filter(plan__is_active=True).select_related("plan")
    if plan_id is not None:
        targets = targets.filter(plan_id=plan_id)
    found = list(targets.order_by("plan_id", "position", "id"))
    previous_month = add_months(month, -1)
    readings = {(r.target_id, r.month): r for r in TargetReading.objects.filter(
        target__in=found, month__in=[month, previous_month]).select_related("reviewed_by")}
    rows = []
    for target in found:
        reading = readings.get((target.pk, month))
        year_to_date = reading.is_year_to_date if reading else True
        rows.append(IndicatorRow(
            target, reading, readings.get((target.pk, previous_month)),
            target_expected(target, month, year_to_date),
            enters_readings(access, target_departments(target.assignments.all()))))
    return rows
