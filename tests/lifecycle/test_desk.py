"""The 督办台 puts the next decision first: requests awaiting approval, 督办单 drafts and
feedback, red tasks, then the rest; with counts, and filtered by plan and department with
the API's own FilterSets."""

import datetime

import pytest
from django.urls import reverse

from tasks_app.choices import AssignmentRole, Health, PartState
from tasks_app.models import Plan
from tasks_app.selectors.desk import desk
from tasks_app.services.lifecycle.completions import completion_request_file
from tasks_app.services.lifecycle.extensions import extension_request_file
from tasks_app.services.lifecycle.slips import slip_answer, slip_issue, slip_receive

from ..factories import AssignmentFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 20)


@pytest.fixture
def busy(world):
    """An extension request, a completion request, an answered slip and a red task on the
    world's plan; a red task on another plan for another department."""
    world.part.state = PartState.IN_PROGRESS
    world.part.save()
    extension_request_file(part=world.part, proposed_due_on=datetime.date(2027, 3, 31),
                           reason="征收延后。", actor=world.head)
    completion_request_file(task=world.task, department=world.lead_department,
                            results="已全部完成。", actor=world.lead_liaison)
    slip = slip_issue(sign=True, task=world.task, department=world.department,
                      reason="进展缓慢", respond_by=datetime.date(2026, 3, 27),
                      actor=world.lead_office)
    slip_receive(slip=slip, actor=world.liaison)
    slip_answer(slip=slip, actor=world.liaison, answer="已加快推进。")
    red = TaskFactory(plan=world.task.plan, number=8, title="红灯任务甲",
                      health_override=Health.RED, health_override_reason="滞后")
    AssignmentFactory(task=red, department=world.department, role=AssignmentRole.LEAD,
                      state=PartState.IN_PROGRESS)
    other = TaskFactory(plan=PlanFactory(code="另一计划"), number=1, title="红灯任务乙",
                        health_override=Health.RED, health_override_reason="滞后")
    AssignmentFactory(task=other, department=world.third, role=AssignmentRole.LEAD,
                      state=PartState.IN_PROGRESS)
    return world


def _order(html: str, *ids: str) -> list[int]:
    return [html.index(f'id="{name}"') for name in ids]


def test_decisions_come_first_then_the_rest(client, busy):
    client.force_login(busy.lead_office)
    html = client.get(reverse("portal:desk")).content.decode()
    positions = _order(html, "decisions", "desk-extensions", "desk-completions",
                       "desk-slip-drafts", "desk-feedback", "desk-red", "the-rest",
                       "desk-reports", "waiting", "desk-slips", "desk-suspended", "desk-items")
    assert positions == sorted(positions)
    assert "待决定（5 项）" in html  # extension, completion, slip feedback, two red tasks


def test_counts_are_exact(busy):
    data = desk(TODAY)
    assert (len(data.extensions), len(data.completions), len(data.feedback),
            len(data.red), len(data.slips)) == (1, 1, 1, 2, 0)
    assert data.decisions == 5
    assert {t.title for t in data.red} == {"红灯任务甲", "红灯任务乙"}


def test_the_filters_are_the_apis(busy):
    plan = busy.task.plan
    data = desk(TODAY, params={"plan": str(plan.pk)})
    assert [t.title for t in data.red] == ["红灯任务甲"]
    assert len(data.extensions) == len(data.completions) == len(data.feedback) == 1
    data = desk(TODAY, params={"department": str(busy.third.pk)})
    assert [t.title for t in data.red] == ["红灯任务乙"]
    assert not data.extensions and not data.completions and not data.feedback
    data = desk(TODAY, params={"department": str(busy.department.pk)})
    assert len(data.extensions) == 1 and len(data.feedback) == 1
    assert not data.completions  # filed by the lead department


def test_a_bad_filter_value_is_refused_and_the_whole_desk_shown(client, busy):
    client.force_login(busy.lead_office)
    response = client.get(reverse("portal:desk"), {"plan": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "筛选条件无效" in html and "红灯任务乙" in html


def test_the_page_filters_and_keeps_the_choice(client, busy):
    client.force_login(busy.manager)
    html = client.get(reverse("portal:desk"),
                      {"department": busy.third.pk}).content.decode()
    assert "红灯任务乙" in html and "红灯任务甲" not in html
    assert f'<option value="{busy.third.pk}" selected>区承接局</option>' in html
    assert 'id="desk-slip-drafts"' not in html  # drafts are the lead office's
    red = busy.task.plan.tasks.get(number=8)
    assert f'<a href="{reverse("portal:task", args=[red.pk])}">8. 红灯任务甲</a>' not in html
    other = busy.third.assignments.get().task
    assert f'<a href="{reverse("portal:task", args=[other.pk])}">1. 红灯任务乙</a>' in html


def test_department_options_are_escaped(client, busy):
    busy.third.name = '区<承接>&"局'
    busy.third.save()
    client.force_login(busy.manager)
    html = client.get(reverse("portal:desk")).content.decode()
    assert f'<option value="{busy.third.pk}">区&lt;承接&gt;&amp;&#34;局</option>' in html


def test_each_task_is_in_one_list_and_each_list_shows_its_first_rows_by_due_date(
        world, monkeypatch):
    """Suspended before red before supervised items; closed tasks in none; a list shows its
    first DESK_ROWS by due date and counts them all."""
    from tasks_app.choices import SourceType, TaskStatus
    from tasks_app.selectors import desk as desk_module

    monkeypatch.setattr(desk_module, "DESK_ROWS", 2)
    plan, late = world.task.plan, datetime.date(2025, 1, 1)
    red_before = len(desk(TODAY).red)

    def task(number, **fields):
        return TaskFactory(plan=plan, number=number, title=f"任务{number}", **fields)

    task(11, status=TaskStatus.SUSPENDED, health_override=Health.RED)
    task(12, source_type=SourceType.MEETING, health_override=Health.RED)  # red, not an item
    task(13, source_type=SourceType.MEETING, due_on=datetime.date(2026, 12, 31))
    task(14, source_type=SourceType.MEETING, status=TaskStatus.COMPLETED)
    task(15, status=TaskStatus.COMPLETED, health_override=Health.RED)
    for number, due in ((16, late + datetime.timedelta(days=2)), (17, late),
                        (18, late + datetime.timedelta(days=1))):
        task(number, due_on=due)  # overdue: red
    data = desk(TODAY)
    assert [t.title for t in data.suspended] == ["任务11"]
    assert [t.title for t in data.items] == ["任务13"]
    assert [t.title for t in data.red] == ["任务17", "任务18"]
    assert len(data.red) == red_before + 4
    assert not {"任务14", "任务15"} & {t.title for t in [*data.red, *data.items,
                                                        *data.suspended]}


def test_the_owed_reports_come_a_page_of_plans_at_a_time(client, world, monkeypatch):
    """The panel counts only its page's plans (newest first); its links open the desk at
    another page of plans and keep the desk's filters."""
    from tasks_app.selectors import owed as owed_module

    monkeypatch.setattr(owed_module, "PLANS_PER_PAGE", 2)
    for n in range(3):
        PlanFactory(code=f"分页计划{n}", signed_on=datetime.date(2026, 1, 1 + n))
    plans = Plan.objects.filter(is_active=True).order_by("-signed_on", "code")
    codes = [plan.code for plan in plans]
    assert len(codes) == 4
    client.force_login(world.lead_office)
    shown = []
    for number in (1, 2):
        response = client.get(reverse("portal:desk_reports"),
                              {"plans": number, "plan": world.task.plan_id})
        shown += [item.plan.code for item in response.context["owed"]]
        html = response.content.decode()
        assert f"共 4 个计划，第 {number} / 2 页" in html
    assert shown == codes
    assert f'href="?plans=1&amp;plan={world.task.plan_id}#desk-reports"' in html  # 上一页
    desk_html = client.get(reverse("portal:desk"), {"plans": 2}).content.decode()
    assert f'hx-get="{reverse("portal:desk_reports")}?plans=2"' in desk_html
