"""领导批示: written by a manager, told at once, answered in the next report."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from notifications.choices import Kind
from notifications.models import Notification
from tasks_app.choices import EventKind, ReportState
from tasks_app.models import InstructionReply, TaskEvent
from tasks_app.services.lifecycle.instructions import instruction_create
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_file, report_save

pytestmark = pytest.mark.django_db
GOOD = {"status": "on_track", "progress": 30, "progress_text": "按计划推进。"}


def filing(world):
    return Filing(world.task, world.department.pk,
                  period_ensure(world.task.plan, datetime.date(2026, 3, 1)))


def test_an_instruction_reaches_every_department_on_the_task_at_once(world, delivered):
    instruction, sent = delivered(lambda: instruction_create(
        task=world.task, text="要加快进度,确保年底前见效。", actor=world.manager))
    assert set(instruction.departments.all()) == {world.lead_department, world.department}
    assert {m.to[0].split("@")[0] for m in sent} == {"lead.liaison", "lead.head",
                                                      "resp.liaison", "resp.head"}
    message = sent[0]
    assert message.extra_headers["X-Duban-Kind"] == Kind.INSTRUCTION
    assert "要加快进度,确保年底前见效。" in message.body
    assert f"/tasks/{world.task.pk}/" in message.body
    assert Notification.objects.filter(kind=Kind.INSTRUCTION, state="sent").count() == 4
    assert TaskEvent.objects.filter(task=world.task, kind=EventKind.INSTRUCTION).exists()


def test_an_instruction_on_a_report_goes_to_that_department_only(world):
    report = report_save(filing=filing(world), data=GOOD, user=world.liaison, submit=True)
    instruction = instruction_create(task=world.task, text="数据要核实。", actor=world.manager,
                                     report=report)
    assert list(instruction.departments.all()) == [world.department]


def test_only_managers_instruct(world):
    for user in (world.lead_office, world.head, world.lead_liaison):
        with pytest.raises(PermissionDenied, match="只有领导可以作出批示"):
            instruction_create(task=world.task, text="加快", actor=user)


def test_the_next_report_is_refused_until_the_instruction_is_answered(world):
    instruction = instruction_create(task=world.task, text="要加快进度。", actor=world.manager,
                                     departments=[world.department])
    with pytest.raises(ValidationError, match="请先填写对领导批示的落实情况再报送"):
        report_save(filing=filing(world), data=GOOD, user=world.liaison, submit=True)
    report = report_file(filing=filing(world), data=GOOD, user=world.liaison, submit=True,
                         replies={instruction.pk: "已增派专班,进度提高两成。"})
    assert report.state == ReportState.SUBMITTED
    reply = InstructionReply.objects.get(instruction=instruction)
    assert (reply.department, reply.report, reply.text) == (world.department, report,
                                                            "已增派专班,进度提高两成。")
    lead = Filing(world.task, world.lead_department.pk, filing(world).period)
    assert report_save(filing=lead, data=GOOD, user=world.lead_liaison, submit=True)


def test_a_reply_cannot_be_given_for_another_department(world):
    instruction = instruction_create(task=world.task, text="要加快进度。", actor=world.manager,
                                     departments=[world.lead_department])
    with pytest.raises(ValidationError, match="该批示不是写给本部门的"):
        report_file(filing=filing(world), data=GOOD, user=world.liaison,
                    replies={instruction.pk: "已落实"})


def test_an_instruction_to_a_department_not_on_the_task_is_refused(world):
    with pytest.raises(ValidationError, match="区承接局不承担此任务"):
        instruction_create(task=world.task, text="加快", actor=world.manager,
                           departments=[world.third])
