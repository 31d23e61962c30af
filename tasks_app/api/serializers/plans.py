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
        fields = ("id", "plan", "month", "opens_on", "deadline", "state", "locked_at")
        read_only_fields = fields
