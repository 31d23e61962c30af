"""The overview, the home page and the cycle agree on the primary plan across a simulated year.

哈经开委发〔2023〕1号 is imported on 2026-01-05. On sample days of every month (before, on and
after the deadline, before and after the red step) the cycle opens its periods as it does at
every run, and three answers to "who owes what, due or overdue" are compared: the cycle's
(what it reminds and chases), the home page's (every department's rows) and the overview's
(departments and reports per standing). Early departments file for the coming period on the
12th; late ones file for the chased period on the 28th; the rest never file. Every fourth
task reports weekly (每周): its weeks are asked the same way, next to the months.
"""

import datetime
from collections import Counter

import pytest
import time_machine

from departments.access import Access
from tasks_app.choices import FeedbackCycle, ReportState
from tasks_app.cycle.context import CycleContext
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Assignment, ProgressReport, Task
from tasks_app.rules.obligations import OVERDUE, missing_reports_for, shown_periods
from tasks_app.selectors.overview import overview
from tasks_app.selectors.portal import home
from tasks_app.services.periods import periods_open, weeks_open

from .conftest import PRIMARY_SEED
from .cycle_support import moment

pytestmark = pytest.mark.django_db
SAMPLE_DAYS = (3, 12, 20, 25, 27, 28)


def _file(period, departments: set[int], now: datetime.datetime) -> None:
    """Departments file every report they still owe for the period."""
    rows = [row for row in missing_reports_for([period])[period.pk]
            if row.department_id in departments]
    ProgressReport.objects.bulk_create([
        ProgressReport(task_id=row.task_id, department_id=row.department_id, period=period,
                       state=ReportState.SUBMITTED, submitted_at=now, progress=10,
                       is_late=now.date() > period.deadline)
        for row in rows])


def _cycle_answer(ctx: CycleContext, plan) -> dict[tuple[int, int], tuple[int, str]]:
    """(department, task) → (period id, standing): the chased period's first (a task
    reports either in months or in weeks, never both)."""
    answer = {}
    for period, standing in ((ctx.upcoming_period(plan), "due"),
                             (ctx.chased_period(plan), OVERDUE),
                             (ctx.upcoming_week(plan), "due"),
                             (ctx.chased_week(plan), OVERDUE)):
        if period is None or period.deadline < plan.tracking_start:
            continue
        for row in ctx.missing[period.pk]:
            if standing == OVERDUE or (row.department_id, row.task_id) not in answer:
                answer[row.department_id, row.task_id] = (period.pk, standing)
    return answer


def test_overview_home_and_cycle_agree_every_sample_day_of_a_year():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        plan = plan_load(parse_document(read_document(PRIMARY_SEED))).plan
    weekly = list(Task.objects.filter(plan=plan).order_by("number").values_list("pk", flat=True))
    Task.objects.filter(pk__in=weekly[::4]).update(feedback_cycle=FeedbackCycle.WEEKLY)
    departments = sorted(set(Assignment.objects.filter(task__plan=plan, department__isnull=False)
                             .values_list("department_id", flat=True)))
    early, late = set(departments[::3]), set(departments[1::3])
    everyone = Access(user_id=None, liaison_of=frozenset(departments))
    checked = Counter()
    for month in range(1, 13):
        for day in SAMPLE_DAYS:
            now = moment(month, day)
            with time_machine.travel(now, tick=False):
                plan.refresh_from_db()
                today = now.date()
                opened = periods_open(plans=[plan], today=today)[plan.pk]
                weeks = weeks_open(plans=[plan], today=today)[plan.pk]
                ctx = CycleContext(now)
                for upcoming in (ctx.upcoming_period(plan), ctx.upcoming_week(plan)):
                    if day == 12 and upcoming:
                        _file(upcoming, early, now)
                for chased in (ctx.chased_period(plan), ctx.chased_week(plan)):
                    if day == 28 and chased:
                        _file(chased, late, now)
                ctx = CycleContext(now)
                assert (ctx.periods[plan.pk], ctx.weeks[plan.pk]) == (opened, weeks)
                cycle = _cycle_answer(ctx, plan)

                rows = home(everyone, today, now).rows
                at_home = {(row.department_id, row.task.pk): (row.period.pk, row.standing)
                           for row in rows if row.task.plan_id == plan.pk and row.standing}
                assert at_home == cycle, today

                [item] = overview(today, now).plans
                asked = shown_periods(opened + weeks, today, plan.tracking_start)
                assert [s.period.pk for s in item.owed] == [p.pk for p in asked], today
                for section in item.owed:
                    expected = Counter(row.department_id for row in ctx.missing[section.period.pk])
                    assert section.standing == ("due" if today <= section.period.deadline
                                                else OVERDUE)
                    assert (section.total, section.reports) == (
                        len(expected), sum(expected.values())), today
                    for row in section.departments:
                        assert row["tasks"] == expected[row["department_id"]], today
                    checked[section.standing, section.period.kind] += section.reports
    # both standings were seen, many times, for months and for weeks
    assert all(checked[standing, kind] for standing in ("due", OVERDUE)
               for kind in ("monthly", "weekly")), checked
