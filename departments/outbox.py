"""What the people services need from the notifications outbox: invitations to send, and a
leaver's pending messages (handed to the successor, or dropped).

departments sits below notifications (docs/design.md, "Layers"), so it does not import it:
it names what it needs here, and notifications plugs in its implementation
(``notifications.people``) when the apps are ready.
"""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Invitation:
    """A one-time link to set a password, by email and (when ``mobile``) by SMS."""

    user: User
    key: str
    url: str
    context: dict = field(default_factory=dict)
    mobile: str = ""


class PeopleOutbox(Protocol):
    def invitations_store(self, invitations: list[Invitation], *,
                          now: datetime.datetime) -> None:
        """Write the invitations into the outbox; they are sent after commit."""

    def pending_hand_over(self, old: User, new: User) -> int:
        """The old holder's pending messages about the duty go to ``new``; how many."""

    def pending_drop(self, users: list[User], reason: str) -> None:
        """Pending messages to ``users`` are not sent (marked failed with ``reason``)."""


_outbox: PeopleOutbox | None = None


def outbox_plug(outbox: PeopleOutbox) -> None:
    global _outbox
    _outbox = outbox


def outbox() -> PeopleOutbox:
    if _outbox is None:
        raise ImproperlyConfigured("notifications is not installed: people need its outbox")
    return _outbox
