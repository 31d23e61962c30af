from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.formatting import cn_period

from ..choices import PeriodKind, PeriodState, ReportState, ReportStatus
from .plans import Plan
from .tasks import Task

# A report in a review queue: the head's (submitted) or the lead department's (submitted or
# approved by the head): selectors.reviews, and the index that finds them.
AWAITING_REVIEW = (ReportState.SUBMITTED, ReportState.HEAD_APPROVED)


class ReportingPeriod(models.Model):
    """One month (or, for weekly items, one week) of monitoring for a plan: when it opens, its
    (holiday-adjusted) deadline. A week counts with the month of its deadline day: ``month``
    is that month, ``opens_on`` the week's Monday."""

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="periods")
    kind = models.CharField(_("周期类型"), max_length=10, choices=PeriodKind.choices,
                            default=PeriodKind.MONTHLY)
    month = models.DateField(_("月份"), help_text=_("该月第一天（周报为截止日所在月）"))
    opens_on = models.DateField(_("开始填报"))
    deadline = models.DateField(_("报送截止"))
    state = models.CharField(_("状态"), max_length=10, choices=PeriodState.choices,
                             default=PeriodState.OPEN)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    # The period's reports past draft and the sum of their progress: the progress chart's
    # figures, kept by every report write (tasks_app.services.period_figures).
    reports_past_draft = models.PositiveIntegerField(_("已报送（非草稿）"), default=0,
                                                     editable=False)
    progress_past_draft = models.PositiveBigIntegerField(_("其进度合计"), default=0,
                                                         editable=False)

    class Meta:
        verbose_name = _("填报周期")
        verbose_name_plural = _("填报周期")
        ordering = ["plan", "-month", "-opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="period_unique_month_in_plan",
                                    condition=Q(kind=PeriodKind.MONTHLY)),
            models.UniqueConstraint(fields=["plan", "opens_on"], name="period_unique_week_in_plan",
                                    condition=Q(kind=PeriodKind.WEEKLY)),
        ]

    def __str__(self) -> str:
        return cn_period(self)

    @property
    def is_weekly(self) -> bool:
        return self.kind == PeriodKind.WEEKLY


# What a department fills in on a report (the form, the batch sheet, the copy from last month).
REPORT_FIELDS = ("status", "progress", "progress_text", "problems", "next_steps",
                 "needs_coordination")


class ProgressReport(models.Model):
    """A department's report on a task for a period (the row of the old Excel sheet)."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="reports")
    department = models.ForeignKey("departments.Department", verbose_name=_("报送部门"),
                                   on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, verbose_name=_("填报周期"),
                               on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("推进情况"), max_length=20, choices=ReportStatus.choices,
                              default=ReportStatus.ON_TRACK)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0,
                                                validators=[MaxValueValidator(100)])
    progress_text = models.TextField(_("本期进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    needs_coordination = models.BooleanField(_("需提请月度专题会议协调"), default=False)
    state = models.CharField(_("报送状态"), max_length=20, choices=ReportState.choices,
                             default=ReportState.DRAFT, db_index=True)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    head_reviewed_at = models.DateTimeField(_("负责人审核时间"), null=True, blank=True)
    head_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核负责人"),
                                         null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    head_comment = models.TextField(_("负责人意见"), blank=True)
    reviewed_at = models.DateTimeField(_("牵头部门审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("牵头审核人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_comment = models.TextField(_("审核意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["-period__month", "task__number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "department", "period"],
                                    name="report_unique_per_task_department_period"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max_100"),
        ]
        indexes = [
            models.Index(fields=["department", "period"], name="report_dept_period_idx"),
            # progress included: the overview's monthly averages read the index alone
            models.Index(fields=["period", "state"], include=["progress"],
                         name="report_period_state_idx"),
            models.Index(fields=["task", "period"], name="report_task_period_idx"),
            # The review queues (selectors.reviews) and their count on every page: the
            # reports awaiting the head, by department, and the lead's, by task (with the
            # department, which says whose queue, and the period the queue is ordered by: the
            # lead office's count and its ordered ids read the index alone) — a department's
            # few, not all the city's submitted reports ANDed with its own.
            models.Index(fields=["department"], condition=Q(state=ReportState.SUBMITTED),
                         name="report_awaiting_head_idx"),
            models.Index(fields=["task"], include=["department", "period", "id"],
                         condition=Q(state__in=AWAITING_REVIEW),
                         name="report_awaiting_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number}. {self.department} · {self.period}"


class Attachment(models.Model):
    """A file attached to a report or to a completion request (evidence)."""

    report = models.ForeignKey(ProgressReport, verbose_name=_("进展报送"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="attachments")
    completion_request = models.ForeignKey(
        "tasks_app.CompletionRequest", verbose_name=_("办结申请"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False) | Q(completion_request__isnull=False),
                name="attachment_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class TaskSummary(models.Model):
    """The lead department's consolidated summary of a task for a period."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="summaries")
    period = models.ForeignKey(ReportingPeriod, verbose_name=_("填报周期"),
                               on_delete=models.PROTECT, related_name="summaries")
    text = models.TextField(_("汇总进展"))
    progress = models.PositiveSmallIntegerField(_("任务进度（%）"), null=True, blank=True,
                                                validators=[MaxValueValidator(100)])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填写人"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("任务汇总")
        verbose_name_plural = _("任务汇总")
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="summary_unique_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number}. {self.period}"
