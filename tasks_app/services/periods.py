"""Monthly reporting periods: one per plan and month, deadline from the plan's schedule."""

import calendar
import datetime

from django.db import transaction

from ..choices import PeriodState
from ..models import Plan, ReportingPeriod, Schedule
from ..workdays import month_start, on_or_after


def deadline_for(schedule: Schedule, month: datetime.date) -> datetime.date:
    """The schedule's deadline day in ``month``, moved to the next working day if needed."""
    last_day = calendar.monthrange(month.year, month.month)[1]
    return on_or_after(month.replace(day=min(schedule.report_deadline_day, last_day)))


@transaction.atomic
def period_ensure(plan: Plan, month: datetime.date) -> ReportingPeriod:
    """The plan's period for the month containing ``month`` (created on first use)."""
    month = month_start(month)
    period, _ = ReportingPeriod.objects.get_or_create(
        plan=plan, month=month,
        defaults={"opens_on": month, "deadline": deadline_for(plan.schedule, month),
                  "state": PeriodState.OPEN},
    )
    return period


def period_is_locked(period: ReportingPeriod) -> bool:
    return period.state == PeriodState.LOCKED
