from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import AssignmentRole, TargetKind
from .plans import Driver, Plan


class Target(models.Model):
    """A numeric goal of the plan (到2026年 GDP 力争达到 1500亿元)."""

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="targets")
    driver = models.ForeignKey(Driver, verbose_name=_("战略驱动"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="targets")
    parent = models.ForeignKey("self", verbose_name=_("上级指标"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("指标"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=TargetKind.choices,
                            default=TargetKind.QUANTITY)
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4, null=True,
                                blank=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    qualifier = models.CharField(_("限定"), max_length=20, blank=True,
                                 help_text=_("如 力争、突破、左右、以上"))
    year = models.PositiveSmallIntegerField(_("目标年度"), null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), max_digits=18, decimal_places=4, null=True,
                                   blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name", "year"],
                                    name="target_unique_name_year_in_plan"),
        ]

    def __str__(self) -> str:
        value = "" if self.value is None else f"{self.value.normalize():f}"
        return f"{self.name} {self.qualifier}{value}{self.unit}"


class TargetAssignment(models.Model):
    target = models.ForeignKey(Target, verbose_name=_("指标"), on_delete=models.CASCADE,
                               related_name="assignments")
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="target_assignments",
    )
    group = models.ForeignKey(
        "departments.DepartmentGroup", verbose_name=_("部门组"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="target_assignments",
    )
    role = models.CharField(_("角色"), max_length=20, choices=AssignmentRole.choices)
    source_text = models.CharField(_("原文写法"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标责任单位")
        verbose_name_plural = _("指标责任单位")
        ordering = ["target", "role", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(group__isnull=True))
                | (Q(department__isnull=True) & Q(group__isnull=False)),
                name="target_assignment_department_xor_group",
            ),
            models.UniqueConstraint(fields=["target", "department"],
                                    condition=Q(department__isnull=False),
                                    name="target_assignment_one_role_per_department"),
            models.UniqueConstraint(fields=["target", "group"], condition=Q(group__isnull=False),
                                    name="target_assignment_one_role_per_group"),
        ]

    def __str__(self) -> str:
        unit = self.department or self.group
        return f"{self.target.name} · {unit} · {self.get_role_display()}"


class TargetReading(models.Model):
    """The actual value of a target for a month (year-to-date or cumulative, per target).

    Filed by a responsible department, it waits for the lead office's approval; a value
    filed by the lead office itself counts as approved.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    target = models.ForeignKey(Target, verbose_name=_("指标"), on_delete=models.CASCADE,
                               related_name="readings")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    value = models.DecimalField(_("实际值"), max_digits=18, decimal_places=4)
    is_year_to_date = models.BooleanField(_("为年内累计值"), default=True)
    note = models.TextField(_("说明"), blank=True)
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("报送部门"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reported_at = models.DateTimeField(_("报送时间"), auto_now=True)
    state = models.CharField(_("审核状态"), max_length=20, choices=State.choices,
                             default=State.APPROVED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("指标月度监测")
        verbose_name_plural = _("指标月度监测")
        ordering = ["target", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["target", "month"], name="reading_unique_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.target.name} {self.month:%Y-%m}: {self.value.normalize():f}"
