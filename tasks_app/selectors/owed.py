"""Owed reports at a glance (the 督办台): per plan, the departments and reports 待报送 for the
period coming up and 逾期未报 for the period being chased. The answers are
tasks_app.rules.obligations'; this module only picks the periods and counts."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator

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


PLANS_PER_PAGE = 10  # the overview's and the desk's pages of plans


def owed_by_plan(today: datetime.date, page_number: int | str | None = 1) -> Page:
    """A page of active plans (newest first), each with its two counts (three queries).
    Counting is per page: the city's fifty plans at once took about 100 ms of SQL."""
    page = Paginator(list(Plan.objects.filter(is_active=True).order_by("-signed_on", "code")),
                     PLANS_PER_PAGE).get_page(page_number)
    plans: list[Plan] = list(page.object_list)
    periods = recent_periods([plan.pk for plan in plans], today)
    tallies = unfiled_tallies(p for plan in plans for p in shown_periods(
        periods[plan.pk], today, plan.tracking_start))  # only the periods counted
    return Page([PlanOwed(plan, due_and_overdue(periods[plan.pk], today, plan.tracking_start,
                                                 tallies)) for plan in plans],
                page.number, page.paginator)
