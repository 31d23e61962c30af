"""Helpers for the cycle tests: run the cycle at a moment and read what it sent."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from departments.choices import Role
from notifications.choices import DigestFrequency
from notifications.dispatch import InProcess
from notifications.models import DigestSubscription
from tasks_app.cycle.run import run_cycle
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_save

from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
GOOD = {"status": "on_track", "progress": 30, "progress_text": "按计划推进。"}


def moment(month: int, day: int, hour: int = 9, minute: int = 30,
           year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Sent:
    to: str
    kind: str
    subject: str
    text: str
    html: str

    @property
    def user(self) -> str:
        return self.to.split("@")[0]


def sent_from(messages) -> list[Sent]:
    return [Sent(m.to[0], m.extra_headers["X-Duban-Kind"], m.subject, m.body,
                 m.alternatives[0][0] if m.alternatives else "") for m in messages]


def cycle_at(at: datetime.datetime, **kwargs) -> list[Sent]:
    """Run the cycle at ``at`` (the clock travels there) and send in-process; returns the
    emails this run sent."""
    before = len(mail.outbox)
    with time_machine.travel(at, tick=False):
        result = run_cycle(at, dispatch=InProcess(), **kwargs)
    assert not result.failed_steps
    return sent_from(mail.outbox[before:])


def by_user(sent: list[Sent]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for message in sent:
        result.setdefault(message.user, []).append(message.kind)
    return result


class World:
    """Two departments (甲 owes everything, 乙 shares task 2), their people, the leaders."""

    def __init__(self):
        self.plan = PlanFactory(tracking_start=datetime.date(2026, 3, 1))
        self.jia = DepartmentFactory(name="区甲局", code="jia")
        self.yi = DepartmentFactory(name="区乙局", code="yi")
        self.task1 = TaskFactory(plan=self.plan, number=1, title="甲局独立任务")
        self.task2 = TaskFactory(plan=self.plan, driver=self.task1.driver, number=2,
                                 title="甲乙共同任务")
        self.part1 = AssignmentFactory(task=self.task1, department=self.jia)
        AssignmentFactory(task=self.task2, department=self.jia)
        AssignmentFactory(task=self.task2, department=self.yi)
        self.people = {name: self.member(name, role, dept) for name, role, dept in [
            ("jia.liaison", Role.LIAISON, self.jia), ("jia.head", Role.HEAD, self.jia),
            ("yi.liaison", Role.LIAISON, self.yi), ("yi.head", Role.HEAD, self.yi),
            ("leadoffice", Role.LEAD_OFFICE, None), ("manager", Role.MANAGER, None)]}
        DigestSubscription.objects.create(user=self.people["manager"],
                                          frequency=DigestFrequency.OFF)

    def track_from(self, day: datetime.date) -> None:
        self.plan.tracking_start = day
        self.plan.save(update_fields=["tracking_start"])

    @staticmethod
    def member(username, role, department):
        return MembershipFactory(user=UserFactory(username=username), role=role,
                                 department=department).user

    def report(self, task, department, username, on, **data):
        with time_machine.travel(on, tick=False):
            period = period_ensure(self.plan, on.date())
            return report_save(filing=Filing(task, department.pk, period),
                               data={**GOOD, **data}, user=self.people[username], submit=True)
