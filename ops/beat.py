"""Beat exactly once: a second beat started by mistake stays on standby. The scheduler sends
nothing unless it holds a Redis lock (renewed on every loop, expiring by itself when its
holder dies, so a standby beat takes over within ``DUBAN_BEAT_LOCK_SECONDS``)."""

import logging
import os
import socket
import uuid

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

from .signals import beat_heartbeat_write, redis_client

logger = logging.getLogger(__name__)
LOCK_KEY = "duban:beat:lock"

# Renew the lock only if we still hold it (atomic).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def lock_hold(client: redis.Redis, holder: str, ttl_ms: int) -> bool:
    """Take the lock or renew it; False when another beat holds it."""
    if client.set(LOCK_KEY, holder, nx=True, px=ttl_ms):
        return True
    return bool(client.eval(_RENEW, 1, LOCK_KEY, holder, ttl_ms))


class LockedScheduler(PersistentScheduler):
    """celery beat's file scheduler, sending only while this beat holds the lock."""

    def __init__(self, *args, **kwargs):
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading: bool | None = None  # unknown until the first loop
        self._client = None
        super().__init__(*args, **kwargs)

    def _redis(self) -> redis.Redis:
        if self._client is None:
            self._client = redis_client()
        return self._client

    def tick(self, *args, **kwargs) -> float:
        ttl_ms = int(settings.DUBAN_BEAT_LOCK_SECONDS * 1000)
        wait = float(settings.DUBAN_BEAT_LOOP_SECONDS)
        try:
            leading = lock_hold(self._redis(), self.holder, ttl_ms)
            if leading:
                beat_heartbeat_write(self._redis())
        except redis.RedisError as error:
            logger.warning("beat 无法连接 Redis（%s），暂停发送", error)
            self.leading = False
            return wait
        if leading != self.leading:
            logger.info("beat %s:%s", self.holder,
                        "开始调度" if leading else "待命（另一个 beat 正在调度）")
            self.leading = leading
        if not leading:
            return wait
        return min(super().tick(*args, **kwargs), wait)
