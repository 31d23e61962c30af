"""The outbox side of the people services (departments.outbox): invitations, and a leaver's
pending messages. Plugged in by NotificationsConfig.ready()."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from departments.choices import PersonAction
from departments.contacts import im_userid_check, mobile_normal
from departments.models import Person, PersonEvent
from departments.outbox import Invitation
from departments.people import require_lead_office

from .channels.routing import PERSON_CHANNELS, quiet_until
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


# The profile field holding the address each channel needs.
CHANNEL_ADDRESS = {Channel.SMS: "mobile", Channel.DINGTALK: "dingtalk_userid",
                   Channel.WECOM: "wecom_userid"}


def person_contacts_check(*, mobile: str, dingtalk_userid: str, wecom_userid: str,
                          channels: dict[str, list[str]]) -> dict[str, str]:
    """The addresses as stored; raises field-level errors (a channel chosen without its
    address, a malformed mobile or user id, an unknown kind or channel)."""
    labels = {"mobile": gettext("手机"), "dingtalk_userid": gettext("钉钉用户ID"),
              "wecom_userid": gettext("企业微信用户ID")}
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for field, raw in (("mobile", mobile), ("dingtalk_userid", dingtalk_userid),
                       ("wecom_userid", wecom_userid)):
        try:
            values[field] = (mobile_normal(raw) if field == "mobile"
                             else im_userid_check(raw, labels[field]))
        except ValidationError as error:
            errors[field] = error.messages
    chosen = {c for wanted in channels.values() for c in wanted}
    for channel, field in CHANNEL_ADDRESS.items():
        if channel in chosen and field not in errors and not values[field]:
            errors.setdefault(field, []).append(
                gettext("选择了“%(channel)s”渠道，须填写%(label)s。") % {
                    "channel": Channel(channel).label, "label": labels[field]})
    kinds = {"*", *Kind.values}
    if any(kind not in kinds or not wanted or not set(wanted) <= set(PERSON_CHANNELS)
           for kind, wanted in channels.items()):
        errors["channels"] = [gettext("接收渠道中有无法识别的选项。")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def person_contacts_update(*, person: Person, mobile: str, dingtalk_userid: str,
                           wecom_userid: str, channels: dict[str, list[str]],
                           actor: User) -> Person:
    """Change how a person is reached (the 人员 page). Every field is checked; the change is
    written to the person's history."""
    require_lead_office(actor)
    labels = {"mobile": gettext("手机"), "dingtalk_userid": gettext("钉钉用户ID"),
              "wecom_userid": gettext("企业微信用户ID"), "channels": gettext("接收渠道")}
    values = person_contacts_check(mobile=mobile, dingtalk_userid=dingtalk_userid,
                                   wecom_userid=wecom_userid, channels=channels)
    stored = Person.objects.select_for_update().get(pk=person.pk)
    changes = [labels[f] for f, v in values.items() if getattr(stored, f) != v]
    if (stored.channels or {}) != channels:
        changes.append(labels["channels"])
    if not changes:
        return stored
    for field, value in values.items():
        setattr(stored, field, value)
    stored.channels = channels
    stored.save(update_fields=[*values, "channels"])
    PersonEvent.objects.create(
        user=stored.user, action=PersonAction.CHANGED, actor=actor,
        detail=gettext("修改了%(fields)s") % {"fields": "、".join(changes)})
    return stored
