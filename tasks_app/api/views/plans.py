from django.utils.translation import gettext_lazy as _

from ...filtersets import DriverFilterSet, PlanFilterSet, ReportingPeriodFilterSet
from ...models import Driver, Plan, ReportingPeriod
from ..serializers.plans import DriverSerializer, PlanSerializer, ReportingPeriodSerializer
from .base import ReadOnlyViewSet, described


@described(_("计划"), _("计划(实施方案、工作计划)。所有登录用户可读。"))
class PlanViewSet(ReadOnlyViewSet):
    schema_tag = _("计划")
    queryset = Plan.objects.select_related("lead_office")
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    search_fields = ["code", "title", "issuer"]
    ordering_fields = ["code", "title", "signed_on", "published_on", "period_start",
                       "created_at"]


@described(_("战略驱动"), _("计划的战略驱动(任务分组)。所有登录用户可读。"))
class DriverViewSet(ReadOnlyViewSet):
    schema_tag = _("计划")
    queryset = Driver.objects.all()
    serializer_class = DriverSerializer
    filterset_class = DriverFilterSet
    search_fields = ["title"]
    ordering_fields = ["plan", "number", "title"]


@described(_("填报周期"), _("每月一个填报周期:开始日期、报送截止日(遇节假日顺延)、状态。"
           "所有登录用户可读。"))
class ReportingPeriodViewSet(ReadOnlyViewSet):
    schema_tag = _("进展报送")
    queryset = ReportingPeriod.objects.all()
    serializer_class = ReportingPeriodSerializer
    filterset_class = ReportingPeriodFilterSet
    ordering_fields = ["month", "deadline", "plan"]
