import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import SlipTrigger


def default_offsets() -> list[int]:
    """Remind 5 working days and 1 working day before a deadline."""
    return [5, 1]


class Plan(models.Model):
    """A plan document (实施方案, 工作计划) or a container of supervised items."""

    code = models.CharField(
        _("文号"), max_length=100, unique=True,
        help_text=_("文件编号，如 哈经开委发〔2023〕1号；无文号的计划使用系统生成的代码"),
    )
    title = models.CharField(_("标题"), max_length=500)
    issuer = models.CharField(_("发文单位"), max_length=200, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    period_start = models.PositiveSmallIntegerField(_("起始年度"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("截止年度"), null=True, blank=True)
    parent_policy = models.CharField(_("上级文件"), max_length=200, blank=True)
    lead_office = models.ForeignKey(
        "departments.Department", verbose_name=_("牵头抓总单位"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="led_plans",
    )
    tracking_start = models.DateField(
        _("督办起始日期"), default=datetime.date.today,
        help_text=_("此日期之前的填报周期不催报、不考核（导入时设为当月第一天）"),
    )
    slip_prefix = models.CharField(
        _("督办单字号"), max_length=20, default="哈经开督", help_text=_("如 哈经开督〔2026〕7号")
    )
    source_name = models.CharField(_("来源文件名"), max_length=255, blank=True)
    source_format = models.CharField(_("来源格式"), max_length=40, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    is_active = models.BooleanField(_("督办中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("计划")
        verbose_name_plural = _("计划")
        ordering = ["-signed_on", "code"]

    def __str__(self) -> str:
        return self.code


class Driver(models.Model):
    """A strategic driver (战略驱动) or area of work grouping the plan's tasks."""

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="drivers")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=300)

    class Meta:
        verbose_name = _("战略驱动")
        verbose_name_plural = _("战略驱动")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="driver_number_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"({self.number}) {self.title}"


class Schedule(models.Model):
    """The plan's calendar, edited by the lead office; defaults follow 四、保障措施.

    Offsets are counted in Chinese working days (holidays and make-up workdays respected).
    """

    class MeetingRule(models.TextChoices):
        LAST_WORKING_DAY = "last_working_day", _("每月最后一个工作日")
        FIXED_DAY = "fixed_day", _("每月固定日期（遇节假日顺延）")

    plan = models.OneToOneField(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                                related_name="schedule")
    report_deadline_day = models.PositiveSmallIntegerField(
        _("月度报送截止日"), default=25, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月几号截止；遇节假日顺延至下一个工作日"),
    )
    weekly_deadline_weekday = models.PositiveSmallIntegerField(
        _("每周报送截止星期（0=周一）"), default=4, validators=[MaxValueValidator(6)],
        help_text=_("每周反馈的事项每周这天截止（默认周五）；遇节假日顺延至下一个工作日"),
    )
    reminder_offsets = models.JSONField(
        _("截止前提醒（工作日）"), default=default_offsets, blank=True,
        help_text=_("截止日前几个工作日发送提醒，如 [5, 1]"),
    )
    due_soon_offsets = models.JSONField(
        _("任务/节点到期前提醒（工作日）"), default=default_offsets, blank=True,
    )
    chase_head_after = models.PositiveSmallIntegerField(
        _("逾期几个工作日后升级至部门负责人（黄色）"), default=2
    )
    chase_lead_office_after = models.PositiveSmallIntegerField(
        _("逾期几个工作日后升级至牵头办公室和领导（红色）"), default=5
    )
    meeting_rule = models.CharField(_("月度专题会议"), max_length=20, choices=MeetingRule.choices,
                                    default=MeetingRule.LAST_WORKING_DAY)
    meeting_day = models.PositiveSmallIntegerField(
        _("会议固定日期"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    meeting_pack_days_before = models.PositiveSmallIntegerField(
        _("会前几个工作日发送会议材料"), default=1
    )
    quarterly_review = models.BooleanField(
        _("季度专题研究"), default=False,
        help_text=_("党工委、管委会每季度专题研究重点项目、重点任务和重大事项；会前发送季度会议材料"),
    )
    quarterly_review_day = models.PositiveSmallIntegerField(
        _("季度专题研究日期（季末月几号）"), default=20,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每季度最后一个月的几号召开；遇节假日顺延至下一个工作日"),
    )
    ack_working_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=3)
    allow_late_extension = models.BooleanField(
        _("允许逾期后申请延期"), default=False,
        help_text=_("不勾选时，超过完成时限的延期申请一律不予受理"),
    )
    slip_level = models.CharField(
        _("拟发督办单"), max_length=10, choices=SlipTrigger.choices,
        default=SlipTrigger.RED,
        help_text=_("逾期催报升级到此等级时，为每个未报送部门拟出一份督办单草稿（列出其全部逾期事项）"),
    )
    slip_auto_sign = models.BooleanField(
        _("督办单自动签发"), default=False,
        help_text=_("不勾选时，逾期升级拟出的督办单草稿须由牵头办公室审核签发后才编号、发送和计分"),
    )
    slip_response_days = models.PositiveSmallIntegerField(
        _("督办单反馈时限（工作日）"), default=3, validators=[MinValueValidator(1)],
    )
    send_time = models.TimeField(_("提醒发送时间"), default=datetime.time(9, 0))
    digest_weekday = models.PositiveSmallIntegerField(
        _("周报摘要星期（0=周一）"), default=0, validators=[MaxValueValidator(6)]
    )
    digest_time = models.TimeField(_("摘要发送时间"), default=datetime.time(8, 30))
    bulletin_day = models.PositiveSmallIntegerField(
        _("季度通报日（季后次月几号）"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    assessment_month = models.PositiveSmallIntegerField(
        _("年度考核月份（次年）"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]  # noqa: E501
    )
    assessment_day = models.PositiveSmallIntegerField(
        _("年度考核日期"), default=20, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )

    class Meta:
        verbose_name = _("督办日程")
        verbose_name_plural = _("督办日程")

    def __str__(self) -> str:
        return _("%(plan)s · 日程") % {"plan": self.plan}

