"""节点 planning: the lead department and the lead office break a task into dated 节点;
health follows them; the lead office sets 完成时限 and leads in bulk."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tasks_app.choices import AssignmentRole, EventKind, Health, TaskStatus
from tasks_app.health import with_health
from tasks_app.lifecycle import refresh_task_statuses
from tasks_app.models import Assignment, Milestone, Task, TaskEvent
from tasks_app.services.assignments import assignments_bulk_add
from tasks_app.services.milestones import (
    MilestoneData,
    milestone_create,
    milestone_update,
    tasks_set_due_on,
)

from ..factories import DepartmentFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _health(task: Task, *, reported: bool = False) -> str:
    if reported:  # a fresh report, so that the task is not 未更新
        Task.objects.filter(pk=task.pk).update(last_reported_at=timezone.now())
    return with_health(Task.objects.filter(pk=task.pk)).get().health


def _page(world, as_user, user):
    return as_user(user).get(reverse("portal:milestones", args=[world.task.pk]))


def _post(client, world, **data):
    return client.post(reverse("portal:milestones", args=[world.task.pk]),
                       {"milestone": "new", "action": "save", **data})


def test_the_lead_department_adds_a_milestone_with_its_departments(world, as_user):
    client = as_user(world.lead_liaison)
    response = _post(client, world, **{"new-title": "完成选址", "new-due_on": "2026-05-15",
                                       "new-departments": [world.department.pk]})
    assert response.status_code == 302
    milestone = world.task.milestones.get(title="完成选址")
    assert milestone.due_on == datetime.date(2026, 5, 15)
    assert list(milestone.departments.all()) == [world.department]
    event = TaskEvent.objects.get(task=world.task, kind=EventKind.MILESTONE)
    assert event.actor == world.lead_liaison and event.after == "完成选址 2026-05-15"
    page = client.get(reverse("portal:task", args=[world.task.pk])).content.decode()
    assert "完成选址" in page and reverse("portal:milestones", args=[world.task.pk]) in page


def test_a_milestone_after_the_task_deadline_is_refused_in_chinese(world, as_user):
    response = _post(as_user(world.lead_office), world,
                     **{"new-title": "年底验收", "new-due_on": "2027-01-15"})
    assert response.status_code == 400
    assert "节点时限不能晚于任务完成时限（2026年12月31日）" in response.content.decode()
    assert not world.task.milestones.filter(title="年底验收").exists()


def test_a_department_not_on_the_task_cannot_be_named(world):
    data = MilestoneData("完成选址", datetime.date(2026, 5, 1),
                         frozenset({world.outsider_department.pk}))
    with pytest.raises(ValidationError) as error:
        milestone_create(task=world.task, data=data, actor=world.lead_office)
    assert "区无关局 不是该任务的牵头或责任部门" in str(error.value.message_dict["departments"])


@pytest.mark.parametrize("who", ["liaison", "head", "outsider", "manager"])
def test_only_the_lead_department_and_the_lead_office_plan(world, as_user, who):
    assert _page(world, as_user, getattr(world, who)).status_code == 404


def test_the_lead_office_edits_and_completes_a_milestone(world, as_user):
    milestone = world.task.milestones.get()
    client = as_user(world.lead_office)
    assert _page(world, as_user, world.lead_office).status_code == 200
    response = client.post(reverse("portal:milestones", args=[world.task.pk]), {
        "milestone": milestone.pk, "action": "save", f"m{milestone.pk}-title": milestone.title,
        f"m{milestone.pk}-due_on": "2026-06-30", f"m{milestone.pk}-completed_on": "2026-03-19"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == datetime.date(2026, 3, 19)
    done = TaskEvent.objects.get(task=world.task, field="milestone_completed")
    assert (done.before, done.after) == ("", "2026-03-19")


def test_deleting_a_milestone_is_kept_in_history(world, as_user):
    milestone = world.task.milestones.get()
    client = as_user(world.lead_liaison)
    response = client.post(reverse("portal:milestones", args=[world.task.pk]),
                           {"milestone": milestone.pk, "action": "delete"})
    assert response.status_code == 302 and not world.task.milestones.exists()
    assert TaskEvent.objects.get(task=world.task, kind=EventKind.MILESTONE).before == \
        "完成规划编制 2026-06-30"


def test_health_follows_the_milestones(world, travel):
    refresh_task_statuses([world.task.pk])  # the factories leave the status 待分配
    milestone = world.task.milestones.get()
    assert _health(world.task) == Health.GREEN
    travel.move_to(datetime.datetime(2026, 6, 25, 1, tzinfo=datetime.UTC))  # due in 5 days
    assert _health(world.task, reported=True) == Health.YELLOW
    travel.move_to(datetime.datetime(2026, 7, 2, 1, tzinfo=datetime.UTC))  # past its date
    assert _health(world.task, reported=True) == Health.RED
    milestone_update(milestone=milestone, actor=world.lead_office, data=MilestoneData(
        milestone.title, milestone.due_on, completed_on=datetime.date(2026, 7, 1)))
    assert _health(world.task, reported=True) == Health.GREEN


def test_a_task_nobody_is_assigned_to_is_unassigned_not_green(db):
    task = TaskFactory(plan=PlanFactory(), due_on=None)
    assert task.status == TaskStatus.NEW
    assert _health(task) == Health.UNASSIGNED


def test_bulk_due_date_keeps_the_original_and_refuses_dates_before_a_milestone(world):
    tasks = [world.task, world.other_task]
    with pytest.raises(ValidationError) as error:
        tasks_set_due_on(tasks=tasks, due_on=datetime.date(2026, 6, 1), actor=world.lead_office,
                         reason="统一时限")
    assert f"{world.task.number}" in str(error.value)
    assert Task.objects.get(pk=world.task.pk).due_on == datetime.date(2026, 12, 31)
    changed = tasks_set_due_on(tasks=tasks, due_on=datetime.date(2026, 9, 30),
                               actor=world.lead_office, reason="统一时限")
    assert len(changed) == 2
    task = Task.objects.get(pk=world.task.pk)
    assert (task.due_on, task.original_due_on) == (datetime.date(2026, 9, 30),
                                                   datetime.date(2026, 12, 31))
    assert TaskEvent.objects.filter(kind=EventKind.DUE_DATE, reason="统一时限").count() == 2


def test_bulk_due_date_needs_a_reason(world):
    with pytest.raises(ValidationError):
        tasks_set_due_on(tasks=[world.task], due_on=datetime.date(2026, 9, 30),
                         actor=world.lead_office, reason=" ")


def test_bulk_assign_promotes_a_responsible_department_and_replaces_the_lead(world):
    result = assignments_bulk_add(tasks=[world.task], department=world.department,
                                  role=AssignmentRole.LEAD, actor=world.lead_office,
                                  reason="调整牵头", replace_lead=True)
    assert [p.department for p in result.promoted] == [world.department]
    assert [p.department for p in result.demoted] == [world.lead_department]
    roles = dict(Assignment.objects.filter(task=world.task, department__isnull=False)
                 .values_list("department__name", "role"))
    assert roles == {"区责任局": AssignmentRole.LEAD, "区牵头局": AssignmentRole.RESPONSIBLE}
    assert TaskEvent.objects.filter(task=world.task, kind=EventKind.ASSIGNMENT_CHANGED).count() == 2


def test_bulk_assign_without_replacing_keeps_the_other_lead(world):
    newcomer = DepartmentFactory(name="区新局", code="new")
    result = assignments_bulk_add(tasks=[world.task], department=newcomer,
                                  role=AssignmentRole.LEAD, actor=world.lead_office)
    assert len(result.created) == 1 and not result.demoted
    assert world.task.assignments.filter(role=AssignmentRole.LEAD).count() == 2


def test_a_stale_edit_does_not_overwrite(world, as_user):
    milestone = world.task.milestones.get()
    client = as_user(world.lead_office)
    url = reverse("portal:milestones", args=[world.task.pk])
    fields = {"milestone": milestone.pk, "action": "save", f"m{milestone.pk}-version": 1,
              f"m{milestone.pk}-due_on": "2026-06-30"}
    assert client.post(url, {**fields, f"m{milestone.pk}-title": "甲的改法"}).status_code == 302
    stale = client.post(url, {**fields, f"m{milestone.pk}-title": "乙的改法"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).title == "甲的改法"
