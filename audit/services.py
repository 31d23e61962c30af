"""Writing the audit log: one function, used by receivers, middleware and services."""

from contextvars import ContextVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from common.net import client_ip

from .chain import GENESIS, row_hash
from .models import AuditEvent, AuditHead

# The request being served (set by ``audit.middleware``), so that a service called from a
# view records where the act came from without taking the request as an argument.
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def audit_record(kind: str, *, request: HttpRequest | None = None,
                 user: User | AnonymousUser | None = None, username: str = "",
                 target: str = "", detail: str = "") -> AuditEvent:
    """Append one row to the chain (inside the caller's transaction when there is one)."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    with transaction.atomic(savepoint=False):  # three queries, no savepoint pair
        head, _created = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"hash": GENESIS})
        event = AuditEvent(
            seq=head.seq + 1, at=timezone.now(), actor_id=actor.pk if actor else None,
            username=(actor.get_username() if actor else username)[:150], kind=kind,
            ip=client_ip(request) if request is not None else "",
            target=target[:300], detail=detail, prev_hash=head.hash)
        event.hash = row_hash(seq=event.seq, at=event.at, actor_id=event.actor_id,
                              username=event.username, kind=kind, ip=event.ip,
                              target=event.target, detail=detail, prev_hash=head.hash)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event
