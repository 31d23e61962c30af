"""Group robots (企业微信 / 钉钉 style): the same message as a JSON POST to the robot's URL."""

import requests
from django.conf import settings
from django.utils.translation import gettext

from common.i18n import site_language

from .channels.dingtalk import robot_url
from .choices import WebhookFlavor
from .models import Notification

MAX_MARKDOWN_BYTES = 4000  # WeCom accepts 4096 bytes of markdown


class WebhookError(Exception):
    """The robot answered with an error (HTTP status or errcode)."""


def _markdown(notification: Notification) -> str:
    text = f"**{notification.subject}**\n\n{notification.body_text.strip()}"
    with site_language():
        label = gettext("打开督办系统")
    link = f"\n\n[{label}]({notification.url})" if notification.url else ""
    encoded = text.encode()
    if len(encoded) + len(link.encode()) > MAX_MARKDOWN_BYTES:
        room = MAX_MARKDOWN_BYTES - len(link.encode()) - len("\n……".encode())
        text = encoded[:room].decode(errors="ignore") + "\n……"
    return text + link


def webhook_payload(notification: Notification, flavor: str) -> dict:
    content = _markdown(notification)
    if flavor == WebhookFlavor.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if flavor == WebhookFlavor.DINGTALK:
        return {"msgtype": "markdown",
                "markdown": {"title": notification.subject, "text": content}}
    return {"kind": notification.kind, "subject": notification.subject,
            "text": notification.body_text, "url": notification.url}


def webhook_post(notification: Notification) -> None:
    """POST the message; raises WebhookError or a requests exception on failure."""
    hook = notification.webhook
    url = notification.address or hook.url
    if hook.secret and hook.flavor == WebhookFlavor.DINGTALK:
        url = robot_url(url, hook.secret)  # 加签: timestamp + sign on every request
    response = requests.post(
        url, json=webhook_payload(notification, hook.flavor),
        headers={"X-Duban-Kind": notification.kind}, timeout=settings.DUBAN_WEBHOOK_TIMEOUT,
    )
    if response.status_code >= 300:
        raise WebhookError(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        answer = response.json()
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise WebhookError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
