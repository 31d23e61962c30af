"""The lifecycle in the portal: the task page offers each person their actions, the actions
go through the services, refusals are explained, and pages hide what a user may not see."""

import datetime

import pytest
from django.urls import reverse

from tasks_app.choices import PartState, TaskStatus
from tasks_app.models import ExtensionRequest, SupervisionSlip, Task
from tasks_app.services.lifecycle.instructions import instruction_create
from tasks_app.services.lifecycle.parts import part_acknowledge
from tasks_app.services.lifecycle.slips import slip_issue

pytestmark = pytest.mark.django_db


def act(client, world, action, **data):
    return client.post(reverse("portal:task_action", args=[world.task.pk, action]), data)


def page(client, world):
    return client.get(reverse("portal:task", args=[world.task.pk])).content.decode()


def panel(client, name, *args):
    """A panel the page loads with htmx after it (the same view serves a page without it)."""
    response = client.get(reverse(name, args=args), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_liaison_acknowledges_from_the_task_page(client, world):
    client.force_login(world.liaison)
    assert "签收时限 2026年3月25日" in page(client, world)
    response = act(client, world, "acknowledge", part=world.part.pk)
    assert response.status_code == 302 and response.url.endswith("#lifecycle")
    world.refresh()
    assert world.part.state == PartState.IN_PROGRESS
    assert "已签收。" in page(client, world)


def test_an_overdue_acknowledgement_is_shown_as_a_warning(client, world, travel):
    travel.move_to(datetime.datetime(2026, 3, 27, 2, tzinfo=datetime.UTC))
    client.force_login(world.lead_office)
    assert "签收逾期" in page(client, world)
    desk = client.get(reverse("portal:desk")).content.decode()
    assert "签收逾期" in desk and "推动产业集聚" in desk


def test_a_person_sees_only_the_actions_open_to_them(client, world):
    client.force_login(world.lead_liaison)
    html = page(client, world)
    assert "申请办结" in html and 'name="acknowledge"' not in html
    assert "签发督办单" not in html and "中止任务" not in html
    client.force_login(world.lead_office)
    html = page(client, world)
    assert "签发督办单" in html and "中止任务" in html
    assert reverse("portal:transfer", args=[world.task.pk, world.part.pk]) in html
    assert "作出批示" not in panel(client, "portal:task_instructions", world.task.pk)
    client.force_login(world.manager)
    assert "作出批示" in panel(client, "portal:task_instructions", world.task.pk)


def test_a_refused_action_explains_why_and_keeps_the_input(client, world):
    part_acknowledge(part=world.part, actor=world.liaison)
    client.force_login(world.liaison)
    response = act(client, world, "request_extension", part=world.part.pk,
                   proposed_due_on="2026-06-30", reason="设备到货延迟")
    assert response.status_code == 422
    html = response.content.decode()
    assert "申请延至的日期须晚于现完成时限2026年12月31日" in html and "设备到货延迟" in html
    assert not ExtensionRequest.objects.exists()


def test_a_role_not_allowed_is_told_so(client, world):
    client.force_login(world.liaison)
    response = act(client, world, "suspend", reason="不想干了")
    assert response.status_code == 403
    assert "只有牵头办公室可以中止" in response.content.decode()
    assert Task.objects.get(pk=world.task.pk).status != TaskStatus.SUSPENDED


def test_an_outsider_gets_404_for_the_task_and_its_actions(client, world):
    client.force_login(world.outsider)
    assert act(client, world, "acknowledge", part=world.part.pk).status_code == 404
    assert client.get(reverse("portal:task", args=[world.task.pk])).status_code == 404


def test_instructions_come_first_on_the_task_page(client, world):
    instruction_create(task=world.task, text="务必年内见效。", actor=world.manager)
    client.force_login(world.liaison)
    html = page(client, world)
    assert html.index('id="instructions"') < html.index("任务原文")
    fragment = panel(client, "portal:task_instructions", world.task.pk)
    assert "务必年内见效。" in fragment and "待落实反馈" in fragment
    assert "<html" not in fragment
    full = client.get(reverse("portal:task_instructions", args=[world.task.pk]))
    assert "<html" in full.content.decode() and "务必年内见效。" in full.content.decode()


def test_the_report_form_asks_for_the_reply_and_refuses_without_it(client, world):
    instruction = instruction_create(task=world.task, text="务必年内见效。", actor=world.manager,
                                     departments=[world.department])
    client.force_login(world.liaison)
    url = reverse("portal:report", args=[world.task.pk]) + f"?department={world.department.pk}"
    assert f'name="reply_{instruction.pk}"' in client.get(url).content.decode()
    data = {"status": "on_track", "progress": 20, "progress_text": "推进中。", "problems": "",
            "next_steps": "", "version": 0, "action": "submit"}
    refused = client.post(url, data)
    assert "请先填写对领导批示的落实情况再报送" in refused.content.decode()
    done = client.post(url, data | {f"reply_{instruction.pk}": "已成立专班。"})
    assert done.status_code == 302
    assert world.task.reports.get().state == "submitted"


def test_the_lead_office_creates_an_item_that_waits_for_acknowledgement(client, world):
    client.force_login(world.lead_office)
    assert client.get(reverse("portal:item_new")).status_code == 200
    response = client.post(reverse("portal:item_new"), {
        "plan": world.task.plan_id, "title": "解决园区供热管网改造问题",
        "text": "3月专题会议议定:4月底前完成管网改造方案。", "source_type": "meeting",
        "source_reference": "3月份专题会议", "urgency": "urgent", "responsible_leader": "张三",
        "overseeing_leader": "李四", "due_on": "2026-04-30", "feedback_type": "periodic",
        "feedback_cycle": "weekly", "lead_department": world.lead_department.pk,
        "departments": [world.department.pk]})
    item = Task.objects.get(title="解决园区供热管网改造问题")
    assert response.status_code == 302 and response.url == f"/tasks/{item.pk}/"
    assert (item.source_type, item.urgency, item.feedback_cycle, item.status) == (
        "meeting", "urgent", "weekly", TaskStatus.PENDING_ACK)
    assert {(p.department, p.role) for p in item.assignments.all()} == {
        (world.lead_department, "lead"), (world.department, "responsible")}
    client.force_login(world.liaison)
    assert "解决园区供热管网改造问题" in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("portal:item_new")).status_code == 404
    assert client.get(reverse("portal:desk")).status_code == 404


def test_a_department_sees_only_its_own_slips_and_answers_them(client, world):
    slip = slip_issue(sign=True, task=world.task, department=world.department, reason="进展缓慢",
                      respond_by=datetime.date(2026, 3, 27), actor=world.lead_office)
    other = slip_issue(sign=True, task=world.task, department=world.lead_department,
                       reason="进展缓慢",
                       respond_by=datetime.date(2026, 3, 27), actor=world.lead_office)
    client.force_login(world.liaison)
    listing = client.get(reverse("portal:slips")).content.decode()
    assert slip.number in listing and other.number not in listing
    assert client.get(reverse("portal:slip", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:slip_pdf", args=[other.pk])).status_code == 404
    assert 'id="todo"' in client.get(reverse("portal:home")).content.decode()
    assert "督办单待签收" in panel(client, "portal:todo")
    url = reverse("portal:slip", args=[slip.pk])
    client.post(url, {"action": "receive"})
    client.post(url, {"action": "answer", "answer": "已补报并说明原因。"})
    slip.refresh_from_db()
    assert slip.state == SupervisionSlip.State.ANSWERED and slip.answer == "已补报并说明原因。"


def test_the_lead_office_drafts_signs_and_voids_a_slip_in_the_portal(client, world):
    client.force_login(world.lead_office)
    response = act(client, world, "issue_slip", department=world.department.pk,
                   reason="进展缓慢", required_response="", respond_by="2026-03-27", sign="")
    assert response.status_code == 302
    draft = SupervisionSlip.objects.get()
    assert (draft.state, draft.sequence) == (SupervisionSlip.State.DRAFT, None)
    url = reverse("portal:slip", args=[draft.pk])
    assert "审核签发" in client.get(url).content.decode()
    assert draft.addressee in client.get(reverse("portal:desk")).content.decode()
    client.force_login(world.liaison)
    assert client.get(url).status_code == 404
    assert "督办单待签收" not in panel(client, "portal:todo")
    assert client.post(url, {"action": "sign"}).status_code == 404
    client.force_login(world.lead_office)
    client.post(url, {"action": "sign"})
    draft.refresh_from_db()
    assert (draft.number, draft.issued_by) == ("测督〔2026〕1号", world.lead_office)
    page_html = client.get(url).content.decode()
    assert 'id="slip-signer"' in page_html and "作废督办单" in page_html
    assert client.post(url, {"action": "void", "reason": " "}).status_code == 422
    client.post(url, {"action": "void", "reason": "误发"})
    client.force_login(world.liaison)
    shown = client.get(url).content.decode()
    assert "已作废" in shown and "测督〔2026〕1号" in shown and "误发" in shown
    assert "督办单待签收" not in panel(client, "portal:todo")


def test_the_head_endorses_and_the_lead_office_approves_in_the_portal(client, world):
    part_acknowledge(part=world.part, actor=world.liaison)
    client.force_login(world.liaison)
    act(client, world, "request_extension", part=world.part.pk, proposed_due_on="2027-03-31",
        reason="设备到货延迟")
    request = ExtensionRequest.objects.get()
    client.force_login(world.head)
    assert "延期申请待审核" in panel(client, "portal:todo")
    act(client, world, "endorse_extension", request=request.pk, decision="endorse")
    client.force_login(world.lead_office)
    act(client, world, "decide_extension", request=request.pk, decision="approve",
        due_on="2027-03-31", reason="")
    world.refresh()
    assert world.task.due_on == datetime.date(2027, 3, 31)
    html = panel(client, "portal:task_requests", world.task.pk)
    assert "原定完成时限：2026年12月31日；现完成时限：2027年3月31日" in html


def test_the_lead_office_transfers_a_part_from_its_page(client, world):
    client.force_login(world.lead_office)
    url = reverse("portal:transfer", args=[world.task.pk, world.part.pk])
    form = client.get(url).content.decode()
    assert "区承接局" in form and "区牵头局" not in form.split('id="transfer-to"')[1]
    act(client, world, "transfer", part=world.part.pk, department=world.third.pk,
        reason="职能划转")
    world.refresh()
    assert world.part.state == PartState.TRANSFERRED
    client.force_login(world.liaison)
    assert client.get(url).status_code == 404


def test_panels_of_an_invisible_task_are_404(client, world):
    client.force_login(world.outsider)
    for name in ("portal:task_instructions", "portal:task_requests"):
        assert client.get(reverse(name, args=[world.task.pk])).status_code == 404
