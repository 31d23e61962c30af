"""Every portal page runs the same number of queries whatever the amount of data.

Each page is measured, the data grows (more tasks, plans, departments, reports,
attachments, history), and the page is measured again. Every count includes three
queries of the request itself: the session, the user, and the user's memberships.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.choices import Role
from tasks_app.choices import AssignmentRole
from tasks_app.models import Milestone
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, attachment_add, report_save

from ..factories import (
    AssignmentFactory,
    DepartmentFactory,
    DriverFactory,
    MembershipFactory,
    PlanFactory,
)
from .conftest import GOOD, add_task, pdf, person

pytestmark = pytest.mark.django_db


def grow(world, travel, n: int) -> None:
    """n more of everything around the world's people."""
    plan = PlanFactory()
    driver = DriverFactory(plan=plan)
    travel.move_to(datetime.datetime(2026, 2, 20, 1, tzinfo=datetime.UTC))
    february = period_ensure(plan, datetime.date(2026, 2, 1))
    travel.move_to(datetime.datetime(2026, 3, 20, 1, tzinfo=datetime.UTC))
    period_ensure(plan, datetime.date(2026, 3, 1))
    for i in range(n):
        department = DepartmentFactory()
        AssignmentFactory(task=world.task, department=department)
        helper = person(department, Role.LIAISON, f"helper{department.pk}")
        report = report_save(filing=Filing(world.task, department.pk, world.period),
                             data=GOOD, user=helper)
        attachment_add(report=report, upload=pdf(), user=helper)
        report_save(filing=Filing(world.task, department.pk, world.period), data={},
                    user=helper, submit=True)
        Milestone.objects.create(task=world.task, title=f"节点{i}")
        for where, period in ((world.task.plan, world.period), (plan, february)):
            task = add_task(where, driver if where == plan else world.task.driver,
                            world.department, title=f"扩展任务{i}")
            AssignmentFactory(task=task, department=world.lead_department,
                              role=AssignmentRole.LEAD)
            report_save(filing=Filing(task, world.department.pk, period), data=GOOD,
                        user=world.liaison, submit=True)
            if where != plan:  # last month's report pre-fills this month's sheet
                report_save(filing=Filing(task, world.department.pk, world.february),
                            data=GOOD, user=world.liaison, submit=True)
            report_save(filing=Filing(task, world.lead_department.pk, world.period
                                      if where != plan else february), data=GOOD,
                        user=world.lead_liaison, submit=True)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def constant(client, url, world, travel, limit: int) -> int:
    client.get(url)  # first visit of the month may open periods
    small = count(client, url)
    grow(world, travel, 4)
    large = count(client, url)
    assert small == large, f"{url}: {small} queries, then {large} with more data"
    assert large <= limit, f"{url}: {large} queries"
    return large


def seed(world, travel):
    grow(world, travel, 1)
    report_save(filing=world.filing(), data=GOOD, user=world.liaison, submit=True)


def test_home_runs_a_constant_number_of_queries(as_user, world, travel):
    seed(world, travel)
    # 3 for the request; departments, roles, tasks, recent periods, owed reports (one, see
    # tasks_app.rules.obligations), the reports shown.
    constant(as_user(world.liaison), reverse("portal:home"), world, travel, limit=9)


def test_task_page_runs_a_constant_number_of_queries(as_user, world, travel):
    seed(world, travel)
    constant(as_user(world.lead_liaison), reverse("portal:task", args=[world.task.pk]),
             world, travel, limit=10)


def test_batch_report_page_runs_a_constant_number_of_queries(as_user, world, travel):
    seed(world, travel)
    url = reverse("portal:batch_report", args=[world.period.pk])
    constant(as_user(world.liaison), url, world, travel, limit=9)


def test_review_page_runs_a_constant_number_of_queries(as_user, world, travel):
    seed(world, travel)
    url = reverse("portal:review", args=[world.task.pk]) + f"?period={world.period.pk}"
    constant(as_user(world.lead_liaison), url, world, travel, limit=10)


def test_review_queues_run_a_constant_number_of_queries(as_user, world, travel):
    seed(world, travel)
    MembershipFactory(user=world.lead_liaison, department=world.department, role=Role.HEAD)
    # 3 for the request; the lead tasks' ids; the head's queue and its attachments; the lead
    # queue's ids in order, then the page's reports.
    constant(as_user(world.lead_liaison), reverse("portal:reviews"), world, travel, limit=8)


def test_overview_runs_a_constant_number_of_queries(as_user, world, travel):
    seed(world, travel)
    # 3 for the request, 7 for the active plans' ids, the page's plans (with their periods and
    # latest bulletin), health by driver, owed reports, progress, targets, red tasks.
    constant(as_user(world.manager), reverse("portal:overview"), world, travel, limit=10)


def test_cockpit_runs_a_constant_number_of_queries(as_user, world, travel, monkeypatch):
    from tasks_app.portal import views_cockpit

    seed(world, travel)
    monkeypatch.setattr(views_cockpit, "SNAPSHOT_SECONDS", 0)  # taken on every request
    # 3 for the request, 7 for the cockpit (tasks_app.selectors.cockpit).
    constant(as_user(world.manager), reverse("portal:cockpit"), world, travel, limit=10)
