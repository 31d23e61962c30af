from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ...documents.ledger import ledger_filename, ledger_workbook
from ...documents.xlsx import XLSX_TYPE, download
from ...filtersets import AssignmentFilterSet, TaskFilterSet
from ...permissions import visible_tasks
from ...selectors.ledger import ledger, ledger_departments
from ...selectors.tasks import assignment_list, task_history, task_list
from ...services.exports import export_ledger_start
from ..renderers import XlsxRenderer
from ..serializers.rows import task_rows, task_values
from ..serializers.tasks import AssignmentSerializer, TaskEventSerializer, TaskSerializer
from .base import ReadOnlyViewSet, described
from .exports import ExportJobSerializer
from .lifecycle import TaskLifecycleActions

TASKS = (_("督办任务及其责任分工和预警状态。部门用户只看到本部门（直接或通过部门组）承担的任务，"
         "其他任务返回 404；牵头办公室和管理领导看到全部。"))


@described(_("督办任务"), TASKS)
class TaskViewSet(TaskLifecycleActions, ReadOnlyViewSet):
    schema_tag = _("任务")
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    search_fields = ["title", "text"]
    search_description = _("标题、任务原文")
    ordering_fields = ["number", "title", "due_on", "status", "progress", "health",
                       "last_reported_at", "created_at", "updated_at"]
    versioned = True

    def get_queryset(self):
        if self.action == "history":
            return visible_tasks(self.access)
        return task_list(self.access)

    def list(self, request, *args, **kwargs):
        """A page of tasks written straight from values() (see serializers.rows)."""
        queryset = task_values(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(task_rows(list(page)))

    @extend_schema(summary=_("任务历史"), responses=TaskEventSerializer(many=True),
                   description=_("任务的全部变更记录（状态、进度、分工、报送、审核……），最新的在前。"))
    @action(detail=True, serializer_class=TaskEventSerializer, filter_backends=[])
    def history(self, request, pk=None):
        page = self.paginate_queryset(task_history(self.access, self.get_object()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary=_("督办台账（Excel）"), filters=True,
        parameters=[OpenApiParameter(
            "format", OpenApiTypes.STR, enum=["json", "xlsx"], required=False,
            description=_("可省略：部门用户直接得到 .xlsx 文件；出错时以 JSON 返回错误"))],
        description=_("按与任务列表相同的过滤条件导出督办台账 .xlsx：每个任务 × 部门一行，"
                      "含战略驱动、编号、标题、牵头/责任部门、完成时限、状态、进度、预警（彩色单元格），"
                      "以及该部门最近一次报送的本期进展、存在问题、下步计划。部门用户只得到本部门的行，"
                      "立即返回文件（200）；给出 department 时只含该部门的行。不分页。"
                      "牵头办公室和管理领导（一个计划或全市）的台账由后台生成：返回 202 和导出任务"
                      "（Location 为任务地址 /api/v1/exports/{id}/，轮询其 state 和 progress，"
                      "完成后从 download 地址下载）。"),
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY,
                                                     description=_("台账文件（部门用户）")),
                   202: OpenApiResponse(ExportJobSerializer,
                                        description=_("已排队的导出任务（牵头办公室、管理领导）"))})
    @action(detail=False, url_path="ledger", url_name="ledger", pagination_class=None,
            renderer_classes=[JSONRenderer, XlsxRenderer])
    def ledger(self, request):
        if self.access.reads_everything:
            # The same checks as the list (a bad search or ordering is a 400) before queuing.
            self.filter_queryset(self.get_queryset())
            try:
                job = export_ledger_start(owner=request.user, params=request.query_params)
            except DjangoValidationError as error:
                raise ValidationError(error.message_dict) from error
            data = ExportJobSerializer(job, context={"request": request}).data
            # The job, not the file: JSON even when the file's media type was asked for.
            request.accepted_renderer, request.accepted_media_type = (
                JSONRenderer(), "application/json")
            return Response(data, status=status.HTTP_202_ACCEPTED,
                            headers={"Location": data["url"]})
        tasks = self.filter_queryset(self.get_queryset())
        wanted = request.query_params.get("department")
        result = ledger(tasks, departments=ledger_departments(
            self.access, int(wanted) if wanted else None))
        return download(ledger_workbook(result), ledger_filename(result))


@described(_("责任分工"), _("每个部门（或部门组）在任务中的角色和办理状态，含已转办的。"
           "部门用户只看到本部门可见任务的分工。"))
class AssignmentViewSet(ReadOnlyViewSet):
    schema_tag = _("任务")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    search_fields = ["source_text", "department__name", "group__name"]
    search_description = _("原文写法、部门名称、部门组名称")
    ordering_fields = ["task", "role", "state", "position", "created_at"]
    # A task's parts together, in document order, tasks by id: a page of 50 reads the task
    # index instead of sorting the city's 35,051 parts by plan and task number (73 ms).
    ordering = ["task_id", "role", "position", "id"]

    def get_queryset(self):
        return assignment_list(self.access)
