"""/readyz against a real redis-server and celery beat: red when beat stops or Redis goes
down, green again when they return; a second beat started by mistake stays on standby."""

import datetime
import time

import pytest
from django.test import override_settings

from ops.beat import LOCK_KEY
from ops.signals import redis_client

from .e2e_services import celery_env, celery_start, free_port, redis_start, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _status(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]


def _beat(name: str, logs, env):
    now = datetime.datetime.now(datetime.UTC).isoformat()
    return celery_start(name, ["beat", "--loglevel", "INFO", "--schedule",
                               str(logs / f"{name}-schedule")], logs, env, now)


def test_readyz_follows_beat_and_redis(client, tmp_path):
    port = free_port()
    redis_process, broker = redis_start(tmp_path, port=port)
    env = celery_env(broker, free_port(), DUBAN_BEAT_LOOP_SECONDS="1",
                     DUBAN_BEAT_LOCK_SECONDS="4", DUBAN_CYCLE_INTERVAL_SECONDS="3600")
    started = [redis_process]
    try:
        with override_settings(DUBAN_REDIS_URL=broker, DUBAN_BEAT_LOOP_SECONDS=1):
            code, checks = _status(client)
            assert code == 503 and checks["redis"]["ok"] and not checks["beat"]["ok"]

            beat = _beat("beat", tmp_path, env)
            started.append(beat)
            wait_for(lambda: _status(client)[0] == 200, 60, "beat 启动后 /readyz 变绿")

            # A second beat by mistake: it waits on standby, the lock stays with the first.
            second = _beat("beat-2", tmp_path, env)
            started.append(second)
            wait_for(lambda: "待命" in second.output(), 60, "第二个 beat 待命")
            holder = redis_client().get(LOCK_KEY).decode()
            assert f":{beat.popen.pid}:" in holder

            # Beat stops: red within two of its loops; the standby takes over: green again.
            beat.stop()
            wait_for(lambda: "开始调度" in second.output(), 30, "第二个 beat 接替")
            wait_for(lambda: _status(client)[0] == 200, 30, "接替后 /readyz 变绿")
            second.stop()
            began = time.monotonic()
            wait_for(lambda: _status(client)[0] == 503, 30, "beat 停止后 /readyz 变红")
            assert time.monotonic() - began < 15
            assert not _status(client)[1]["beat"]["ok"]
            beat = _beat("beat-3", tmp_path, env)
            started.append(beat)
            wait_for(lambda: _status(client)[0] == 200, 60, "beat 恢复后 /readyz 变绿")

            # Redis goes down: red, naming Redis; back on the same port: green again.
            redis_process.stop()
            code, checks = _status(client)
            assert code == 503 and not checks["redis"]["ok"]
            redis_process, _ = redis_start(tmp_path, port=port)
            started.append(redis_process)
            wait_for(lambda: _status(client)[0] == 200, 60,
                     f"Redis 恢复后 /readyz 变绿\n{beat.output()[-2000:]}")
    finally:
        for process in reversed(started):
            process.stop()
