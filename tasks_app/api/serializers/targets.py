"""Targets (量化指标) and their monthly readings (月监测)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...models import Target, TargetAssignment, TargetReading
from .reports import VersionSerializer


class TargetPartSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            allow_null=True, help_text=_("部门名称"))
    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True,
                                       help_text=_("部门组名称"))

    class Meta:
        model = TargetAssignment
        fields = ("id", "department", "department_name", "group", "group_name", "role",
                  "source_text")
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    parts = TargetPartSerializer(source="assignments", many=True, read_only=True,
                                 help_text=_("指标责任单位（牵头/责任）"))

    class Meta:
        model = Target
        fields = ("id", "plan", "driver", "parent", "name", "kind", "value", "unit", "qualifier",
                  "year", "baseline", "source_text", "position", "parts")
        read_only_fields = fields


class TargetReadingSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True,
                                        help_text=_("指标名称"))
    plan = serializers.IntegerField(source="target.plan_id", read_only=True,
                                    help_text=_("计划 id"))
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            allow_null=True, help_text=_("报送部门名称"))
    reported_by = serializers.CharField(source="reported_by.username", read_only=True,
                                        allow_null=True, help_text=_("报送人（用户名）"))

    class Meta:
        model = TargetReading
        fields = ("id", "target", "target_name", "plan", "month", "value", "is_year_to_date",
                  "note", "department", "department_name", "reported_by", "reported_at",
                  "version")
        read_only_fields = fields


class ReadingContentSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4,
                                     help_text=_("实际值（最多 14 位整数、4 位小数）"))
    is_year_to_date = serializers.BooleanField(
        required=False, help_text=_("为年内累计值（默认 true;false 表示自基期起累计）"))
    note = serializers.CharField(allow_blank=True, required=False, help_text=_("说明"))


class TargetReadingCreateSerializer(ReadingContentSerializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Target.objects.none(),
                                                help_text=_("指标 id"))
    month = serializers.DateField(help_text=_("月份（任一日期，按该月计；不能是未来月份）"))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["target"].queryset = targets


class TargetReadingUpdateSerializer(ReadingContentSerializer, VersionSerializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False,
                                     help_text=_("实际值（最多 14 位整数、4 位小数）"))
