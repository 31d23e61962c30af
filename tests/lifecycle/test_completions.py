"""办结申请 → 办结销号: only a verified completion completes the task."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app.choices import EventKind, PartState, TaskStatus
from tasks_app.models import CompletionRequest, TaskEvent
from tasks_app.services.lifecycle.completions import (
    completion_request_decide,
    completion_request_file,
)
from tasks_app.services.lifecycle.extensions import extension_request_file
from tasks_app.services.lifecycle.parts import part_acknowledge

pytestmark = pytest.mark.django_db
Decision = CompletionRequest.Decision


def evidence(name="验收报告.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def file(world, **kwargs):
    return completion_request_file(task=world.task, department=world.lead_department,
                                   results=kwargs.pop("results", "项目已竣工验收。"),
                                   actor=world.lead_liaison, **kwargs)


def decide(world, request, decision, reason="", rectify_due_on=None):
    return completion_request_decide(request=request, actor=world.lead_office,
                                     decision=decision, reason=reason,
                                     rectify_due_on=rectify_due_on)


def test_the_lead_department_files_with_evidence_and_the_task_waits(world):
    request = file(world, uploads=[evidence()])
    world.refresh()
    assert request.decision == Decision.PENDING
    assert [a.original_name for a in request.attachments.all()] == ["验收报告.pdf"]
    assert world.lead_part.state == PartState.COMPLETION_REQUESTED
    assert world.task.status == TaskStatus.COMPLETION_REQUESTED


def test_agreeing_completes_every_part_and_the_task(world, delivered):
    request = file(world)
    _, sent = delivered(lambda: decide(world, request, Decision.APPROVED))
    world.refresh()
    assert world.task.status == TaskStatus.COMPLETED
    assert world.lead_part.state == world.part.state == PartState.COMPLETED
    assert {m.to[0].split("@")[0] for m in sent} == {"lead.liaison", "lead.head",
                                                      "resp.liaison", "resp.head"}
    assert "同意办结" in sent[0].subject


def test_refusing_sends_the_task_back_to_work_with_the_reason(world):
    request = file(world)
    with pytest.raises(ValidationError, match="请填写意见"):
        decide(world, request, Decision.REJECTED)
    decide(world, request, Decision.REJECTED, reason="园区道路尚未完工")
    world.refresh()
    assert world.lead_part.state == PartState.IN_PROGRESS
    assert world.task.status == TaskStatus.IN_PROGRESS
    event = TaskEvent.objects.filter(task=world.task, kind=EventKind.COMPLETION).first()
    assert (event.before, event.after, event.reason) == ("pending", "rejected",
                                                         "园区道路尚未完工")
    assert (event.before_shown, event.after_shown) == ("待审核", "不同意办结")


def test_rectification_sets_a_new_deadline_and_the_task_is_rectifying(world):
    request = file(world)
    with pytest.raises(ValidationError, match="请填写整改时限"):
        decide(world, request, Decision.RECTIFY, reason="消防验收未通过")
    decide(world, request, Decision.RECTIFY, reason="消防验收未通过",
           rectify_due_on=datetime.date(2026, 6, 30))
    world.refresh()
    assert world.lead_part.state == PartState.RECTIFYING
    assert world.task.status == TaskStatus.RECTIFYING
    assert world.task.due_on == datetime.date(2026, 6, 30)
    assert world.task.original_due_on == datetime.date(2026, 12, 31)


def test_after_supplementing_the_lead_department_files_again(world):
    first = file(world)
    decide(world, first, Decision.SUPPLEMENT, reason="请补充验收报告")
    world.refresh()
    assert world.lead_part.state == PartState.SUPPLEMENTING
    second = file(world, results="已补充验收报告。", uploads=[evidence()])
    decide(world, second, Decision.APPROVED)
    assert world.refresh().task.status == TaskStatus.COMPLETED


def test_one_pending_request_at_a_time(world):
    file(world)
    world.lead_part.state = PartState.IN_PROGRESS
    world.lead_part.save()
    with pytest.raises(ValidationError, match="已有待审核的办结申请"):
        file(world)


def test_a_pending_extension_holds_the_completion_back(world):
    part_acknowledge(part=world.part, actor=world.liaison)
    extension_request_file(part=world.part, proposed_due_on=datetime.date(2027, 3, 1),
                           reason="资金未到位", actor=world.liaison)
    request = file(world)
    with pytest.raises(ValidationError, match="区责任局的延期申请尚未处理"):
        decide(world, request, Decision.APPROVED)


def test_results_are_required_and_attachments_are_checked(world):
    with pytest.raises(ValidationError, match="请填写办理结果"):
        file(world, results=" ")
    with pytest.raises(ValidationError, match="不支持的附件类型"):
        file(world, uploads=[evidence("脚本.exe")])
    assert not CompletionRequest.objects.exists()


def test_a_reported_completion_is_not_a_completion(world):
    """A department reporting 已完成 in a report does not complete the task."""
    from tasks_app.services.periods import period_ensure
    from tasks_app.services.reports import Filing, report_save

    period = period_ensure(world.task.plan, datetime.date(2026, 3, 1))
    report_save(filing=Filing(world.task, world.lead_department.pk, period), submit=True,
                user=world.lead_liaison, data={"status": "completed", "progress": 100,
                                               "progress_text": "全部完成。"})
    world.refresh()
    assert world.task.progress == 100 and world.task.status != TaskStatus.COMPLETED
