"""Monthly reporting periods: one per plan and month, deadline from the plan's schedule."""

import datetime

from django.db import transaction

from ..choices import PeriodState
from ..models import Plan, ReportingPeriod, Schedule
from ..rules.deadlines import deadline_for
from ..workdays import add_months, add_working_days, month_start


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


def _months_to_open(schedule: Schedule, tracking_start: datetime.date,
                    today: datetime.date) -> list[datetime.date]:
    """Last month (still chased), this month, and next month once its first reminder is due."""
    this_month = month_start(today)
    months = [add_months(this_month, -1), this_month]
    following = add_months(this_month, 1)
    offsets = [k for k in (schedule.reminder_offsets or []) if isinstance(k, int)]
    if offsets and add_working_days(deadline_for(schedule, following), -max(offsets)) <= today:
        months.append(following)
    return [m for m in months if deadline_for(schedule, m) >= tracking_start]


@transaction.atomic
def periods_open(*, plans: list[Plan], today: datetime.date) -> dict[int, list[ReportingPeriod]]:
    """Make sure the plans' recent periods exist; returns them by plan id, oldest first.

    Plans must come with ``schedule`` loaded. A deadline that has not passed yet follows the
    schedule when the lead office changes it. Three queries whatever the number of plans.
    """
    wanted = {(plan.pk, month): plan for plan in plans
              for month in _months_to_open(plan.schedule, plan.tracking_start, today)}
    existing = {(p.plan_id, p.month): p for p in ReportingPeriod.objects.filter(
        plan_id__in={plan.pk for plan in plans},
        month__gte=add_months(month_start(today), -1))}
    ReportingPeriod.objects.bulk_create([
        ReportingPeriod(plan=plan, month=month, opens_on=month, state=PeriodState.OPEN,
                        deadline=deadline_for(plan.schedule, month))
        for (plan_id, month), plan in wanted.items() if (plan_id, month) not in existing
    ], ignore_conflicts=True)
    moved = []
    for (plan_id, month), period in existing.items():
        plan = wanted.get((plan_id, month))
        if plan is None:
            continue
        new_deadline = deadline_for(plan.schedule, month)
        if (period.state == PeriodState.OPEN and new_deadline != period.deadline
                and min(new_deadline, period.deadline) >= today):
            period.deadline = new_deadline
            moved.append(period)
    ReportingPeriod.objects.bulk_update(moved, ["deadline"])
    by_plan: dict[int, list[ReportingPeriod]] = {plan.pk: [] for plan in plans}
    for period in ReportingPeriod.objects.filter(
            plan_id__in=by_plan, month__gte=add_months(month_start(today), -1)
    ).order_by("month"):
        if (period.plan_id, period.month) in wanted:
            by_plan[period.plan_id].append(period)
    return by_plan
