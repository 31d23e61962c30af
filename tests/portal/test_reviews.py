"""Reviews: the head approves or returns; the lead department accepts or returns each
department's report, sees who reported on time, and writes the consolidated summary."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from departments.access import access_for
from tasks_app.choices import AssignmentRole as R
from tasks_app.choices import EventKind, ReportState
from tasks_app.filtersets import TaskFilterSet
from tasks_app.models import ProgressReport, Task, TaskEvent, TaskSummary
from tasks_app.permissions import lead_department_ids
from tasks_app.portal import views_reviews
from tasks_app.selectors.reviews import lead_queue, review_count
from tasks_app.services.reports import report_save

from ..factories import AssignmentFactory, DepartmentFactory, GroupFactory
from ..forms import form_values
from .conftest import GOOD, add_task, person

pytestmark = pytest.mark.django_db


def _review(world, period=None) -> str:
    return (reverse("portal:review", args=[world.task.pk])
            + f"?period={(period or world.period).pk}")


def _decide(client, report, role, decision, comment="", version=None):
    return client.post(reverse("portal:report_review", args=[report.pk]), {
        "role": role, "decision": decision, "comment": comment,
        "version": report.version if version is None else version,
        "next": reverse("portal:reviews")}, follow=True)


def test_the_head_approves_the_departments_report_from_the_queue(as_user, world):
    report = world.report(submit=True)
    client = as_user(world.head)
    html = client.get(reverse("portal:reviews")).content.decode()
    assert "部门负责人审核" in html and "完成方案起草。" in html
    _decide(client, report, "head", "accept")
    report.refresh_from_db()
    assert report.state == ReportState.HEAD_APPROVED and report.head_reviewed_by == world.head
    assert "完成方案起草。" not in client.get(reverse("portal:reviews")).content.decode()


def test_a_heads_long_queue_shows_its_latest_and_counts_them_all(as_user, world,
                                                                monkeypatch):
    monkeypatch.setattr(views_reviews, "HEAD_SHOWN", 2)
    reports = [world.report(submit=True)] + [
        report_save(filing=world.filing(task=add_task(world.task.plan, world.task.driver,
                                                      world.department)),
                    data=GOOD, user=world.liaison, submit=True) for _ in range(2)]
    response = as_user(world.head).get(reverse("portal:reviews"))
    assert response.context["head_total"] == 3 and len(response.context["head_reports"]) == 2
    html = response.content.decode()
    assert "3 项" in html and "先显示最近的 2 项" in html
    assert html.count('class="review-form"') == 2 and 'name="csrfmiddlewaretoken"' in html
    _decide(as_user(world.head), reports[0], "head", "accept")
    response = as_user(world.head).get(reverse("portal:reviews"))
    assert response.context["head_total"] == 2 and "先显示最近的" not in response.content.decode()


def test_the_lead_queue_holds_the_other_departments_reports_not_its_own(as_user, world):
    theirs = world.report(submit=True)
    own = world.report(user=world.lead_liaison, submit=True)
    queue = as_user(world.lead_liaison).get(reverse("portal:reviews")).context["lead_page"]
    assert list(queue.object_list) == [theirs]
    queue = as_user(world.lead_office).get(reverse("portal:reviews")).context["lead_page"]
    assert list(queue.object_list) == [own]


def test_the_review_page_shows_every_department_and_its_compliance(as_user, world, travel):
    world.report(user=world.lead_liaison, submit=True)
    travel.move_to(datetime.datetime(2026, 3, 30, 1, tzinfo=datetime.UTC))
    world.report(submit=True)
    response = as_user(world.lead_liaison).get(_review(world))
    rows = {row.department.name: row.compliance for row in response.context["page"].rows}
    assert rows == {"区牵头局": "on_time", "区责任局": "late"}
    html = response.content.decode()
    assert "按时报送" in html and "逾期报送" in html and "完成方案起草。" in html


def test_a_department_that_did_not_report_after_the_deadline_is_overdue(as_user, world,
                                                                        travel):
    travel.move_to(datetime.datetime(2026, 3, 30, 1, tzinfo=datetime.UTC))
    page = as_user(world.lead_liaison).get(_review(world)).context["page"]
    assert {row.compliance for row in page.rows} == {"overdue"}
    assert page.counts["overdue"] == 2


def test_the_lead_returns_a_report_with_a_comment_into_the_history(as_user, world):
    report = world.report(submit=True)
    client = as_user(world.lead_liaison)
    html = _decide(client, report, "lead", "return", "请补充招商数据").content.decode()
    assert "已退回" in html
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED and report.review_comment == "请补充招商数据"
    event = TaskEvent.objects.get(task=world.task, kind=EventKind.REVIEW)
    assert event.reason == "请补充招商数据"


def test_returning_without_a_comment_is_refused(as_user, world):
    report = world.report(submit=True)
    html = _decide(as_user(world.lead_liaison), report, "lead", "return").content.decode()
    assert "退回时请填写意见" in html
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_a_review_of_a_report_changed_meanwhile_is_refused(as_user, world):
    report = world.report(submit=True)
    html = _decide(as_user(world.lead_liaison), report, "lead", "accept",
                   version=report.version - 1).content.decode()
    assert "已被他人修改" in html
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_lead_accepts_and_the_department_can_no_longer_withdraw(as_user, world):
    report = world.report(submit=True)
    _decide(as_user(world.lead_liaison), report, "lead", "accept")
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    html = as_user(world.liaison).get(reverse("portal:report", args=[world.task.pk]))
    assert "撤回修改" not in html.content.decode()


def test_a_responsible_department_cannot_review_others(as_user, world):
    report = world.report(user=world.lead_liaison, submit=True)
    client = as_user(world.head)
    assert client.get(_review(world)).status_code == 404
    response = client.post(reverse("portal:report_review", args=[report.pk]),
                           {"role": "lead", "decision": "accept", "version": report.version})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_lead_writes_the_consolidated_summary(as_user, world):
    client = as_user(world.lead_liaison)
    values = form_values(client.get(_review(world)).content.decode(), "summary-form")
    assert values["progress"] == "0"
    response = client.post(_review(world), values | {"text": "总体进展顺利。", "progress": "55"})
    assert response.status_code == 302
    summary = TaskSummary.objects.get()
    assert summary.text == "总体进展顺利。" and summary.progress == 55
    world.task.refresh_from_db()
    assert world.task.progress == 55
    values = form_values(client.get(_review(world)).content.decode(), "summary-form")
    assert values["version"] == "1" and values["text"] == "总体进展顺利。"


def test_an_empty_summary_is_refused_on_its_field(as_user, world):
    client = as_user(world.lead_liaison)
    response = client.post(_review(world), {"text": " ", "progress": "", "version": ""})
    assert "请填写汇总进展" in " ".join(response.context["summary_form"].errors["text"])
    assert not TaskSummary.objects.exists()


def test_a_stale_summary_is_refused(as_user, world):
    client = as_user(world.lead_liaison)
    client.post(_review(world), {"text": "第一版。", "version": ""})
    response = client.post(_review(world), {"text": "第二版。", "version": "0"})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert TaskSummary.objects.get().text == "第一版。"


def test_managers_read_the_review_page_without_acting(as_user, world):
    world.report(submit=True)
    response = as_user(world.manager).get(_review(world))
    assert response.status_code == 200
    assert 'id="summary-form"' not in response.content.decode()
    assert not any(row.may_review for row in response.context["page"].rows)


def test_the_review_page_defaults_to_the_current_period(as_user, world):
    response = as_user(world.lead_liaison).get(reverse("portal:review", args=[world.task.pk]))
    assert response.context["period"] == world.period


def test_every_queue_holds_what_the_review_rule_gives_it_groups_included(world):
    """The queues (SQL) against permissions.reviews_as_lead's rule (Python): a department
    reviews the reports of the tasks it leads, but not the leads' own; the lead office
    reviews the leads' own and every report on a task without a lead. A department leads
    directly, or through a leading group when it has no part of its own on the task."""
    a, b, c = (DepartmentFactory() for _ in range(3))
    group = GroupFactory()
    group.members.set([a, c])
    plan, driver = world.task.plan, world.task.driver
    tasks = {
        "a leads": [(a, R.LEAD), (b, R.RESPONSIBLE)],
        "the group leads": [(group, R.LEAD), (b, R.RESPONSIBLE)],
        "no lead": [(b, R.RESPONSIBLE)],
        "the group leads, a is responsible": [(group, R.LEAD), (a, R.RESPONSIBLE)],
    }
    reports = []
    for title, parts in tasks.items():
        task = add_task(plan, driver, title=title)
        for unit, role in parts:
            AssignmentFactory(task=task, role=role, **(
                {"department": None, "group": unit} if unit is group else {"department": unit}))
        holders = {unit.pk for unit, _ in parts if unit is not group} | (
            {a.pk, c.pk} if any(unit is group for unit, _ in parts) else set())
        reports += [ProgressReport.objects.create(
            task=task, department_id=holder, period=world.period,
            state=ReportState.SUBMITTED, progress=10) for holder in sorted(holders)]
    users = {"lead office": world.lead_office,
             **{name: person(unit, "liaison", f"queue.{name}") for name, unit in
                (("a", a), ("b", b), ("c", c))}}
    for name, user in users.items():
        access = access_for(user)
        expected = set()
        for report in reports:
            leads = lead_department_ids(report.task)
            if (leads and report.department_id not in leads
                    and leads & set(access.department_ids)) or (
                    access.is_lead_office and (not leads or report.department_id in leads)):
                expected.add(report.pk)
        mine = set(lead_queue(access).filter(pk__in=[r.pk for r in reports])
                   .values_list("pk", flat=True))
        assert mine == expected, name
        assert review_count(access) == len(
            set(lead_queue(access).values_list("pk", flat=True))), name
    # The task list's filter says the same of who leads what.
    led = TaskFilterSet(QueryDict(f"department={a.pk}&role=lead"),
                        queryset=Task.objects.all()).qs
    assert set(led.values_list("title", flat=True)) == {"a leads", "the group leads"}
