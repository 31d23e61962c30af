"""An optional PostgreSQL read replica for the heavy read pages. Only GET/HEAD requests to
``DUBAN_REPLICA_PATHS`` read from it (they show reports and statistics where a second of
replication lag does not matter); writes, and every other page, use the primary, so a user
always sees what they have just saved."""

import contextlib
import re
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

_replica_reads: ContextVar[bool] = ContextVar("duban_replica_reads", default=False)
REPLICA = "replica"


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads():
    """Within this block, reads go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = [re.compile(pattern) for pattern in settings.DUBAN_REPLICA_PATHS]

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and replica_configured() \
                and any(p.search(request.path_info) for p in self.paths):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
