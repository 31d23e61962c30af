"""The lead office's admin for meetings, decisions, bulletins and assessments."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from seeds.demo import demo_accounts_ensure
from tasks_app.choices import AssignmentRole, SourceType, TaskStatus
from tasks_app.models import Assessment, Bulletin, Meeting
from tasks_app.services.assessment_rules import default_weights
from tasks_app.services.assessments import assessment_compute

from .factories import AssignmentFactory, DepartmentFactory, PeriodFactory, PlanFactory, TaskFactory
from .forms import form_values
from .records_factories import DecisionFactory, MeetingFactory, ReportFactory

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2027, 1, 20, 9, tzinfo=SH)


@pytest.fixture
def lead_client(client):
    """The lead office's demo account, logged in (again inside tests that travel in time)."""
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    return client


def _login_again(client) -> None:
    assert client.login(username="leadoffice", password="pw-demo-1")


@pytest.fixture
def scored_plan():
    with time_machine.travel(datetime.datetime(2025, 12, 1, tzinfo=SH)):
        plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
        task = TaskFactory(plan=plan, status=TaskStatus.IN_PROGRESS,
                           due_on=datetime.date(2026, 12, 31))
        part = AssignmentFactory(task=task, role=AssignmentRole.LEAD)
    period = PeriodFactory(plan=plan, month=datetime.date(2026, 3, 1))
    ReportFactory(task=task, department=part.department, period=period)
    return plan


@pytest.mark.parametrize("name", ["meeting", "meetingdecision", "bulletin", "assessment"])
def test_the_records_admin_pages_open_in_chinese(lead_client, name):
    response = lead_client.get(reverse(f"admin:tasks_app_{name}_changelist"))
    assert response.status_code == 200
    assert any(word in response.content.decode()
               for word in ("专题会议", "议定事项", "季度通报", "年度考核"))


@time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=SH))
def test_the_lead_office_turns_selected_decisions_into_follow_up_items(lead_client):
    lead, other = DepartmentFactory(name="区住建局"), DepartmentFactory(name="区财政局")
    decision = DecisionFactory(departments=[lead, other], due_on=datetime.date(2026, 4, 30))
    response = lead_client.post(reverse("admin:tasks_app_meetingdecision_changelist"), {
        "action": "to_follow_up", ACTION_CHECKBOX_NAME: [decision.pk], "apply": "1",
        "lead_department": lead.pk, "due_on": "",
    })
    assert response.status_code == 302
    decision.refresh_from_db()
    task = decision.follow_up_task
    assert task.source_type == SourceType.MEETING and task.due_on == datetime.date(2026, 4, 30)
    assert task.assignments.get(role=AssignmentRole.LEAD).department == lead


@time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=SH))
def test_a_meetings_open_decisions_become_follow_up_items_from_the_meeting_list(lead_client):
    meeting = MeetingFactory()
    department = DepartmentFactory()
    pending = DecisionFactory(meeting=meeting, departments=[department])
    closed = DecisionFactory(meeting=meeting, departments=[department], is_closed=True)
    lead_client.post(reverse("admin:tasks_app_meeting_changelist"), {
        "action": "decisions_to_follow_up", ACTION_CHECKBOX_NAME: [meeting.pk],
        "apply": "1", "lead_department": "", "due_on": "2026-06-30"})
    pending.refresh_from_db()
    closed.refresh_from_db()
    assert pending.follow_up_task.due_on == datetime.date(2026, 6, 30)
    assert closed.follow_up_task is None


@time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=SH))
def test_decisions_recorded_on_the_meeting_page_go_through_the_service(lead_client):
    meeting = MeetingFactory(state=Meeting.State.SCHEDULED)
    url = reverse("admin:tasks_app_meeting_change", args=[meeting.pk])
    data = form_values(lead_client.get(url).content.decode(), "meeting_form")
    data.update({"decisions-0-text": "加快推进项目审批。", "decisions-0-due_on": "2026-05-31"})
    response = lead_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD
    assert meeting.decisions.get().created_by.username == "leadoffice"


@time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=SH))
def test_generating_and_publishing_a_bulletin_from_the_admin(lead_client, scored_plan):
    _login_again(lead_client)  # the session is checked against the travelled clock
    response = lead_client.post(reverse("admin:tasks_app_bulletin_add"), {
        "plan": scored_plan.pk, "year": 2026, "quarter": 1})
    assert response.status_code == 302
    bulletin = Bulletin.objects.get(plan=scored_plan)
    assert bulletin.content["title"] == "2026年第1季度督办工作通报"
    lead_client.post(reverse("admin:tasks_app_bulletin_changelist"), {
        "action": "publish", ACTION_CHECKBOX_NAME: [bulletin.pk]})
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.PUBLISHED and bulletin.number == "2026年第1期"


def _new_assessment_form(client) -> dict:
    page = client.get(reverse("admin:tasks_app_assessment_add")).content.decode()
    assert "{" not in "".join(re.findall(r'value="([^"]*)"', page))  # no JSON to type
    return form_values(page, "assessment_form")


def test_the_admin_refuses_weights_that_do_not_add_up_to_100(lead_client, scored_plan):
    data = _new_assessment_form(lead_client)
    data.update({"plan": scored_plan.pk, "year": 2026, "weight_timeliness": "50"})
    response = lead_client.post(reverse("admin:tasks_app_assessment_add"), data)
    assert response.status_code == 200
    assert "合计须为 100 分" in response.content.decode()
    assert not Assessment.objects.exists()


def test_weights_are_one_labelled_number_each(lead_client, scored_plan):
    data = _new_assessment_form(lead_client)
    data.update({"plan": scored_plan.pk, "year": 2026, "weight_returned_per_report": "2"})
    response = lead_client.post(reverse("admin:tasks_app_assessment_add"), data)
    assert response.status_code == 302
    weights = Assessment.objects.get().weights
    assert weights == {**default_weights(), "returned_per_report": 2}


def _change_form(client, assessment):
    _login_again(client)
    url = reverse("admin:tasks_app_assessment_change", args=[assessment.pk])
    return url, form_values(client.get(url).content.decode(), "assessment_form")


@time_machine.travel(NOW)
def test_an_adjustment_in_the_admin_needs_a_reason(lead_client, scored_plan):
    assessment = assessment_compute(scored_plan, 2026)
    url, data = _change_form(lead_client, assessment)
    data["scores-0-adjustment"] = "3"
    response = lead_client.post(url, data)
    assert response.status_code == 200
    assert "调整得分必须填写理由" in response.content.decode()


@time_machine.travel(NOW)
def test_an_adjustment_with_a_reason_changes_the_total(lead_client, scored_plan):
    assessment = assessment_compute(scored_plan, 2026)
    url, data = _change_form(lead_client, assessment)
    data.update({"scores-0-adjustment": "-3", "scores-0-adjustment_reason": "报送内容不实。"})
    assert lead_client.post(url, data).status_code == 302
    score = assessment.scores.get()
    assert score.total == score.computed_total - 3 and score.adjustment_reason == "报送内容不实。"


@time_machine.travel(NOW)
def test_compute_publish_and_finalise_from_the_admin(lead_client, scored_plan):
    assessment = Assessment.objects.create(plan=scored_plan, year=2026)
    _login_again(lead_client)
    changelist = reverse("admin:tasks_app_assessment_changelist")
    for action in ("compute", "publish", "finalise"):
        lead_client.post(changelist, {"action": action, ACTION_CHECKBOX_NAME: [assessment.pk]})
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.FINAL
    assert assessment.scores.get().rank == 1
