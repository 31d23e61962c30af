"""Progress reports: what the API shows, and what a client may send to the report services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from departments.models import Department

from ...choices import ReportStatus
from ...models import ProgressReport, ReportingPeriod, Task

MAX_VERSION = 2**31 - 1


def username_field(source: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(source=f"{source}.username", read_only=True, allow_null=True,
                                 help_text=help_text)


class ReportSerializer(serializers.ModelSerializer):
    task_number = serializers.IntegerField(source="task.number", read_only=True,
                                           help_text=_("任务序号"))
    task_title = serializers.CharField(source="task.title", read_only=True, help_text=_("任务标题"))
    plan = serializers.IntegerField(source="task.plan_id", read_only=True, help_text=_("计划 id"))
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            help_text=_("报送部门名称"))
    month = serializers.DateField(source="period.month", read_only=True,
                                  help_text=_("填报月份（该月第一天）"))
    submitted_by = username_field("submitted_by", _("报送人（用户名）"))
    head_reviewed_by = username_field("head_reviewed_by", _("审核负责人（用户名）"))
    reviewed_by = username_field("reviewed_by", _("牵头审核人（用户名）"))
    updated_by = username_field("updated_by", _("最后修改人（用户名）"))

    class Meta:
        model = ProgressReport
        fields = ("id", "task", "task_number", "task_title", "plan", "department",
                  "department_name", "period", "month", "status", "progress", "progress_text",
                  "problems", "next_steps", "needs_coordination", "state", "is_late",
                  "submitted_at", "submitted_by", "head_reviewed_at", "head_reviewed_by",
                  "head_comment", "reviewed_at", "reviewed_by", "review_comment", "version",
                  "created_at", "updated_at", "updated_by")
        read_only_fields = fields


class ReportContentSerializer(serializers.Serializer):
    # The schema's description of the component, in the reader's language.
    __doc__ = _("部门填写的内容；未提交的字段保留原值。")

    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False,
                                     help_text=_("推进情况"))
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                        help_text=_("进度（%），0–100"))
    progress_text = serializers.CharField(allow_blank=True, required=False,
                                          trim_whitespace=False, help_text=_("本期进展"))
    problems = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False,
                                     help_text=_("存在问题"))
    next_steps = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False,
                                       help_text=_("下步计划"))
    needs_coordination = serializers.BooleanField(required=False,
                                                  help_text=_("需提请月度专题会议协调"))
    submit = serializers.BooleanField(
        default=False, help_text=_("为 true 时保存后立即报送（须填写本期进展；"
                                 "存在困难、滞后或需协调时须填写存在问题）"))

    def content(self) -> dict:
        return {name: value for name, value in self.validated_data.items()
                if name in ReportContentSerializer._declared_fields and name != "submit"}


class ReportCreateSerializer(ReportContentSerializer):
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.none(), help_text=_("任务 id"))
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True,
        help_text=_("报送部门 id；用户在该任务上只有一个部门时可省略"))
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(), help_text=_("填报周期 id（见 /api/v1/periods/）"))

    def __init__(self, *args, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tasks is not None:
            self.fields["task"].queryset = tasks


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, max_value=MAX_VERSION, required=False,
        help_text=_("读取时的版本号；记录此后被修改则返回 409，不会覆盖"))


class ReportUpdateSerializer(ReportContentSerializer, VersionSerializer):
    pass


class HeadReviewSerializer(VersionSerializer):
    approve = serializers.BooleanField(help_text=_("true 审核通过；false 退回联络员（须填写意见）"))
    comment = serializers.CharField(allow_blank=True, required=False, default="",
                                    help_text=_("负责人意见"))


class LeadReviewSerializer(VersionSerializer):
    accept = serializers.BooleanField(help_text=_("true 采纳；false 退回报送部门（须填写意见）"))
    comment = serializers.CharField(allow_blank=True, required=False, default="",
                                    help_text=_("审核意见"))

