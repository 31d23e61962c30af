"""Read paths of the notifications app."""

from django.contrib.auth.models import User
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from tasks_app.models import Assessment

from .choices import Kind
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


def assessments_final_unannounced() -> list[Assessment]:
    """Finalised assessments whose final ranking has not been emailed yet (one query)."""
    announced = Notification.objects.filter(
        kind=Kind.ASSESSMENT,
        dedupe_key__startswith=Concat(Value("assessment:"), Cast(OuterRef("pk"), CharField()),
                                      Value(f":{Assessment.State.FINAL}:")))
    return list(Assessment.objects.filter(state=Assessment.State.FINAL, plan__is_active=True)
                .filter(~Exists(announced)).select_related("plan"))
