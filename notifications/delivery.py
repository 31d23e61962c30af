"""Sending, separate from deciding. Messages are claimed before they are sent, a batch at a
time: the due rows are read locked (``FOR UPDATE SKIP LOCKED``: a concurrent sender skips
them) and marked sending in one UPDATE, in one transaction, so two workers never send a
message twice. Each sent message is recorded at once (the only per-message query: it closes
the window in which a crash sends a message twice). A failure is recorded (attempts, last
error) and retried later with exponential backoff; it never raises into the caller, so it
cannot block other messages or the cycle.
"""

import contextlib
import datetime
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
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
# Messages claimed (and read) at once.
BATCH = 100


@dataclass(frozen=True)
class Outcome:
    state: str  # sent | retry | failed | skipped
    kind: str = ""
    retry_in: float | None = None
    notification_id: int | None = None


def backoff_seconds(attempts: int) -> float:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base… capped."""
    base = settings.DUBAN_NOTIFY_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.DUBAN_NOTIFY_RETRY_MAX_SECONDS)


def notifications_claim(ids: list[int], now: datetime.datetime) -> list[Notification]:
    """Take the pending messages among ``ids`` that are due for sending: two queries (three
    in the quiet hours), one transaction. Rows another sender is claiming are skipped.

    During quiet hours an SMS or IM message is not taken whatever brought it here (a retry,
    a re-sweep, a resend from the admin): it waits until the quiet hours end."""
    with transaction.atomic():
        rows = list(Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("webhook")
                    .filter(pk__in=ids, state=DeliveryState.PENDING)
                    .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                    .order_by("pk"))
        hold = quiet_until(now)
        if hold is not None:
            Notification.objects.filter(
                pk__in=[n.pk for n in rows if n.channel in QUIET_CHANNELS]).update(
                next_attempt_at=hold)
            rows = [n for n in rows if n.channel not in QUIET_CHANNELS]
        lease_end = now + LEASE
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            state=DeliveryState.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_end)
    for notification in rows:
        notification.state, notification.next_attempt_at = DeliveryState.SENDING, lease_end
        notification.attempts += 1
    return rows


def _release(rows: list[Notification]) -> None:
    """Give back claimed messages not sent: pending again, the attempt not counted — only
    those still under this claim's lease. A row whose lease ran out may have been claimed
    by another sender since (same state, its own lease): releasing it would let a third
    sender take it while the second sends it."""
    if rows:
        Notification.objects.filter(
            pk__in=[n.pk for n in rows], state=DeliveryState.SENDING,
            next_attempt_at=rows[0].next_attempt_at,
        ).update(state=DeliveryState.PENDING, next_attempt_at=None, attempts=F("attempts") - 1)


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
        return Outcome(DeliveryState.FAILED, notification.kind, notification_id=notification.pk)
    delay = backoff_seconds(notification.attempts)
    retry_at = now + datetime.timedelta(seconds=delay)
    hold = quiet_until(retry_at) if notification.channel in QUIET_CHANNELS else None
    sending.update(state=DeliveryState.PENDING, last_error=message,
                   next_attempt_at=hold or retry_at)
    # A retry that would fall in the quiet hours waits for the morning; the first tick or
    # re-sweep after that hands it out again (no Celery countdown through the night).
    return Outcome("retry", notification.kind, retry_in=None if hold else delay,
                   notification_id=notification.pk)


def notifications_deliver(ids: list[int], *, now: datetime.datetime | None = None,
                          connection=None) -> list[Outcome]:
    """Claim, send and record messages, :data:`BATCH` at a time; one outcome per message
    (those not pending or not due are skipped). Queries: two per batch, one per message sent or
    failed. Safe to call twice or concurrently.

    A batch still sending after half the lease gives back what it has not sent and claims
    it again (a fresh lease), so a claim never expires while its sender is alive. After a
    failure ``connection`` (an email connection) is closed: the next message opens it again.
    """
    outcomes: list[Outcome] = []
    queue = list(ids)
    while queue:
        chunk, queue = queue[:BATCH], queue[BATCH:]
        at = now or timezone.now()
        claimed = notifications_claim(chunk, at)
        taken = {n.pk for n in claimed}
        outcomes += [Outcome("skipped", notification_id=pk) for pk in chunk if pk not in taken]
        started = time.monotonic()
        for index, notification in enumerate(claimed):
            if index and time.monotonic() - started > LEASE.total_seconds() / 2:
                _release(claimed[index:])
                queue = [n.pk for n in claimed[index:]] + queue
                break
            outcome = _deliver_claimed(notification, at, connection)
            outcomes.append(outcome)
            if outcome.state != DeliveryState.SENT and connection is not None:
                _close(connection)
    return outcomes


def notification_deliver(notification_id: int, *, now: datetime.datetime | None = None,
                         connection=None) -> Outcome:
    """Claim, send and record one message. Safe to call twice or concurrently."""
    return notifications_deliver([notification_id], now=now, connection=connection)[0]


def _deliver_claimed(notification: Notification, now: datetime.datetime,
                     connection) -> Outcome:
    try:
        _send(notification, connection)
    except Exception as error:  # any failure is recorded and retried, never raised
        return _failed(notification, error, now)
    _record_sent(notification.pk)
    return Outcome(DeliveryState.SENT, notification.kind, notification_id=notification.pk)


def _close(connection) -> None:
    with contextlib.suppress(Exception):
        connection.close()


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
