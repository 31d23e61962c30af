"""The outbox side of the people services (departments.outbox): invitations, and a leaver's
pending messages. Plugged in by NotificationsConfig.ready()."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User

from departments.outbox import Invitation

from .channels.routing import quiet_until
from .choices import Channel, DeliveryState, Kind
from .dispatch import enqueue
from .drafts import Recipient, draft_render, person
from .models import Notification

# Messages a liaison or head acts on: they follow the duty to the successor.
DUTY_KINDS = (Kind.REMINDER, Kind.CHASE, Kind.ESCALATION, Kind.DUE_SOON, Kind.ACK_OVERDUE,
              Kind.RETURNED, Kind.SLIP, Kind.LIFECYCLE, Kind.INSTRUCTION)


def pending_hand_over(old: User, new: User) -> int:
    """Pending messages about the duty go to the successor instead (same outbox row)."""
    pending = Notification.objects.filter(recipient=old, state=DeliveryState.PENDING,
                                          kind__in=DUTY_KINDS)
    moved = 0
    for notification in pending.select_for_update():
        notification.recipient = new
        if notification.channel == Channel.EMAIL:
            notification.address = new.email
        notification.save(update_fields=["recipient", "address"])
        moved += 1
    return moved


def pending_drop(users: list[User], reason: str) -> None:
    """Whatever a leaver still had pending is not sent to them."""
    Notification.objects.filter(recipient__in=users, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, last_error=reason, next_attempt_at=None)


def invitations_store(invitations: list[Invitation], *, now: datetime.datetime) -> None:
    """Email each invitation (when the person has an address) and send it by SMS (when a
    mobile is known and SMS is configured, held until morning at night); handed to the
    senders after commit."""
    rows = []
    for invitation in invitations:
        user = invitation.user
        if user.email:
            rows.append(draft_render(kind=Kind.INVITATION, key=invitation.key,
                                     recipient=person(user), context=invitation.context,
                                     url=invitation.url).notification())
        if invitation.mobile and settings.DUBAN_SMS_PROVIDER:
            sms = draft_render(kind=Kind.INVITATION, key=f"{invitation.key}:sms",
                               recipient=Recipient(user_id=user.pk, address=invitation.mobile,
                                                   name=str(user)),
                               context=invitation.context, url=invitation.url).notification()
            sms.channel, sms.body_html = Channel.SMS, ""
            sms.next_attempt_at = quiet_until(now)  # no SMS at night: held until morning
            rows.append(sms)
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows])
               .values_list("id", flat=True))
    enqueue(sorted(ids), now)
