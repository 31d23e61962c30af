"""Handing decided messages to the senders: Celery workers, or this process.

Each run of the cycle hands out every message that is deliverable now: new ones, and old
ones whose Celery task was lost (still pending RESWEEP_AFTER after they were handed out, or
claimed by a sender that died). Beat's ``resweep`` entry does the same between two cycles.
A message handed out twice is still sent once: the sender claims it first.
"""

import contextlib
import datetime
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q

from .choices import DeliveryState
from .delivery import notification_deliver
from .models import Notification

# A handed-out message nobody took (its task was lost) is handed out again after this.
RESWEEP_AFTER = datetime.timedelta(seconds=2 * settings.DUBAN_NOTIFY_RESWEEP_SECONDS)
Dispatcher = Callable[[list[int], datetime.datetime], object]


def deliverable_ids(now: datetime.datetime) -> list[int]:
    """Ids to hand out now; marks them handed out (next_attempt_at = now). Three queries."""
    Notification.objects.filter(state=DeliveryState.SENDING, next_attempt_at__lt=now).update(
        state=DeliveryState.PENDING, next_attempt_at=None)
    due = Notification.objects.filter(state=DeliveryState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now - RESWEEP_AFTER))
    ids = sorted(due.values_list("id", flat=True))
    if ids:
        due.filter(pk__lte=ids[-1]).update(next_attempt_at=now)
    return ids


def enqueue(ids: list[int], now: datetime.datetime) -> None:
    """One Celery task per message, published after the transaction commits."""
    if not ids:
        return
    from .tasks import deliver

    def publish() -> None:
        with deliver.app.producer_or_acquire() as producer:
            for notification_id in ids:
                deliver.apply_async((notification_id,), producer=producer)

    # robust: a broker outage must not fail the request that committed; the rows stay
    # pending and the next tick hands them out again.
    transaction.on_commit(publish, robust=True)


class InProcess:
    """Send in this process through the configured email backend (the management command)."""

    def __init__(self) -> None:
        self.outcomes: Counter = Counter()

    def __call__(self, ids: list[int], now: datetime.datetime) -> None:
        connection = get_connection()
        with contextlib.suppress(Exception):
            connection.open()  # reused by every message; a failed send closes it
        try:
            for notification_id in ids:
                outcome = notification_deliver(notification_id, now=now,
                                               connection=connection)
                self.outcomes[outcome.state, outcome.kind] += 1
                if outcome.state not in (DeliveryState.SENT, "skipped"):
                    _close(connection)  # later messages open their own connection
        finally:
            _close(connection)


def _close(connection) -> None:
    with contextlib.suppress(Exception):
        connection.close()

