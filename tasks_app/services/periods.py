"""Reporting periods: one per plan and month, deadline from the plan's schedule; and, for
plans with weekly items (每周反馈), one per plan and week (``weeks_open``)."""

import datetime

from django.db import transaction

from ..choices import FeedbackCycle, FeedbackType, PeriodKind, PeriodState
from ..models import Plan, ReportingPeriod, Schedule, Task
from ..rules.deadlines import deadline_for
from ..rules.states import CLOSED_TASKS
from ..workdays import add_months, add_working_days, month_start, on_or_after

MONTHLY = PeriodKind.MONTHLY


@transaction.atomic
def period_ensure(plan: Plan, month: datetime.date) -> ReportingPeriod:
    """The plan's period for the month containing ``month`` (created on first use)."""
    month = month_start(month)
    period, _ = ReportingPeriod.objects.get_or_create(
        plan=plan, month=month, kind=MONTHLY,
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
    periods = {p.plan_id: p for p in ReportingPeriod.objects.filter(
        plan_id__in=plan_ids, month=month, kind=MONTHLY)}
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
        plan_id__in={plan.pk for plan in plans}, kind=MONTHLY,
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
            plan_id__in=by_plan, kind=MONTHLY, month__gte=add_months(month_start(today), -1)
    ).order_by("month"):
        if (period.plan_id, period.month) in wanted:
            by_plan[period.plan_id].append(period)
    return by_plan


# ---------------------------------------------------------------- weekly periods


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def week_deadline_day(schedule: Schedule, monday: datetime.date) -> datetime.date:
    """The week's nominal deadline day (the schedule's weekday), before holidays move it."""
    return monday + datetime.timedelta(days=schedule.weekly_deadline_weekday)


def week_deadline_for(schedule: Schedule, monday: datetime.date) -> datetime.date:
    """The week's deadline: the schedule's weekday, moved to the next working day if needed
    (the working-day calendar, CalendarDay, decides)."""
    return on_or_after(week_deadline_day(schedule, monday))


def week_month(schedule: Schedule, monday: datetime.date) -> datetime.date:
    """The month a week counts with: that of its nominal deadline day (fixed, whatever a
    holiday later does to the deadline)."""
    return month_start(week_deadline_day(schedule, monday))


def weekly_reminder_offsets(schedule: Schedule) -> list[int]:
    """The schedule's reminder days that fit in a week (fewer than five working days before
    the deadline): [5, 1] → [1]."""
    return sorted(k for k in (schedule.reminder_offsets or []) if isinstance(k, int) and 0 < k < 5)


_LOOK_BACK = datetime.timedelta(days=21)  # a holiday moves a deadline by two weeks at most


def _weeks_to_open(schedule: Schedule, tracking_start: datetime.date,
                   today: datetime.date) -> list[datetime.date]:
    """The latest week whose deadline has passed (still chased: last week, or the week before
    when a holiday moved last week's deadline to today or later), this week, and next week
    once its first reminder is due."""
    this_week = week_start(today)
    weeks = [this_week]
    earlier = this_week
    while week_deadline_for(schedule, earlier) >= today and this_week - earlier < _LOOK_BACK:
        earlier -= datetime.timedelta(days=7)
        weeks.insert(0, earlier)
    following = this_week + datetime.timedelta(days=7)
    offsets = weekly_reminder_offsets(schedule)
    if offsets and add_working_days(week_deadline_for(schedule, following),
                                    -max(offsets)) <= today:
        weeks.append(following)
    return [w for w in weeks if week_deadline_for(schedule, w) >= tracking_start]


def plans_with_weekly_items(plan_ids: set[int]) -> set[int]:
    """The plans having an open item that reports weekly (one query)."""
    return set(Task.objects.filter(plan_id__in=plan_ids, feedback_cycle=FeedbackCycle.WEEKLY,
                                   feedback_type=FeedbackType.PERIODIC)
               .exclude(status__in=CLOSED_TASKS).order_by().values_list("plan_id", flat=True)
               .distinct())


@transaction.atomic
def weeks_open(*, plans: list[Plan], today: datetime.date) -> dict[int, list[ReportingPeriod]]:
    """Make sure the weekly periods of the plans with weekly items exist (last, this and, in
    its reminder window, next week); returns them by plan id, oldest first (no entry for
    plans without weekly items). A deadline not passed yet follows the schedule. Four
    queries whatever the number of plans."""
    weekly = plans_with_weekly_items({plan.pk for plan in plans})
    plans = [plan for plan in plans if plan.pk in weekly]
    if not plans:
        return {}
    wanted = {(plan.pk, monday): plan for plan in plans
              for monday in _weeks_to_open(plan.schedule, plan.tracking_start, today)}
    earliest = min(monday for _plan_id, monday in wanted) if wanted else week_start(today)
    existing = {(p.plan_id, p.opens_on): p for p in ReportingPeriod.objects.filter(
        plan_id__in=weekly, kind=PeriodKind.WEEKLY, opens_on__gte=earliest)}
    ReportingPeriod.objects.bulk_create([
        ReportingPeriod(plan=plan, kind=PeriodKind.WEEKLY, opens_on=monday,
                        month=week_month(plan.schedule, monday), state=PeriodState.OPEN,
                        deadline=week_deadline_for(plan.schedule, monday))
        for (plan_id, monday), plan in wanted.items() if (plan_id, monday) not in existing
    ], ignore_conflicts=True)
    moved = []
    for key, period in existing.items():
        plan = wanted.get(key)
        if plan is None:
            continue
        new_deadline = week_deadline_for(plan.schedule, period.opens_on)
        if (period.state == PeriodState.OPEN and new_deadline != period.deadline
                and min(new_deadline, period.deadline) >= today):
            period.deadline = new_deadline
            moved.append(period)
    ReportingPeriod.objects.bulk_update(moved, ["deadline"])
    by_plan: dict[int, list[ReportingPeriod]] = {plan.pk: [] for plan in plans}
    for period in ReportingPeriod.objects.filter(
            plan_id__in=by_plan, kind=PeriodKind.WEEKLY, opens_on__gte=earliest
    ).order_by("opens_on"):
        if (period.plan_id, period.opens_on) in wanted:
            by_plan[period.plan_id].append(period)
    return by_plan


def week_current(plan: Plan, day: datetime.date) -> ReportingPeriod:
    """The plan's weekly period of ``day``'s week (created on first use)."""
    monday = week_start(day)
    schedule = plan.schedule
    period, _ = ReportingPeriod.objects.get_or_create(
        plan=plan, kind=PeriodKind.WEEKLY, opens_on=monday,
        defaults={"month": week_month(schedule, monday), "state": PeriodState.OPEN,
                  "deadline": week_deadline_for(schedule, monday)})
    return period
