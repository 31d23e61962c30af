"""Sending, separate from deciding. A message is claimed with a conditional UPDATE (exactly
one row must change) before it is sent, so two workers never send it twice. A failure is
recorded (attempts, last error) and retried later with exponential backoff; it never raises
into the caller, so it cannot block other messages or the cycle.
"""

import datetime
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from .channels import channel_send
from .channels.routing import QUIET_CHANNELS, quiet_until
from .choices import Channel, DeliveryState
from .emails import email_send
from .models import Notification
from .webhooks import webhook_post

logger = logging.getLogger(__name__)

# A claimed message whose sender died is handed out again after this lease: the only window
# in which a message can go out twice (sent, then the sender died before recording it). The
# copy carries the same Message-ID (emails.message_id).
LEASE = datetime.timedelta(seconds=settings.DUBAN_NOTIFY_LEASE_SECONDS)


@dataclass(frozen=True)
class Outcome:
    state: str  # sent | retry | failed | skipped
    kind: str = ""
    retry_in: float | None = None


def backoff_seconds(attempts: int) -> float:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base… capped."""
    base = settings.DUBAN_NOTIFY_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.DUBAN_NOTIFY_RETRY_MAX_SECONDS)


def notification_claim(notification_id: int, now: datetime.datetime) -> bool:
    """Take the message for sending; False when it is not pending or not due yet.

    During quiet hours an SMS or IM message is not taken whatever brought it here (a retry,
    a re-sweep, a resend from the admin): it waits until the quiet hours end."""
    due = (Notification.objects
           .filter(pk=notification_id, state=DeliveryState.PENDING)
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)))
    hold = quiet_until(now)
    if hold is not None and due.filter(channel__in=QUIET_CHANNELS).update(
            next_attempt_at=hold):
        return False
    changed = due.update(state=DeliveryState.SENDING, attempts=F("attempts") + 1,
                         next_attempt_at=now + LEASE)
    return changed == 1


def _send(notification: Notification, connection) -> None:
    if notification.channel == Channel.WEBHOOK:
        webhook_post(notification)
    elif notification.channel == Channel.EMAIL:
        email_send(notification, connection)
    else:  # SMS, 钉钉, 企业微信: notifications.channels
        channel_send(notification)


def _failed(notification: Notification, error: Exception, now: datetime.datetime) -> Outcome:
    message = f"{type(error).__name__}: {error}"[:2000]
    logger.warning("通知 %s 发送失败（第 %s 次）：%s", notification.pk, notification.attempts,
                   message)
    sending = Notification.objects.filter(pk=notification.pk, state=DeliveryState.SENDING)
    horizon = datetime.timedelta(seconds=settings.DUBAN_NOTIFY_HORIZON_SECONDS)
    if now - notification.created_at >= horizon:  # retried until the horizon, then failed
        sending.update(state=DeliveryState.FAILED, last_error=message, next_attempt_at=None)
        return Outcome(DeliveryState.FAILED, notification.kind)
    delay = backoff_seconds(notification.attempts)
    retry_at = now + datetime.timedelta(seconds=delay)
    hold = quiet_until(retry_at) if notification.channel in QUIET_CHANNELS else None
    sending.update(state=DeliveryState.PENDING, last_error=message,
                   next_attempt_at=hold or retry_at)
    # A retry that would fall in the quiet hours waits for the morning; the first tick or
    # re-sweep after that hands it out again (no Celery countdown through the night).
    return Outcome("retry", notification.kind, retry_in=None if hold else delay)


def notification_deliver(notification_id: int, *, now: datetime.datetime | None = None,
                         connection=None) -> Outcome:
    """Claim, send and record one message. Safe to call twice or concurrently."""
    now = now or timezone.now()
    if not notification_claim(notification_id, now):
        return Outcome("skipped")
    notification = Notification.objects.select_related("webhook").get(pk=notification_id)
    try:
        _send(notification, connection)
    except Exception as error:  # any failure is recorded and retried, never raised
        return _failed(notification, error, now)
    _record_sent(notification_id)
    return Outcome(DeliveryState.SENT, notification.kind)


def _record_sent(notification_id: int) -> None:
    """Mark sent, waiting out a database restart for up to half the lease: the message has
    left, and every second it stays unrecorded is a second it could be sent again."""
    deadline = time.monotonic() + LEASE.total_seconds() / 2
    while True:
        try:
            Notification.objects.filter(pk=notification_id, state=DeliveryState.SENDING).update(
                state=DeliveryState.SENT, sent_at=timezone.now(), next_attempt_at=None)
            return
        except DatabaseError:
            if time.monotonic() >= deadline or connection.in_atomic_block:
                raise
            logger.warning("通知 %s 已发出，数据库暂不可用，稍后记录", notification_id)
            connection.close()
            time.sleep(1)
            close_old_connections()
