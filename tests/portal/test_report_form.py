"""Filing one task's report on the web: draft, submit with attachments, withdraw, refusals."""

import datetime

import pytest
from django.urls import reverse

from departments.choices import Role
from tasks_app.choices import EventKind, ReportState
from tasks_app.models import Attachment, ProgressReport, TaskEvent
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import report_lead_review, report_save

from ..factories import MembershipFactory
from ..forms import form_values
from .conftest import GOOD, pdf

pytestmark = pytest.mark.django_db


def _url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("portal:report", args=[world.task.pk]) + (f"?{query}" if query else "")


def _form(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.content.decode(), "report-form")


def test_the_form_is_prefilled_from_the_departments_previous_report(as_user, world, travel):
    travel.move_to(datetime.datetime(2026, 2, 20, 1, tzinfo=datetime.UTC))
    report_save(filing=world.filing(period=world.february), user=world.liaison, submit=True,
                data=GOOD | {"progress_text": "二月进展。", "progress": 20})
    travel.move_to(datetime.datetime(2026, 3, 20, 1, tzinfo=datetime.UTC))
    values = _form(as_user(world.liaison), _url(world))
    assert values["progress_text"] == "二月进展。" and values["progress"] == "20"
    assert values["version"] == "0" and "needs_coordination" not in values


def test_saving_a_draft_keeps_it_for_the_department_only(as_user, world):
    client = as_user(world.liaison)
    values = _form(client, _url(world)) | {"progress_text": "起草中。", "action": "save"}
    response = client.post(_url(world), values)
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=world.task, department=world.department)
    assert report.state == ReportState.DRAFT and report.progress_text == "起草中。"
    assert not TaskEvent.objects.filter(task=world.task, kind=EventKind.REPORT).exists()


def test_submitting_with_attachments_files_the_report_and_its_history(as_user, world):
    client = as_user(world.liaison)
    values = _form(client, _url(world)) | GOOD | {"action": "submit", "progress": "35"}
    values.pop("needs_coordination")
    response = client.post(_url(world), values | {"attachments": [pdf("一.pdf"), pdf("二.pdf")]})
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=world.task, department=world.department)
    assert report.state == ReportState.SUBMITTED and report.progress == 35
    assert sorted(a.original_name for a in report.attachments.all()) == ["一.pdf", "二.pdf"]
    assert TaskEvent.objects.filter(task=world.task, kind=EventKind.REPORT).exists()
    assert "已报送" in client.get(response.url).content.decode()


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"progress": "101"}, "progress", "进度必须在 0 到 100 之间。"),
    ({"progress": "abc"}, "progress", "请输入整数。"),
    ({"progress_text": ""}, "progress_text", "报送前请填写本期进展。"),
    ({"status": "delayed", "problems": ""}, "problems", "请填写存在问题"),
])
def test_invalid_input_is_refused_on_its_field_and_nothing_is_saved(as_user, world, change,
                                                                     field, message):
    client = as_user(world.liaison)
    values = _form(client, _url(world)) | GOOD | change | {"action": "submit"}
    values.pop("needs_coordination")
    response = client.post(_url(world), values)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ProgressReport.objects.filter(task=world.task).exists()


def test_a_forbidden_attachment_refuses_the_whole_submission(as_user, world):
    client = as_user(world.liaison)
    values = _form(client, _url(world)) | GOOD | {"action": "submit"}
    values.pop("needs_coordination")
    bad = pdf("病毒.exe")
    response = client.post(_url(world), values | {"attachments": [pdf(), bad]})
    assert "不支持的附件类型" in " ".join(response.context["form"].errors["attachments"])
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()


def test_an_attachment_over_the_size_limit_is_refused(as_user, world, settings):
    settings.DUBAN_ATTACHMENT_MAX_BYTES = 100
    client = as_user(world.liaison)
    values = _form(client, _url(world)) | GOOD | {"action": "save"}
    values.pop("needs_coordination")
    response = client.post(_url(world), values | {"attachments": pdf(size=200)})
    assert "超过大小上限" in " ".join(response.context["form"].errors["attachments"])
    assert not Attachment.objects.exists()


def test_the_second_of_two_concurrent_edits_is_refused_with_a_clear_message(as_user, world):
    client = as_user(world.liaison)
    stale = _form(client, _url(world)) | GOOD | {"action": "save"}
    stale.pop("needs_coordination")
    assert client.post(_url(world), stale | {"progress_text": "第一人。"}).status_code == 302
    head = as_user(world.head)
    response = head.post(_url(world), stale | {"progress_text": "第二人。"})
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert ProgressReport.objects.get().progress_text == "第一人。"


def test_a_submitted_report_can_be_withdrawn_and_changed(as_user, world):
    report = world.report(submit=True)
    client = as_user(world.liaison)
    html = client.get(_url(world)).content.decode()
    assert "撤回修改" in html and 'id="report-form"' not in html
    response = client.post(_url(world), {"action": "withdraw", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert 'id="report-form"' in client.get(_url(world)).content.decode()


def test_a_returned_report_shows_the_lead_departments_comment(as_user, world):
    report = world.report(submit=True)
    report_lead_review(report=report, user=world.lead_liaison, accept=False,
                       comment="请补充招商数据")
    html = as_user(world.liaison).get(_url(world)).content.decode()
    assert "请补充招商数据" in html and 'id="report-form"' in html


def test_an_attachment_can_be_removed_from_a_draft(as_user, world):
    client = as_user(world.liaison)
    values = _form(client, _url(world)) | GOOD | {"action": "save"}
    values.pop("needs_coordination")
    client.post(_url(world), values | {"attachments": pdf()})
    item = Attachment.objects.get()
    response = client.post(_url(world), {"action": "remove_attachment", "attachment": item.pk})
    assert response.status_code == 302 and not Attachment.objects.exists()


def test_a_period_that_has_not_opened_is_refused(as_user, world):
    april = period_ensure(world.task.plan, datetime.date(2026, 4, 1))
    client = as_user(world.liaison)
    values = _form(client, _url(world, period=april.pk)) | GOOD | {"action": "save"}
    values.pop("needs_coordination")
    response = client.post(_url(world, period=april.pk), values)
    assert "尚未开始" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_user_of_two_departments_files_for_the_one_asked(as_user, world):
    MembershipFactory(user=world.liaison, department=world.lead_department, role=Role.LIAISON)
    client = as_user(world.liaison)
    url = _url(world, department=world.lead_department.pk)
    assert "区牵头局" in client.get(url).content.decode()
    values = _form(client, url) | GOOD | {"action": "submit"}
    values.pop("needs_coordination")
    client.post(url, values)
    assert ProgressReport.objects.get().department == world.lead_department
    assert client.get(_url(world, department=world.outsider_department.pk)).status_code == 404


def test_a_late_report_for_last_month_is_accepted_and_marked_late(as_user, world):
    client = as_user(world.liaison)
    url = _url(world, period=world.february.pk)
    values = _form(client, url) | GOOD | {"action": "submit"}
    values.pop("needs_coordination")
    client.post(url, values)
    report = ProgressReport.objects.get()
    assert report.period == world.february and report.is_late


def test_a_resubmitted_report_no_longer_shows_the_old_return_comment(as_user, world):
    report = world.report(submit=True)
    report_lead_review(report=report, user=world.lead_liaison, accept=False, comment="请补充数据")
    world.report(submit=True, progress_text="已补充数据。")
    html = as_user(world.lead_liaison).get(
        reverse("portal:task", args=[world.task.pk])).content.decode()
    assert "已补充数据。" in html
    assert html.count("请补充数据") == 1  # only in the history line of the return
