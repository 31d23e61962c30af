from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...choices import Health
from ...models import Assignment, Task, TaskEvent


class PartSerializer(serializers.ModelSerializer):
    # The schema's description of the component, in the reader's language.
    __doc__ = _("部门或部门组在任务中的现行分工（牵头/责任）。")

    department_name = serializers.CharField(source="department.name", read_only=True,
                                            allow_null=True, help_text=_("部门名称"))
    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True,
                                       help_text=_("部门组名称"))

    class Meta:
        model = Assignment
        fields = ("id", "department", "department_name", "group", "group_name", "role", "state",
                  "source_text")
        read_only_fields = fields


def optional_choice(model, name: str, **kwargs) -> serializers.ChoiceField:
    """A read-only choice that may be blank (DRF drops allow_blank on read-only fields)."""
    field = model._meta.get_field(name)
    return serializers.ChoiceField(choices=field.choices, allow_blank=True, read_only=True,
                                   label=field.verbose_name, help_text=field.help_text or None,
                                   **kwargs)


class TaskSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(source="plan.code", read_only=True, help_text=_("计划文号"))
    driver_number = serializers.IntegerField(source="driver.number", read_only=True,
                                             allow_null=True,
                                             help_text=_("战略驱动序号"))
    health = serializers.ChoiceField(
        choices=Health.choices, read_only=True,
        help_text=_("预警状态：由完成时限、状态、最近报送及存在问题计算得出（或人工调整）"))
    health_override = optional_choice(Task, "health_override")
    last_report_status = optional_choice(Task, "last_report_status")
    feedback_cycle = optional_choice(Task, "feedback_cycle")
    parts = PartSerializer(source="live_parts", many=True, read_only=True,
                           help_text=_("责任分工（牵头部门在前；不含已转办的）"))

    class Meta:
        model = Task
        fields = ("id", "plan", "plan_code", "driver", "driver_number", "number", "title", "text",
                  "source_type", "source_reference", "urgency", "responsible_leader",
                  "overseeing_leader", "feedback_type", "feedback_cycle", "due_on",
                  "original_due_on", "status", "progress", "health", "health_override",
                  "health_override_reason", "last_reported_at", "last_report_status",
                  "last_report_has_problems", "parts", "version", "created_at", "updated_at")
        read_only_fields = fields


class AssignmentSerializer(PartSerializer):
    task_number = serializers.IntegerField(source="task.number", read_only=True,
                                           help_text=_("任务序号"))

    class Meta(PartSerializer.Meta):
        fields = ("id", "task", "task_number", "department", "department_name", "group",
                  "group_name", "role", "state", "source_text", "position", "ack_due_on",
                  "acknowledged_at", "created_at")
        read_only_fields = fields


class TaskEventSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            allow_null=True, help_text=_("部门名称"))
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True,
                                  help_text=_("操作人（用户名）"))

    before_label = serializers.CharField(source="before_shown", read_only=True, help_text=_(
        "变更前的显示文字（before 为状态代码时即其名称）"))
    after_label = serializers.CharField(source="after_shown", read_only=True, help_text=_(
        "变更后的显示文字（after 为状态代码时即其名称）"))

    class Meta:
        model = TaskEvent
        fields = ("id", "at", "kind", "department", "department_name", "actor", "field",
                  "before", "after", "before_label", "after_label", "reason", "report")
        read_only_fields = fields
