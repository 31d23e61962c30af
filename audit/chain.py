"""Hashing and checking the audit chain."""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from .models import AuditEvent

GENESIS = "0" * 64


def row_hash(*, seq: int, at: datetime.datetime, actor_id: int | None, username: str,
             kind: str, ip: str, target: str, detail: str, prev_hash: str) -> str:
    """SHA-256 of the row's fields in a fixed order (times in UTC, microseconds kept)."""
    canonical = json.dumps(
        [seq, at.astimezone(datetime.UTC).isoformat(timespec="microseconds"), actor_id,
         username, kind, ip, target, detail, prev_hash],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return row_hash(seq=event.seq, at=event.at, actor_id=event.actor_id,
                    username=event.username, kind=event.kind, ip=event.ip,
                    target=event.target, detail=event.detail, prev_hash=event.prev_hash)


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken: AuditEvent | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken is None


def chain_verify(events: Iterable[AuditEvent] | None = None) -> ChainCheck:
    """Walk the rows in order; the first row whose hash, link or number is wrong breaks it.
    The oldest kept row anchors the chain (older ones may have been pruned)."""
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    previous: AuditEvent | None = None
    count = 0
    for event in events:
        count += 1
        if previous is not None and event.seq != previous.seq + 1:
            return ChainCheck(count, event, "sequence")
        if previous is not None and event.prev_hash != previous.hash:
            return ChainCheck(count, event, "link")
        if event_hash(event) != event.hash:
            return ChainCheck(count, event, "hash")
        previous = event
    return ChainCheck(count)
