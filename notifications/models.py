from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DeliveryState, DigestFrequency, DigestWeekday, Kind, WebhookFlavor


class WebhookEndpoint(models.Model):
    """A group robot (企业微信/钉钉) that receives the same messages as a group of people."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"), max_length=500)
    flavor = models.CharField(_("格式"), max_length=20, choices=WebhookFlavor.choices,
                              default=WebhookFlavor.WECOM)
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="webhooks",
        help_text=_("接收该部门的提醒与催报；留空则按下列勾选接收"),
    )
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True,
        help_text=_("钉钉机器人“加签”安全设置的密钥（SEC 开头）；留空则不签名"),
    )
    for_managers = models.BooleanField(_("接收领导类消息（摘要、通报、会议材料）"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(for_managers=True),
                name="webhook_has_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One message to one recipient on one channel. ``dedupe_key`` makes sending idempotent."""

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices,
                               default=Channel.EMAIL)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, db_index=True)
    dedupe_key = models.CharField(_("去重键"), max_length=255, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("收件人"), null=True,
                                  blank=True, on_delete=models.CASCADE,
                                  related_name="notifications")
    webhook = models.ForeignKey(WebhookEndpoint, verbose_name=_("群机器人"), null=True,
                                blank=True, on_delete=models.CASCADE,
                                related_name="notifications")
    address = models.CharField(_("地址"), max_length=500, blank=True)
    subject = models.CharField(_("标题"), max_length=300)
    body_text = models.TextField(_("正文"))
    body_html = models.TextField(_("HTML 正文"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"[{self.get_kind_display()}] {self.subject}"


class DigestSubscription(models.Model):
    """A manager's choice of digest frequency and scope (empty scope = everything)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"),
                                on_delete=models.CASCADE, related_name="digest_subscription")
    frequency = models.CharField(_("频率"), max_length=10, choices=DigestFrequency.choices,
                                 default=DigestFrequency.WEEKLY)
    plans = models.ManyToManyField("tasks_app.Plan", verbose_name=_("计划范围"), blank=True)
    drivers = models.ManyToManyField("tasks_app.Driver", verbose_name=_("战略驱动范围"),
                                     blank=True)
    departments = models.ManyToManyField("departments.Department", verbose_name=_("部门范围"),
                                         blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("每周发送日"), choices=DigestWeekday.choices, null=True, blank=True,
        help_text=_("每周摘要在这一天发送；不选则按督办日程"))
    send_time = models.TimeField(_("发送时间"), null=True, blank=True,
                                 help_text=_("不填则按督办日程的摘要发送时间"))
    contents = models.JSONField(_("摘要内容"), default=list, blank=True,
                                help_text=_("列出哪几部分；不选则全部列出"))
    last_sent_at = models.DateTimeField(_("上次发送"), null=True, blank=True)

    class Meta:
        verbose_name = _("摘要订阅")
        verbose_name_plural = _("摘要订阅")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_frequency_display()}"


class NotificationItem(models.Model):
    """One outstanding item (a missing report, a chase, a due date…) told to one recipient.

    The reminder family is sent as one email per person per day listing several items; this
    ledger remembers which items were told, so that an item is told once whatever day it
    goes out. ``key`` ends with the recipient (``…:user-31`` or ``…:webhook-4``).
    """

    notification = models.ForeignKey(Notification, verbose_name=_("通知"),
                                     on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("事项键"), max_length=255, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    created_on = models.DateField(_("日期"), db_index=True)

    class Meta:
        verbose_name = _("通知事项")
        verbose_name_plural = _("通知事项")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key


class SummaryRecord(models.Model):
    """The counts one digest or meeting pack told, so that the next one shows the changes
    since it and a short trend. ``series`` names whose summaries are compared
    (``digest:user-5``, ``meeting_pack:plan-2``); ``key`` is the message's slot: one record
    per slot, so a repeated or concurrent run never records twice."""

    series = models.CharField(_("系列"), max_length=100)
    key = models.CharField(_("期次键"), max_length=255, unique=True)
    counts = models.JSONField(_("各部分数量"), default=dict)
    created_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("摘要数量记录")
        verbose_name_plural = _("摘要数量记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["series", "-created_at"],
                                name="summary_series_recent")]

    def __str__(self) -> str:
        return self.key


class CalendarFeed(models.Model):
    """A user's secret calendar address (.ics): whoever has the key reads the feed, so the
    user can regenerate it (the old address stops working at once)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"),
                                on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(_("密钥"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return _("%(user)s · 日历") % {"user": self.user}


class Receipt(models.Model):
    """已读/未读 of one message to one person, whatever channels carried it: every copy links
    through ``/notifications/r/<token>/``, and opening it (or the page in Duban) reads it.
    Unread chases climb the channel ladder (email → IM → SMS) after working hours of
    silence; ``level`` counts the climbs."""

    key = models.CharField(_("消息键"), max_length=255, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("收件人"),
                                  on_delete=models.CASCADE, related_name="receipts")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("标题"), max_length=300)
    token = models.CharField(_("链接令牌"), max_length=40, unique=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    channels = models.CharField(_("已用渠道"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    read_via = models.CharField(_("阅读途径"), max_length=10, blank=True)
    level = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    escalated_at = models.DateTimeField(_("最近升级"), null=True, blank=True)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["read_at", "kind", "created_at"],
                                name="receipt_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.subject}"
