"""The lifecycle in the lead office's admin: lists of requests and slips, and actions that
run the same services (and write the same history) as the portal."""

import datetime

import pytest
from django.urls import reverse

from seeds.demo import lead_office_group
from tasks_app.choices import PartState, TaskStatus
from tasks_app.models import CompletionRequest, ExtensionRequest, Schedule
from tasks_app.services.lifecycle.completions import completion_request_file
from tasks_app.services.lifecycle.extensions import extension_request_file
from tasks_app.services.lifecycle.parts import part_acknowledge
from tasks_app.services.lifecycle.slips import slip_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    world.lead_office.is_staff = True
    world.lead_office.save()
    world.lead_office.groups.add(lead_office_group())
    client.force_login(world.lead_office)
    return client


def test_the_lifecycle_lists_open_for_the_lead_office(admin_client, world):
    slip_issue(sign=True, task=world.task, department=world.department, reason="进展缓慢",
               respond_by=datetime.date(2026, 3, 27), actor=world.lead_office)
    for name in ("extensionrequest", "completionrequest", "supervisionslip",
                 "leaderinstruction"):
        response = admin_client.get(reverse(f"admin:tasks_app_{name}_changelist"))
        assert response.status_code == 200, name
    slips = admin_client.get(reverse("admin:tasks_app_supervisionslip_changelist"))
    assert "测督〔2026〕1号" in slips.content.decode()


def test_approving_an_extension_in_the_admin_moves_the_due_date(admin_client, world):
    part_acknowledge(part=world.part, actor=world.liaison)
    request = extension_request_file(part=world.part, proposed_due_on=datetime.date(2027, 3, 31),
                                     reason="设备到货延迟", actor=world.head)
    admin_client.post(reverse("admin:tasks_app_extensionrequest_changelist"), {
        "action": "approve", "_selected_action": [request.pk]})
    request.refresh_from_db()
    world.refresh()
    assert request.state == ExtensionRequest.State.APPROVED
    assert world.task.due_on == datetime.date(2027, 3, 31)


def test_refusing_a_completion_asks_for_the_reason_first(admin_client, world):
    request = completion_request_file(task=world.task, department=world.lead_department,
                                      results="已完成", actor=world.lead_liaison)
    url = reverse("admin:tasks_app_completionrequest_changelist")
    form = admin_client.post(url, {"action": "reject", "_selected_action": [request.pk]})
    assert "原因/意见" in form.content.decode()
    admin_client.post(url, {"action": "reject", "_selected_action": [request.pk],
                            "apply": "1", "reason": "验收材料不全"})
    request.refresh_from_db()
    assert (request.decision, request.decision_reason) == (
        CompletionRequest.Decision.REJECTED, "验收材料不全")
    assert world.refresh().lead_part.state == PartState.IN_PROGRESS


def test_suspending_tasks_from_the_task_list(admin_client, world):
    url = reverse("admin:tasks_app_task_changelist")
    admin_client.post(url, {"action": "suspend_tasks", "_selected_action": [world.task.pk],
                            "apply": "1", "reason": "上级政策调整"})
    assert world.refresh().task.status == TaskStatus.SUSPENDED


def test_the_schedule_sets_late_extensions_and_automatic_slips(admin_client, world):
    url = reverse("admin:tasks_app_plan_change", args=[world.task.plan_id])
    html = admin_client.get(url).content.decode()
    assert "允许逾期后申请延期" in html and "拟发督办单" in html and "督办单自动签发" in html
    assert Schedule.objects.get(plan=world.task.plan).slip_level == "red"
