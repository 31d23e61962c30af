"""Channels to a person besides email: SMS (Aliyun / Tencent Cloud), 钉钉 工作通知 and
企业微信 应用消息. They share the outbox, dedupe and retries of email: a message is one
Notification row per channel, claimed and retried by ``notifications.delivery``, which calls
:func:`channel_send` for these channels (the one plug-in point).
"""

from django.conf import settings

from ..choices import Channel
from ..models import Notification


class ChannelError(Exception):
    """The vendor refused the message (HTTP status or error code); retried with backoff."""


class NotConfigured(ChannelError):
    """The channel's settings are missing."""


def channel_configured(channel: str) -> bool:
    if channel == Channel.EMAIL:
        return True
    if channel == Channel.SMS:
        return bool(settings.DUBAN_SMS_PROVIDER)
    if channel == Channel.DINGTALK:
        return bool(settings.DUBAN_DINGTALK_APP_KEY)
    if channel == Channel.WECOM:
        return bool(settings.DUBAN_WECOM_CORP_ID)
    return False


def channel_send(notification: Notification) -> None:
    """Send one SMS / 钉钉 / 企业微信 message; raises on any failure."""
    from . import dingtalk, sms, wecom

    if notification.channel == Channel.SMS:
        sms.sms_send(notification)
    elif notification.channel == Channel.DINGTALK:
        dingtalk.work_notice_send(notification)
    elif notification.channel == Channel.WECOM:
        wecom.app_message_send(notification)
    else:
        raise ChannelError(f"unknown channel {notification.channel}")
