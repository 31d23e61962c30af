"""中止 / 转办: suspended tasks fall silent; a transferred part keeps both departments."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tasks_app.choices import EventKind, PartState, TaskStatus
from tasks_app.models import Assignment, ReportingPeriod, TaskEvent
from tasks_app.selectors.compliance import missing_reports
from tasks_app.services.lifecycle.parts import part_acknowledge
from tasks_app.services.lifecycle.suspension import part_transfer, task_resume, task_suspend
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_save

pytestmark = pytest.mark.django_db


def test_a_suspended_task_owes_no_reports_and_resumes_where_it_was(world, travel):
    period = period_ensure(world.task.plan, datetime.date(2026, 3, 1))
    assert {row.department_id for row in missing_reports(period)} == {
        world.lead_department.pk, world.department.pk}
    with pytest.raises(ValidationError, match="中止时请填写原因"):
        task_suspend(task=world.task, actor=world.lead_office, reason="")
    task = task_suspend(task=world.task, actor=world.lead_office, reason="上级政策调整")
    assert task.status == TaskStatus.SUSPENDED
    assert missing_reports(ReportingPeriod.objects.get(pk=period.pk)) == []
    travel.move_to(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC))
    task = task_resume(task=world.task, actor=world.lead_office, reason="政策明确,恢复推进")
    world.refresh()
    assert (world.lead_part.state, world.part.state) == (PartState.IN_PROGRESS,
                                                         PartState.PENDING_ACK)
    assert world.part.ack_due_on == datetime.date(2026, 4, 7)  # three working days from 4/1
    assert task.status == TaskStatus.IN_PROGRESS
    reasons = list(TaskEvent.objects.filter(task=world.task, kind=EventKind.PART)
                   .values_list("after", "reason"))
    assert ("suspended", "上级政策调整") in reasons
    assert ("pending_ack", "政策明确,恢复推进") in reasons


def test_a_transfer_hands_the_part_to_another_department_and_keeps_both(world):
    part_acknowledge(part=world.part, actor=world.liaison)
    period = period_ensure(world.task.plan, datetime.date(2026, 3, 1))
    report = report_save(filing=Filing(world.task, world.department.pk, period),
                         data={"status": "on_track", "progress": 10, "progress_text": "起步"},
                         user=world.liaison, submit=True)
    new = part_transfer(part=world.part, department=world.third, actor=world.lead_office,
                        reason="职能划转")
    world.refresh()
    assert world.part.state == PartState.TRANSFERRED and world.part.transferred_to == new
    assert (new.department, new.role, new.state) == (world.third, world.part.role,
                                                     PartState.PENDING_ACK)
    assert new.ack_due_on == datetime.date(2026, 3, 25)
    assert report.task_id == world.task.pk and world.task.reports.count() == 1
    change = TaskEvent.objects.get(task=world.task, kind=EventKind.ASSIGNMENT_CHANGED)
    assert (change.before, change.after) == ("区责任局（责任部门）", "区承接局（责任部门）")
    assert Assignment.objects.filter(task=world.task).count() == 3


def test_a_department_already_on_the_task_cannot_take_a_transfer(world):
    with pytest.raises(ValidationError, match="区牵头局 已是任务 7 的牵头部门"):
        part_transfer(part=world.part, department=world.lead_department,
                      actor=world.lead_office, reason="调整")


def test_a_completed_task_cannot_be_suspended(world):
    Assignment.objects.filter(task=world.task).update(state=PartState.COMPLETED)
    with pytest.raises(ValidationError, match="没有可中止的部门分工"):
        task_suspend(task=world.task, actor=world.lead_office, reason="不再需要")
