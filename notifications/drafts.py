"""What the cycle decides: findings (facts someone must hear about), recipients, and drafts
(one rendered message to one recipient), stored as Notification rows in bulk.
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models.functions import MD5
from django.utils.html import escape

from common.bulk import insert_new, insert_new_rows

from .channels.routing import route
from .choices import Channel, DeliveryState
from .emails import render
from .models import Notification, NotificationItem
from .receipts import receipts_attach, receipts_store

ID_LOOKUP_CHUNK = 1000


@dataclass(frozen=True)
class Recipient:
    """A person (by email) or a group robot (by webhook URL)."""

    user_id: int | None = None
    webhook_id: int | None = None
    address: str = ""
    name: str = ""

    @property
    def tag(self) -> str:
        return f"user-{self.user_id}" if self.user_id else f"webhook-{self.webhook_id}"

    @property
    def channel(self) -> str:
        return Channel.EMAIL if self.user_id else Channel.WEBHOOK


def person(user) -> Recipient:
    """A user as an email recipient, named as Chinese names are written (family name first)."""
    name = f"{user.last_name}{user.first_name}" or user.username
    return Recipient(user_id=user.pk, address=user.email, name=name)


@dataclass(frozen=True)
class Finding:
    """One outstanding item: ``key`` names it without the recipient (the ledger adds it)."""

    key: str
    kind: str
    heading: str
    url: str
    lines: tuple[str, ...] = ()
    detail: str = ""


@dataclass
class Draft:
    kind: str
    dedupe_key: str
    recipient: Recipient
    subject: str
    body_text: str
    body_html: str
    url: str
    items: tuple[tuple[str, str], ...] = field(default=())  # (ledger key, kind)

    def notification(self) -> Notification:
        return Notification(
            channel=self.recipient.channel, kind=self.kind, dedupe_key=self.dedupe_key,
            recipient_id=self.recipient.user_id, webhook_id=self.recipient.webhook_id,
            address=self.recipient.address[:500], subject=self.subject[:300],
            body_text=self.body_text, body_html=self.body_html, url=self.url[:500],
            state=DeliveryState.PENDING,
        )


# Stands for the recipient's name while a message is rendered once for many recipients.
_NAME = "\u2063收件人\u2063"


def drafts_render(*, kind: str, key: str, recipients: list[Recipient], context: dict, url: str,
                  items: Callable[[Recipient], tuple[tuple[str, str], ...]] | None = None,
                  template: str | None = None) -> list[Draft]:
    """Render the kind's templates once and address the result to each recipient.

    The templates differ per recipient only by the name in the greeting, so a department's
    six liaisons cost one rendering, not six. ``key`` gets each recipient's tag.
    ``template``: the templates' name when it is not the kind's.
    """
    rendered = render(template or kind, {**context, "recipient": Recipient(name=_NAME), "url": url})
    return [Draft(kind=kind, dedupe_key=f"{key}:{recipient.tag}", recipient=recipient,
                  subject=rendered.subject.replace(_NAME, recipient.name),
                  body_text=rendered.text.replace(_NAME, recipient.name),
                  body_html=rendered.html.replace(_NAME, escape(recipient.name)),
                  url=url, items=items(recipient) if items else ())
            for recipient in recipients]


def draft_render(*, kind: str, key: str, recipient: Recipient, context: dict, url: str,
                 items: tuple[tuple[str, str], ...] = (), template: str | None = None) -> Draft:
    """Render the kind's templates for one recipient; ``key`` gets the recipient's tag."""
    return drafts_render(kind=kind, key=key, recipients=[recipient], context=context, url=url,
                         items=lambda _: items, template=template)[0]


def _digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def drafts_store(drafts: list[Draft], *, today) -> Counter:
    """Insert the drafts; a key that already exists is skipped by the unique constraint.

    Returns the number of drafts by kind. Ledger items (what a message tells) are claimed for
    drafts that list items — only on the stored message that says exactly what the draft
    says: when a concurrent run stored a different message under the same key first, the
    items this draft would have told are not marked told (they are told on the next working
    day). A claim is a unique key: two runs never both claim an item. Items whose message
    failed for good are released, so they can be told again.

    On PostgreSQL the insert says which messages it wrote (``common.bulk.insert_new``):
    those are the drafts' own; only keys stored before are looked up (one query per thousand)
    and compared by MD5 in SQL. Elsewhere every key with items is looked up.
    """
    if not drafts:
        return Counter()
    rows = route([d.notification() for d in drafts])  # channels per person (people #14)
    receipts = receipts_attach(rows)  # 已读/未读: links go through the receipt
    inserted = insert_new(Notification, rows, key="dedupe_key") or {}
    receipts_store(receipts)
    with_items = [d for d in drafts if d.items]
    once = {key for key, n in Counter(row.dedupe_key for row in rows).items() if n == 1}
    ids = {d.dedupe_key: inserted[d.dedupe_key] for d in with_items
           if d.dedupe_key in inserted and d.dedupe_key in once}
    ids.update(_stored_as_written([d for d in with_items if d.dedupe_key not in ids], rows))
    _items_claim([(ids[d.dedupe_key], key, kind, today)
                  for d in with_items if d.dedupe_key in ids for key, kind in d.items])
    return Counter(d.kind for d in drafts)


def _stored_as_written(drafts: list[Draft], rows: list[Notification]) -> dict[str, int]:
    """Ids of the drafts' stored messages whose body is the one written here (as written:
    receipt links included). One query per thousand drafts."""
    if not drafts:
        return {}
    written = {row.dedupe_key: _digest(row.body_text) for row in rows}
    found = {}
    for start in range(0, len(drafts), ID_LOOKUP_CHUNK):
        chunk = drafts[start:start + ID_LOOKUP_CHUNK]
        found.update({key: pk for key, pk, digest in Notification.objects.filter(
            dedupe_key__in=[d.dedupe_key for d in chunk]).annotate(
            digest=MD5("body_text")).values_list("dedupe_key", "id", "digest")
            if digest == written.get(key)})
    return found


ITEM_FIELDS = ["notification_id", "key", "kind", "created_on"]


def _items_claim(items: list[tuple]) -> None:
    """Claim the items, rows of :data:`ITEM_FIELDS` (unique keys); a key held by a message
    that failed for good is released and claimed again. Normally one insert: only keys the
    insert skipped (all keys where the database cannot tell) are looked up among the failed
    messages' items."""
    if not items:
        return
    inserted = insert_new_rows(NotificationItem, ITEM_FIELDS, items, key="key")
    skipped = [item for item in items if inserted is None or item[1] not in inserted]
    if not skipped:
        return
    released, _ = NotificationItem.objects.filter(
        key__in=[item[1] for item in skipped],
        notification__state=DeliveryState.FAILED).delete()
    if released:
        insert_new_rows(NotificationItem, ITEM_FIELDS, skipped, key="key")
