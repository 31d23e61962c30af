"""A department's part: acknowledgement, the task's derived status, history rows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tasks_app.choices import EventKind, PartState, TaskStatus
from tasks_app.lifecycle import derive_task_status
from tasks_app.models import TaskEvent
from tasks_app.rules.states import ack_is_overdue
from tasks_app.services.lifecycle.parts import part_acknowledge

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("states", "status"), [
    ([], TaskStatus.NEW),
    (["pending_ack", "pending_ack"], TaskStatus.PENDING_ACK),
    (["pending_ack", "in_progress"], TaskStatus.IN_PROGRESS),
    (["extension_requested", "in_progress"], TaskStatus.IN_PROGRESS),
    (["supplementing", "in_progress"], TaskStatus.IN_PROGRESS),
    (["completion_requested", "in_progress"], TaskStatus.COMPLETION_REQUESTED),
    (["rectifying", "in_progress"], TaskStatus.RECTIFYING),
    (["completed", "in_progress"], TaskStatus.IN_PROGRESS),
    (["completed", "completed"], TaskStatus.COMPLETED),
    (["completed", "transferred"], TaskStatus.COMPLETED),
    (["suspended", "suspended"], TaskStatus.SUSPENDED),
    (["suspended", "completed"], TaskStatus.COMPLETED),
])
def test_the_task_status_is_derived_from_its_parts(states, status):
    assert derive_task_status(states) == status


def test_acknowledging_moves_the_part_and_the_task_and_records_who_and_when(world):
    part_acknowledge(part=world.part, actor=world.liaison)
    world.refresh()
    assert world.part.state == PartState.IN_PROGRESS
    assert world.part.acknowledged_by == world.liaison and world.part.acknowledged_at
    assert world.task.status == TaskStatus.IN_PROGRESS
    event = TaskEvent.objects.get(task=world.task, kind=EventKind.PART)
    assert (event.actor, event.department, event.before, event.after, event.reason) == (
        world.liaison, world.department, "pending_ack", "in_progress", "签收")


def test_an_acknowledgement_after_its_deadline_is_overdue_and_recorded_as_late(world, travel):
    assert not ack_is_overdue(world.part, datetime.date(2026, 3, 25))
    assert ack_is_overdue(world.part, datetime.date(2026, 3, 26))
    travel.move_to(datetime.datetime(2026, 3, 27, 10, tzinfo=datetime.UTC))
    part_acknowledge(part=world.part, actor=world.head)
    event = TaskEvent.objects.get(task=world.task, kind=EventKind.PART)
    assert event.reason == "逾期签收（签收时限2026年3月25日）"


def test_another_department_cannot_acknowledge_for_the_department(world):
    with pytest.raises(PermissionDenied, match="只有本部门联络员或本部门负责人可以签收"):
        part_acknowledge(part=world.part, actor=world.lead_liaison)
    world.refresh()
    assert world.part.state == PartState.PENDING_ACK
    assert not TaskEvent.objects.filter(task=world.task).exists()
