from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .plans import Plan
from .tasks import Task


class Meeting(models.Model):
    """A monthly coordination meeting (月度专题会议) or a quarterly review (季度专题研究)."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月度专题会议")
        QUARTERLY = "quarterly", _("季度专题研究")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("待召开")
        HELD = "held", _("已召开")

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="meetings")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.MONTHLY)
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.SCHEDULED)
    notes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        verbose_name = _("专题会议")
        verbose_name_plural = _("专题会议")
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "held_on"], name="meeting_unique_day"),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingDecision(models.Model):
    """A decision recorded after a meeting; it may become a follow-up supervised item."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE,
                                related_name="decisions")
    text = models.TextField(_("议定事项"))
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    departments = models.ManyToManyField("departments.Department", verbose_name=_("责任部门"),
                                         blank=True, related_name="meeting_decisions")
    follow_up_task = models.OneToOneField(Task, verbose_name=_("跟踪督办事项"), null=True,
                                          blank=True, on_delete=models.SET_NULL,
                                          related_name="origin_decision")
    is_closed = models.BooleanField(_("已落实"), default=False)
    closed_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议议定事项")
        verbose_name_plural = _("会议议定事项")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Bulletin(models.Model):
    """The quarterly bulletin (季度通报). ``content`` is the snapshot as published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="bulletins")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    number = models.CharField(_("期号"), max_length=50, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    content = models.JSONField(_("通报内容"), default=dict, blank=True)
    # The on-time rates of the content's departments, kept beside it for the overview's
    # chart (selectors.bulletins.department_rates): a city plan's content is ~140 KB.
    department_rates = models.JSONField(_("各部门按时报送率"), default=list, blank=True,
                                        editable=False)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("季度通报")
        verbose_name_plural = _("季度通报")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "quarter"],
                                    name="bulletin_unique_quarter"),
        ]

    def __str__(self) -> str:
        return _("%(year)s年第%(quarter)s季度通报") % {"year": self.year, "quarter": self.quarter}


class Assessment(models.Model):
    """The annual quantified assessment (年度考核) with the weights the lead office set."""

    class State(models.TextChoices):
        DRAFT = "draft", _("测算中")
        PUBLISHED = "published", _("已公示（可申诉）")
        FINAL = "final", _("已定稿")

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE,
                             related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    weights = models.JSONField(_("评分规则与权重"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="assessment_unique_year"),
        ]

    def __str__(self) -> str:
        return _("%(year)s年度考核") % {"year": self.year}


class DepartmentScore(models.Model):
    """A department's score: ``components`` holds every input, formula and partial score."""

    class ContestState(models.TextChoices):
        NONE = "", _("无")
        CONTESTED = "contested", _("申诉中")
        RESOLVED = "resolved", _("已答复")

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE,
                                   related_name="scores")
    department = models.ForeignKey("departments.Department", verbose_name=_("部门"),
                                   on_delete=models.CASCADE, related_name="scores")
    components = models.JSONField(_("得分构成"), default=list)
    computed_total = models.DecimalField(_("测算得分"), max_digits=7, decimal_places=2)
    adjustment = models.DecimalField(_("调整分"), max_digits=7, decimal_places=2, default=0)
    adjustment_reason = models.TextField(_("调整理由"), blank=True)
    total = models.DecimalField(_("最终得分"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    contest_state = models.CharField(_("申诉状态"), max_length=20, blank=True,
                                     choices=ContestState.choices, default=ContestState.NONE)
    contest_reason = models.TextField(_("申诉理由"), blank=True)
    contest_reply = models.TextField(_("申诉答复"), blank=True)
    contested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("部门得分")
        verbose_name_plural = _("部门得分")
        ordering = ["assessment", "rank", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "department"],
                                    name="score_unique_department"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.total}"


class AssessmentEntry(models.Model):
    """A bonus or deduction item (加分/扣分项) the lead office records for a department."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE,
                                   related_name="entries")
    department = models.ForeignKey("departments.Department", verbose_name=_("部门"),
                                   on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(_("分值（正为加分，负为扣分）"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("加减分项")
        verbose_name_plural = _("加减分项")

    def __str__(self) -> str:
        return f"{self.department} {self.points:+} {self.reason}"
