"""Which channels carry a message to a person, and when (quiet hours).

A person's profile chooses channels per message kind (``Person.channels``: kind or ``*`` →
list, in order); without a choice ``DUBAN_CHANNELS_DEFAULT`` applies. The decisions write an
email row per person; :func:`route` turns it into one row per wanted channel that can reach
the person (address known, channel configured). The first row keeps the original dedupe key
(the reminder ledger points at it), the others add ``:<channel>``. SMS and IM rows decided
during quiet hours wait until the morning.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from ..choices import Channel, DeliveryState
from ..models import Notification
from . import channel_configured

PERSON_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.DINGTALK, Channel.WECOM)
QUIET_CHANNELS = (Channel.SMS, Channel.DINGTALK, Channel.WECOM)
COPY_CHANNELS = (Channel.EMAIL, *QUIET_CHANNELS)  # suffixes of the rows after the first


def _quiet_window() -> tuple[datetime.time, datetime.time] | None:
    spec = settings.DUBAN_QUIET_HOURS.strip()
    if not spec:
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in spec.split("-"))
    return start, end


def quiet_until(now: datetime.datetime) -> datetime.datetime | None:
    """The end of the quiet hours ``now`` falls in (local time), or None."""
    window = _quiet_window()
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(now)
    clock = local.time()
    if start <= end:
        inside = start <= clock < end
    else:  # over midnight, e.g. 21:00-08:00
        inside = clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end), local.tzinfo)


def wanted_channels(profile, kind: str) -> list[str]:
    choice = (profile.channels if profile is not None else {}) or {}
    default = settings.DUBAN_CHANNELS_DEFAULT
    channels = (choice.get(kind) or choice.get("*") or default.get(kind) or default.get("*")
                or [Channel.EMAIL])
    return [c for c in channels if c in PERSON_CHANNELS]


def channel_address(channel: str, user_email: str, profile) -> str:
    if channel == Channel.EMAIL:
        return user_email
    if profile is None:
        return ""
    return {Channel.SMS: profile.mobile, Channel.DINGTALK: profile.dingtalk_userid,
            Channel.WECOM: profile.wecom_userid}.get(channel, "")


def channel_copy(notification: Notification, channel: str, address: str, *,
                 dedupe_key: str, hold_until: datetime.datetime | None) -> Notification:
    copy = Notification(
        channel=channel, kind=notification.kind, dedupe_key=dedupe_key[:255],
        recipient_id=notification.recipient_id, address=address[:500],
        subject=notification.subject, body_text=notification.body_text,
        body_html=notification.body_html if channel == Channel.EMAIL else "",
        url=notification.url, state=DeliveryState.PENDING)
    if channel in QUIET_CHANNELS and hold_until is not None:
        copy.next_attempt_at = hold_until
    return copy


def route(notifications: list[Notification], *,
          now: datetime.datetime | None = None) -> list[Notification]:
    """Each email row to a person becomes one row per channel the person wants (one query
    for the profiles). Rows to robots, and people without a profile, pass unchanged."""
    from departments.models import Person

    people = [n for n in notifications if n.recipient_id and n.channel == Channel.EMAIL]
    to_people = {id(n) for n in people}
    if not people:
        return notifications
    profiles = {p.user_id: p for p in Person.objects.filter(
        user_id__in={n.recipient_id for n in people}).only(
        "user_id", "mobile", "dingtalk_userid", "wecom_userid", "channels")}
    if not profiles and settings.DUBAN_CHANNELS_DEFAULT.get("*") == [Channel.EMAIL] \
            and len(settings.DUBAN_CHANNELS_DEFAULT) == 1:
        return notifications
    hold = quiet_until(now or timezone.now())
    routed = []
    for notification in notifications:
        if id(notification) not in to_people:
            routed.append(notification)
            continue
        profile = profiles.get(notification.recipient_id)
        rows = []
        for channel in wanted_channels(profile, notification.kind):
            address = channel_address(channel, notification.address, profile)
            if not address or not channel_configured(channel):
                continue
            key = notification.dedupe_key if not rows else \
                f"{notification.dedupe_key}:{channel}"
            rows.append(channel_copy(notification, channel, address, dedupe_key=key,
                                     hold_until=hold))
        routed += rows or [notification]  # nobody is left without the email
    return routed
