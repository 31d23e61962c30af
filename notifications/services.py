"""Write paths of the outbox: retrying failed messages."""


from django.db import transaction
from django.utils import timezone

from .choices import DeliveryState
from .dispatch import enqueue
from .models import Notification


@transaction.atomic
def notifications_retry(*, notification_ids: list[int]) -> list[int]:
    """Failed messages go back to pending for a new round of attempts (the last error is
    kept) and are handed to the workers after commit. Returns the ids retried."""
    now = timezone.now()
    failed = Notification.objects.select_for_update().filter(
        pk__in=notification_ids, state=DeliveryState.FAILED)
    ids = sorted(failed.values_list("id", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=now)
    enqueue(ids, now)
    return ids
