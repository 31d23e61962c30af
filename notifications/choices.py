from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")
    SMS = "sms", _("短信")
    DINGTALK = "dingtalk", _("钉钉工作通知")
    WECOM = "wecom", _("企业微信应用消息")


class Kind(models.TextChoices):
    """Every message names its kind; it travels in the X-Duban-Kind header."""

    REMINDER = "reminder", _("报送提醒")
    CHASE = "chase", _("逾期催报")
    ESCALATION = "escalation", _("逾期升级督办")
    DUE_SOON = "due_soon", _("到期提醒")
    ACK_OVERDUE = "ack_overdue", _("签收逾期")
    RETURNED = "returned", _("报送退回")
    MEETING_PACK = "meeting_pack", _("会议材料")
    BULLETIN = "bulletin", _("季度通报")
    ASSESSMENT = "assessment", _("年度考核")
    DIGEST = "digest", _("督办摘要")
    INSTRUCTION = "instruction", _("领导批示")
    SLIP = "slip", _("督办单")
    LIFECYCLE = "lifecycle", _("办理通知")
    REVIEW = "review", _("待审核提醒")
    INVITATION = "invitation", _("账号邀请")
    URGE = "urge", _("一键催办")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    OFF = "off", _("不接收")


class DigestWeekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class DigestContent(models.TextChoices):
    """The parts of a digest a subscriber may leave out (empty choice: all of them)."""

    REPORTS = "reports", _("新报送的进展")
    CHANGES = "changes", _("任务状态变化")
    RED = "red", _("滞后（红色预警）任务")
    MISSING = "missing", _("逾期未报送")
    UPCOMING = "upcoming", _("近期截止")


class WebhookFlavor(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    GENERIC = "generic", _("通用 JSON")
