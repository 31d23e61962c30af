"""The database's tally of unfiled reports (rules.obligations.unfiled_tallies) says what
owed_reports lists, row by row, for worlds with every kind of part: direct and through
groups (a department in two groups, named directly too), open and closed, given before and
after the deadline (plans with their own deadlines; at either end of a day), tasks
reporting monthly, quarterly, weekly or once, reports filed, returned and in draft,
inactive departments and members."""

import datetime
import random
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.choices import (
    FeedbackCycle,
    FeedbackType,
    PartState,
    PeriodKind,
    ReportState,
    TaskStatus,
)
from tasks_app.models import Assignment, ProgressReport, ReportingPeriod, Task
from tasks_app.rules.obligations import (
    owed_reports,
    reports_in,
    reports_in_condition,
    unfiled_tallies,
)

from .factories import DepartmentFactory, GroupFactory, PeriodFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))


def _world(seed: int) -> list[ReportingPeriod]:
    rng = random.Random(seed)
    departments = [DepartmentFactory() for _ in range(8)]
    departments[-1].is_active = False
    departments[-1].save()
    groups = []
    for _ in range(3):
        group = GroupFactory()
        group.members.set(rng.sample(departments, 4))
        groups.append(group)
    periods = []
    for _ in range(2):
        plan = PlanFactory()
        months = [datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
        day = rng.choice([25, 20, 12])  # plans on other schedules: other deadlines
        periods += [PeriodFactory(plan=plan, month=month, deadline=month.replace(day=day))
                    for month in months]
        periods.append(ReportingPeriod.objects.create(
            plan=plan, kind=PeriodKind.WEEKLY, month=months[1],
            opens_on=datetime.date(2026, 3, 9), deadline=datetime.date(2026, 3, 13)))
        for _ in range(6):
            task = TaskFactory(
                plan=plan, feedback_cycle=rng.choice(FeedbackCycle.values),
                feedback_type=rng.choice([FeedbackType.PERIODIC] * 4 + [FeedbackType.ONE_OFF]),
                status=rng.choice([TaskStatus.IN_PROGRESS] * 4 + [TaskStatus.COMPLETED]))
            for _ in range(rng.randint(2, 6)):
                # At either end of a day (the deadline's too): the first and last minute.
                given = datetime.datetime(2026, rng.choice([1, 2, 3]), rng.randint(1, 28),
                                          *rng.choice([(0, 0), (23, 59)]), tzinfo=TZ)
                holder = ({"group": rng.choice(groups)} if rng.random() < 0.4
                          else {"department": rng.choice(departments)})
                if Assignment.objects.filter(task=task, **holder).exists():
                    continue
                part = Assignment.objects.create(
                    task=task, role="responsible",
                    state=rng.choice([PartState.IN_PROGRESS] * 3 + list(PartState.values)),
                    **holder)
                Assignment.objects.filter(pk=part.pk).update(created_at=given)
    parts = Assignment.objects.filter(department__isnull=False).select_related("task")
    for part in parts:
        for period in periods:
            if period.plan_id == part.task.plan_id and rng.random() < 0.35:
                ProgressReport.objects.get_or_create(
                    task=part.task, department=part.department, period=period,
                    defaults={"state": rng.choice(ReportState.values), "progress": 5})
    return periods


@pytest.mark.parametrize("seed", range(8))
def test_the_tally_counts_what_owed_reports_lists_as_unfiled(seed):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)):
        periods = _world(seed)
        expected: dict[int, Counter] = {}
        names = {}
        for period_id, rows in owed_reports(periods).items():
            expected[period_id] = Counter(row.department_id for row in rows if not row.filed)
            names.update({row.department_id: row.department_name for row in rows})
        tallies = unfiled_tallies(periods)
        # One slot alone (March's monthly periods: the usual page) is counted another way.
        march = [p for p in periods if p.kind == PeriodKind.MONTHLY and p.month.month == 3]
        one_slot = unfiled_tallies(march)
    assert {period_id: {dept: n for dept, (_name, n) in found.items()}
            for period_id, found in tallies.items()} == {
        period_id: dict(counts) for period_id, counts in expected.items()}
    assert one_slot == {period.pk: tallies[period.pk] for period in march}
    assert all(names[dept] == name for found in tallies.values()
               for dept, (name, _n) in found.items())
    assert any(tallies.values())


def test_a_part_given_on_the_deadline_day_owes_one_given_the_day_after_does_not():
    """Given by the deadline means by its last instant in the site's time zone."""
    period = PeriodFactory(month=datetime.date(2026, 3, 1), deadline=datetime.date(2026, 3, 25))
    task = TaskFactory(plan=period.plan, feedback_cycle=FeedbackCycle.MONTHLY,
                       feedback_type=FeedbackType.PERIODIC, status=TaskStatus.IN_PROGRESS)
    given = {(3, 25, 0, 0, 0): True, (3, 25, 23, 59, 59): True, (3, 26, 0, 0, 0): False}
    owing = {}
    for (month, day, *clock), owes in given.items():
        part = Assignment.objects.create(task=task, role="responsible",
                                         department=DepartmentFactory(),
                                         state=PartState.IN_PROGRESS)
        Assignment.objects.filter(pk=part.pk).update(
            created_at=datetime.datetime(2026, month, day, *clock, tzinfo=TZ))
        owing[part.department_id] = owes
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)):
        tallied = set(unfiled_tallies([period])[period.pk])
        listed = {row.department_id for row in owed_reports([period])[period.pk]}
    assert tallied == listed == {dept for dept, owes in owing.items() if owes}


def test_a_department_in_two_of_a_tasks_groups_owes_its_report_once():
    """Both groups' parts given at the same moment: the department still owes one report."""
    period = PeriodFactory(month=datetime.date(2026, 3, 1), deadline=datetime.date(2026, 3, 25))
    task = TaskFactory(plan=period.plan, feedback_cycle=FeedbackCycle.MONTHLY,
                       feedback_type=FeedbackType.PERIODIC, status=TaskStatus.IN_PROGRESS)
    department, groups = DepartmentFactory(), [GroupFactory(), GroupFactory()]
    for group in groups:
        group.members.add(department)
        Assignment.objects.create(task=task, group=group, role="responsible",
                                  state=PartState.IN_PROGRESS)
    Assignment.objects.filter(task=task).update(
        created_at=datetime.datetime(2026, 3, 2, 9, tzinfo=TZ))
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)):
        assert unfiled_tallies([period])[period.pk] == {department.pk: (department.name, 1)}


def test_one_query_for_any_number_of_plans_and_periods():
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)):
        periods = _world(1) + _world(2)
        with CaptureQueriesContext(connection) as queries:
            unfiled_tallies(periods)
    assert len(queries) == 1


def test_the_condition_says_what_reports_in_says():
    plan = PlanFactory()
    for kind, month in [(PeriodKind.WEEKLY, 3), *((PeriodKind.MONTHLY, m) for m in (2, 3))]:
        period = ReportingPeriod(plan=plan, kind=kind, month=datetime.date(2026, month, 1),
                                 opens_on=datetime.date(2026, month, 2),
                                 deadline=datetime.date(2026, month, 25))
        for feedback_type in FeedbackType.values:
            for cycle in FeedbackCycle.values:
                task = TaskFactory(plan=plan, feedback_type=feedback_type, feedback_cycle=cycle)
                matches = Task.objects.filter(reports_in_condition(period), pk=task.pk).exists()
                assert matches == reports_in(feedback_type, cycle, period), (
                    kind, month, feedback_type, cycle)


@pytest.mark.parametrize("seed", range(8))
def test_the_bulletins_owed_counts_say_what_owed_reports_lists(seed):
    """The reporting counts (bulletin, assessment) pick the same governing part as
    owed_reports: a department in two groups on a task, one part closed, owes through the
    open one; and count as filed the reports owed_reports lists as filed. (No part here has
    a closing day in the history: a closed part owes nothing.)"""
    from tasks_app.rules.obligations import owed_and_filed

    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)):
        periods = _world(seed)
        owed = owed_reports(periods)
        listed = Counter((row.department_id, period_id)
                         for period_id, rows in owed.items() for row in rows)
        listed_filed = Counter((row.department_id, period_id)
                               for period_id, rows in owed.items() for row in rows if row.filed)
        counted, counted_filed = Counter(), Counter()
        for period in periods:  # counted per department: one period at a time
            for dept, (owed_n, on_time, late) in owed_and_filed(period.plan, [period]).items():
                if owed_n:
                    counted[dept, period.pk] = owed_n
                if on_time + late:
                    counted_filed[dept, period.pk] = on_time + late
    assert counted == listed
    assert counted_filed == listed_filed
    assert listed


@pytest.mark.parametrize("seed", range(8))
def test_counts_over_several_periods_add_up_the_counts_of_each(seed):
    """Over a plan's periods at once (a quarter's bulletin, a year's assessment), parts owing
    every period and parts owing some (given between two deadlines, a cycle that skips one)
    count what each period alone counts."""
    from tasks_app.rules.obligations import owed_and_filed

    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)):
        periods = _world(seed)
        by_plan: dict[int, list[ReportingPeriod]] = {}
        for period in periods:
            by_plan.setdefault(period.plan_id, []).append(period)
        for plan_periods in by_plan.values():
            plan = plan_periods[0].plan
            each: dict[int, list[int]] = {}
            for period in plan_periods:
                for dept, counts in owed_and_filed(plan, [period]).items():
                    each[dept] = [a + b for a, b in zip(each.get(dept, [0, 0, 0]), counts,
                                                        strict=True)]
            assert dict(owed_and_filed(plan, plan_periods)) == each
