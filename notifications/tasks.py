"""Celery tasks: thin, idempotent, taking ids. ``tick`` is the one beat entry."""

from celery import shared_task
from django.utils import timezone

from ops.signals import cycle_ran

from .cycle import run_cycle
from .delivery import notification_deliver

# Fire a Celery retry a little after the row's next attempt time, never before it.
RETRY_MARGIN_SECONDS = 0.5


@shared_task(ignore_result=True)
def tick() -> None:
    """Run the cycle for now; messages are handed to ``deliver`` after commit."""
    run_cycle(timezone.now())
    cycle_ran()


@shared_task(bind=True, ignore_result=True, max_retries=None, acks_late=True)
def deliver(self, notification_id: int) -> str:
    """Send one message; a failure is recorded and retried with backoff."""
    outcome = notification_deliver(notification_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in + RETRY_MARGIN_SECONDS)
    return outcome.state
