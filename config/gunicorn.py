"""Gunicorn settings for Duban (used by the Procfile: ``gunicorn -c config/gunicorn.py``).

Sized for a 2-core server. Requests spend much of their time waiting on PostgreSQL, so
each process runs several threads (``gthread``): a slow request no longer holds a whole
process, and two processes keep both cores busy. Each process takes a connection only
while one of its threads is free (ops/web_worker.py), so the waiting ones queue in the
kernel for whichever process frees a thread first, not behind the busiest process.
Heavy documents (the city ledger, bulletin and assessment PDFs) are built by Celery jobs,
so no page needs more than a few seconds; the timeout only stops a request that hangs.
Every value can be overridden with the environment variable named next to it (see
README, 配置).
"""

import gc
import multiprocessing
import os
import shutil
import tempfile


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("DUBAN_WEB_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "ops.web_worker.FreeThreadWorker"  # gthread, fair under load
# One process per core and one more: Python runs one thread at a time per process, and
# while one process waits on PostgreSQL the others keep the cores busy. Two threads each
# overlap a request's database waits without a queue of requests sharing one process's
# Python (2 cores, 50 clients: 3 × 2 threads answered the home page at 38–50 req/s with
# p95 1.1–1.5 s, 2 × 4 threads at 39–44 req/s with p95 1.3–2.0 s; docs/performance.md).
workers = _int("DUBAN_WEB_WORKERS", multiprocessing.cpu_count() + 1)
threads = _int("DUBAN_WEB_THREADS", 2)
# Longest legitimate request (a department ledger, a PDF read from storage) is < 2 s.
timeout = _int("DUBAN_WEB_TIMEOUT", 30)
graceful_timeout = _int("DUBAN_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("DUBAN_WEB_KEEPALIVE", 5)
# Replace a process after this many requests (with jitter) so memory cannot creep up.
max_requests = _int("DUBAN_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = _int("DUBAN_WEB_MAX_REQUESTS_JITTER", 200)
# Django is loaded once, in the master, and the workers are forked from it: a (re)start
# loads it once instead of once per worker (seconds of CPU each on a busy machine), and a
# worker replaced after max_requests is ready at once. DUBAN_WEB_PRELOAD=0 turns it off.
preload_app = os.environ.get("DUBAN_WEB_PRELOAD", "1") != "0"
# Heartbeat files in memory, not on a possibly slow disk.
# gunicorn's documented choice for heartbeat files (not data): nosec B108
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # nosec B108
accesslog = os.environ.get("DUBAN_WEB_ACCESS_LOG", "-") or None
errorlog = "-"
# Behind a reverse proxy on the same machine: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("DUBAN_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Prometheus (django-prometheus) in multiprocess mode: each worker keeps its counts in files
# of one directory per gunicorn master, and /metrics on any worker sums them all. Set here,
# in the master, before the application (preloaded) imports prometheus_client.
# PROMETHEUS_MULTIPROC_DIR may name the directory (one per gunicorn master; emptied at
# start, not on a reload), else a fresh one is made and removed at exit.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # memory-backed, like worker_tmp_dir above: nosec B108
    _shm = "/dev/shm" if os.path.isdir("/dev/shm") else None  # nosec B108
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="duban-metrics-", dir=_shm)
    os.environ["DUBAN_METRICS_DIR_MADE"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]
elif os.environ.get("DUBAN_METRICS_DIR_READY") != os.environ["PROMETHEUS_MULTIPROC_DIR"]:
    _directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(_directory, exist_ok=True)
    for _name in os.listdir(_directory):  # an earlier run's counts would be added to ours
        if _name.endswith(".db"):
            os.remove(os.path.join(_directory, _name))
    os.environ["DUBAN_METRICS_DIR_READY"] = _directory


def child_exit(server, worker) -> None:
    """A replaced worker's live gauges leave the sum (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if os.environ.get("DUBAN_METRICS_DIR_MADE") == os.environ["PROMETHEUS_MULTIPROC_DIR"]:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def when_ready(server) -> None:
    """With the application preloaded: build what the first requests need (URL resolver,
    the login page's template, the Chinese catalogue) in the master, before the workers are
    forked, so each of them starts with it. No database connection is left open.

    Then everything loaded so far is frozen out of the garbage collector (``gc.freeze``):
    the workers' collections no longer walk the whole of Django on every full pass (a
    pause of tens of milliseconds in a request), and the pages shared with the master stay
    shared instead of being copied when the collector touches their objects."""
    if not server.cfg.preload_app:
        return
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    get_resolver().resolve("/accounts/login/")
    get_template("registration/login.html")
    trans_real.translation(settings.LANGUAGE_CODE)  # the catalogue, read once
    connections.close_all()
    gc.collect()
    gc.freeze()
