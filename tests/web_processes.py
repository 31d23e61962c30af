"""Real web processes for end-to-end tests: gunicorn with the production configuration
(config/gunicorn.py, as the Procfile runs it) against the test database."""

import os
import sys
import urllib.request
from pathlib import Path

from .e2e_services import Process, database_url, free_port, wait_for


def web_env(**extra: str) -> dict:
    """The production settings over plain http on 127.0.0.1, on the test database."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "EMAIL_", "DUBAN_", "CELERY_", "PROMETHEUS_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0", "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DUBAN_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
        "DUBAN_CACHE_URL": "locmem", "DUBAN_WEB_ACCESS_LOG": "", "PYTHONUNBUFFERED": "1",
        **extra,
    }


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def gunicorn_start(name: str, log_dir: Path, env: dict, *, workers: int = 1,
                   worker_class: str = "", clock: str = "") -> tuple[Process, str]:
    """``gunicorn config.wsgi -c config/gunicorn.py`` (the Procfile's line) on a free port,
    with the clock starting at ``clock`` when given (tests/clock.py) and another worker class
    when given; returns the process and its base URL once /healthz answers."""
    port = free_port()
    start = [sys.executable, "-m", "tests.clock", clock, "gunicorn"] if clock else \
        [f"{sys.prefix}/bin/gunicorn"]
    chosen = ["--worker-class", worker_class] if worker_class else []
    process = Process(name, [*start, "config.wsgi", "-c", "config/gunicorn.py", *chosen],
                      log_dir, env=env | {"DUBAN_WEB_BIND": f"127.0.0.1:{port}",
                                          "DUBAN_WEB_WORKERS": str(workers)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{base}/healthz") or process.popen.poll() is not None,
                 120, f"{name} 启动")
        assert process.popen.poll() is None, process.output()
        wait_for(lambda: len(worker_pids(process)) == workers, 60, f"{name} 的 {workers} 个进程")
    except BaseException:
        process.stop()
        raise
    return process, base


def worker_pids(process: Process) -> list[int]:
    """The gunicorn master's worker processes (its children)."""
    master = process.popen.pid
    children: list[int] = []
    for task in Path(f"/proc/{master}/task").glob("*"):
        try:
            children += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(children)


def peak_rss_mb(pid: int) -> float:
    """The process's resident memory high-water mark (VmHWM, what getrusage's ru_maxrss
    reports for it), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for {pid}")
