"""Counts of the summaries sent (digests, meeting packs): the next summary of the same series
says what changed since the previous one ("比上次 +3", "持平") and shows a short trend.

The cycle loads the recent records of every due series in one query, renders, then stores
the new records in the same transaction as the messages (one insert, one delete that keeps
the newest ``KEPT`` per series). A record's key is unique: a repeated or concurrent run
never records a slot twice.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext

from .models import SummaryRecord

KEPT = 12  # records per series
TREND = 6  # values in a trend line, the current one included


@dataclass(frozen=True)
class History:
    """A series' earlier records, newest first, without the slot being sent now."""

    records: tuple[SummaryRecord, ...] = ()

    @property
    def previous(self) -> dict[str, int] | None:
        return self.records[0].counts if self.records else None

    def change(self, name: str, now: int) -> str:
        """"比上次 +3", "持平", "比上次 −2", or "" when there is nothing to compare with."""
        before = (self.previous or {}).get(name)
        if before is None:
            return ""
        return change_text(now - before)

    def trend(self, name: str, now: int) -> list[int]:
        """The last values of ``name``, oldest first, ending with ``now``."""
        earlier = [r.counts[name] for r in self.records if name in r.counts][:TREND - 1]
        return [*reversed(earlier), now]


def change_text(delta: int) -> str:
    if delta == 0:
        return gettext("持平")
    sign = "+" if delta > 0 else "\u2212"  # a real minus sign
    return gettext("比上次 %(delta)s") % {"delta": f"{sign}{abs(delta)}"}


def trend_text(values: list[int]) -> str:
    """``5 → 7 → 4`` (nothing when there is only the current value)."""
    return " → ".join(str(v) for v in values) if len(values) > 1 else ""


def summary_histories(series: list[str], *, excluding: list[str]) -> dict[str, History]:
    """The recent records of each series (one query), leaving out the keys being sent now
    (a pack re-sent to a new recipient compares with the pack before, not with itself)."""
    found: dict[str, list[SummaryRecord]] = defaultdict(list)
    if series:
        for record in (SummaryRecord.objects.filter(series__in=set(series))
                       .exclude(key__in=excluding).order_by("-created_at", "-id")):
            found[record.series].append(record)
    return {name: History(tuple(found.get(name, ()))) for name in series}


def summaries_record(records: list[tuple[str, str, dict[str, int]]], *,
                     histories: dict[str, History], now: datetime.datetime) -> None:
    """Store (series, key, counts) once per key and keep the newest ``KEPT`` per series.

    Call inside the transaction that stores the messages."""
    if not records:
        return
    SummaryRecord.objects.bulk_create(
        [SummaryRecord(series=series, key=key, counts=counts, created_at=now)
         for series, key, counts in records], ignore_conflicts=True)
    stale = [record.pk for series, _, _ in records
             for record in histories.get(series, History()).records[KEPT - 1:]]
    if stale:
        SummaryRecord.objects.filter(pk__in=stale).delete()
