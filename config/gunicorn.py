"""Gunicorn settings for Duban (used by the Procfile: ``gunicorn -c config/gunicorn.py``).

Sized for a 2-core server. Requests spend much of their time waiting on PostgreSQL, so
each process runs several threads (``gthread``): a slow request no longer holds a whole
process, and two processes keep both cores busy. Heavy documents (the city ledger,
bulletin and assessment PDFs) are built by Celery jobs, so no page needs more than a few
seconds; the timeout only stops a request that hangs. Every value can be overridden with
the environment variable named next to it (see README, 配置).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("DUBAN_WEB_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
# One process per core (at least 2): Python runs one thread at a time per process.
workers = _int("DUBAN_WEB_WORKERS", max(2, multiprocessing.cpu_count()))
# Threads per process: enough to overlap database waits, few enough to keep memory flat.
threads = _int("DUBAN_WEB_THREADS", 4)
# Longest legitimate request (a department ledger, a PDF read from storage) is < 2 s.
timeout = _int("DUBAN_WEB_TIMEOUT", 30)
graceful_timeout = _int("DUBAN_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("DUBAN_WEB_KEEPALIVE", 5)
# Replace a process after this many requests (with jitter) so memory cannot creep up.
max_requests = _int("DUBAN_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = _int("DUBAN_WEB_MAX_REQUESTS_JITTER", 200)
# Heartbeat files in memory, not on a possibly slow disk.
# gunicorn's documented choice for heartbeat files (not data): nosec B108
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # nosec B108
accesslog = os.environ.get("DUBAN_WEB_ACCESS_LOG", "-") or None
errorlog = "-"
# Behind a reverse proxy on the same machine: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("DUBAN_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
