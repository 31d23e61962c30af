"""Meeting decisions: record, turn into a follow-up supervised item, close."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from departments.choices import Role
from tasks_app.choices import AssignmentRole, EventKind, SourceType, TaskStatus
from tasks_app.models import Meeting, TaskEvent
from tasks_app.services.meetings import decision_close, decision_record, decision_to_follow_up

from .factories import DepartmentFactory, MembershipFactory, TaskFactory
from .records_factories import DecisionFactory, MeetingFactory

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
AFTER_MEETING = datetime.datetime(2026, 4, 1, 9, tzinfo=SH)


@pytest.fixture
def lead_office():
    return MembershipFactory(role=Role.LEAD_OFFICE, department=None).user


@pytest.fixture
def decision():
    meeting = MeetingFactory(title="2026年3月专题会议", held_on=datetime.date(2026, 3, 31))
    TaskFactory(plan=meeting.plan, number=36)
    return DecisionFactory(meeting=meeting, text="由区住建局牵头,4月底前完成地块征收。\n其他说明。")


@time_machine.travel(AFTER_MEETING)
def test_a_decision_becomes_a_follow_up_item_numbered_after_the_plans_last_task(
        decision, lead_office):
    lead, other = DepartmentFactory(name="区住建局"), DepartmentFactory(name="区财政局")
    task = decision_to_follow_up(decision=decision, departments=[lead, other],
                                 lead_department=lead, due_on=datetime.date(2026, 4, 30),
                                 actor=lead_office)
    assert (task.plan, task.number, task.source_type) == (
        decision.meeting.plan, 37, SourceType.MEETING)
    assert task.source_reference == "2026年3月专题会议（2026年3月31日）"
    assert task.title == "由区住建局牵头,4月底前完成地块征收。" and task.text == decision.text
    roles = {p.department.name: p.role for p in task.assignments.select_related("department")}
    assert roles == {"区住建局": AssignmentRole.LEAD, "区财政局": AssignmentRole.RESPONSIBLE}
    assert task.status == TaskStatus.PENDING_ACK
    decision.refresh_from_db()
    assert decision.follow_up_task == task
    assert set(decision.departments.all()) == {lead, other}


@time_machine.travel(AFTER_MEETING)
def test_the_follow_up_items_creation_and_parts_are_in_its_history(decision, lead_office):
    task = decision_to_follow_up(decision=decision, departments=[DepartmentFactory()],
                                 lead_department=DepartmentFactory(), due_on=None,
                                 actor=lead_office)
    events = TaskEvent.objects.filter(task=task)
    kinds = sorted(events.values_list("kind", flat=True))
    assert kinds == sorted([EventKind.FIELD, EventKind.ASSIGNMENT_ADDED,
                            EventKind.ASSIGNMENT_ADDED, EventKind.STATUS])
    assert {e.actor for e in events} == {lead_office}
    assert "专题会议" in events.get(kind=EventKind.FIELD).reason


@time_machine.travel(AFTER_MEETING)
def test_without_a_lead_department_the_follow_up_item_has_no_guessed_lead(decision,
                                                                          lead_office):
    task = decision_to_follow_up(decision=decision, departments=[DepartmentFactory()],
                                 lead_department=None, due_on=None, actor=lead_office)
    assert not task.assignments.filter(role=AssignmentRole.LEAD).exists()


@time_machine.travel(AFTER_MEETING)
def test_a_decision_becomes_a_follow_up_item_only_once(decision, lead_office):
    department = DepartmentFactory()
    decision_to_follow_up(decision=decision, departments=[], lead_department=department,
                          due_on=None, actor=lead_office)
    with pytest.raises(ValidationError, match="已转为"):
        decision_to_follow_up(decision=decision, departments=[], lead_department=department,
                              due_on=None, actor=lead_office)


@time_machine.travel(AFTER_MEETING)
def test_a_follow_up_item_needs_a_department(decision, lead_office):
    with pytest.raises(ValidationError, match="至少指定"):
        decision_to_follow_up(decision=decision, departments=[], lead_department=None,
                              due_on=None, actor=lead_office)


@time_machine.travel(AFTER_MEETING)
def test_only_the_lead_office_turns_decisions_into_items(decision):
    head = MembershipFactory(role=Role.HEAD).user
    with pytest.raises(PermissionDenied):
        decision_to_follow_up(decision=decision, departments=[], lead_department=None,
                              due_on=None, actor=head)


@time_machine.travel(AFTER_MEETING)
def test_recording_a_decision_marks_the_meeting_held(lead_office):
    meeting = MeetingFactory(state=Meeting.State.SCHEDULED)
    department = DepartmentFactory()
    decision = decision_record(meeting=meeting, text=" 加快推进项目审批。 ", actor=lead_office,
                               departments=[department], due_on=datetime.date(2026, 5, 31))
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD
    assert decision.text == "加快推进项目审批。" and list(decision.departments.all()) == [
        department]


@time_machine.travel(AFTER_MEETING)
def test_decisions_are_recorded_only_after_the_meeting(lead_office):
    meeting = MeetingFactory(held_on=datetime.date(2026, 4, 30), state=Meeting.State.SCHEDULED)
    with pytest.raises(ValidationError, match="会后"):
        decision_record(meeting=meeting, text="提前记录。", actor=lead_office)


@time_machine.travel(AFTER_MEETING)
def test_a_decision_with_an_open_follow_up_item_cannot_be_closed(decision, lead_office):
    decision_to_follow_up(decision=decision, departments=[], due_on=None,
                          lead_department=DepartmentFactory(), actor=lead_office)
    with pytest.raises(ValidationError, match="尚未办结"):
        decision_close(decision=decision, actor=lead_office)


@time_machine.travel(AFTER_MEETING)
def test_closing_a_decision_records_when(decision, lead_office):
    closed = decision_close(decision=decision, actor=lead_office)
    assert closed.is_closed and closed.closed_at.date() == AFTER_MEETING.date()
