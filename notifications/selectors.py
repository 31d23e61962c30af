"""Read paths of the notifications app."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from .models import DigestSubscription, Notification


def notification_history(user: User) -> QuerySet[Notification]:
    """The user's own messages, newest first (one query per page)."""
    return (Notification.objects.filter(recipient=user)
            .only("id", "kind", "channel", "subject", "body_text", "url", "state", "attempts",
                  "created_at", "sent_at")
            .order_by("-created_at", "-id"))


def digest_subscription_for(user: User) -> DigestSubscription | None:
    return (DigestSubscription.objects.filter(user=user)
            .prefetch_related("plans", "drivers", "departments").first())
