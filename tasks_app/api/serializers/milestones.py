"""Task 节点: read with their departments; written through the milestone services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from departments.models import Department

from ...models import Milestone, Task
from .reports import VersionSerializer


class MilestoneSerializer(serializers.ModelSerializer):
    department_names = serializers.SerializerMethodField(help_text=_("责任部门名称"))

    class Meta:
        model = Milestone
        fields = ("id", "task", "title", "due_on", "completed_on", "position", "departments",
                  "department_names", "version")
        read_only_fields = fields

    def get_department_names(self, milestone: Milestone) -> list[str]:
        return [d.name for d in milestone.departments.all()]  # prefetched


class MilestoneWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500, help_text=_("节点内容"))
    due_on = serializers.DateField(help_text=_("节点时限，不能晚于任务完成时限"))
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False,
        help_text=_("责任部门 id，须是该任务的牵头或责任部门"))
    completed_on = serializers.DateField(required=False, allow_null=True,
                                         help_text=_("完成日期（不能晚于今天）"))


class MilestoneUpdateSerializer(MilestoneWriteSerializer, VersionSerializer):
    pass


class MilestoneCreateSerializer(MilestoneWriteSerializer):
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.none(),
                                              help_text=_("任务 id"))

    def __init__(self, *args, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tasks is not None:  # the schema builds it without the user's tasks
            self.fields["task"].queryset = tasks
