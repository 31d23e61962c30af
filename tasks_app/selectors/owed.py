"""Owed reports at a glance (the 督办台): per plan, the departments and reports 待报送 for the
period coming up and 逾期未报 for the period being chased. The answers are
tasks_app.rules.obligations'; this module only picks the periods and counts."""

import datetime
from dataclasses import dataclass

from ..models import Plan, ReportingPeriod
from ..rules.obligations import OwedCount, due_and_overdue, shown_periods, unfiled_tallies
from ..workdays import add_months, month_start


def recent_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last month whose periods a screen asks about: last, this and next
    month (weeks count with the month of their deadline)."""
    month = month_start(today)
    return add_months(month, -1), add_months(month, 1)


def recent_periods(plan_ids, today: datetime.date) -> dict[int, list[ReportingPeriod]]:
    """Plan id → the plan's periods (months, and weeks counted with them) of last, this and
    next month that exist (one query; the cycle and the import open them, a page never
    does)."""
    first, last = recent_months(today)
    periods: dict[int, list[ReportingPeriod]] = {plan_id: [] for plan_id in plan_ids}
    for period in ReportingPeriod.objects.filter(
            plan_id__in=plan_ids, month__gte=first, month__lte=last).order_by("month",
                                                                             "opens_on"):
        periods[period.plan_id].append(period)
    return periods


@dataclass
class PlanOwed:
    plan: Plan
    counts: list[OwedCount]  # 待报送 first, then 逾期未报


def owed_by_plan(today: datetime.date) -> list[PlanOwed]:
    """Every active plan's two counts (three queries)."""
    plans = list(Plan.objects.filter(is_active=True).order_by("-signed_on", "code"))
    periods = recent_periods([plan.pk for plan in plans], today)
    tallies = unfiled_tallies(p for plan in plans for p in shown_periods(
        periods[plan.pk], today, plan.tracking_start))  # only the periods counted
    return [PlanOwed(plan, due_and_overdue(periods[plan.pk], today, plan.tracking_start,
                                           tallies)) for plan in plans]
