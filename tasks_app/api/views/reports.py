"""Progress reports: list and read what the user may see; file, submit and review them
through tasks_app.services.reports, exactly as the portal does."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from common.i18n import lazy_concat

from ...exceptions import StaleVersion
from ...filtersets import ProgressReportFilterSet
from ...models import ProgressReport
from ...permissions import reporting_departments, visible_tasks
from ...selectors.reports import report_list, with_report_users
from ...services.reports import (
    Filing,
    report_head_review,
    report_lead_review,
    report_save,
    report_submit,
    report_withdraw,
)
from ..concurrency import Expectation
from ..errors import Conflict
from ..serializers.reports import (
    HeadReviewSerializer,
    LeadReviewSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    VersionSerializer,
)
from ..serializers.rows import report_rows, report_values
from .base import ApiView, versioned_response

REPORTS = (_("部门的月度进展报送。部门用户看到本部门的报送，以及本部门牵头的任务上其他部门的报送；"
           "牵头办公室和管理领导看到全部；其他报送返回 404。"))
WRITE = _("规则与门户相同（同一套服务）：")


def _action(summary: str, description: str, request) -> dict:
    return extend_schema(summary=summary, description=description, request=request,
                         responses=ReportSerializer)


@extend_schema_view(
    list=extend_schema(summary=_("进展报送列表"), description=REPORTS),
    retrieve=extend_schema(summary=_("进展报送详情"),
                           description=lazy_concat(REPORTS, _(" 响应头 ETag 可用于 If-Match。"))),
    create=extend_schema(
        summary=_("填写进展报送（草稿，可同时报送）"), request=ReportCreateSerializer,
        responses={201: ReportSerializer},
        description=lazy_concat(WRITE, _(
            "只能为本部门承担的任务报送；周期未开始不能填报；截止后报送标记为逾期；"
            "季度通报发布后周期锁定。同一任务、部门、周期已有报送时返回 409，请改用 PATCH。"))),
    partial_update=extend_schema(
        summary=_("修改进展报送（草稿或已退回）"), request=ReportUpdateSerializer,
        responses=ReportSerializer,
        description=lazy_concat(WRITE, _("只能修改草稿或已退回的报送；已报送的请先撤回。"
                                         "提交 version 或 If-Match 防止覆盖他人的修改。"))),
    submit=_action(_("报送"), lazy_concat(WRITE, _(
        "报送前须填写本期进展；存在困难、滞后或需协调时须填写存在问题。")), VersionSerializer),
    withdraw=_action(_("撤回报送"), lazy_concat(WRITE, _(
        "牵头部门审核前，报送部门可以撤回到草稿。")), VersionSerializer),
    head_review=_action(_("部门负责人审核"), lazy_concat(WRITE, _(
        "只有本部门负责人可以审核已报送的报送；退回须填写意见。")), HeadReviewSerializer),
    lead_review=_action(_("牵头部门审核"), lazy_concat(WRITE, _(
        "任务的牵头部门审核其他部门的报送，牵头办公室审核牵头部门自己的报送；退回须填写意见。")),
        LeadReviewSerializer),
)
class ReportViewSet(ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    schema_tag = _("进展报送")
    serializer_class = ReportSerializer
    filterset_class = ProgressReportFilterSet
    search_fields = ["progress_text", "problems", "next_steps", "task__title"]
    search_description = _("本期进展、存在问题、下步计划、任务标题")
    ordering_fields = ["id", "period__month", "task__number", "department__name", "state",
                       "status", "progress", "submitted_at", "updated_at"]
    # Newest first on the primary key: a page of 50 reads 50 index entries instead of
    # sorting every visible report by month and task number.
    ordering = ["-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    versioned = True

    def get_queryset(self):
        return report_list(self.access)

    def list(self, request, *args, **kwargs):
        """A page of reports written straight from values() (see serializers.rows)."""
        page = self.paginate_queryset(report_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(report_rows(list(page)))

    def get_object(self):
        return with_report_users([super().get_object()])[0]

    def retrieve(self, request, *args, **kwargs):
        return versioned_response(self, self.get_object())

    def _fresh(self, report: ProgressReport, status: int = 200):
        return versioned_response(
            self, with_report_users([self.get_queryset().get(pk=report.pk)])[0], status)

    def create(self, request, *args, **kwargs):
        tasks = visible_tasks(self.access).select_related("plan")
        serializer = ReportCreateSerializer(data=request.data, tasks=tasks)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filing = Filing(data["task"], self._department_id(data), data["period"])
        try:
            report = report_save(filing=filing, data=serializer.content(), user=request.user,
                                 expected_version=0, submit=data["submit"])
        except StaleVersion as exc:
            raise Conflict(_("该部门本周期已有此任务的报送，请用 PATCH 修改它。")) from exc
        return self._fresh(report, 201)

    def _department_id(self, data: dict) -> int:
        if data.get("department") is not None:
            return data["department"].pk
        departments = reporting_departments(self.access, data["task"])
        if len(departments) != 1:
            raise ValidationError({"department": [_("请指定报送部门。")]})
        return departments[0]

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = ReportUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expectation = Expectation(request, report, serializer.validated_data.get("version"))
        filing = Filing(report.task, report.department_id, report.period)
        report = expectation.run(report_save, filing=filing, data=serializer.content(),
                                 user=request.user, submit=serializer.validated_data["submit"])
        return self._fresh(report)

    def _transition(self, request, serializer_class, service):
        report = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expectation = Expectation(request, report, values.pop("version", None))
        report = expectation.run(service, report=report, user=request.user, **values)
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, VersionSerializer, report_submit)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, VersionSerializer, report_withdraw)

    @action(detail=True, methods=["post"], url_path="head-review")
    def head_review(self, request, pk=None):
        return self._transition(request, HeadReviewSerializer, report_head_review)

    @action(detail=True, methods=["post"], url_path="lead-review")
    def lead_review(self, request, pk=None):
        return self._transition(request, LeadReviewSerializer, report_lead_review)
