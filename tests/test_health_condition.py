"""health.red_condition picks exactly the tasks whose computed health is red."""

import datetime
import itertools

import pytest
import time_machine
from django.utils import timezone

from tasks_app.choices import Health, ReportStatus, TaskStatus
from tasks_app.health import red_condition, with_health
from tasks_app.models import Task

from .factories import PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_the_condition_matches_the_computed_health_for_every_combination():
    plan = PlanFactory()
    today = timezone.localdate()
    combos = itertools.product(
        ["", Health.RED, Health.GREEN, Health.YELLOW],
        [TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.SUSPENDED, TaskStatus.NEW],
        [None, today - datetime.timedelta(days=1), today, today + datetime.timedelta(days=10),
         today + datetime.timedelta(days=200)],
        ["", ReportStatus.DELAYED, ReportStatus.AT_RISK, ReportStatus.ON_TRACK],
        [None, NOW - datetime.timedelta(days=90)],
    )
    for override, status, due_on, last_status, last_at in combos:
        TaskFactory(plan=plan, health_override=override,
                    health_override_reason="人工" if override else "", status=status,
                    due_on=due_on, last_report_status=last_status, last_reported_at=last_at,
                    progress=10)
    computed = set(with_health(Task.objects.all()).filter(health=Health.RED)
                   .values_list("pk", flat=True))
    assert computed and computed == set(Task.objects.filter(red_condition())
                                        .values_list("pk", flat=True))
