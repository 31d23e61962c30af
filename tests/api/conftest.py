"""A small world for the API tests, with named actors.

Two departments share task ``shared`` (``lead`` leads, ``resp`` is responsible); ``resp``
also works on ``grouped`` through a group; ``other`` has its own task; ``orphan`` has no
part at all. Each department has a liaison and a head; there is a lead-office user and a
manager. Every client authenticates with a real token.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from departments.choices import Role
from tasks_app.choices import AssignmentRole, PartState
from tasks_app.lifecycle import refresh_task_statuses
from tasks_app.models import Target, TargetAssignment
from tasks_app.services.periods import period_ensure
from tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    DriverFactory,
    GroupFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)

NOW = datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC)
GOOD = {"status": "on_track", "progress": 40, "progress_text": "完成方案起草。",
        "next_steps": "征求意见。"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


class World:
    """Named objects of the API tests (attributes set by the ``world`` fixture)."""

    def client(self, user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


def _person(department, role):
    return MembershipFactory(department=department, role=role).user


def build_world(month: datetime.date) -> World:
    """The world, with a reporting period open for ``month``."""
    w = World()
    w.plan = PlanFactory()
    w.driver = DriverFactory(plan=w.plan, number=1)
    w.lead, w.resp, w.other = (DepartmentFactory(name=name) for name in
                               ("区工信局", "区财政局", "区商务局"))
    w.group = GroupFactory(name="各相关部门")
    w.group.members.add(w.resp)
    w.shared = TaskFactory(plan=w.plan, driver=w.driver, number=1, title="推进产业集聚",
                           due_on=datetime.date(2026, 12, 31))
    w.lead_part = AssignmentFactory(task=w.shared, department=w.lead, role=AssignmentRole.LEAD)
    w.resp_part = AssignmentFactory(task=w.shared, department=w.resp,
                                    role=AssignmentRole.RESPONSIBLE,
                                    state=PartState.PENDING_ACK)
    w.grouped = TaskFactory(plan=w.plan, driver=w.driver, number=2, title="优化营商环境",
                            due_on=datetime.date(2026, 1, 31))
    AssignmentFactory(task=w.grouped, department=w.lead, role=AssignmentRole.LEAD)
    AssignmentFactory(task=w.grouped, department=None, group=w.group,
                      role=AssignmentRole.RESPONSIBLE)
    w.others = TaskFactory(plan=w.plan, driver=w.driver, number=3, title="扩大对外开放")
    AssignmentFactory(task=w.others, department=w.other, role=AssignmentRole.LEAD)
    w.orphan = TaskFactory(plan=w.plan, driver=w.driver, number=4, title="未分配任务")
    refresh_task_statuses([w.shared.pk, w.grouped.pk, w.others.pk, w.orphan.pk])
    w.period = period_ensure(w.plan, month)
    w.lead_liaison, w.lead_head = _person(w.lead, Role.LIAISON), _person(w.lead, Role.HEAD)
    w.liaison, w.head = _person(w.resp, Role.LIAISON), _person(w.resp, Role.HEAD)
    w.outsider = _person(w.other, Role.LIAISON)
    w.office = MembershipFactory(department=None, role=Role.LEAD_OFFICE).user
    w.manager = MembershipFactory(department=None, role=Role.MANAGER).user
    w.nobody = UserFactory()
    w.target = Target.objects.create(plan=w.plan, name="地区生产总值", value=Decimal("1500"),
                                     unit="亿元", year=2026)
    TargetAssignment.objects.create(target=w.target, department=w.resp,
                                    role=AssignmentRole.LEAD)
    w.foreign_target = Target.objects.create(plan=w.plan, name="实际利用外资", unit="亿美元",
                                             year=2026)
    TargetAssignment.objects.create(target=w.foreign_target, department=w.other,
                                    role=AssignmentRole.LEAD)
    return w


@pytest.fixture
def world(db, frozen) -> World:
    return build_world(datetime.date(2026, 3, 1))
