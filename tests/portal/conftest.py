"""Named actors for the portal tests, in March 2026 (deadline 25 March).

One plan, one task led by 区牵头局 with 区责任局 responsible (plus a group part), a task of
another department that nobody here may see, and people: liaisons, a head, a manager,
the lead office and an outsider.
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.choices import Role
from departments.models import Department
from tasks_app.choices import AssignmentRole, PartState
from tasks_app.models import Milestone, ReportingPeriod, Task
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_save

from ..factories import (
    AssignmentFactory,
    DepartmentFactory,
    DriverFactory,
    GroupFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)

NOW = datetime.datetime(2026, 3, 20, 1, tzinfo=datetime.UTC)  # 9:00 in Shanghai
GOOD = {"status": "on_track", "progress": 40, "progress_text": "完成方案起草。",
        "problems": "", "next_steps": "征求意见。", "needs_coordination": False}


@dataclass
class World:
    task: Task
    other_task: Task
    period: ReportingPeriod
    february: ReportingPeriod
    lead_department: Department
    department: Department
    outsider_department: Department
    lead_liaison: User
    liaison: User
    head: User
    outsider: User
    manager: User
    lead_office: User

    def filing(self, department: Department | None = None, task: Task | None = None,
               period: ReportingPeriod | None = None) -> Filing:
        return Filing(task or self.task, (department or self.department).pk,
                      period or self.period)

    def report(self, user: User | None = None, submit: bool = True, **data):
        department = self.lead_department if user == self.lead_liaison else self.department
        return report_save(filing=self.filing(department), data=GOOD | data,
                           user=user or self.liaison, submit=submit)


def person(department: Department | None, role: str, username: str) -> User:
    return MembershipFactory(department=department, role=role,
                             user=UserFactory(username=username)).user


def add_task(plan, driver, *departments, role=AssignmentRole.RESPONSIBLE, **fields) -> Task:
    task = TaskFactory(plan=plan, driver=driver, due_on=datetime.date(2026, 12, 31), **fields)
    for department in departments:
        AssignmentFactory(task=task, department=department, role=role)
    return task


@pytest.fixture
def travel():
    with time_machine.travel(NOW) as traveller:
        yield traveller


@pytest.fixture
def world(db, travel) -> World:
    plan = PlanFactory(code="测试委发〔2026〕1号")
    driver = DriverFactory(plan=plan, number=1, title="产业强区驱动")
    lead = DepartmentFactory(name="区牵头局", code="lead")
    department = DepartmentFactory(name="区责任局", code="resp")
    outsider_department = DepartmentFactory(name="区无关局", code="other")
    task = add_task(plan, driver, title="推动产业集聚",
                    text="推动产业集聚。〔牵头部门:区牵头局,责任部门:区责任局〕")
    AssignmentFactory(task=task, department=lead, role=AssignmentRole.LEAD,
                      source_text="区牵头局")
    AssignmentFactory(task=task, department=department, state=PartState.PENDING_ACK,
                      source_text="区责任局")
    AssignmentFactory(task=task, department=None, group=GroupFactory(name="区内各相关国企"))
    Milestone.objects.create(task=task, title="完成规划编制", due_on=datetime.date(2026, 6, 30))
    other_task = add_task(plan, driver, outsider_department, title="别人的任务")
    february = period_ensure(plan, datetime.date(2026, 2, 1))
    return World(
        task=task, other_task=other_task, period=period_ensure(plan, NOW.date()),
        february=february, lead_department=lead, department=department,
        outsider_department=outsider_department,
        lead_liaison=person(lead, Role.LIAISON, "lead.liaison"),
        liaison=person(department, Role.LIAISON, "resp.liaison"),
        head=person(department, Role.HEAD, "resp.head"),
        outsider=person(outsider_department, Role.LIAISON, "other.liaison"),
        manager=person(None, Role.MANAGER, "manager"),
        lead_office=person(None, Role.LEAD_OFFICE, "leadoffice"),
    )


@pytest.fixture
def as_user(client):
    """Log the test client in as someone: ``as_user(world.liaison)``."""
    def login(user: User):
        client.force_login(user)
        return client
    return login


def pdf(name: str = "进展材料.pdf", size: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test" + b"x" * size,
                              content_type="application/pdf")
