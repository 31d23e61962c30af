"""Who owes a report (missing_reports, bulletin_named), periods opened by the cycle, and
the schedule's rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from departments.choices import Role
from tasks_app.admin import ScheduleForm
from tasks_app.choices import FeedbackCycle, FeedbackType, PartState, TaskStatus
from tasks_app.models import ReportingPeriod
from tasks_app.rules.obligations import bulletin_named, missing_reports
from tasks_app.services.periods import period_ensure, periods_open
from tasks_app.services.reports import Filing, report_head_review, report_save
from tasks_app.services.schedules import schedule_validate

from .cycle_support import moment
from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    GroupFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db
GOOD = {"status": "on_track", "progress": 30, "progress_text": "按计划推进。"}


@pytest.fixture
def plan():
    with time_machine.travel(moment(1, 5), tick=False):
        return PlanFactory(tracking_start=datetime.date(2026, 1, 1))


def _march(plan):
    with time_machine.travel(moment(3, 2), tick=False):
        return period_ensure(plan, datetime.date(2026, 3, 1))


def _file(task, department, period, on, **data):
    user = MembershipFactory(department=department, role=Role.LIAISON).user
    with time_machine.travel(on, tick=False):
        return report_save(filing=Filing(task, department.pk, period), data={**GOOD, **data},
                           user=user, submit=True)


def _pairs(rows):
    return [(row.task_number, row.department_name) for row in rows]


def test_missing_reports_lists_parts_without_a_filed_report(plan):
    with time_machine.travel(moment(1, 5), tick=False):
        a, b = DepartmentFactory(name="区甲局"), DepartmentFactory(name="区乙局")
        task = TaskFactory(plan=plan, number=3)
        AssignmentFactory(task=task, department=a)
        AssignmentFactory(task=task, department=b)
    period = _march(plan)
    _file(task, a, period, moment(3, 10))
    assert _pairs(missing_reports(period)) == [(3, "区乙局")]


def test_group_members_owe_reports_and_a_department_is_counted_once(plan):
    with time_machine.travel(moment(1, 5), tick=False):
        a, b = DepartmentFactory(name="区甲局"), DepartmentFactory(name="区乙局")
        group = GroupFactory(name="各相关部门")
        group.members.add(a, b)
        task = TaskFactory(plan=plan, number=8)
        AssignmentFactory(task=task, department=a)
        AssignmentFactory(task=task, department=None, group=group)
    assert _pairs(missing_reports(_march(plan))) == [(8, "区乙局"), (8, "区甲局")]


def test_closed_tasks_closed_parts_and_one_off_items_owe_nothing(plan):
    with time_machine.travel(moment(1, 5), tick=False):
        AssignmentFactory(task=TaskFactory(plan=plan, status=TaskStatus.COMPLETED))
        AssignmentFactory(task=TaskFactory(plan=plan), state=PartState.SUSPENDED)
        AssignmentFactory(task=TaskFactory(plan=plan, feedback_type=FeedbackType.ONE_OFF))
    assert missing_reports(_march(plan)) == []


def test_quarterly_tasks_owe_only_in_the_last_month_of_a_quarter(plan):
    with time_machine.travel(moment(1, 5), tick=False):
        AssignmentFactory(task=TaskFactory(plan=plan, feedback_cycle=FeedbackCycle.QUARTERLY))
    with time_machine.travel(moment(2, 2), tick=False):
        february = period_ensure(plan, datetime.date(2026, 2, 1))
    assert missing_reports(february) == []
    assert len(missing_reports(_march(plan))) == 1


def test_a_returned_report_is_owed_again(plan):
    with time_machine.travel(moment(1, 5), tick=False):
        part = AssignmentFactory(task=TaskFactory(plan=plan))
        head = MembershipFactory(department=part.department, role=Role.HEAD).user
    period = _march(plan)
    report = _file(part.task, part.department, period, moment(3, 10))
    assert missing_reports(period) == []
    with time_machine.travel(moment(3, 11), tick=False):
        report_head_review(report=report, user=head, approve=False, comment="请补充数据")
    assert len(missing_reports(period)) == 1


def test_the_bulletin_names_the_missing_and_those_who_filed_only_after_red(plan):
    with time_machine.travel(moment(1, 5), tick=False):
        late, later, never = (DepartmentFactory(name=n) for n in ("区迟局", "区更迟局", "区未报局"))
        task = TaskFactory(plan=plan, number=5)
        for department in (late, later, never):
            AssignmentFactory(task=task, department=department)
    period = _march(plan)
    _file(task, late, period, moment(3, 31, 16))  # after the deadline, before red (4/1 09:00)
    _file(task, later, period, moment(4, 2))  # after red: still named
    assert bulletin_named(plan.schedule, [period], datetime.date(2026, 3, 31)).missing == {}
    named = bulletin_named(plan.schedule, [period], datetime.date(2026, 6, 30))
    assert named.missing == {never.pk: [(period, 1)]}  # 逾期未报送
    assert named.filed_late == {later.pk: [(period, 1)]}  # 逾期后补报


def test_the_cycle_opens_this_and_last_month_then_next_month_in_its_reminder_window(plan):
    with time_machine.travel(moment(3, 2), tick=False):
        opened = periods_open(plans=[plan], today=datetime.date(2026, 3, 2))
    assert [p.month.month for p in opened[plan.pk]] == [2, 3]
    # April's deadline is 4/27, its first reminder 4/20; on 3/31 April is not open yet.
    assert [p.month.month for p in periods_open(
        plans=[plan], today=datetime.date(2026, 3, 31))[plan.pk]] == [2, 3]
    plan.schedule.reminder_offsets = [20]
    plan.schedule.save()
    plan.refresh_from_db()
    assert [p.month.month for p in periods_open(
        plans=[plan], today=datetime.date(2026, 3, 31))[plan.pk]] == [2, 3, 4]


def test_a_deadline_not_yet_passed_follows_the_schedule(plan):
    with time_machine.travel(moment(3, 2), tick=False):
        periods_open(plans=[plan], today=datetime.date(2026, 3, 2))
    plan.schedule.report_deadline_day = 20
    plan.schedule.save()
    plan.refresh_from_db()
    periods_open(plans=[plan], today=datetime.date(2026, 3, 2))
    deadlines = dict(ReportingPeriod.objects.values_list("month__month", "deadline"))
    assert deadlines == {2: datetime.date(2026, 2, 25), 3: datetime.date(2026, 3, 20)}


def test_nothing_is_opened_before_the_tracking_start(plan):
    plan.tracking_start = datetime.date(2026, 3, 26)
    plan.save()
    plan.refresh_from_db()
    assert periods_open(plans=[plan], today=datetime.date(2026, 3, 2))[plan.pk] == []


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"reminder_offsets": "5,1"}, "reminder_offsets", "如 [5, 1]"),
    ({"reminder_offsets": [5, 5]}, "reminder_offsets", "不能重复"),
    ({"reminder_offsets": [30]}, "reminder_offsets", "0 到 20"),
    ({"due_soon_offsets": [-1]}, "due_soon_offsets", "0 到 60"),
    ({"chase_head_after": 3, "chase_lead_office_after": 3}, "chase_lead_office_after",
     "须晚于"),
    ({"chase_head_after": 0, "chase_lead_office_after": 3}, "chase_head_after", "至少"),
    ({"meeting_rule": "fixed_day", "meeting_day": None}, "meeting_day", "请填写会议日期"),
])
def test_schedule_edits_are_checked_with_chinese_messages(values, field, message):
    with pytest.raises(ValidationError) as error:
        schedule_validate(values)
    assert message in error.value.message_dict[field][0]


def test_the_admin_schedule_form_refuses_a_red_level_before_the_yellow(plan):
    data = {name: getattr(plan.schedule, name) for name in ScheduleForm.Meta.fields}
    data |= {"reminder_offsets": "[5, 1]", "due_soon_offsets": "[5, 1]",
             "chase_head_after": 4, "chase_lead_office_after": 2, "meeting_day": ""}
    form = ScheduleForm(data, instance=plan.schedule)
    assert not form.is_valid()
    assert "须晚于" in form.errors["chase_lead_office_after"][0]
    data["chase_lead_office_after"] = 6
    assert ScheduleForm(data, instance=plan.schedule).is_valid()
