"""Celery tasks of the outbox: thin, idempotent, taking ids (the cycle's ``tick`` is in
tasks_app.tasks)."""

from celery import shared_task
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .delivery import backoff_seconds, notification_deliver
from .dispatch import deliverable_ids, enqueue

# Fire a Celery retry a little after the row's next attempt time, never before it.
RETRY_MARGIN_SECONDS = 0.5


@shared_task(bind=True, ignore_result=True, max_retries=None, acks_late=True)
def deliver(self, notification_id: int) -> str:
    """Send one message; a failure is recorded and retried with backoff. When the database
    itself fails (restart, failover) the task is retried; the row stays as it was."""
    try:
        outcome = notification_deliver(notification_id)
    except DatabaseError as error:
        connection.close()  # the next attempt opens a fresh one
        raise self.retry(countdown=backoff_seconds(self.request.retries + 1), exc=error) \
            from error
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in + RETRY_MARGIN_SECONDS)
    return outcome.state


def _queue_length() -> int:
    """Tasks waiting in the broker's default queue (0 when it cannot tell)."""
    try:
        with deliver.app.connection_for_write() as connection_:
            queue = deliver.app.conf.task_default_queue
            return connection_.default_channel.queue_declare(queue, passive=True).message_count
    except Exception:
        return 0


@shared_task(ignore_result=True)
def resweep() -> None:
    """Hand out again the messages whose task was lost (Redis or the database restarted, a
    worker died), between two cycles, so that recovery takes a minute, not a cycle. Only
    when the queue is empty: while it is not, the workers are still busy with the backlog
    and a message handed out long ago is waiting in it, not lost."""
    if _queue_length():
        return
    now = timezone.now()
    with transaction.atomic():
        enqueue(deliverable_ids(now), now)
