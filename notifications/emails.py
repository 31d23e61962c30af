"""Email: the one place that renders ``emails/<kind>-subject.txt``, ``-body.txt`` and
``-body.html`` and builds the message (Chinese subject, plain text plus HTML, the kind in an
``X-Duban-Kind`` header so that recipients can filter).
"""

import hashlib
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .links import page_url
from .models import Notification


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, context: dict) -> Rendered:
    context = {"history_url": page_url("notifications:history"), **context}
    subject = render_to_string(f"emails/{kind}-subject.txt", context)
    text = render_to_string(f"emails/{kind}-body.txt", context)
    html = render_to_string(f"emails/{kind}-body.html", context)
    return Rendered(" ".join(subject.split()), _tidy(text), html.strip() + "\n")


def _tidy(text: str) -> str:
    """Template whitespace out: no trailing spaces, at most one blank line in a row."""
    lines, blank = [], False
    for line in (raw.rstrip() for raw in text.strip().splitlines()):
        if line or not blank:
            lines.append(line)
        blank = not line
    return "\n".join(lines) + "\n"


def message_id(notification: Notification) -> str:
    """The same Message-ID every time this notification is sent: a copy sent again after a
    crash (see delivery.LEASE) can be recognised and dropped by the receiver."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "duban.local"
    digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:20]
    return f"<duban.{notification.pk}.{digest}@{domain}>"


def message_build(notification: Notification, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject, body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.address],
        connection=connection,
        headers={
            "X-Duban-Kind": notification.kind,
            "X-Duban-Notification": str(notification.pk),
            "Message-ID": message_id(notification),
            "Auto-Submitted": "auto-generated",
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    return message


def email_send(notification: Notification, connection=None) -> None:
    """Send one email; raises on any SMTP or network failure."""
    message_build(notification, connection).send(fail_silently=False)
