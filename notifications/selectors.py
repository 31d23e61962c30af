"""Read paths of the notifications app."""

import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet

from .models import DigestSubscription, Notification, Receipt


def notification_history(user: User) -> QuerySet[Notification]:
    """The user's own messages, newest first (one query per page)."""
    return (Notification.objects.filter(recipient=user)
            .only("id", "kind", "channel", "subject", "body_text", "url", "state", "attempts",
                  "created_at", "sent_at", "dedupe_key")
            .order_by("-created_at", "-id"))


def notification_own(user: User, pk: int) -> Notification | None:
    """One of the user's own messages (None for anyone else's)."""
    return Notification.objects.filter(recipient=user, pk=pk).first()


def digest_subscription_for(user: User) -> DigestSubscription | None:
    return (DigestSubscription.objects.filter(user=user)
            .prefetch_related("plans", "drivers", "departments").first())


UNREAD_DAYS = 30
UNREAD_LIMIT = 200


def unread_receipts(now: datetime.datetime) -> list[Receipt]:
    """Chases of the last 30 days nobody has opened yet, oldest first (one query)."""
    from .receipts import ESCALATED_KINDS

    return list(Receipt.objects.filter(
        read_at__isnull=True, kind__in=ESCALATED_KINDS,
        created_at__gte=now - datetime.timedelta(days=UNREAD_DAYS))
        .select_related("recipient").order_by("created_at", "id")[:UNREAD_LIMIT])


def receipts_mark(notifications: list[Notification]) -> None:
    """Set ``receipt`` (or None) on each message of a page: 已读/未读, and ``web_url``, the
    related page's address that reads the message when opened in Duban (one query)."""
    from .receipts import base_key, tracked_url

    keys = {n.pk: base_key(n.dedupe_key) for n in notifications}
    receipts = {r.key: r for r in Receipt.objects.filter(key__in=set(keys.values()))
                .only("key", "read_at", "token", "url")}
    for notification in notifications:
        receipt = notification.receipt = receipts.get(keys[notification.pk])
        notification.web_url = (tracked_url(receipt.url, receipt.token, "web")
                                if receipt is not None and receipt.url else notification.url)
