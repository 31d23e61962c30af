"""The benchmark's parts that run outside the measuring process: heavy exports as jobs in a
fresh process (time and peak memory, like a Celery worker), and a concurrency run — the
shipped gunicorn configuration (config/gunicorn.py) on loopback, loaded by ``hey`` with
10 and 50 clients — reporting requests per second and p95.

Both need a database another process can open: PostgreSQL, or a SQLite file.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from tasks_app.models import ExportJob
from tasks_app.services.exports import ledger_params

ROOT = Path(settings.BASE_DIR)
# Peak memory from VmHWM: getrusage's ru_maxrss survives exec, so a child started by the
# (large) benchmark process would report the parent's size.
_JOB = ("import django, json, re, time; django.setup();"
        "from tasks_app.services.exports import export_run;"
        "t = time.perf_counter(); job = export_run({job}); s = time.perf_counter() - t;"
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read());"
        "print(json.dumps({{'seconds': round(s, 2), 'state': job.state,"
        " 'max_rss_mb': round(int(hwm.group(1)) / 1024) if hwm else None}}))")


def database_url() -> str | None:
    """The benchmark database as a URL another process can use, or None (in-memory)."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(conf["NAME"])
        return None if "memory" in name else f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        auth = quote(conf["USER"] or "")
        if conf["PASSWORD"]:
            auth += ":" + quote(conf["PASSWORD"])
        host = conf["HOST"] or "localhost"
        port = f":{conf['PORT']}" if conf["PORT"] else ""
        return f"postgres://{auth}@{host}{port}/{conf['NAME']}"
    return None


def _environment(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0", "DUBAN_WEB_ACCESS_LOG": "",
            "DUBAN_2FA_ROLES": "", "DUBAN_2FA_DEPARTMENTS": "false",
            "DUBAN_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def _start_job(owner: User, params: dict, url: str) -> subprocess.Popen:
    job = ExportJob.objects.create(owner=owner, kind=ExportJob.Kind.LEDGER,
                                   params=ledger_params(params))
    # At the priority of the Procfile's ``documents`` worker, which builds them in production.
    return subprocess.Popen(["scripts/low_priority.sh", sys.executable, "-c",
                             _JOB.format(job=job.pk)],
                            cwd=ROOT, env=_environment(url), stdout=subprocess.PIPE, text=True,
                            start_new_session=True)


def measure_export_jobs(lead: User, plan_id: int) -> dict:
    """A plan's and the whole city's ledger, each built by a job in a fresh process."""
    url = database_url()
    if url is None:
        return {"skipped": "in-memory database"}
    results = {}
    for name, params in (("ledger_job_plan", {"plan": plan_id}), ("ledger_job_city", {})):
        process = _start_job(lead, params, url)
        out, _err = process.communicate(timeout=600)
        results[name] = json.loads(out.strip().splitlines()[-1])
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def busy_cpu_seconds(stat: str | None = None) -> float | None:
    """CPU time the machine has spent busy so far, all cores together (user, nice, system,
    irq and softirq of /proc/stat's first line); None where there is no /proc/stat."""
    if stat is None:
        try:
            with open("/proc/stat", encoding="ascii") as file:
                stat = file.readline()
        except OSError:
            return None
    fields = [int(n) for n in stat.split()[1:8]]
    if len(fields) < 7:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(busy_seconds: float | None, responses: int) -> dict:
    """The machine's CPU per answered request during a load run (gunicorn, PostgreSQL and
    hey together) and the rate that would fill every core at that cost: what a request
    costs, apart from whether the run kept the cores busy. On this virtual machine it
    varied by ±15 % between runs where req/s varied by 2×."""
    if busy_seconds is None or not responses:
        return {}
    cpu_ms = busy_seconds * 1000 / responses
    return {"cpu_ms_per_request": round(cpu_ms, 1),
            "cores_full_req_per_s": round((os.cpu_count() or 1) * 1000 / cpu_ms, 1)}


def _hey(url: str, headers: dict, clients: int, seconds: int) -> dict:
    command = ["hey", "-z", f"{seconds}s", "-c", str(clients)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    busy_before = busy_cpu_seconds()
    out = subprocess.run([*command, url], capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    busy_after = busy_cpu_seconds()
    busy = None if busy_before is None or busy_after is None else busy_after - busy_before
    codes = {code: int(n) for code, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", out)}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%+ in ([\d.]+) secs", out)
    p95 = re.search(r"95%+ in ([\d.]+) secs", out)
    return {"clients": clients, "req_per_s": float(rate.group(1)) if rate else 0.0,
            "p50_ms": round(float(p50.group(1)) * 1000, 1) if p50 else None,
            "p95_ms": round(float(p95.group(1)) * 1000, 1) if p95 else None,
            "status": codes, **cpu_per_request(busy, sum(codes.values()))}


def measure_concurrency(*, liaison: User, manager: User, lead: User, plan_id: int,
                        seconds: int) -> dict:
    """Requests per second and p95 of the main pages under 10 and 50 clients, and of the
    home page under 50 clients while two city ledgers are built by jobs."""
    url = database_url()
    if url is None or shutil.which("hey") is None:
        return {"skipped": "needs hey and a database file or server"}
    first_page = RequestFactory().get("/")
    get_token(first_page)  # the CSRF cookie a browser keeps from its first page
    cookies = {}
    for user in (liaison, manager):
        client = Client()
        client.force_login(user)
        cookies[user.pk] = (f"{settings.SESSION_COOKIE_NAME}="
                            f"{client.cookies[settings.SESSION_COOKIE_NAME].value}; "
                            f"{settings.CSRF_COOKIE_NAME}={first_page.META['CSRF_COOKIE']}")
    token, _created = Token.objects.get_or_create(user=lead)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "-c",
         "config/gunicorn.py"], cwd=ROOT, env={**_environment(url), "PORT": str(port)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)  # as scripts/supervise.py starts it
    base = f"http://127.0.0.1:{port}"
    targets = {
        "department_home": ("/", {"Cookie": cookies[liaison.pk]}),
        "task_list_api_page_50": ("/api/v1/tasks/?page_size=50",
                                  {"Authorization": f"Token {token.key}"}),
        "plan_overview": ("/overview/", {"Cookie": cookies[manager.pk]}),
    }
    results: dict = {"seconds_per_run": seconds}
    try:
        _wait_for(port, 30)
        for name, (path, headers) in targets.items():
            _hey(base + path, headers, 2, 1)  # warm-up: imports, connections
            results[name] = [_hey(base + path, headers, clients, seconds)
                             for clients in (10, 50)]
        jobs = [_start_job(lead, {}, url) for _ in range(2)]
        path, headers = targets["department_home"]
        results["department_home_during_2_city_ledger_jobs"] = _hey(
            base + path, headers, 50, seconds)
        results["city_ledger_jobs_meanwhile"] = [
            json.loads(job.communicate(timeout=600)[0].strip().splitlines()[-1])
            for job in jobs]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results
