from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from departments.models import Department, DepartmentGroup


class DepartmentSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(slug_field="alias", many=True, read_only=True,
                                           help_text=_("其他写法（别名）"))

    class Meta:
        model = Department
        fields = ("id", "name", "code", "kind", "level", "parent", "is_active", "aliases",
                  "created_at")
        read_only_fields = fields


class DepartmentGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = DepartmentGroup
        fields = ("id", "name", "description", "members")
        read_only_fields = fields
