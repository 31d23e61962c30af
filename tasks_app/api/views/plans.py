from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ...filtersets import DriverFilterSet, PlanFilterSet, ReportingPeriodFilterSet
from ...models import Driver, Plan, ReportingPeriod
from ...rules.obligations import owed_reports, standing
from ..serializers.plans import (
    DriverSerializer,
    OwedReportSerializer,
    PlanSerializer,
    ReportingPeriodSerializer,
)
from .base import ReadOnlyViewSet, described


@described(_("计划"), _("计划（实施方案、工作计划）。所有登录用户可读。"))
class PlanViewSet(ReadOnlyViewSet):
    schema_tag = _("计划")
    queryset = Plan.objects.select_related("lead_office")
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    search_fields = ["code", "title", "issuer"]
    ordering_fields = ["code", "title", "signed_on", "published_on", "period_start",
                       "created_at"]


@described(_("战略驱动"), _("计划的战略驱动（任务分组）。所有登录用户可读。"))
class DriverViewSet(ReadOnlyViewSet):
    schema_tag = _("计划")
    queryset = Driver.objects.all()
    serializer_class = DriverSerializer
    filterset_class = DriverFilterSet
    search_fields = ["title"]
    ordering_fields = ["plan", "number", "title"]


@described(_("填报周期"), _("每月一个填报周期：开始日期、报送截止日（遇节假日顺延）、状态。"
           "所有登录用户可读。"))
class ReportingPeriodViewSet(ReadOnlyViewSet):
    schema_tag = _("进展报送")
    queryset = ReportingPeriod.objects.all()
    serializer_class = ReportingPeriodSerializer
    filterset_class = ReportingPeriodFilterSet
    ordering_fields = ["month", "deadline", "plan"]

    @extend_schema(summary=_("本期应报送情况"), responses=OwedReportSerializer(many=True),
                   description=_("该填报周期每个部门在每项任务上应报送的进展（按统一的报送规则："
                                 "部门组展开为成员、一次性反馈和非季末月的季度任务不报送、已中止/"
                                 "已办结/已转办不再报送、截止日后分配的不报送），是否已报送，"
                                 "未报送的是待报送还是逾期未报。部门用户只得到本部门的行。不分页。"))
    @action(detail=True, filter_backends=[], pagination_class=None,
            serializer_class=OwedReportSerializer)
    def owed(self, request, pk=None):
        period = self.get_object()
        access = self.access
        departments = None if access.reads_everything else access.department_ids
        rows = owed_reports([period], department_ids=departments)[period.pk]
        today = timezone.localdate()
        data = [{**row.__dict__, "standing": None if row.filed else standing(period, today)}
                for row in rows]
        return Response(OwedReportSerializer(data, many=True).data)
