"""Meetings, quarterly bulletins and annual assessments, read-only as they are stored."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...models import Assessment, Bulletin, DepartmentScore, Meeting, MeetingDecision


class MeetingDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingDecision
        fields = ("id", "text", "due_on", "departments", "follow_up_task", "is_closed",
                  "closed_at", "created_at")
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    decisions = MeetingDecisionSerializer(
        source="visible_decisions", many=True, read_only=True,
        help_text=_("会议议定事项（部门用户只看到本部门承担的）"))

    class Meta:
        model = Meeting
        fields = ("id", "plan", "kind", "held_on", "title", "state", "notes", "decisions")
        read_only_fields = fields


class BulletinSerializer(serializers.ModelSerializer):
    """A bulletin in a list: without its content (a city plan's is about 140 KB)."""

    class Meta:
        model = Bulletin
        fields = ("id", "plan", "year", "quarter", "number", "state", "generated_at",
                  "published_at")
        read_only_fields = fields


class BulletinDetailSerializer(BulletinSerializer):
    """A bulletin with its content and its departments' on-time rates."""

    class Meta(BulletinSerializer.Meta):
        fields = (*BulletinSerializer.Meta.fields, "content", "department_rates")
        read_only_fields = fields


class DepartmentScoreSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            help_text=_("部门名称"))

    class Meta:
        model = DepartmentScore
        fields = ("id", "department", "department_name", "components", "computed_total",
                  "adjustment", "adjustment_reason", "total", "rank", "contest_state")
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment in a list: without its departments' scores (a city plan has hundreds,
    each with its formulas)."""

    class Meta:
        model = Assessment
        fields = ("id", "plan", "year", "weights", "state", "computed_at", "published_at",
                  "finalised_at")
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    scores = DepartmentScoreSerializer(many=True, read_only=True, help_text=_("部门得分（按名次）"))

    class Meta(AssessmentSerializer.Meta):
        fields = (*AssessmentSerializer.Meta.fields, "scores")
        read_only_fields = fields
