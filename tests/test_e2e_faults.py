"""Faults mid-batch, time-scaled: Redis (with its append-only file, as run.sh starts it), the
SMTP server, a worker and PostgreSQL are killed while batches of messages go out, each
several times. The worker and beat run under scripts/supervise.py, as under run.sh, so a
killed worker comes back by itself. Afterwards: every message sent, none lost, none left
failed; a message received twice only from the documented crash window (sent, then the
sender died before recording it), and both copies carry the same Message-ID.

Time scale: cycle every 30 s, resweep every 1 s, lease 20 s, retries 0.5–2 s.
"""

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError, connection

from notifications.choices import DeliveryState, Kind
from notifications.models import Notification

from .e2e_services import Mailbox, Process, celery_env, free_port, redis_start, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROUNDS, BATCH, CONCURRENCY = 3, 150, 2
PG_RESTART = os.environ.get("DUBAN_TEST_PG_RESTART", "")


def _batch(round_number: int, user: User) -> None:
    Notification.objects.bulk_create(
        Notification(kind=Kind.DIGEST, dedupe_key=f"fault:{round_number}:{i}", recipient=user,
                     address=f"r{round_number}.{i}@duban.example",
                     subject=f"【督办摘要】第{round_number}批 {i}", body_text="正文")
        for i in range(BATCH))


def _counts() -> Counter:
    while True:
        try:
            return Counter(Notification.objects.values_list("state", flat=True))
        except OperationalError:  # PostgreSQL restarting under us
            connection.close()
            time.sleep(0.5)


def _worker_pid(supervisor: Process) -> int:
    lines = [line for line in supervisor.output().splitlines()
             if "worker" in line and "| started with pid" in line]
    return int(lines[-1].rsplit(" ", 1)[1])


def _restart_postgres() -> None:
    subprocess.run(shlex.split(PG_RESTART), check=True, capture_output=True, timeout=60)
    connection.close()


def test_nothing_is_lost_or_left_failed_when_everything_fails_mid_batch(tmp_path):
    redis_port, smtp_port = free_port(), free_port()
    (tmp_path / "redis").mkdir()
    redis_process, broker = redis_start(tmp_path, port=redis_port, persist=tmp_path / "redis")
    env = celery_env(broker, smtp_port, DUBAN_CYCLE_INTERVAL_SECONDS="30",
                     DUBAN_NOTIFY_RESWEEP_SECONDS="1", DUBAN_NOTIFY_LEASE_SECONDS="20",
                     DUBAN_NOTIFY_RETRY_BASE_SECONDS="0.5", DUBAN_NOTIFY_RETRY_MAX_SECONDS="2",
                     DUBAN_BEAT_LOOP_SECONDS="1", EMAIL_TIMEOUT="3")
    celery = f"{sys.executable} -m celery -A config"
    (tmp_path / "Procfile").write_text(
        f"worker: {celery} worker --concurrency {CONCURRENCY} --loglevel INFO "
        f"--without-mingle --without-gossip -n faults@%h\n"
        f"beat: {celery} beat --loglevel INFO --schedule {tmp_path / 'beat-schedule'}\n")
    supervisor = Process("supervise", [sys.executable, "scripts/supervise.py", "-f",
                                       str(tmp_path / "Procfile")], tmp_path, env=env)
    mailbox = Mailbox(smtp_port, delay=0.1).start()
    user = User.objects.create(username="faults", email="faults@duban.example")
    faults = Counter()
    try:
        wait_for(lambda: " ready." in supervisor.output(), 90, "Celery worker 就绪")
        for round_number in range(ROUNDS):
            _batch(round_number, user)
            wait_for(lambda n=round_number: _counts()[DeliveryState.SENT] > n * BATCH + 10, 60,
                     f"第 {round_number} 批开始发送\n{supervisor.output()[-3000:]}")

            redis_process.stop()  # SIGTERM: the append-only file is kept
            faults["redis"] += 1
            time.sleep(2)
            redis_process, _ = redis_start(tmp_path, port=redis_port,
                                           persist=tmp_path / "redis")
            time.sleep(2)

            mailbox.stop()
            faults["smtp"] += 1
            time.sleep(3)
            mailbox.start()
            time.sleep(1)

            worker = _worker_pid(supervisor)
            os.killpg(worker, signal.SIGKILL)
            faults["worker"] += 1
            wait_for(lambda w=worker: _worker_pid(supervisor) != w, 15,
                     "supervisor 重启 worker")
            time.sleep(2)

            if PG_RESTART:
                _restart_postgres()
                faults["postgres"] += 1
                print(f"PostgreSQL restarted ({round_number})")
                time.sleep(1)

            assert _counts()[DeliveryState.SENT] < (round_number + 1) * BATCH, \
                "the faults came after the batch: not mid-batch"

        total = ROUNDS * BATCH
        wait_for(lambda: _counts()[DeliveryState.SENT] == total, 240,
                 f"全部发送:{_counts()}\n{supervisor.output()[-4000:]}")
        time.sleep(5)  # a few more cycles and resweeps: nothing may arrive again
    finally:
        supervisor.stop()
        mailbox.stop()
        redis_process.stop()
        artifacts = settings.BASE_DIR / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        shutil.copy(supervisor.log, artifacts / "faults-supervise.log")

    assert faults["redis"] == faults["smtp"] == faults["worker"] == ROUNDS
    assert _counts() == Counter({DeliveryState.SENT: ROUNDS * BATCH})  # none failed or pending
    received = mailbox.received()
    by_id = defaultdict(list)
    for message in received:
        by_id[message["Message-ID"]].append(message)
    ids = {n.pk: n for n in Notification.objects.all()}
    # Not lost: every notification arrived, under exactly one Message-ID of its own.
    arrived = {int(copies[0]["X-Duban-Notification"]) for copies in by_id.values()}
    assert arrived == set(ids)
    for message_id, copies in by_id.items():
        assert {c["X-Duban-Notification"] for c in copies} == {copies[0]["X-Duban-Notification"]}
        assert message_id.startswith(f"<duban.{copies[0]['X-Duban-Notification']}.")
    # Duplicates only from the crash window: at most one per message in flight per crash.
    duplicates = len(received) - len(by_id)
    crashes = sum(faults.values())
    print(f"faults {dict(faults)}; {len(received)} received, {len(by_id)} distinct, "
          f"{duplicates} duplicates")
    assert duplicates <= CONCURRENCY * crashes
