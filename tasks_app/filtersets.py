"""One FilterSet per model, shared by the API and the portal's list pages.

Every filter is strict (see :mod:`tasks_app.filter_types`): a value it cannot understand is
a 400 naming the parameter, never a silently unfiltered list.
"""

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from common.i18n import lazy_format

from .choices import (
    AssignmentRole,
    Health,
    PartState,
    PeriodKind,
    PeriodState,
    ReportState,
    ReportStatus,
    TargetKind,
    TaskStatus,
)
from .filter_types import ChoicesFilter, FilterSet, IdFilter, StrictBooleanFilter
from .models import (
    Assessment,
    Assignment,
    Bulletin,
    Driver,
    Meeting,
    Milestone,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Target,
    TargetAssignment,
    TargetReading,
    Task,
)
from .permissions import live_parts, parts_of_departments


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(filters.NumberFilter):
    field_class = YearField


def _choices(choices, label: str) -> ChoicesFilter:
    return ChoicesFilter(choices=choices, label=label)


def _between(field_name: str, label: str) -> tuple[filters.DateFilter, filters.DateFilter]:
    return (filters.DateFilter(field_name=field_name, lookup_expr="gte",
                               label=lazy_format(_("%(field)s不早于（YYYY-MM-DD）"), field=label)),
            filters.DateFilter(field_name=field_name, lookup_expr="lte",
                               label=lazy_format(_("%(field)s不晚于（YYYY-MM-DD）"), field=label)))


class PlanFilterSet(FilterSet):
    is_active = StrictBooleanFilter(label=_("是否督办中"))

    class Meta:
        model = Plan
        fields: list[str] = []


class DriverFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))

    class Meta:
        model = Driver
        fields: list[str] = []


class TaskFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))
    driver = IdFilter(field_name="driver_id", label=_("战略驱动 id"))
    department = IdFilter(
        method="filter_department",
        label=_("部门 id：该部门（直接或通过部门组）承担的任务；"
              "与 role 同时给出时为该部门担任该角色的任务"))
    role = filters.ChoiceFilter(
        choices=AssignmentRole.choices, method="filter_role",
        label=_("角色：单独使用时为有该角色单位的任务；与 department 同时使用时限定该部门的角色"))
    status = _choices(TaskStatus.choices, _("任务状态（可多选）"))
    health = _choices(Health.choices, _("预警状态（可多选）"))
    source_type = _choices(Task._meta.get_field("source_type").choices, _("来源（可多选）"))
    urgency = _choices(Task._meta.get_field("urgency").choices, _("紧急程度（可多选）"))
    due_after, due_before = _between("due_on", _("完成时限"))
    unassigned = StrictBooleanFilter(
        method="filter_unassigned",
        label=_("true：未明确牵头部门的任务（牵头办公室待分配队列）；false：已明确牵头部门"))

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_department(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        role = self.form.cleaned_data.get("role") or None
        parts = parts_of_departments([value], role)
        return queryset.filter(Exists(parts.filter(task=OuterRef("pk"))))

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if self.form.cleaned_data.get("department"):
            return queryset  # applied together with the department
        return queryset.filter(Exists(live_parts().filter(task=OuterRef("pk"), role=value)))

    def filter_unassigned(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        has_lead = Exists(live_parts().filter(task=OuterRef("pk"), role=AssignmentRole.LEAD,
                                              department__isnull=False))
        return queryset.filter(~has_lead if value else has_lead)


class AssignmentFilterSet(FilterSet):
    task = IdFilter(field_name="task_id", label=_("任务 id"))
    plan = IdFilter(field_name="task__plan_id", label=_("计划 id"))
    department = IdFilter(field_name="department_id", label=_("部门 id（直接分工）"))
    group = IdFilter(field_name="group_id", label=_("部门组 id"))
    role = filters.ChoiceFilter(choices=AssignmentRole.choices, label=_("角色"))
    state = _choices(PartState.choices, _("办理状态（可多选）"))

    class Meta:
        model = Assignment
        fields: list[str] = []


class ProgressReportFilterSet(FilterSet):
    task = IdFilter(field_name="task_id", label=_("任务 id"))
    plan = IdFilter(field_name="task__plan_id", label=_("计划 id"))
    department = IdFilter(field_name="department_id", label=_("报送部门 id"))
    period = IdFilter(field_name="period_id", label=_("填报周期 id"))
    month_after, month_before = _between("period__month", _("填报月份"))
    state = _choices(ReportState.choices, _("报送状态（可多选）"))
    status = _choices(ReportStatus.choices, _("推进情况（可多选）"))
    needs_coordination = StrictBooleanFilter(label=_("需提请会议协调"))
    is_late = StrictBooleanFilter(label=_("逾期报送"))

    class Meta:
        model = ProgressReport
        fields: list[str] = []


class ReportingPeriodFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))
    state = _choices(PeriodState.choices, _("周期状态（可多选）"))
    kind = _choices(PeriodKind.choices, _("周期类型：monthly 月度、weekly 每周（可多选）"))
    month_after, month_before = _between("month", _("月份"))

    class Meta:
        model = ReportingPeriod
        fields: list[str] = []


class TargetFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))
    driver = IdFilter(field_name="driver_id", label=_("战略驱动 id"))
    kind = _choices(TargetKind.choices, _("指标类别（可多选）"))
    year = YearFilter(field_name="year", label=_("目标年度"))
    department = IdFilter(method="filter_department",
                          label=_("部门 id：该部门（直接或通过部门组）负责的指标"))

    class Meta:
        model = Target
        fields: list[str] = []

    def filter_department(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        parts = TargetAssignment.objects.filter(
            Q(department_id=value) | Q(group__members=value), target=OuterRef("pk"))
        return queryset.filter(Exists(parts))


class MilestoneFilterSet(FilterSet):
    task = IdFilter(field_name="task_id", label=_("任务 id"))
    plan = IdFilter(field_name="task__plan_id", label=_("计划 id"))
    department = IdFilter(field_name="departments", label=_("责任部门 id"))
    completed = StrictBooleanFilter(field_name="completed_on", lookup_expr="isnull",
                                    exclude=True, label=_("true：已完成的节点；false：未完成的节点"))  # noqa: E501
    due_after, due_before = _between("due_on", _("节点时限"))

    class Meta:
        model = Milestone
        fields: list[str] = []


class TargetReadingFilterSet(FilterSet):
    target = IdFilter(field_name="target_id", label=_("指标 id"))
    plan = IdFilter(field_name="target__plan_id", label=_("计划 id"))
    department = IdFilter(field_name="department_id", label=_("报送部门 id"))
    month_after, month_before = _between("month", _("月份"))

    class Meta:
        model = TargetReading
        fields: list[str] = []


class MeetingFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))
    kind = _choices(Meeting.Kind.choices, _("会议类别（可多选）"))
    state = _choices(Meeting.State.choices, _("会议状态（可多选）"))
    held_after, held_before = _between("held_on", _("会议日期"))

    class Meta:
        model = Meeting
        fields: list[str] = []


class BulletinFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))
    year = YearFilter(field_name="year", label=_("年度"))
    quarter = filters.TypedChoiceFilter(choices=[(q, lazy_format(_("第%(quarter)s季度"), quarter=q))
                                                 for q in range(1, 5)],
                                        coerce=int, label=_("季度（1–4）"))
    state = _choices(Bulletin.State.choices, _("状态（可多选）"))

    class Meta:
        model = Bulletin
        fields: list[str] = []


class AssessmentFilterSet(FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划 id"))
    year = YearFilter(field_name="year", label=_("年度"))
    state = _choices(Assessment.State.choices, _("状态（可多选）"))

    class Meta:
        model = Assessment
        fields: list[str] = []
