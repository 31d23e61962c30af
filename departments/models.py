from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentKind, DepartmentLevel, PersonAction, Role


class Department(models.Model):
    """A unit that can be given work: a bureau, a city branch, a party organ, a base…

    ``name`` is the name as the plan document writes it; other spellings live in
    :class:`DepartmentAlias`, never by renaming.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(
        _("代码"), max_length=40, unique=True, help_text=_("英文短代码，用于账号名和接口")
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


class Person(models.Model):
    """Roster data of a user: 姓名 is the user's ``first_name`` (shown everywhere instead of
    the username); mobile and IM ids address SMS, 钉钉 and 企业微信 messages."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"),
                                on_delete=models.CASCADE, related_name="person")
    mobile = models.CharField(_("手机"), max_length=20, blank=True, db_index=True)
    dingtalk_userid = models.CharField(_("钉钉用户ID"), max_length=64, blank=True)
    wecom_userid = models.CharField(_("企业微信用户ID"), max_length=64, blank=True)
    channels = models.JSONField(
        _("接收渠道"), default=dict, blank=True,
        help_text=_('按消息类别选择渠道，如 {"chase": ["email", "dingtalk", "sms"], "*": ["email"]}；'  # noqa: E501
                    "留空则按系统默认"),
    )
    invited_at = models.DateTimeField(_("最近邀请"), null=True, blank=True)
    invitations_sent = models.PositiveSmallIntegerField(_("邀请次数"), default=0)
    activated_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["user__first_name", "user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class RosterImport(models.Model):
    """An uploaded roster, kept between preview and confirmation (and afterwards, as record)."""

    file_name = models.CharField(_("文件名"), max_length=255)
    rows = models.JSONField(_("名单行"), default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    summary = models.JSONField(_("变更摘要"), default=dict, blank=True)

    class Meta:
        verbose_name = _("人员名单导入")
        verbose_name_plural = _("人员名单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class PersonEvent(models.Model):
    """One line of a person's history: roles given and taken, handovers, invitations."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"),
                             on_delete=models.CASCADE, related_name="person_events")
    action = models.CharField(_("事项"), max_length=20, choices=PersonAction.choices)
    department = models.ForeignKey(Department, verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    other = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交接对象"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    roster_import = models.ForeignKey(RosterImport, verbose_name=_("名单导入"), null=True,
                                      blank=True, on_delete=models.SET_NULL,
                                      related_name="events")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("人员变动记录")
        verbose_name_plural = _("人员变动记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_action_display()}"
