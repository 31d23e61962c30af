"""Helpers for the cycle tests: run the cycle at a moment and read what it sent."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from notifications.cycle import run_cycle
from notifications.dispatch import InProcess

SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(month: int, day: int, hour: int = 9, minute: int = 30,
           year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Sent:
    to: str
    kind: str
    subject: str
    text: str
    html: str

    @property
    def user(self) -> str:
        return self.to.split("@")[0]


def sent_from(messages) -> list[Sent]:
    return [Sent(m.to[0], m.extra_headers["X-Duban-Kind"], m.subject, m.body,
                 m.alternatives[0][0] if m.alternatives else "") for m in messages]


def cycle_at(at: datetime.datetime, **kwargs) -> list[Sent]:
    """Run the cycle at ``at`` (the clock travels there) and send in-process; returns the
    emails this run sent."""
    before = len(mail.outbox)
    with time_machine.travel(at, tick=False):
        result = run_cycle(at, dispatch=InProcess(), **kwargs)
    assert not result.failed_steps
    return sent_from(mail.outbox[before:])


def by_user(sent: list[Sent]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for message in sent:
        result.setdefault(message.user, []).append(message.kind)
    return result
