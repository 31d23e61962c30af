"""The lifecycle in the API: extension and completion requests, 督办单, leaders' instructions
— what is shown, and what a client may send to the lifecycle services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...models import (
    CompletionRequest,
    ExtensionRequest,
    LeaderInstruction,
    SlipItem,
    SupervisionSlip,
)
from .reports import MAX_VERSION, username_field

# Ids are 64-bit in every database: a larger number is refused, not sent to the query.
MAX_ID = 2**63 - 1


def id_field(**kwargs) -> serializers.IntegerField:
    """An object id given in a request body."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, required=False,
        help_text=_("可选：读取时的 version；记录此后被他人处理则返回 409（也可用 If-Match）"))


class ExtensionRequestSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="assignment.task_id", read_only=True,
                                    help_text=_("任务 id"))
    department = serializers.IntegerField(source="assignment.department_id", read_only=True,
                                          help_text=_("申请部门 id"))
    department_name = serializers.CharField(source="assignment.department.name", read_only=True,
                                            help_text=_("申请部门名称"))
    requested_by = username_field("requested_by", _("申请人（用户名）"))
    endorsed_by = username_field("endorsed_by", _("审核负责人（用户名）"))
    decided_by = username_field("decided_by", _("审批人（用户名）"))

    class Meta:
        model = ExtensionRequest
        fields = ("id", "assignment", "task", "department", "department_name", "current_due_on",
                  "proposed_due_on", "reason", "state", "late", "requested_by", "requested_at",
                  "endorsed_by", "endorsed_at", "decided_by", "decided_at", "approved_due_on",
                  "decision_reason", "version")
        read_only_fields = fields


class ExtensionFileSerializer(serializers.Serializer):
    assignment = id_field(help_text=_("本部门的责任分工 id"))
    proposed_due_on = serializers.DateField(help_text=_("申请延至（须晚于现完成时限）"))
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_("延期理由"))


class EndorseSerializer(serializers.Serializer):
    endorse = serializers.BooleanField(help_text=_("true 审核同意（报牵头办公室），false 退回"))
    comment = serializers.CharField(allow_blank=True, required=False, default="",
                                    help_text=_("意见（退回时必填）"))
    version = version_field()


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text=_("true 同意延期，false 不同意"))
    due_on = serializers.DateField(required=False, allow_null=True, default=None,
                                   help_text=_("批准延至（不填为申请的日期）"))
    reason = serializers.CharField(allow_blank=True, required=False, default="",
                                   help_text=_("审批意见（不同意时必填）"))
    version = version_field()


class CompletionRequestSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            help_text=_("申请部门名称"))
    filed_by = username_field("filed_by", _("申请人（用户名）"))
    decided_by = username_field("decided_by", _("审核人（用户名）"))
    attachments = serializers.SerializerMethodField(help_text=_("佐证材料（文件名）"))

    class Meta:
        model = CompletionRequest
        fields = ("id", "task", "department", "department_name", "results", "decision",
                  "filed_by", "filed_at", "decided_by", "decided_at", "decision_reason",
                  "rectify_due_on", "attachments", "version")
        read_only_fields = fields

    def get_attachments(self, obj) -> list[str]:
        return [item.original_name for item in obj.attachments.all()]


class CompletionFileSerializer(serializers.Serializer):
    task = id_field(help_text=_("任务 id"))
    department = id_field(help_text=_("牵头部门 id"))
    results = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                    help_text=_("办理结果（佐证材料请在门户上传）"))


class CompletionDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[c for c in CompletionRequest.Decision.choices if c[0] != "pending"],
        help_text=_("审核结论：approved 同意办结，supplement 补充办理，rejected 不同意办结，"
                  "rectify 需要整改"))
    reason = serializers.CharField(allow_blank=True, required=False, default="",
                                   help_text=_("审核意见（同意办结以外必填）"))
    rectify_due_on = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text=_("整改时限（需要整改时必填）"))
    version = version_field()


class SlipItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlipItem
        fields = ("task", "title", "due_on")
        read_only_fields = fields


class SlipSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(
        help_text=_("编号，如 哈经开督〔2026〕7号；草稿未编号时为空"))
    items = SlipItemSerializer(many=True, read_only=True, help_text=_("督办事项（一项或多项）"))
    drafted_by = username_field("drafted_by", _("拟稿人（用户名；空为逾期升级拟稿）"))
    issued_by = username_field("issued_by", _("签发人（用户名；已签发而为空的为按日程自动签发）"))
    received_by = username_field("received_by", _("签收人（用户名）"))
    answered_by = username_field("answered_by", _("反馈人（用户名）"))
    voided_by = username_field("voided_by", _("作废人（用户名）"))

    class Meta:
        model = SupervisionSlip
        fields = ("id", "number", "task", "items", "department", "addressee", "item_title",
                  "item_due_on", "period", "level", "reason", "required_response",
                  "respond_by", "state", "drafted_by", "drafted_at", "issued_by", "issued_at",
                  "received_by", "received_at", "answer", "answered_by", "answered_at",
                  "voided_by", "voided_at", "void_reason", "version")
        read_only_fields = fields

    def get_number(self, slip: SupervisionSlip) -> str:
        return slip.number if slip.signed else ""


class SlipIssueSerializer(serializers.Serializer):
    task = id_field(help_text=_("任务 id"))
    department = id_field(help_text=_("主送部门 id（须承担该任务）"))
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_("督办事由"))
    required_response = serializers.CharField(allow_blank=True, required=False, default="",
                                              help_text=_("反馈要求（不填使用默认要求）"))
    respond_by = serializers.DateField(help_text=_("反馈时限"))
    sign = serializers.BooleanField(required=False, default=False,
                                    help_text=_("同时签发（默认只存为草稿）"))


class SlipVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                   help_text=_("作废原因"))
    version = version_field()


class SlipAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                   help_text=_("反馈内容"))
    version = version_field()


class VersionOnlySerializer(serializers.Serializer):
    version = version_field()


class InstructionSerializer(serializers.ModelSerializer):
    author = username_field("author", _("批示领导（用户名）"))
    departments = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                     help_text=_("批示对象部门 id"))
    replied_departments = serializers.SerializerMethodField(help_text=_("已反馈落实情况的部门 id"))

    class Meta:
        model = LeaderInstruction
        fields = ("id", "task", "report", "text", "departments", "replied_departments",
                  "author", "created_at")
        read_only_fields = fields

    def get_replied_departments(self, obj) -> list[int]:
        return sorted(reply.department_id for reply in obj.replies.all())


class InstructionCreateSerializer(serializers.Serializer):
    task = id_field(help_text=_("任务 id"))
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_("批示内容"))
    report = id_field(required=False, allow_null=True,
                                      default=None, help_text=_("针对的报送 id（可选）"))
    departments = serializers.ListField(
        child=id_field(), required=False, default=list,
        max_length=500, help_text=_("批示对象部门 id（不填为任务的全部承担部门）"))


class TaskReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_("原因"))
    version = version_field()


class TaskAcknowledgeSerializer(serializers.Serializer):
    department = id_field(required=False, allow_null=True,
                                          default=None,
                                          help_text=_("签收的部门 id（用户只在一个部门时可不填）"))
    version = version_field()


class TaskTransferSerializer(TaskReasonSerializer):
    department = id_field(help_text=_("转出部门 id"))
    to_department = id_field(help_text=_("转办至部门 id"))
