"""Named actors for the lifecycle tests, on 20 March 2026 (a Friday, a working day).

One plan; one task due 31 December 2026, led by 区牵头局 with 区责任局 responsible; a
third department to transfer to. People relative to 区责任局's part: its liaison and its
head, the lead department (区牵头局's liaison, and its head), the lead office, a manager
and an outsider (another department's liaison).
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.auth.models import User

from departments.choices import Role
from departments.models import Department
from tasks_app.choices import AssignmentRole, PartState
from tasks_app.models import Assignment, Task

from ..factories import (
    AssignmentFactory,
    DepartmentFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)

NOW = datetime.datetime(2026, 3, 20, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
DUE = datetime.date(2026, 12, 31)
ROLES = ("liaison", "head", "lead_department", "lead_office", "manager", "outsider")


@dataclass
class World:
    task: Task
    lead_part: Assignment
    part: Assignment
    lead_department: Department
    department: Department
    third: Department
    liaison: User
    head: User
    lead_liaison: User
    lead_head: User
    lead_office: User
    manager: User
    outsider: User

    def actor(self, role: str) -> User:
        return {"liaison": self.liaison, "head": self.head, "lead_department": self.lead_liaison,
                "lead_office": self.lead_office, "manager": self.manager,
                "outsider": self.outsider}[role]

    def refresh(self) -> "World":
        for item in (self.task, self.lead_part, self.part):
            item.refresh_from_db()
        return self


def member(department: Department | None, role: str, username: str) -> User:
    user = UserFactory(username=username, last_name=username.split(".")[0], first_name="")
    MembershipFactory(user=user, department=department, role=role)
    return user


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, travel) -> World:
    plan = PlanFactory(code="测试委发〔2026〕9号", issuer="测试区管理委员会",
                       slip_prefix="测督")
    lead = DepartmentFactory(name="区牵头局", code="lead")
    department = DepartmentFactory(name="区责任局", code="resp")
    third = DepartmentFactory(name="区承接局", code="third")
    outsider_department = DepartmentFactory(name="区无关局", code="other")
    task = TaskFactory(plan=plan, number=7, title="推动产业集聚", due_on=DUE,
                       original_due_on=DUE)
    lead_part = AssignmentFactory(task=task, department=lead, role=AssignmentRole.LEAD,
                                  state=PartState.IN_PROGRESS)
    part = AssignmentFactory(task=task, department=department, state=PartState.PENDING_ACK,
                             ack_due_on=datetime.date(2026, 3, 25))
    return World(
        task=task, lead_part=lead_part, part=part, lead_department=lead,
        department=department, third=third,
        liaison=member(department, Role.LIAISON, "resp.liaison"),
        head=member(department, Role.HEAD, "resp.head"),
        lead_liaison=member(lead, Role.LIAISON, "lead.liaison"),
        lead_head=member(lead, Role.HEAD, "lead.head"),
        lead_office=member(None, Role.LEAD_OFFICE, "leadoffice"),
        manager=member(None, Role.MANAGER, "manager"),
        outsider=member(outsider_department, Role.LIAISON, "other.liaison"),
    )


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run what is queued after commit, with Celery in-process: returns a function that
    takes a callable, runs it, runs its commit callbacks (the real ``deliver`` task) and
    returns the emails they sent."""
    from django.core import mail

    from notifications.tasks import deliver

    app = deliver.app
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def run(action):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        return result, mail.outbox[before:]

    yield run
    app.conf.task_always_eager = eager
