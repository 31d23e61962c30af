from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...models import Driver, Plan, ReportingPeriod


class PlanSerializer(serializers.ModelSerializer):
    lead_office_name = serializers.CharField(
        source="lead_office.name", read_only=True, allow_null=True,
        help_text=_("牵头抓总单位名称"))

    class Meta:
        model = Plan
        fields = ("id", "code", "title", "issuer", "signed_on", "published_on", "period_start",
                  "period_end", "parent_policy", "lead_office", "lead_office_name",
                  "tracking_start", "slip_prefix", "source_name", "is_active", "created_at",
                  "updated_at")
        read_only_fields = fields


class DriverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Driver
        fields = ("id", "plan", "number", "title")
        read_only_fields = fields


class ReportingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ("id", "plan", "kind", "month", "opens_on", "deadline", "state", "locked_at")
        read_only_fields = fields


class OwedReportSerializer(serializers.Serializer):
    """One report owed for a period (tasks_app.rules.obligations)."""

    task = serializers.IntegerField(source="task_id", help_text=_("任务 id"))
    task_number = serializers.IntegerField(help_text=_("任务编号"))
    task_title = serializers.CharField(help_text=_("任务名称"))
    department = serializers.IntegerField(source="department_id", help_text=_("部门 id"))
    department_name = serializers.CharField(help_text=_("部门名称"))
    filed = serializers.BooleanField(help_text=_("是否已报送（已退回的报送须重新报送）"))
    filed_at = serializers.DateTimeField(allow_null=True, help_text=_("报送时间"))
    standing = serializers.CharField(
        allow_null=True,
        help_text=_("未报送时：due（待报送，截止日前）或 overdue（逾期未报）；已报送时为空"))
