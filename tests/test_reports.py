"""Report write paths: the same rules for the portal, the API and the admin."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.choices import Role
from tasks_app.choices import (
    AssignmentRole,
    EventKind,
    PartState,
    PeriodState,
    ReportState,
    TaskStatus,
)
from tasks_app.exceptions import StaleVersion
from tasks_app.models import TaskEvent
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import (
    Filing,
    attachment_add,
    report_head_review,
    report_lead_review,
    report_save,
    report_withdraw,
    summary_save,
)

from .factories import AssignmentFactory, MembershipFactory, TaskFactory

pytestmark = pytest.mark.django_db
GOOD = {"status": "on_track", "progress": 40, "progress_text": "完成方案起草。",
        "next_steps": "征求意见。"}


@pytest.fixture
def world():
    """A task led by one department with another responsible; a liaison and head each."""
    task = TaskFactory(due_on=datetime.date(2026, 12, 31))
    lead = AssignmentFactory(task=task, role=AssignmentRole.LEAD)
    other = AssignmentFactory(task=task, role=AssignmentRole.RESPONSIBLE,
                              state=PartState.PENDING_ACK)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC)):
        period = period_ensure(task.plan, datetime.date(2026, 3, 1))

    def person(part, role):
        return MembershipFactory(department=part.department, role=role).user

    return type("World", (), {
        "task": task, "period": period, "lead": lead, "other": other,
        "lead_liaison": person(lead, Role.LIAISON), "liaison": person(other, Role.LIAISON),
        "head": person(other, Role.HEAD),
        "outsider": MembershipFactory(role=Role.LIAISON).user,
        "filing": Filing(task, other.department_id, period),
    })


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_submitting_updates_the_task_and_acknowledges_the_part(world):
    report = report_save(filing=world.filing, data=GOOD, user=world.liaison, submit=True)
    assert report.state == ReportState.SUBMITTED and not report.is_late
    world.task.refresh_from_db()
    assert world.task.last_report_status == "on_track" and world.task.last_reported_at
    assert world.task.progress == 0  # only the lead department's report moves task progress
    world.other.refresh_from_db()
    assert world.other.state == PartState.IN_PROGRESS
    assert TaskEvent.objects.filter(task=world.task, kind=EventKind.REPORT).count() == 1
    assert world.task.status == TaskStatus.IN_PROGRESS


@time_machine.travel(datetime.datetime(2026, 3, 30, 9, tzinfo=datetime.UTC))
def test_a_report_after_the_deadline_is_accepted_but_marked_late(world):
    report = report_save(filing=world.filing, data=GOOD, user=world.liaison, submit=True)
    assert report.is_late


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_the_lead_departments_report_moves_the_task_progress(world):
    filing = Filing(world.task, world.lead.department_id, world.period)
    report_save(filing=filing, data=GOOD, user=world.lead_liaison, submit=True)
    world.task.refresh_from_db()
    assert world.task.progress == 40
    assert TaskEvent.objects.get(task=world.task, kind=EventKind.PROGRESS).after == "40%"


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
@pytest.mark.parametrize(("data", "field"), [
    ({**GOOD, "progress": 101}, "progress"),
    ({**GOOD, "progress": "abc"}, "progress"),
    ({**GOOD, "progress_text": "  "}, "progress_text"),
    ({**GOOD, "status": "delayed", "problems": ""}, "problems"),
    ({**GOOD, "needs_coordination": True}, "problems"),
    ({**GOOD, "status": "bogus"}, "status"),
])
def test_invalid_input_is_refused_field_by_field_and_nothing_is_saved(world, data, field):
    with pytest.raises(ValidationError) as error:
        report_save(filing=world.filing, data=data, user=world.liaison, submit=True)
    assert field in error.value.message_dict
    assert not world.task.reports.exists()


@time_machine.travel(datetime.datetime(2026, 2, 20, 9, tzinfo=datetime.UTC))
def test_a_period_that_has_not_opened_is_refused(world):
    with pytest.raises(ValidationError, match="尚未开始"):
        report_save(filing=world.filing, data=GOOD, user=world.liaison)


@time_machine.travel(datetime.datetime(2026, 4, 20, 9, tzinfo=datetime.UTC))
def test_a_locked_period_needs_the_lead_office(world):
    world.period.state = PeriodState.LOCKED
    world.period.save()
    with pytest.raises(ValidationError, match="已锁定"):
        report_save(filing=world.filing, data=GOOD, user=world.liaison)


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_only_the_departments_own_people_may_file(world):
    with pytest.raises(PermissionDenied):
        report_save(filing=world.filing, data=GOOD, user=world.outsider)
    with pytest.raises(PermissionDenied):
        report_save(filing=world.filing, data=GOOD, user=world.lead_liaison)


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_the_second_of_two_concurrent_saves_is_refused(world):
    first = report_save(filing=world.filing, data=GOOD, user=world.liaison)
    report_save(filing=world.filing, data={"progress": 50}, user=world.liaison,
                expected_version=first.version)
    with pytest.raises(StaleVersion):
        report_save(filing=world.filing, data={"progress": 60}, user=world.head,
                    expected_version=first.version)
    first.refresh_from_db()
    assert first.progress == 50


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_withdraw_until_the_lead_department_reviews(world):
    report = report_save(filing=world.filing, data=GOOD, user=world.liaison, submit=True)
    report = report_withdraw(report=report, user=world.liaison)
    assert report.state == ReportState.DRAFT
    report = report_save(filing=world.filing, data={}, user=world.liaison, submit=True)
    report_lead_review(report=report, user=world.lead_liaison, accept=True)
    with pytest.raises(ValidationError, match="不能撤回"):
        report_withdraw(report=report, user=world.liaison)


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_head_and_lead_reviews_with_comments_in_history(world):
    report = report_save(filing=world.filing, data=GOOD, user=world.liaison, submit=True)
    with pytest.raises(PermissionDenied):
        report_head_review(report=report, user=world.liaison, approve=True)
    report = report_head_review(report=report, user=world.head, approve=True)
    assert report.state == ReportState.HEAD_APPROVED
    with pytest.raises(ValidationError, match="填写意见"):
        report_lead_review(report=report, user=world.lead_liaison, accept=False)
    with pytest.raises(PermissionDenied):
        report_lead_review(report=report, user=world.head, accept=False, comment="x")
    report = report_lead_review(report=report, user=world.lead_liaison, accept=False,
                                comment="请补充数据")
    assert report.state == ReportState.RETURNED
    reviews = TaskEvent.objects.filter(task=world.task, kind=EventKind.REVIEW)
    assert [e.reason for e in reviews.order_by("at", "id")] == ["负责人审核通过", "请补充数据"]
    resubmitted = report_save(filing=world.filing, data={"progress": 45}, user=world.liaison,
                              submit=True)
    assert resubmitted.state == ReportState.SUBMITTED


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_summary_by_the_lead_department_sets_task_progress(world):
    summary_save(task=world.task, period=world.period, text="总体进展顺利。", progress=55,
                 user=world.lead_liaison)
    world.task.refresh_from_db()
    assert world.task.progress == 55
    with pytest.raises(PermissionDenied):
        summary_save(task=world.task, period=world.period, text="x", user=world.liaison)


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_attachments_are_checked_for_type_and_size(world, settings):
    report = report_save(filing=world.filing, data=GOOD, user=world.liaison)
    pdf = SimpleUploadedFile("进展材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert attachment_add(report=report, upload=pdf, user=world.liaison).original_name == \
        "进展材料.pdf"
    with pytest.raises(ValidationError, match="不支持"):
        attachment_add(report=report, upload=SimpleUploadedFile("a.exe", b"MZ"),
                       user=world.liaison)
    with pytest.raises(ValidationError, match="不符"):
        attachment_add(report=report, upload=SimpleUploadedFile("a.pdf", b"not a pdf"),
                       user=world.liaison)
    settings.DUBAN_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="超过大小上限"):
        attachment_add(report=report, upload=SimpleUploadedFile("b.pdf", b"%PDF" + b"x" * 20),
                       user=world.liaison)


@time_machine.travel(datetime.datetime(2026, 4, 20, 9, tzinfo=datetime.UTC))
def test_a_lead_office_correction_in_a_locked_period_is_recorded(world):
    world.period.state = PeriodState.LOCKED
    world.period.save()
    office = MembershipFactory(role=Role.LEAD_OFFICE, department=None).user
    report_save(filing=world.filing, data=GOOD, user=office)
    event = TaskEvent.objects.get(task=world.task, kind=EventKind.REPORT)
    assert event.actor == office and event.reason == "季度通报发布后由牵头办公室更正"


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC))
def test_the_periods_figures_follow_every_report_write(world):
    """The progress chart's stored figures (reports past draft, their progress summed) are
    what a recount of the reports gives, after each write: draft, submit, return, an edit
    of the returned report, resubmit, withdraw, a refused write, accept — and the lead
    department's own report."""
    from tasks_app.models import ReportingPeriod
    from tasks_app.services.period_figures import period_figures_recount

    def figures() -> tuple[int, int]:
        stored = ReportingPeriod.objects.values_list(
            "reports_past_draft", "progress_past_draft").get(pk=world.period.pk)
        period_figures_recount(ReportingPeriod.objects.filter(pk=world.period.pk))
        recounted = ReportingPeriod.objects.values_list(
            "reports_past_draft", "progress_past_draft").get(pk=world.period.pk)
        assert stored == recounted
        return stored

    report = report_save(filing=world.filing, data=GOOD, user=world.liaison)
    assert figures() == (0, 0)  # a draft is not counted
    report = report_save(filing=world.filing, data={}, user=world.liaison, submit=True)
    assert figures() == (1, 40)
    report = report_lead_review(report=report, user=world.lead_liaison, accept=False,
                                comment="请补充数据")
    assert figures() == (1, 40)  # returned: past draft still
    report = report_save(filing=world.filing, data={"progress": 55}, user=world.liaison)
    assert figures() == (1, 55)
    report = report_save(filing=world.filing, data={}, user=world.liaison, submit=True)
    report = report_withdraw(report=report, user=world.liaison)
    assert figures() == (0, 0)
    with pytest.raises(ValidationError):
        report_save(filing=world.filing, data={"progress": 120}, user=world.liaison,
                    submit=True)
    assert figures() == (0, 0)  # refused: nothing half-counted
    report = report_save(filing=world.filing, data={"progress": 60}, user=world.liaison,
                         submit=True)
    report_lead_review(report=report, user=world.lead_liaison, accept=True)
    report_save(filing=Filing(world.task, world.lead.department_id, world.period),
                data={**GOOD, "progress": 20}, user=world.lead_liaison, submit=True)
    assert figures() == (2, 80)
