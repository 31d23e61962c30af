"""Short forms of a message for SMS and IM (the email row keeps the full text)."""

from django.utils.translation import gettext

from common.i18n import site_language

from ..models import Notification

SMS_CONTENT_CHARS = 60
IM_MARKDOWN_BYTES = 4000


def sms_params(notification: Notification) -> dict[str, str]:
    """The SMS template's variables: ``content`` (the subject) and ``url``.

    SMS text is fixed by the approved template at the vendor; only variables travel.
    """
    content = notification.subject
    if len(content) > SMS_CONTENT_CHARS:
        content = content[:SMS_CONTENT_CHARS - 1] + "…"
    return {"content": content, "url": notification.url}


def im_markdown(notification: Notification) -> str:
    text = f"### {notification.subject}\n\n{notification.body_text.strip()}"
    with site_language():
        label = gettext("打开督办系统")
    link = f"\n\n[{label}]({notification.url})" if notification.url else ""
    room = IM_MARKDOWN_BYTES - len(link.encode())
    if len(text.encode()) > room:
        text = text.encode()[:room - 8].decode(errors="ignore") + "\n……"
    return text + link
