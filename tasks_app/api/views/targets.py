"""Targets and their monthly readings; readings are written through target_reading_save."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from common.i18n import lazy_concat

from ...exceptions import StaleVersion
from ...filtersets import TargetFilterSet, TargetReadingFilterSet
from ...models import TargetReading
from ...permissions import visible_targets
from ...selectors.targets import reading_list, target_list
from ...services.targets import target_reading_save
from ..concurrency import Expectation
from ..errors import Conflict
from ..serializers.targets import (
    TargetReadingCreateSerializer,
    TargetReadingSerializer,
    TargetReadingUpdateSerializer,
    TargetSerializer,
)
from .base import ApiView, ReadOnlyViewSet, described, versioned_response

TARGETS = (_("计划的量化指标及责任单位。部门用户只看到本部门（直接或通过部门组）负责的指标，"
           "牵头办公室和管理领导看到全部。"))
READINGS = _("指标的月度实际值（月监测）。可见范围与指标相同。")


@described(_("量化指标"), TARGETS)
class TargetViewSet(ReadOnlyViewSet):
    schema_tag = _("量化指标")
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    search_fields = ["name", "source_text"]
    search_description = _("指标名称、原文")
    ordering_fields = ["position", "name", "year", "kind"]

    def get_queryset(self):
        return target_list(self.access)


@extend_schema_view(
    list=extend_schema(summary=_("指标月度监测列表"), description=READINGS),
    retrieve=extend_schema(summary=_("指标月度监测详情"),
                           description=lazy_concat(READINGS,
                                                   _(" 响应头 ETag 可用于 If-Match。"))),
    create=extend_schema(
        summary=_("报送指标月度实际值"), request=TargetReadingCreateSerializer,
        responses={201: TargetReadingSerializer},
        description=_("指标的责任单位或牵头办公室可以报送；不能报送未来月份。"
                      "该月已有数据时返回 409，请改用 PATCH 更正。")),
    partial_update=extend_schema(
        summary=_("更正指标月度实际值"), request=TargetReadingUpdateSerializer,
        responses=TargetReadingSerializer,
        description=_("规则同报送；提交 version 或 If-Match 防止覆盖他人的修改。")),
)
class TargetReadingViewSet(ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    schema_tag = _("量化指标")
    serializer_class = TargetReadingSerializer
    filterset_class = TargetReadingFilterSet
    search_fields = ["note", "target__name"]
    search_description = _("说明、指标名称")
    ordering_fields = ["month", "target", "value", "reported_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    versioned = True

    def get_queryset(self):
        return reading_list(self.access)

    def retrieve(self, request, *args, **kwargs):
        return versioned_response(self, self.get_object())

    def _fresh(self, reading: TargetReading, status: int = 200):
        return versioned_response(self, self.get_queryset().get(pk=reading.pk), status)

    def create(self, request, *args, **kwargs):
        serializer = TargetReadingCreateSerializer(
            data=request.data, targets=visible_targets(self.access))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            reading = target_reading_save(
                target=data["target"], month=data["month"], value=data["value"],
                note=data.get("note", ""), is_year_to_date=data.get("is_year_to_date", True),
                user=request.user, expected_version=0)
        except StaleVersion as exc:
            raise Conflict(_("该指标本月已有监测数据，请用 PATCH 更正它。")) from exc
        return self._fresh(reading, 201)

    def partial_update(self, request, *args, **kwargs):
        reading = self.get_object()
        serializer = TargetReadingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expectation = Expectation(request, reading, data.get("version"))
        reading = expectation.run(
            target_reading_save, target=reading.target, month=reading.month,
            value=data.get("value", reading.value), note=data.get("note", reading.note),
            is_year_to_date=data.get("is_year_to_date", reading.is_year_to_date),
            user=request.user)
        return self._fresh(reading)
