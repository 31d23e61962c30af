"""Task 节点: everyone who sees a task sees its 节点; the lead office and the task's lead
departments add, change and delete them (through tasks_app.services.milestones)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from departments.models import Department

from ...filtersets import MilestoneFilterSet
from ...models import Milestone, Task
from ...permissions import lead_department_ids, plans_milestones, visible_tasks
from ...services.milestones import (
    milestone_create,
    milestone_data,
    milestone_delete,
    milestone_update,
)
from ..concurrency import Expectation
from ..serializers.milestones import (
    MilestoneCreateSerializer,
    MilestoneSerializer,
    MilestoneUpdateSerializer,
)
from .base import ApiView, versioned_response

MILESTONES = _("任务节点（计划分解）：节点内容、时限、责任部门、完成日期。"
               "能看到任务的人都能看到其节点；牵头办公室和任务的牵头部门可以新增、修改、删除。"
               "节点过期未完成时任务亮红灯。")
REFUSED = _("只有牵头办公室和该任务的牵头部门可以计划节点。")


@extend_schema_view(
    list=extend_schema(summary=_("任务节点列表"), description=MILESTONES),
    retrieve=extend_schema(summary=_("任务节点详情"), description=MILESTONES),
    create=extend_schema(summary=_("新增任务节点"), request=MilestoneCreateSerializer,
                         responses={201: MilestoneSerializer}, description=MILESTONES),
    partial_update=extend_schema(summary=_("修改任务节点"), request=MilestoneUpdateSerializer,
                                 responses=MilestoneSerializer, description=MILESTONES),
    destroy=extend_schema(summary=_("删除任务节点"), description=MILESTONES),
)
class MilestoneViewSet(ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.DestroyModelMixin, viewsets.GenericViewSet):
    schema_tag = _("督办任务")
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    search_fields = ["title"]
    search_description = _("节点内容")
    ordering_fields = ["due_on", "position", "task"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    versioned = True

    def get_queryset(self):
        return (Milestone.objects.filter(task__in=visible_tasks(self.access))
                .select_related("task")
                .prefetch_related(Prefetch("departments", Department.objects.order_by("name")))
                .order_by("task_id", "position", "id"))

    def _check_plans(self, task: Task) -> None:
        leads = lead_department_ids(task)
        if not plans_milestones(self.access, leads_task=bool(leads & self.access.department_ids)):
            raise PermissionDenied(REFUSED)

    def retrieve(self, request, *args, **kwargs):
        return versioned_response(self, self.get_object())

    def _shown(self, milestone: Milestone, status: int = 200) -> Response:
        return versioned_response(self, self.get_queryset().get(pk=milestone.pk), status)

    def create(self, request, *args, **kwargs):
        serializer = MilestoneCreateSerializer(data=request.data,
                                               tasks=visible_tasks(self.access))
        serializer.is_valid(raise_exception=True)
        task = serializer.validated_data["task"]
        self._check_plans(task)
        milestone = milestone_create(task=task, actor=request.user,
                                     data=milestone_data(serializer.validated_data))
        return self._shown(milestone, 201)

    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        self._check_plans(milestone.task)
        serializer = MilestoneUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {"title": milestone.title, "due_on": milestone.due_on,
                  "completed_on": milestone.completed_on,
                  "departments": list(milestone.departments.all()),
                  **serializer.validated_data}
        expectation = Expectation(request, milestone, values.pop("version", None))
        expectation.run(milestone_update, milestone=milestone, data=milestone_data(values),
                        actor=request.user)
        return self._shown(milestone)

    def perform_destroy(self, instance: Milestone) -> None:
        self._check_plans(instance.task)
        milestone_delete(milestone=instance, actor=self.request.user)
