"""Export jobs in the API: the ledger of a plan or the city is built by a worker. The
ledger endpoint answers 202 with the job; the job's URL tells its state and progress, and
its download URL gives the file when it is ready. A job is its owner's only (404 else)."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer

from ...documents.xlsx import XLSX_TYPE, attachment_disposition
from ...models import ExportJob
from ..renderers import XlsxRenderer
from .base import ReadOnlyViewSet, described


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("本导出任务的地址（轮询状态）"))
    download = serializers.SerializerMethodField(
        help_text=_("完成后的下载地址；未完成或失败时为 null"))

    class Meta:
        model = ExportJob
        fields = ["id", "kind", "params", "state", "progress", "filename", "error",
                  "created_at", "finished_at", "url", "download"]

    def get_url(self, job: ExportJob) -> str:
        return reverse("api:export-detail", args=[job.pk])

    def get_download(self, job: ExportJob) -> str | None:
        if job.state != ExportJob.State.DONE:
            return None
        return reverse("api:export-download", args=[job.pk])


EXPORTS = _("本人申请的导出（如全市或一个计划的督办台账），由后台生成：state 为 queued、running、"
            "done 或 failed,progress 为 0–100；完成后 download 给出下载地址。"
            "只有申请人本人可见，其他人返回 404;7 天后删除。")


@described(_("导出任务"), EXPORTS)
class ExportJobViewSet(ReadOnlyViewSet):
    schema_tag = _("任务")
    serializer_class = ExportJobSerializer
    filter_backends: list = []

    def get_queryset(self):
        return ExportJob.objects.filter(owner=self.request.user)

    @extend_schema(
        summary=_("下载导出文件"), description=_("没有此导出，或尚未完成时返回 404。"),
        parameters=[OpenApiParameter(
            "format", OpenApiTypes.STR, enum=["json", "xlsx"], required=False,
            description=_("可省略：完成后总是返回文件；出错时以 JSON 返回错误"))],
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY,
                                                     description=_("导出的文件"))})
    @action(detail=True, renderer_classes=[JSONRenderer, XlsxRenderer], pagination_class=None)
    def download(self, request, pk=None):
        job = self.get_object()
        if job.state != ExportJob.State.DONE or not job.file:
            raise Http404
        try:
            handle = job.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(handle, content_type=XLSX_TYPE)
        response["Content-Disposition"] = attachment_disposition(job.filename)
        response["Cache-Control"] = "private, no-store"
        return response
