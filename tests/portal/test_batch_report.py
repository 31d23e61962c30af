"""The sheet: every task of the department for the period, saved row by row."""

import datetime

import pytest
from django.urls import reverse

from tasks_app.choices import ReportState, TaskStatus
from tasks_app.models import ProgressReport
from tasks_app.services.reports import report_save

from ..forms import form_values
from .conftest import GOOD, add_task

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _sheet(world) -> str:
    return reverse("portal:batch_report", args=[world.period.pk])


def _row(world, task=None) -> str:
    return reverse("portal:batch_row", args=[world.period.pk, (task or world.task).pk])


def _row_values(client, world, task=None) -> dict:
    html = client.get(_sheet(world)).content.decode()
    return form_values(html, f"row-{(task or world.task).pk}")


def test_the_sheet_lists_every_active_task_prefilled_from_last_month(as_user, world, travel):
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项任务")
    add_task(world.task.plan, world.task.driver, world.department, title="已办结任务",
             status=TaskStatus.COMPLETED)
    travel.move_to(datetime.datetime(2026, 2, 20, 1, tzinfo=datetime.UTC))
    report_save(filing=world.filing(period=world.february), user=world.liaison, submit=True,
                data=GOOD | {"progress_text": "二月进展。", "progress": 20})
    travel.move_to(datetime.datetime(2026, 3, 20, 1, tzinfo=datetime.UTC))
    client = as_user(world.liaison)
    response = client.get(_sheet(world))
    html = response.content.decode()
    assert "推动产业集聚" in html and "第二项任务" in html and "已办结任务" not in html
    assert "别人的任务" not in html
    values = _row_values(client, world)
    assert values["progress_text"] == "二月进展。" and values["progress"] == "20"
    assert _row_values(client, world, second)["progress_text"] == ""


def test_saving_a_row_answers_the_redrawn_row_without_a_page(as_user, world):
    client = as_user(world.liaison)
    values = _row_values(client, world) | GOOD | {"action": "save"}
    values.pop("needs_coordination")
    response = client.post(_row(world), values, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "已保存草稿" in html
    report = ProgressReport.objects.get()
    assert report.state == ReportState.DRAFT and report.progress == 40
    assert form_values(html, f"row-{world.task.pk}")["version"] == str(report.version)


def test_submitting_a_row_files_the_report(as_user, world):
    client = as_user(world.liaison)
    values = _row_values(client, world) | GOOD | {"action": "submit"}
    values.pop("needs_coordination")
    response = client.post(_row(world), values, **HTMX)
    assert "已报送" in response.content.decode()
    assert ProgressReport.objects.get().state == ReportState.SUBMITTED


def test_an_invalid_row_answers_422_with_the_message_and_saves_nothing(as_user, world):
    client = as_user(world.liaison)
    values = _row_values(client, world) | GOOD | {"progress": "120", "action": "save"}
    values.pop("needs_coordination")
    response = client.post(_row(world), values, **HTMX)
    assert response.status_code == 422
    assert "进度必须在 0 到 100 之间" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_row_saved_meanwhile_by_someone_else_answers_409(as_user, world):
    client = as_user(world.liaison)
    stale = _row_values(client, world) | GOOD | {"action": "save"}
    stale.pop("needs_coordination")
    assert client.post(_row(world), stale | {"progress": "50"}, **HTMX).status_code == 200
    response = as_user(world.head).post(_row(world), stale | {"progress": "60"}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人修改" in html and "载入最新内容" in html
    assert ProgressReport.objects.get().progress == 50


def test_a_submitted_row_can_be_withdrawn(as_user, world):
    report = world.report(submit=True)
    client = as_user(world.liaison)
    response = client.post(_row(world), {"action": "withdraw", "version": report.version},
                           **HTMX)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_without_javascript_a_row_save_returns_to_the_sheet(as_user, world):
    client = as_user(world.liaison)
    values = _row_values(client, world) | GOOD | {"action": "save"}
    values.pop("needs_coordination")
    response = client.post(_row(world), values)
    assert response.status_code == 302 and f"#row-{world.task.pk}" in response.url
    assert ProgressReport.objects.exists()


def test_another_department_cannot_open_or_save_the_row(as_user, world):
    client = as_user(world.outsider)
    assert client.post(_row(world), GOOD | {"version": 0}, **HTMX).status_code == 404
    assert client.get(_row(world)).status_code == 404
    lonely = add_task(world.task.plan, world.task.driver, title="无人承担")
    assert as_user(world.liaison).get(_row(world, lonely)).status_code == 404
    assert not ProgressReport.objects.exists()


def test_a_department_without_tasks_in_the_plan_gets_404_on_the_sheet(as_user, world):
    world.other_task.delete()
    assert as_user(world.outsider).get(_sheet(world)).status_code == 404


def test_a_locked_period_refuses_the_row_with_a_message(as_user, world):
    world.period.state = "locked"
    world.period.save()
    client = as_user(world.liaison)
    assert "填报已锁定" in client.get(_sheet(world)).content.decode()
    values = _row_values(client, world) | GOOD | {"action": "save"}
    values.pop("needs_coordination")
    response = client.post(_row(world), values, **HTMX)
    assert response.status_code == 422 and "已锁定" in response.content.decode()
    assert not ProgressReport.objects.exists()


def _submit_all(client, world):
    url = reverse("portal:batch_submit", args=[world.period.pk])
    return client.post(f"{url}?department={world.department.pk}", follow=True)


def test_submit_all_files_every_saved_draft_and_nothing_else(as_user, world):
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项任务")
    add_task(world.task.plan, world.task.driver, world.department, title="未填写的任务")
    for task in (world.task, second):
        report_save(filing=world.filing(task=task), data=GOOD, user=world.liaison)
    response = _submit_all(as_user(world.liaison), world)
    assert "已报送 2 项草稿" in response.content.decode()
    assert sorted(ProgressReport.objects.values_list("state", flat=True)) == [
        ReportState.SUBMITTED, ReportState.SUBMITTED]


def test_submit_all_is_all_or_nothing_with_the_reason(as_user, world):
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项任务")
    report_save(filing=world.filing(), data=GOOD, user=world.liaison)
    report_save(filing=world.filing(task=second), data=GOOD | {"status": "delayed",
                                                                 "problems": ""},
                user=world.liaison)
    response = _submit_all(as_user(world.liaison), world)
    html = response.content.decode()
    assert f"任务 {second.number}" in html
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.DRAFT}


def test_submit_all_without_drafts_says_so(as_user, world):
    assert "本期没有待报送的草稿" in _submit_all(as_user(world.liaison), world).content.decode()


def test_another_department_cannot_submit_all(as_user, world):
    report_save(filing=world.filing(), data=GOOD, user=world.liaison)
    url = reverse("portal:batch_submit", args=[world.period.pk])
    response = as_user(world.outsider).post(f"{url}?department={world.department.pk}")
    assert response.status_code == 404
    assert ProgressReport.objects.get().state == ReportState.DRAFT
