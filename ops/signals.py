"""Heartbeats in Redis: the beat process's own (it proves beat is alive and holds the lock)
and the cycle's last run. Redis keeps them, so every web process reads the same values."""

import contextlib
import time

import redis
from django.conf import settings

BEAT_HEARTBEAT_KEY = "duban:beat:heartbeat"
CYCLE_LAST_RUN_KEY = "duban:cycle:last_run"


def redis_client() -> redis.Redis:
    """The Redis the broker uses (``DUBAN_REDIS_URL`` when set), failing fast when it is down."""
    return redis.Redis.from_url(settings.DUBAN_REDIS_URL, socket_timeout=2,
                                socket_connect_timeout=2)


def beat_stale_after() -> float:
    """Beat is gone when its heartbeat is older than two of its loops (plus a margin)."""
    return 2 * settings.DUBAN_BEAT_LOOP_SECONDS + 5


def beat_heartbeat_write(client: redis.Redis) -> None:
    """Called by beat on every loop; the key expires by itself when beat stops."""
    client.set(BEAT_HEARTBEAT_KEY, repr(time.time()), px=int(beat_stale_after() * 1000))


def cycle_run_record(client: redis.Redis, at: float) -> None:
    client.set(CYCLE_LAST_RUN_KEY, repr(at))


def read_timestamp(client: redis.Redis, key: str) -> float | None:
    value = client.get(key)
    return float(value) if value is not None else None


def cycle_ran() -> None:
    """Record the cycle's run for the metrics; Redis being down must not fail the cycle."""
    with contextlib.suppress(redis.RedisError):
        cycle_run_record(redis_client(), time.time())
