"""FilterSets for departments and groups, shared by the API and the UI."""

from django.utils.translation import gettext_lazy as _

from departments.choices import DepartmentKind, DepartmentLevel
from departments.models import Department, DepartmentGroup

from .filter_types import ChoicesFilter, FilterSet, IdFilter, StrictBooleanFilter


class DepartmentFilterSet(FilterSet):
    kind = ChoicesFilter(choices=DepartmentKind.choices, label=_("类别（可多选）"))
    level = ChoicesFilter(choices=DepartmentLevel.choices, label=_("层级（可多选）"))
    is_active = StrictBooleanFilter(label=_("是否启用"))
    parent = IdFilter(field_name="parent_id", label=_("上级单位 id"))
    group = IdFilter(field_name="groups", label=_("部门组 id：该组的成员部门"))

    class Meta:
        model = Department
        fields: list[str] = []


class DepartmentGroupFilterSet(FilterSet):
    member = IdFilter(field_name="members", label=_("部门 id：包含该部门的部门组"))

    class Meta:
        model = DepartmentGroup
        fields: list[str] = []
