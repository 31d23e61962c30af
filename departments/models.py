from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentKind, DepartmentLevel, Role


class Department(models.Model):
    """A unit that can be given work: a bureau, a city branch, a party organ, a base…

    ``name`` is the name as the plan document writes it; other spellings live in
    :class:`DepartmentAlias`, never by renaming.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(
        _("代码"), max_length=40, unique=True, help_text=_("英文短代码,用于账号名和接口")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=DepartmentKind.choices)
    level = models.CharField(
        _("层级"), max_length=10, choices=DepartmentLevel.choices, default=DepartmentLevel.DISTRICT
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="children",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentAlias(models.Model):
    """Another spelling of a department, e.g. 经开区办(自贸办) for 经开办(自贸办)."""

    alias = models.CharField(_("别名"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="aliases"
    )

    class Meta:
        verbose_name = _("部门别名")
        verbose_name_plural = _("部门别名")
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.department.name}"

    def clean(self) -> None:
        clash = Department.objects.filter(name=self.alias).exclude(pk=self.department_id)
        if self.alias and clash.exists():
            raise ValidationError({"alias": _("该名称已是另一个部门的正式名称。")})


class DepartmentGroup(models.Model):
    """A collective named in a plan (各相关部门, 区内各相关国企): verbatim, members explicit."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    members = models.ManyToManyField(
        Department, verbose_name=_("成员部门"), blank=True, related_name="groups"
    )

    class Meta:
        verbose_name = _("部门组")
        verbose_name_plural = _("部门组")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role, in a department or (manager, lead office) across the plan."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人员角色")
        verbose_name_plural = _("人员角色")
        ordering = ["department__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"], name="membership_unique_role"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(department__isnull=True),
                name="membership_unique_role_without_department",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[Role.MANAGER, Role.LEAD_OFFICE])
                | Q(department__isnull=False),
                name="membership_department_required_for_department_roles",
            ),
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department_id else "—"
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.role in (Role.LIAISON, Role.HEAD) and not self.department_id:
            raise ValidationError({"department": _("联络员和部门负责人必须属于一个部门。")})
