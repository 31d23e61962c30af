"""FilterSets for departments and groups, shared by the API and the UI."""

from django_filters import rest_framework as filters

from tasks_app.filter_types import ChoicesFilter, IdFilter, StrictBooleanFilter

from .choices import DepartmentKind, DepartmentLevel
from .models import Department, DepartmentGroup


class DepartmentFilterSet(filters.FilterSet):
    kind = ChoicesFilter(choices=DepartmentKind.choices, label="类别(可多选)")
    level = ChoicesFilter(choices=DepartmentLevel.choices, label="层级(可多选)")
    is_active = StrictBooleanFilter(label="是否启用")
    parent = IdFilter(field_name="parent_id", label="上级单位 id")
    group = IdFilter(field_name="groups", label="部门组 id:该组的成员部门")

    class Meta:
        model = Department
        fields: list[str] = []


class DepartmentGroupFilterSet(filters.FilterSet):
    member = IdFilter(field_name="members", label="部门 id:包含该部门的部门组")

    class Meta:
        model = DepartmentGroup
        fields: list[str] = []
