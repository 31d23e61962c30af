from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from ...filtersets import AssignmentFilterSet, TaskFilterSet
from ...permissions import visible_tasks
from ...selectors.tasks import assignment_list, task_history, task_list
from ..serializers.tasks import AssignmentSerializer, TaskEventSerializer, TaskSerializer
from .base import ReadOnlyViewSet, described
from .lifecycle import TaskLifecycleActions

TASKS = ("督办任务及其责任分工和预警状态。部门用户只看到本部门(直接或通过部门组)承担的任务,"
         "其他任务返回 404;牵头办公室和管理领导看到全部。")


@described("督办任务", TASKS)
class TaskViewSet(TaskLifecycleActions, ReadOnlyViewSet):
    schema_tag = "任务"
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    search_fields = ["title", "text"]
    search_description = "标题、任务原文"
    ordering_fields = ["number", "title", "due_on", "status", "progress", "health",
                       "last_reported_at", "created_at", "updated_at"]
    versioned = True

    def get_queryset(self):
        if self.action == "history":
            return visible_tasks(self.access)
        return task_list(self.access)

    @extend_schema(summary="任务历史", responses=TaskEventSerializer(many=True),
                   description="任务的全部变更记录(状态、进度、分工、报送、审核……),最新的在前。")
    @action(detail=True, serializer_class=TaskEventSerializer, filter_backends=[])
    def history(self, request, pk=None):
        page = self.paginate_queryset(task_history(self.get_object()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@described("责任分工", "每个部门(或部门组)在任务中的角色和办理状态,含已转办的。"
           "部门用户只看到本部门可见任务的分工。")
class AssignmentViewSet(ReadOnlyViewSet):
    schema_tag = "任务"
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    search_fields = ["source_text", "department__name", "group__name"]
    search_description = "原文写法、部门名称、部门组名称"
    ordering_fields = ["task", "role", "state", "position", "created_at"]

    def get_queryset(self):
        return assignment_list(self.access)
