"""Database constraints keep the model honest even if a code path forgets."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tasks_app.choices import AssignmentRole
from tasks_app.models import Assignment, Task
from tasks_app.services.assignments import assignment_add

from .factories import AssignmentFactory, DepartmentFactory, GroupFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _fails(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(**fields)


def test_task_number_is_unique_within_a_plan():
    task = TaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(plan=task.plan, number=task.number, title="重复")
    Task.objects.create(plan=TaskFactory().plan, number=task.number, title="另一计划可以")


def test_one_assignment_per_task_department_and_role():
    part = AssignmentFactory()
    _fails(task=part.task, department=part.department, role=part.role)


def test_a_department_cannot_be_both_lead_and_responsible_on_one_task():
    part = AssignmentFactory(role=AssignmentRole.RESPONSIBLE)
    _fails(task=part.task, department=part.department, role=AssignmentRole.LEAD)


def test_an_assignment_names_a_department_or_a_group_never_both():
    task = TaskFactory()
    _fails(task=task, role=AssignmentRole.RESPONSIBLE)
    _fails(task=task, department=DepartmentFactory(), group=GroupFactory(),
           role=AssignmentRole.RESPONSIBLE)


def test_progress_cannot_exceed_100():
    task = TaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(progress=101)


def test_the_service_refuses_a_second_role_with_a_field_level_chinese_message():
    part = AssignmentFactory(role=AssignmentRole.RESPONSIBLE)
    with pytest.raises(ValidationError) as error:
        assignment_add(task=part.task, role=AssignmentRole.LEAD, department=part.department,
                       actor=None)
    assert "只能担任一个角色" in error.value.message_dict["department"][0]


def test_a_part_carries_its_tasks_plan_on_every_write_path():
    """Assignment.plan is a copy of the task's plan: set by the services (one part or in
    bulk) and by a plain save; a bulk insert that forgets it is refused, not stored wrong."""
    from django.db.models import F

    from tasks_app.services.assignments import assignments_bulk_add

    tasks = [TaskFactory(), TaskFactory()]
    assignment_add(task=tasks[0], role=AssignmentRole.LEAD, actor=None,
                   department=DepartmentFactory())
    assignments_bulk_add(tasks=tasks, department=DepartmentFactory(),
                         role=AssignmentRole.RESPONSIBLE, actor=None)
    Assignment.objects.create(task=tasks[1], group=GroupFactory(),
                              role=AssignmentRole.RESPONSIBLE)
    assert Assignment.objects.count() == 4
    assert not Assignment.objects.exclude(plan_id=F("task__plan_id")).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.bulk_create([Assignment(task=tasks[0], department=DepartmentFactory(),
                                                   role=AssignmentRole.RESPONSIBLE)])
