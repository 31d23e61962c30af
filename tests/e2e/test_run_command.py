"""The README's run command on a clean clone starts web, worker, beat and Redis; a second
start with nothing changed serves the login page within 15 s; a dead worker comes back;
a change (here a new demo password asked for) is prepared again."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, seconds: float, process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _start(clone: Path, env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(["./scripts/run.sh"], cwd=clone, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _pid_of(name: str, output: str) -> int:
    """The last pid the supervisor printed for ``name``."""
    pids = re.findall(rf"{name}\s*\| started with pid (\d+)", output)
    assert pids, output
    return int(pids[-1])


def _ready(output: str, node: str) -> int:
    """How many times the Celery worker named ``node@…`` said it was ready."""
    return len(re.findall(rf"{node}@\S+ ready\.", output))


def test_run_command_on_a_clean_clone(tmp_path):
    clone = tmp_path / "duban"
    subprocess.run(["git", "clone", "-q", str(settings.BASE_DIR), str(clone)], check=True)
    port, redis_port = _free_port(), _free_port()
    log = tmp_path / "run.log"
    env = {**os.environ, "PORT": str(port), "DUBAN_VENV": str(Path(sys.prefix)),
           "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
           "DUBAN_DEMO_PASSWORD": "clean-clone-pw", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)  # the default: SQLite inside the clone
    login = f"http://127.0.0.1:{port}/admin/login/"
    process = _start(clone, env, log)
    try:
        assert _wait_for(lambda: _answers(login), 300, process), log.read_text()
        assert _wait_for(lambda: "beat: Starting" in log.read_text()
                         and _ready(log.read_text(), "celery") == 1
                         and _ready(log.read_text(), "documents") == 1, 60, process), \
            log.read_text()
        output = log.read_text()
        # Exports and PDFs have their own worker, at a lower priority than the web.
        assert re.search(r"\.> documents\s+exchange=documents", output), output
        assert "leadoffice\tlead_office\t经开办(自贸办)" in output
        assert "gxj.liaison\tliaison\t区工信局" in output
        assert "plan: 哈经开委发〔2023〕1号" in output
        assert (clone / "db.sqlite3").exists()
        assert (clone / "var" / "redis" / "appendonly.aof").exists() or \
            (clone / "var" / "redis" / "appendonlydir").is_dir()
    finally:
        _stop(process)

    # A second start with nothing changed: no collectstatic, the same demo password.
    env.pop("DUBAN_DEMO_PASSWORD")
    log = tmp_path / "run-again.log"
    began = time.monotonic()
    process = _start(clone, env, log)
    try:
        # The budget: 15 s. Only when the machine is extremely overloaded (more than
        # four runnable processes per core over the last minute) 10 s more are allowed.
        extreme = os.getloadavg()[0] / (os.cpu_count() or 1) > 4
        budget = 25 if extreme else 15
        assert _wait_for(lambda: _answers(login), budget, process), log.read_text()
        took = time.monotonic() - began
        print(f"second start served the login page in {took:.1f} s (budget {budget} s, "
              f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        assert took <= budget
        output = log.read_text()
        assert "演示账号密码：clean-clone-pw" in output
        assert "静态文件已重新生成" not in output
        assert "自上次启动以来没有变化" in output  # prepare_run skipped: ops/start_check.py

        # A worker that dies is started again by the supervisor within seconds.
        assert _wait_for(lambda: _ready(log.read_text(), "celery") == 1, 60, process), \
            log.read_text()
        worker = _pid_of("worker", log.read_text())
        os.killpg(worker, signal.SIGKILL)
        assert _wait_for(lambda: _pid_of("worker", log.read_text()) != worker, 10, process), \
            log.read_text()
        assert _wait_for(lambda: _ready(log.read_text(), "celery") >= 2, 60, process), \
            log.read_text()
    finally:
        _stop(process)

    # Something changed (a new demo password asked for): prepared again, not skipped.
    env["DUBAN_DEMO_PASSWORD"] = "changed-pw"
    log = tmp_path / "run-changed.log"
    process = _start(clone, env, log)
    try:
        assert _wait_for(lambda: _answers(login), 120, process), log.read_text()
        output = log.read_text()
        assert "演示账号密码：changed-pw" in output
        assert "自上次启动以来没有变化" not in output
    finally:
        _stop(process)
