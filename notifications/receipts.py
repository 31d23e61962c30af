"""Read receipts (已读/未读) and escalation on silence.

When the cycle stores messages to people, :func:`receipts_attach` gives each message (all
its channel copies) one :class:`Receipt` and adds ``?r=<token>~<channel>`` to its links;
opening such a link (any channel, or from the history page) reads the receipt.
:func:`unread_escalations` (a step of the cycle) re-sends a chase nobody opened
after ``DUBAN_ESCALATE_UNREAD_HOURS`` working hours on the next channel of the ladder
email → IM (钉钉 or 企业微信) → SMS, through the same outbox (dedupe, retries, quiet hours).
"""

import datetime
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from departments.models import Person

from .channels import channel_configured
from .channels.routing import channel_address, channel_copy, quiet_until
from .choices import Channel, Kind
from .models import Notification, Receipt

# Messages that get a receipt (invitations carry their own one-time link).
TRACKED_KINDS = tuple(k for k in Kind.values if k not in (Kind.INVITATION, Kind.DIGEST))
# Messages that climb the ladder when nobody reads them.
ESCALATED_KINDS = (Kind.CHASE, Kind.ESCALATION, Kind.SLIP, Kind.INSTRUCTION, Kind.URGE)
LADDER = (Channel.EMAIL, Channel.DINGTALK, Channel.WECOM, Channel.SMS)
COPY_SUFFIXES = tuple(f":{c}" for c in (Channel.EMAIL, Channel.SMS, Channel.DINGTALK,
                                         Channel.WECOM))
ESCALATION_BATCH = 2000


def base_key(dedupe_key: str) -> str:
    """The message's key without the channel suffix of a copy (``…:user-3:sms``)."""
    for suffix in COPY_SUFFIXES:
        if dedupe_key.endswith(suffix):
            return dedupe_key[:-len(suffix)]
    return dedupe_key


READ_PARAM = "r"


def tracked_url(url: str, token: str, via: str) -> str:
    """The page's own address with ``?r=<token>~<channel>``: the recipient still sees where
    the link goes; :class:`ReceiptMiddleware` reads the receipt when it is opened."""
    base, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{READ_PARAM}={token}~{via}{hash_mark}{fragment}"


class ReceiptMiddleware:
    """Opening any Duban page with ``?r=<token>~<channel>`` reads that message (one UPDATE,
    only on such requests). No login is needed to count the opening."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mark = request.GET.get(READ_PARAM, "") if request.method == "GET" else ""
        if mark:
            token, _, via = mark.partition("~")
            receipt_read(token=token, via=via or "web")
        return self.get_response(request)


def _swap(text: str, url: str, tracked: str) -> str:
    return re.sub(re.escape(url) + r"(?![\w/?#%&=.~+-])", tracked, text)


def receipts_attach(rows: list[Notification]) -> list[Receipt]:
    """A receipt per message to a person (unsaved); links in the rows go through it."""
    receipts: dict[str, Receipt] = {}
    for row in rows:
        if not row.recipient_id or row.kind not in TRACKED_KINDS or not row.url:
            continue
        key = base_key(row.dedupe_key)
        receipt = receipts.get(key)
        if receipt is None:
            receipt = receipts[key] = Receipt(
                key=key, recipient_id=row.recipient_id, kind=row.kind,
                subject=row.subject[:300], token=secrets.token_urlsafe(12), url=row.url)
        receipt.channels = ",".join(filter(None, [receipt.channels, row.channel]))
        tracked = tracked_url(receipt.url, receipt.token, row.channel)
        row.body_text = _swap(row.body_text, receipt.url, tracked)
        row.body_html = _swap(row.body_html, receipt.url, tracked)
        row.url = tracked[:500]
    return list(receipts.values())


def receipts_store(receipts: list[Receipt]) -> None:
    Receipt.objects.bulk_create(receipts, ignore_conflicts=True, batch_size=1000)


def receipt_read(*, token: str, via: str, now: datetime.datetime | None = None) -> bool:
    """Mark the message read; the first opening counts. One UPDATE."""
    return bool(Receipt.objects.filter(token=token, read_at__isnull=True).update(
        read_at=now or timezone.now(), read_via=via[:10]))


def receipt_read_in_app(*, user: User, dedupe_key: str,
                        now: datetime.datetime | None = None) -> bool:
    """The recipient opened the message in Duban (我的通知): it is read. One UPDATE."""
    return bool(Receipt.objects.filter(
        key=base_key(dedupe_key), recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now(), read_via="web"))


def _hours() -> tuple[datetime.time, datetime.time]:
    start, end = settings.DUBAN_WORKING_HOURS.split("-")
    return datetime.time.fromisoformat(start.strip()), datetime.time.fromisoformat(end.strip())


def working_hours_between(start: datetime.datetime, end: datetime.datetime, *,
                          is_working_day: Callable[[datetime.date], bool]) -> float:
    """Hours of ``DUBAN_WORKING_HOURS`` on working days between two moments (the working-day
    calendar is the domain's: the cycle passes it in)."""
    open_at, close_at = _hours()
    start, end = timezone.localtime(start), timezone.localtime(end)
    total, day = 0.0, start.date()
    while day <= end.date():
        if is_working_day(day):
            begin = datetime.datetime.combine(day, open_at, start.tzinfo)
            finish = datetime.datetime.combine(day, close_at, start.tzinfo)
            overlap = (min(finish, end) - max(begin, start)).total_seconds()
            total += max(overlap, 0) / 3600
        day += datetime.timedelta(days=1)
    return total


def _next_channel(used: list[str], email: str, profile) -> tuple[str, str] | None:
    for channel in LADDER:
        if channel in used or not channel_configured(channel):
            continue
        address = channel_address(channel, email, profile)
        if address:
            return channel, address
    return None


@transaction.atomic
def unread_escalations(now: datetime.datetime, *,
                       is_working_day: Callable[[datetime.date], bool]) -> int:
    """Re-send unread chases on the next channel; returns how many rows were written."""
    hours = settings.DUBAN_ESCALATE_UNREAD_HOURS
    if not hours:
        return 0
    # Prefilter on calendar time (working hours can only be fewer).
    cutoff = now - datetime.timedelta(hours=hours)
    candidates = [
        r for r in Receipt.objects.select_for_update(skip_locked=True)
        .filter(read_at__isnull=True, kind__in=ESCALATED_KINDS, created_at__lte=cutoff,
                level__lt=len(LADDER))
        .select_related("recipient")[:ESCALATION_BATCH]
        if working_hours_between(r.escalated_at or r.created_at, now,
                                 is_working_day=is_working_day) >= hours]
    if not candidates:
        return 0
    profiles = {p.user_id: p for p in Person.objects.filter(
        user_id__in=[r.recipient_id for r in candidates])}
    climbing, top = [], []  # top: nowhere left to climb (most, when only email is set up)
    for receipt in candidates:
        used = list(dict.fromkeys(filter(None, receipt.channels.split(","))))
        found = _next_channel(used, receipt.recipient.email, profiles.get(receipt.recipient_id))
        if found is None:
            top.append(receipt.pk)
        else:
            climbing.append((receipt, used, found))
    originals = {n.dedupe_key: n for n in Notification.objects.filter(
        dedupe_key__in=[r.key for r, _, _ in climbing])} if climbing else {}
    hold = quiet_until(now)
    rows, done = [], []
    for receipt, used, (channel, address) in climbing:
        original = originals.get(receipt.key)
        if original is None:
            top.append(receipt.pk)
            continue
        receipt.level, receipt.escalated_at = receipt.level + 1, now
        copy = channel_copy(original, channel, address,
                            dedupe_key=f"{receipt.key}:up{receipt.level}:{channel}",
                            hold_until=hold)
        copy.url = tracked_url(receipt.url, receipt.token, channel)
        copy.body_text = _swap(original.body_text, original.url, copy.url)
        if channel == Channel.EMAIL:
            copy.body_html = _swap(original.body_html, original.url, copy.url)
        copy.next_attempt_at = copy.next_attempt_at if channel != Channel.EMAIL else None
        receipt.channels = ",".join([*used, channel])
        rows.append(copy)
        done.append(receipt)
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    Receipt.objects.bulk_update(done, ["level", "escalated_at", "channels"])
    # One UPDATE for the rest, not a CASE per row (2,585 receipts took 1.4 s in bulk_update).
    Receipt.objects.filter(pk__in=top).update(level=len(LADDER), escalated_at=now)
    return len(rows)
