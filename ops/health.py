"""Readiness checks: each answers (ok, detail) and never raises."""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.utils import timezone

from notifications.choices import DeliveryState
from notifications.models import Notification

from .signals import BEAT_HEARTBEAT_KEY, beat_stale_after, read_timestamp, redis_client


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def database() -> Check:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check(True, connections[DEFAULT_DB_ALIAS].vendor)


_migrated = False  # once all of this code's migrations are applied, they stay applied


def migrations() -> Check:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return Check(False, f"{len(pending)} 个迁移未执行")
        _migrated = True
    return Check(True, "已全部执行")


def redis_ping() -> Check:
    redis_client().ping()
    return Check(True, "PONG")


def beat() -> Check:
    """Beat writes a heartbeat that expires after two of its loops: present means alive."""
    beaten = read_timestamp(redis_client(), BEAT_HEARTBEAT_KEY)
    if beaten is None:
        return Check(False, f"{beat_stale_after():.0f} 秒内没有 beat 心跳")
    return Check(True, f"心跳 {max(time.time() - beaten, 0):.1f} 秒前")


def outbox() -> Check:
    """Stuck: a message due for longer than the limit that no sender has taken (workers
    gone or the queue lost), or one claimed by a sender whose lease ran out long ago."""
    limit = datetime.timedelta(seconds=settings.DUBAN_READY_OUTBOX_STUCK_SECONDS)
    before = timezone.now() - limit
    stuck = Notification.objects.filter(
        Q(state=DeliveryState.PENDING, next_attempt_at__lt=before)
        | Q(state=DeliveryState.PENDING, next_attempt_at__isnull=True, created_at__lt=before)
        | Q(state=DeliveryState.SENDING, next_attempt_at__lt=before)
    ).count()
    if stuck:
        return Check(False, f"{stuck} 条消息超过 {limit.total_seconds():.0f} 秒无人发送")
    return Check(True, "正常")


CHECKS: dict[str, Callable[[], Check]] = {
    "database": database, "migrations": migrations, "redis": redis_ping, "beat": beat,
    "outbox": outbox,
}


def readiness() -> dict[str, Check]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # a failed check is the answer, not an error page
            results[name] = Check(False, f"{type(error).__name__}: {error}"[:300])
    return results
