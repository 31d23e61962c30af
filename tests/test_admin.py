"""The lead office's admin: filters, inline assignments, bulk assign, aliases, groups, history."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, DepartmentAlias, DepartmentGroup
from seeds.demo import demo_accounts_ensure
from tasks_app.choices import AssignmentRole, EventKind, TaskStatus
from tasks_app.models import Assignment, Task, TaskEvent

from .factories import TaskFactory
from .forms import form_values

CHANGELIST = reverse("admin:tasks_app_task_changelist")


@pytest.fixture
def lead_client(client, primary_plan):
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    return client


def _numbers(response) -> list[int]:
    return sorted(task.number for task in response.context["cl"].result_list)


def test_the_admin_speaks_chinese(lead_client):
    response = lead_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "督办任务" in html and "牵头部门" in html and "未明确牵头部门" in html


def test_a_liaison_cannot_open_the_admin(client, primary_plan):
    demo_accounts_ensure("pw-demo-1")
    client.login(username="gxj.liaison", password="pw-demo-1")
    assert client.get(CHANGELIST).status_code == 302


def test_filter_by_driver(lead_client, primary_plan):
    driver = primary_plan.drivers.get(number=2)
    assert _numbers(lead_client.get(f"{CHANGELIST}?driver__id__exact={driver.pk}")) == [6, 7, 8, 9]


@pytest.mark.parametrize(("query", "expected"), [
    ("status__exact=new", [1]),
    ("unassigned=nobody", [1]),
    ("unassigned=assigned", [3, 6, 20]),
    ("role=lead", [3, 6, 20]),
])
def test_filters(lead_client, query, expected):
    assert _numbers(lead_client.get(f"{CHANGELIST}?{query}")) == expected


def test_filter_by_department_and_role_together(lead_client):
    office = Department.objects.get(name="经开办(自贸办)")
    assert _numbers(lead_client.get(f"{CHANGELIST}?department={office.pk}")) == [
        3, 6, 7, 8, 18, 20]
    assert _numbers(lead_client.get(f"{CHANGELIST}?department={office.pk}&role=lead")) == [
        3, 6, 20]
    assert _numbers(lead_client.get(f"{CHANGELIST}?department={office.pk}&role=responsible")) == [
        7, 8, 18]


def test_unassigned_filter_lists_tasks_without_a_lead(lead_client):
    assert _numbers(lead_client.get(f"{CHANGELIST}?unassigned=no_lead")) == [
        n for n in range(1, 21) if n not in (3, 6, 20)]


def test_search_by_task_text_and_department(lead_client):
    assert _numbers(lead_client.get(f"{CHANGELIST}?q=容错纠错")) == [5]
    assert _numbers(lead_client.get(f"{CHANGELIST}?q=区教育局")) == [16, 17]


def _change_form(client, task):
    url = reverse("admin:tasks_app_task_change", args=[task.pk])
    return url, form_values(client.get(url).content.decode(), "task_form")


def test_assigning_a_lead_to_task_one_inline_is_kept_in_history(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=1)
    office = Department.objects.get(name="经开办(自贸办)")
    url, data = _change_form(lead_client, task)
    data.update({"assignments-0-department": office.pk, "assignments-0-role": "lead"})
    response = lead_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    part = task.assignments.get()
    assert (part.department, part.role) == (office, AssignmentRole.LEAD)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING_ACK
    added = TaskEvent.objects.get(task=task, kind=EventKind.ASSIGNMENT_ADDED)
    assert added.actor.username == "leadoffice" and added.after == "经开办(自贸办)（牵头部门）"
    assert TaskEvent.objects.filter(task=task, kind=EventKind.STATUS).exists()
    page = lead_client.get(url).content.decode()
    assert "历史记录" in page and "经开办(自贸办)（牵头部门）" in page
    # The history names its fields in Chinese, never by their codes.
    assert "<p>分工</p>" in page and "<p>状态</p>" in page
    assert "<p>assignment</p>" not in page and "<p>status</p>" not in page
    events = lead_client.get(reverse("admin:tasks_app_taskevent_changelist")).content.decode()
    assert "<td class=\"field-field_shown\">分工</td>" in events


def test_removing_a_responsible_department_inline(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=14)  # 区财政局、区金融办
    url, data = _change_form(lead_client, task)
    index = next(i for i in range(2) if data[f"assignments-{i}-id"] and Assignment.objects.get(
        pk=data[f"assignments-{i}-id"]).department.name == "区金融办")
    data[f"assignments-{index}-DELETE"] = "on"
    assert lead_client.post(url, data).status_code == 302
    assert [p.department.name for p in task.assignments.all()] == ["区财政局"]
    removed = TaskEvent.objects.get(task=task, kind=EventKind.ASSIGNMENT_REMOVED)
    assert removed.before == "区金融办（责任部门）"


def test_the_same_department_twice_is_refused_with_a_chinese_message(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=14)
    url, data = _change_form(lead_client, task)
    finance = Department.objects.get(name="区财政局")
    slot = int(data["assignments-TOTAL_FORMS"]) - 1
    data.update({f"assignments-{slot}-department": finance.pk, f"assignments-{slot}-role": "lead"})
    response = lead_client.post(url, data)
    assert response.status_code == 200
    assert "只能" in response.content.decode()
    assert task.assignments.count() == 2


def test_bulk_assign_a_department_to_several_tasks(lead_client, primary_plan):
    stats = Department.objects.get(name="区统计局")
    tasks = Task.objects.filter(plan=primary_plan, number__in=[1, 2, 6])  # already on 6
    ids = [str(t.pk) for t in tasks]
    confirm = lead_client.post(CHANGELIST, {"action": "bulk_assign", "_selected_action": ids})
    assert "为选中的任务指定部门" in confirm.content.decode()
    response = lead_client.post(CHANGELIST, {
        "action": "bulk_assign", "_selected_action": ids, "apply": "1",
        "department": stats.pk, "role": "responsible", "reason": "统计监测"}, follow=True)
    assert "已为 2 个任务指定 区统计局" in response.content.decode()
    assert "未重复指定：6" in response.content.decode()
    assert Assignment.objects.filter(department=stats, task__number__in=[1, 2]).count() == 2
    assert TaskEvent.objects.filter(kind=EventKind.ASSIGNMENT_ADDED, reason="统计监测").count() == 2


def test_edit_aliases_and_group_members(lead_client, primary_plan):
    office = Department.objects.get(name="经开办(自贸办)")
    response = lead_client.post(reverse("admin:departments_departmentalias_add"),
                                {"alias": "经开区管委会办公室", "department": office.pk})
    assert response.status_code == 302
    assert DepartmentAlias.objects.get(alias="经开区管委会办公室").department == office
    group = DepartmentGroup.objects.get(name="区内各相关国企")
    url = reverse("admin:departments_departmentgroup_change", args=[group.pk])
    data = form_values(lead_client.get(url).content.decode(), "departmentgroup_form")
    members = Department.objects.filter(name__in=["动漫基地", "区国资办"])
    data["members"] = [str(m.pk) for m in members]
    assert lead_client.post(url, data).status_code == 302
    assert set(group.members.all()) == set(members)
    assert LogEntry.objects.filter(object_id=str(group.pk)).exists()
    history = lead_client.get(reverse("admin:departments_departmentgroup_history",
                                      args=[group.pk]))
    assert "leadoffice" in history.content.decode()


def test_an_alias_cannot_take_another_departments_name(lead_client, primary_plan):
    office = Department.objects.get(name="经开办(自贸办)")
    response = lead_client.post(reverse("admin:departments_departmentalias_add"),
                                {"alias": "区工信局", "department": office.pk})
    assert response.status_code == 200
    assert "另一个部门的正式名称" in response.content.decode()


def test_health_override_needs_a_reason(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=2)
    url, data = _change_form(lead_client, task)
    data["health_override"] = "red"
    response = lead_client.post(url, data)
    assert response.status_code == 200 and "必须填写原因" in response.content.decode()
    data["health_override_reason"] = "管委会会议认定滞后"
    assert lead_client.post(url, data).status_code == 302
    event = TaskEvent.objects.get(task=task, kind=EventKind.HEALTH_OVERRIDE)
    assert (event.before, event.after, event.reason) == ("", "red", "管委会会议认定滞后")
    assert (event.before_shown, event.after_shown) == ("自动", "滞后")


def test_changelist_queries_do_not_grow_with_rows(lead_client, primary_plan):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(CHANGELIST).status_code == 200
        return len(queries)

    small = count()
    for number in range(100, 130):
        TaskFactory(plan=primary_plan, driver=primary_plan.drivers.first(), number=number)
    assert count() == small


def test_milestones_are_planned_inline_with_history(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=2)
    url, data = _change_form(lead_client, task)
    data.update({"milestones-0-title": "完成招标", "milestones-0-due_on": "2026-08-31"})
    response = lead_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert task.milestones.get().title == "完成招标"
    event = TaskEvent.objects.get(task=task, kind=EventKind.MILESTONE)
    assert event.actor.username == "leadoffice" and event.after == "完成招标 2026-08-31"


def test_an_empty_milestone_row_is_refused_field_by_field(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=2)
    url, data = _change_form(lead_client, task)
    data.update({"milestones-0-title": "完成招标"})
    response = lead_client.post(url, data)
    assert response.status_code == 200 and "请填写节点时限" in response.content.decode()
    assert not task.milestones.exists()


def test_bulk_due_date_action(lead_client, primary_plan):
    tasks = Task.objects.filter(plan=primary_plan, number__in=[1, 2])
    ids = [str(t.pk) for t in tasks]
    form = lead_client.post(CHANGELIST, {"action": "bulk_due_date", "_selected_action": ids})
    assert form.status_code == 200 and "批量设置完成时限" in form.content.decode()
    response = lead_client.post(CHANGELIST, {
        "action": "bulk_due_date", "_selected_action": ids, "apply": "1",
        "due_on": "2026-12-31", "reason": "按年度计划"})
    assert response.status_code == 302
    assert set(tasks.values_list("due_on", flat=True)) == {datetime.date(2026, 12, 31)}


def test_bulk_assign_can_make_a_department_the_lead(lead_client, primary_plan):
    task = Task.objects.get(plan=primary_plan, number=14)  # 区财政局、区金融办 responsible
    finance = Department.objects.get(name="区财政局")
    response = lead_client.post(CHANGELIST, {
        "action": "bulk_assign", "_selected_action": [task.pk], "apply": "1",
        "department": finance.pk, "role": "lead", "reason": "明确牵头"})
    assert response.status_code == 302
    assert task.assignments.get(department=finance).role == AssignmentRole.LEAD


def test_reminder_days_are_typed_as_a_list_not_json(lead_client, primary_plan):
    url = reverse("admin:tasks_app_plan_change", args=[primary_plan.pk])
    data = form_values(lead_client.get(url).content.decode(), "plan_form")
    assert data["schedule-0-reminder_offsets"] == "5, 1"
    data["schedule-0-reminder_offsets"] = "7，3、1"
    assert lead_client.post(url, data).status_code == 302
    primary_plan.schedule.refresh_from_db()
    assert primary_plan.schedule.reminder_offsets == [7, 3, 1]
    data["schedule-0-reminder_offsets"] = "五天"
    response = lead_client.post(url, data)
    assert response.status_code == 200 and "如“5, 1”" in response.content.decode()
