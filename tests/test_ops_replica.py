"""The read-replica router: only GET requests to the heavy read pages read from the replica,
and only when one is configured; writes always go to the primary."""

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import RequestFactory

from ops.replica import ReplicaReadsMiddleware, ReplicaRouter, replica_reads

router = ReplicaRouter()


@pytest.fixture
def replica():
    connections.settings["replica"] = {**connections.settings["default"]}
    try:
        yield
    finally:
        del connections.settings["replica"]


def _reads_during(method: str, path: str) -> str:
    seen = []
    middleware = ReplicaReadsMiddleware(lambda request: seen.append(
        router.db_for_read(User) or "default"))
    middleware(getattr(RequestFactory(), method)(path))
    return seen[0]


def test_heavy_read_pages_read_from_the_replica(replica):
    assert _reads_during("get", "/overview/") == "replica"
    assert _reads_during("get", "/bulletins/3/") == "replica"
    assert _reads_during("get", "/ledger.xlsx") == "replica"


def test_other_pages_and_writes_use_the_primary(replica):
    assert _reads_during("get", "/tasks/1/") == "default"
    assert _reads_during("post", "/overview/") == "default"
    with replica_reads():
        assert router.db_for_write(User) == "default"
    assert router.allow_migrate("replica", "tasks_app") is False


def test_without_a_replica_everything_reads_from_the_primary():
    assert _reads_during("get", "/overview/") == "default"
    with replica_reads():
        assert router.db_for_read(User) is None
