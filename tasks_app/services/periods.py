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


def periods_current(*, plan_ids, day: datetime.date) -> dict[int, ReportingPeriod]:
    """Plan id → the plan's period for the month of ``day``.

    One query once the month's periods exist; a missing one is opened with period_ensure.
    """
    month = month_start(day)
    periods = {p.plan_id: p for p in ReportingPeriod.objects.filter(plan_id__in=plan_ids,
                                                                    month=month)}
    missing = set(plan_ids) - set(periods)
    for plan in Plan.objects.filter(pk__in=missing).select_related("schedule"):
        periods[plan.pk] = period_ensure(plan, day)
    return periods
