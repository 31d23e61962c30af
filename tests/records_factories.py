"""factory-boy factories for the cycle's records: reports, targets, meetings, assessments."""

import datetime

import factory
from django.utils import timezone

from tasks_app.choices import ReportState, ReportStatus, TargetKind
from tasks_app.models import (
    Assessment,
    AssessmentEntry,
    Meeting,
    MeetingDecision,
    ProgressReport,
    Target,
    TargetAssignment,
    TargetReading,
)
from tasks_app.services.period_figures import period_figures_move, report_share

from .factories import DepartmentFactory, PeriodFactory, PlanFactory, TaskFactory


class ReportFactory(factory.django.DjangoModelFactory):
    """A submitted report, on time unless ``is_late``."""

    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    period = factory.SubFactory(PeriodFactory, plan=factory.SelfAttribute("..task.plan"))
    status = ReportStatus.ON_TRACK
    progress = 30
    progress_text = "按计划推进。"
    state = ReportState.SUBMITTED
    is_late = False
    submitted_at = factory.LazyAttribute(lambda r: timezone.make_aware(
        datetime.datetime.combine(r.period.deadline, datetime.time(10))))

    @factory.post_generation
    def period_figures(report, create, extracted, **kwargs):
        """Counted in its period, as the report services count what they write."""
        if create:
            period_figures_move(report.period_id, (0, 0), report_share(report))


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"测试指标{n}")
    kind = TargetKind.QUANTITY
    value = 100
    unit = "亿元"
    year = 2026


class TargetAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetAssignment

    target = factory.SubFactory(TargetFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = "lead"


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetReading

    target = factory.SubFactory(TargetFactory)
    month = datetime.date(2026, 3, 1)
    value = 25


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    plan = factory.SubFactory(PlanFactory)
    held_on = datetime.date(2026, 3, 31)
    title = factory.LazyAttribute(lambda m: f"{m.held_on.year}年{m.held_on.month}月专题会议")
    state = Meeting.State.HELD


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingDecision
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"会议议定:推进第{n}项协调事项。")

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    plan = factory.SubFactory(PlanFactory)
    year = 2026


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentEntry

    assessment = factory.SubFactory(AssessmentFactory)
    department = factory.SubFactory(DepartmentFactory)
    points = 2
    reason = "获市级表彰"
