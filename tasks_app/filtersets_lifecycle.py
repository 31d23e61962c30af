"""FilterSets of the lifecycle's records (strict, like tasks_app.filtersets)."""

from django.utils.translation import gettext_lazy as _

from .filter_types import ChoicesFilter, FilterSet, IdFilter
from .filtersets import YearFilter
from .models import CompletionRequest, ExtensionRequest, LeaderInstruction, SupervisionSlip


class ExtensionRequestFilterSet(FilterSet):
    plan = IdFilter(field_name="assignment__task__plan_id", label=_("计划 id"))
    task = IdFilter(field_name="assignment__task_id", label=_("任务 id"))
    department = IdFilter(field_name="assignment__department_id", label=_("申请部门 id"))
    state = ChoicesFilter(choices=ExtensionRequest.State.choices, label=_("状态（可多选）"))

    class Meta:
        model = ExtensionRequest
        fields: list[str] = []


class CompletionRequestFilterSet(FilterSet):
    plan = IdFilter(field_name="task__plan_id", label=_("计划 id"))
    task = IdFilter(field_name="task_id", label=_("任务 id"))
    department = IdFilter(field_name="department_id", label=_("申请部门 id"))
    decision = ChoicesFilter(choices=CompletionRequest.Decision.choices,
                             label=_("审核结论（可多选）"))

    class Meta:
        model = CompletionRequest
        fields: list[str] = []


class SlipFilterSet(FilterSet):
    plan = IdFilter(field_name="task__plan_id", label=_("计划 id"))
    task = IdFilter(field_name="task_id", label=_("任务 id"))
    department = IdFilter(field_name="department_id", label=_("主送部门 id"))
    year = YearFilter(field_name="year", label=_("年度"))
    state = ChoicesFilter(choices=SupervisionSlip.State.choices, label=_("状态（可多选）"))

    class Meta:
        model = SupervisionSlip
        fields: list[str] = []


class InstructionFilterSet(FilterSet):
    task = IdFilter(field_name="task_id", label=_("任务 id"))

    class Meta:
        model = LeaderInstruction
        fields: list[str] = []
