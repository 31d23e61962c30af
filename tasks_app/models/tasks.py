from django.conf import settings
from django.contrib import admin
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    HEALTH_OVERRIDES,
    AssignmentRole,
    EventKind,
    FeedbackCycle,
    FeedbackType,
    PartState,
    ReportStatus,
    SourceType,
    TaskStatus,
    Urgency,
)
from .plans import Driver, Plan


class Task(models.Model):
    """A numbered key task (重点任务) of a plan, or an ad-hoc supervised item (督办事项).

    ``status`` is derived from the departments' parts; ``last_report_*`` mirror the latest
    submitted report so that health can be computed in SQL without a subquery per row.
    """

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="tasks")
    driver = models.ForeignKey(Driver, verbose_name=_("战略驱动"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="tasks")
    number = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=500)
    text = models.TextField(_("任务原文"), blank=True)
    source_type = models.CharField(_("来源"), max_length=20, choices=SourceType.choices,
                                   default=SourceType.PLAN)
    source_reference = models.CharField(_("来源依据"), max_length=300, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    responsible_leader = models.CharField(_("责任领导"), max_length=100, blank=True)
    overseeing_leader = models.CharField(_("分管领导"), max_length=100, blank=True)
    feedback_type = models.CharField(_("反馈方式"), max_length=20, choices=FeedbackType.choices,
                                     default=FeedbackType.PERIODIC)
    feedback_cycle = models.CharField(_("反馈周期"), max_length=20, choices=FeedbackCycle.choices,
                                      default=FeedbackCycle.MONTHLY, blank=True)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    original_due_on = models.DateField(_("原定完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=30, choices=TaskStatus.choices,
                              default=TaskStatus.NEW, db_index=True)
    closed_at = models.DateTimeField(_("办结/中止时间"), null=True, blank=True,
                                     help_text=_("最近一次办结或中止的时间；重新打开时清空"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0,
                                                validators=[MaxValueValidator(100)])
    health_override = models.CharField(_("人工预警"), max_length=10, choices=HEALTH_OVERRIDES,
                                       blank=True)
    health_override_reason = models.CharField(_("人工预警原因"), max_length=500, blank=True)
    last_reported_at = models.DateTimeField(_("最近报送时间"), null=True, blank=True)
    last_report_status = models.CharField(_("最近报送状态"), max_length=20,
                                          choices=ReportStatus.choices, blank=True)
    last_report_has_problems = models.BooleanField(_("最近报送存在问题"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("督办任务")
        verbose_name_plural = _("督办任务")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_number_unique_in_plan",
                                    violation_error_message=_("该计划中已有相同序号的任务。")),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_max_100"),
        ]
        indexes = [
            models.Index(fields=["due_on"], name="task_due_on_idx"),
            # The 督办台's supervised items by due date: the few tasks not from a plan,
            # found without walking every plan task.
            models.Index(fields=["due_on"], condition=~Q(source_type=SourceType.PLAN),
                         name="task_item_due_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Assignment(models.Model):
    """A department's (or a group's) part in a task, as lead or responsible unit.

    ``source_text`` keeps the unit name exactly as the document wrote it.
    """

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="assignments")
    # The task's plan, copied (a task keeps its plan): a plan's parts are read through an
    # index instead of every part of the city joined to its task.
    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="+", editable=False, db_index=False)  # see Meta
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assignments",
    )
    group = models.ForeignKey(
        "departments.DepartmentGroup", verbose_name=_("部门组"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assignments",
    )
    role = models.CharField(_("角色"), max_length=20, choices=AssignmentRole.choices)
    source_text = models.CharField(_("原文写法"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    state = models.CharField(_("办理状态"), max_length=30, choices=PartState.choices,
                             default=PartState.PENDING_ACK)
    ack_due_on = models.DateField(_("签收时限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结/中止时间"), null=True, blank=True,
                                     help_text=_("最近一次办结或中止的时间；重新打开时清空"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    state_before_suspension = models.CharField(_("中止前状态"), max_length=30, blank=True,
                                               choices=PartState.choices)
    transferred_to = models.ForeignKey(
        "self", verbose_name=_("转办至"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="transferred_from",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任分工")
        ordering = ["task", "role", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(group__isnull=True))
                | (Q(department__isnull=True) & Q(group__isnull=False)),
                name="assignment_department_xor_group",
                violation_error_message=_("请选择一个部门或一个部门组（二选一）。"),
            ),
            # One live part per department and task: the same department cannot be both
            # lead and responsible, nor appear twice in one role.
            models.UniqueConstraint(
                fields=["task", "department"],
                condition=Q(department__isnull=False) & ~Q(state="transferred"),
                name="assignment_one_role_per_department",
                violation_error_message=_("同一部门在一个任务中只能担任一个角色（牵头或责任）。"),
            ),
            models.UniqueConstraint(
                fields=["task", "group"], condition=Q(group__isnull=False),
                name="assignment_one_role_per_group",
                violation_error_message=_("该部门组已在此任务的分工中。"),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "task"], name="assignment_dept_task_idx"),
            models.Index(fields=["plan", "state"], name="assignment_plan_state_idx"),
            # The 督办台's parts waiting to be acknowledged (签收): a few, not every part.
            models.Index(fields=["ack_due_on"], condition=Q(state=PartState.PENDING_ACK),
                         name="assignment_pending_ack_idx"),
            # The live lead parts (rules.states.INACTIVE_PARTS), for the review queues: who
            # leads each task, read by PostgreSQL into one hash instead of a probe per report.
            models.Index(fields=["task", "department"],
                         condition=Q(role=AssignmentRole.LEAD) & ~Q(state=PartState.TRANSFERRED),
                         name="assignment_live_lead_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number}. {self.unit_name} · {self.get_role_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.plan_id is None:  # the copy of the task's plan (bulk writes set it)
            self.plan_id = self.task.plan_id
        super().save(*args, **kwargs)

    @property
    def unit_name(self) -> str:
        unit = self.department or self.group
        return unit.name if unit else self.source_text


class Milestone(models.Model):
    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="milestones")
    title = models.CharField(_("节点"), max_length=500)
    due_on = models.DateField(_("节点时限"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    departments = models.ManyToManyField(
        "departments.Department", verbose_name=_("责任部门"), blank=True,
        related_name="milestones",
        help_text=_("负责完成该节点的部门，须是该任务的牵头或责任部门。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")
        ordering = ["task", "position", "due_on", "id"]
        indexes = [models.Index(fields=["task", "due_on"], name="milestone_task_due_idx")]

    def __str__(self) -> str:
        return self.title


class TaskEvent(models.Model):
    """One line of a task's history: who changed what, when, from what to what, and why."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="events")
    kind = models.CharField(_("类别"), max_length=30, choices=EventKind.choices)
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("涉及部门"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    field = models.CharField(_("字段"), max_length=50, blank=True)
    before = models.TextField(_("变更前"), blank=True)
    after = models.TextField(_("变更后"), blank=True)
    reason = models.TextField(_("原因/说明"), blank=True)
    number = models.CharField(_("文书编号"), max_length=60, blank=True,
                              help_text=_("督办单的编号（事件发生时；草稿为空）"))
    report = models.ForeignKey(
        "tasks_app.ProgressReport", verbose_name=_("相关报送"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("任务历史")
        verbose_name_plural = _("任务历史")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["task", "-at"], name="taskevent_task_at_idx"),
                   # the admin's history list, newest first: a page, not a sort of all
                   models.Index(fields=["-at", "-id"], name="taskevent_at_id_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.before_shown} → {self.after_shown}"

    @property
    @admin.display(description=_("字段"))
    def field_shown(self) -> str:
        """``field`` for the reader: 状态, 分工, 完成时限 — not the code (event_values)."""
        from ..event_values import field_shown

        return field_shown(self.field)

    @property
    @admin.display(description=_("变更前"))
    def before_shown(self) -> str:
        """``before`` for the reader: a state's code as its label (tasks_app.event_values)."""
        from ..event_values import shown

        return shown(self.field, self.before)

    @property
    @admin.display(description=_("变更后"))
    def after_shown(self) -> str:
        from ..event_values import shown

        after = shown(self.field, self.after)
        return f"{self.number}（{after}）" if self.number and after else after
