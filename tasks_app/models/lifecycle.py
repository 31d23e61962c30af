from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import SlipLevel
from .reports import ProgressReport
from .tasks import Assignment, Task


class ExtensionRequest(models.Model):
    """延期申请: the department asks, its head endorses, the lead office decides."""

    class State(models.TextChoices):
        PENDING_HEAD = "pending_head", _("待负责人审核")
        PENDING_DECISION = "pending_decision", _("待牵头办公室审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("未同意")
        RETURNED = "returned", _("负责人退回")

    assignment = models.ForeignKey(Assignment, verbose_name=_("责任分工"),
                                   on_delete=models.CASCADE, related_name="extension_requests")
    current_due_on = models.DateField(_("原完成时限"), null=True, blank=True)
    proposed_due_on = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.PENDING_HEAD)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核负责人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    endorsed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_due_on = models.DateField(_("批准延至"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    late = models.BooleanField(_("逾期后申请"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.proposed_due_on}"


class CompletionRequest(models.Model):
    """办结申请 filed by the lead department; the lead office verifies (办结销号)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("同意办结")
        SUPPLEMENT = "supplement", _("补充办理")
        REJECTED = "rejected", _("不同意办结")
        RECTIFY = "rectify", _("需要整改")

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="completion_requests")
    department = models.ForeignKey("departments.Department", verbose_name=_("申请部门"),
                                   on_delete=models.PROTECT, related_name="+")
    results = models.TextField(_("办理结果"))
    decision = models.CharField(_("审核结论"), max_length=20, choices=Decision.choices,
                                default=Decision.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    rectify_due_on = models.DateField(_("整改时限"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("办结申请")
        verbose_name_plural = _("办结申请")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.task} · {self.get_decision_display()}"


class LeaderInstruction(models.Model):
    """领导批示 on a task or on a department's report; departments reply in their next report."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="instructions")
    report = models.ForeignKey(ProgressReport, verbose_name=_("针对的报送"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="instructions")
    text = models.TextField(_("批示内容"))
    departments = models.ManyToManyField("departments.Department", verbose_name=_("批示对象"),
                                         related_name="instructions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批示领导"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("批示时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:40]


class InstructionReply(models.Model):
    instruction = models.ForeignKey(LeaderInstruction, verbose_name=_("批示"),
                                    on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey("departments.Department", verbose_name=_("部门"),
                                   on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(ProgressReport, verbose_name=_("所在报送"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("落实情况"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填写人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批示落实情况")
        verbose_name_plural = _("批示落实情况")
        constraints = [
            models.UniqueConstraint(fields=["instruction", "department"],
                                    name="instruction_reply_unique_department"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


def slip_number(prefix: str, year: int, sequence: int) -> str:
    """A 督办单's number as official documents write it: 哈经开督〔2026〕7号."""
    return f"{prefix}〔{year}〕{sequence}号"


class SupervisionSlip(models.Model):
    """督办单: a slip addressed to a department about one or more items (``items``).

    A slip starts as a draft (拟稿: proposed by the chase ladder or written by the lead
    office), unnumbered and seen only by the lead office; signing (签发) numbers it
    (哈经开督〔2026〕7号), sends it and makes it count. A signed slip may be voided (作废):
    its number stays in the register and it no longer counts.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("待签发")
        ISSUED = "issued", _("已签发")
        RECEIVED = "received", _("已签收")
        ANSWERED = "answered", _("已反馈")
        VOIDED = "voided", _("已作废")

    # Signed and not voided: what departments receive and the records count.
    COUNTED = (State.ISSUED, State.RECEIVED, State.ANSWERED)

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="slips", help_text=_("第一项督办事项的任务"))
    department = models.ForeignKey("departments.Department", verbose_name=_("主送部门"),
                                   on_delete=models.PROTECT, related_name="slips")
    period = models.ForeignKey("tasks_app.ReportingPeriod", verbose_name=_("逾期填报周期"),
                               null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    prefix = models.CharField(_("字号"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    level = models.CharField(_("督办等级"), max_length=10, choices=SlipLevel.choices,
                             default=SlipLevel.MANUAL)
    item_title = models.CharField(_("督办事项"), max_length=600, default="")
    addressee = models.CharField(_("主送"), max_length=200, default="")
    item_due_on = models.DateField(_("事项完成时限"), null=True, blank=True)
    reason = models.TextField(_("督办事由"))
    required_response = models.TextField(_("反馈要求"))
    respond_by = models.DateField(_("反馈时限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("拟稿人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    drafted_at = models.DateTimeField(_("拟稿时间"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(_("签发日期"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    answer = models.TextField(_("反馈内容"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("反馈人"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.TextField(_("作废原因"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-year", "-sequence", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "sequence"],
                                    name="slip_unique_number"),
            # The chase proposes one slip per department and period, whatever its items.
            models.UniqueConstraint(fields=["department", "period"],
                                    condition=models.Q(period__isnull=False),
                                    name="slip_one_per_department_period"),
            # Numbered exactly when signed (a voided draft keeps no number).
            models.CheckConstraint(
                condition=(models.Q(state="draft", sequence__isnull=True, issued_at__isnull=True)
                           | models.Q(state__in=["issued", "received", "answered"],
                                      sequence__isnull=False, year__isnull=False,
                                      issued_at__isnull=False)
                           | models.Q(state="voided")),
                name="slip_numbered_when_signed"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def signed(self) -> bool:
        return self.sequence is not None

    @property
    def number(self) -> str:
        if self.sequence is None or self.year is None:
            return str(_("督办单草稿（未编号）"))
        return slip_number(self.prefix, self.year, self.sequence)


class SlipItem(models.Model):
    """One item a 督办单 lists: the task (a snapshot of its number, title and due date)."""

    slip = models.ForeignKey(SupervisionSlip, verbose_name=_("督办单"), on_delete=models.CASCADE,
                             related_name="items")
    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="+")
    title = models.CharField(_("督办事项"), max_length=600)
    due_on = models.DateField(_("事项完成时限"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("序号"), default=1)

    class Meta:
        verbose_name = _("督办单事项")
        verbose_name_plural = _("督办单事项")
        ordering = ["slip_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["slip", "task"], name="slip_item_once"),
        ]

    def __str__(self) -> str:
        return self.title


class SlipSequence(models.Model):
    """The last number given to a 督办单 of a prefix and year; locked while numbering, so
    numbers never repeat and never skip (a rolled-back slip rolls its number back too)."""

    prefix = models.CharField(_("字号"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("督办单编号")
        verbose_name_plural = _("督办单编号")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="slip_sequence_unique"),
        ]

    def __str__(self) -> str:
        return slip_number(self.prefix, self.year, self.last)
