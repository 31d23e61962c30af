"""Real services for end-to-end tests: redis-server, Celery worker and beat as subprocesses,
an SMTP server (aiosmtpd) and an HTTP server on 127.0.0.1. Every process is stopped by its
own handle."""

import asyncio
import email
import os
import socket
import subprocess
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"等待超时({timeout:.0f} 秒):{what}")


def database_url() -> str:
    """The test database as a DATABASE_URL the subprocesses can use."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Process:
    """A subprocess writing to a log file; stopped with terminate, then kill."""

    def __init__(self, name: str, command: list[str], log_dir: Path, env: dict | None = None):
        self.name, self.log = name, log_dir / f"{name}.log"
        self._file = self.log.open("wb")
        self.popen = subprocess.Popen(command, stdout=self._file, stderr=subprocess.STDOUT,
                                      cwd=settings.BASE_DIR, env=env)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._file.close()


def redis_start(log_dir: Path, port: int | None = None,
                persist: Path | None = None) -> tuple[Process, str]:
    """A redis-server on a free port (or ``port``); with ``persist`` an append-only file in
    that directory, as run.sh starts it, so a restarted server has its queues back."""
    port = port or free_port()
    storage = (["--dir", str(persist), "--appendonly", "yes", "--appendfsync", "always"]
               if persist else ["--appendonly", "no"])
    process = Process(f"redis-{port}", [REDIS_SERVER, "--port", str(port), "--bind",
                                        "127.0.0.1", "--save", "", *storage],
                      log_dir)
    client = redis.Redis(host="127.0.0.1", port=port)

    def answers() -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    wait_for(answers, 15, "redis-server 启动")
    return process, f"redis://127.0.0.1:{port}/0"


def celery_start(name: str, arguments: list[str], log_dir: Path, env: dict,
                 clock: str) -> Process:
    """``celery -A config <arguments>`` with the clock starting at ``clock``."""
    command = [sys.executable, "-m", "tests.clock", clock, "celery", "-A", "config", *arguments]
    return Process(name, command, log_dir, env=env)


def celery_env(broker: str, smtp_port: int, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "EMAIL_", "DUBAN_", "CELERY_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker, "DUBAN_SITE_URL": "http://duban.test",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_TIMEOUT": "5",
        "DUBAN_CYCLE_INTERVAL_SECONDS": "1", "DUBAN_NOTIFY_RETRY_BASE_SECONDS": "1",
        "DUBAN_NOTIFY_RETRY_MAX_SECONDS": "2", "DUBAN_NOTIFY_HORIZON_SECONDS": "86400",
        "DUBAN_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", **extra,
    }


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps every message it receives (also across a stop
    and a start again); ``delay`` seconds before accepting each message."""

    def __init__(self, port: int, delay: float = 0.0):
        self.port, self.messages, self.delay = port, [], delay
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=policy.default))
        return "250 OK"

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def start(self) -> "Mailbox":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
