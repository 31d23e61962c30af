from django.utils.translation import gettext_lazy as _

from departments.models import Department, DepartmentGroup

from ...filtersets_departments import DepartmentFilterSet, DepartmentGroupFilterSet
from ..serializers.departments import DepartmentGroupSerializer, DepartmentSerializer
from .base import ReadOnlyViewSet, described


@described(_("部门"), _("承担任务的单位（名称按文件写法）及其别名。所有登录用户可读。"))
class DepartmentViewSet(ReadOnlyViewSet):
    schema_tag = _("部门")
    queryset = Department.objects.prefetch_related("aliases")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    search_fields = ["name", "code", "aliases__alias"]
    search_description = _("名称、代码、别名")
    ordering_fields = ["name", "code", "kind", "level", "created_at"]


@described(_("部门组"), _("文件中的集体写法（各相关部门等）及其成员部门。所有登录用户可读。"))
class DepartmentGroupViewSet(ReadOnlyViewSet):
    schema_tag = _("部门")
    queryset = DepartmentGroup.objects.prefetch_related("members")
    serializer_class = DepartmentGroupSerializer
    filterset_class = DepartmentGroupFilterSet
    search_fields = ["name", "description"]
    search_description = _("名称、说明")
    ordering_fields = ["name"]
