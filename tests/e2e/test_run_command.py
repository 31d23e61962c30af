"""The README's run command on a clean clone starts web, worker, beat and Redis."""

import os
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


def test_run_command_on_a_clean_clone(tmp_path):
    clone = tmp_path / "duban"
    subprocess.run(["git", "clone", "-q", str(settings.BASE_DIR), str(clone)], check=True)
    port, redis_port = _free_port(), _free_port()
    log = tmp_path / "run.log"
    env = {**os.environ, "PORT": str(port), "DUBAN_VENV": str(Path(sys.prefix)),
           "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
           "DUBAN_DEMO_PASSWORD": "clean-clone-pw", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)  # the default: SQLite inside the clone
    with log.open("w") as out:
        process = subprocess.Popen(["./scripts/run.sh"], cwd=clone, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/admin/login/"), 120,
                         process), \
            log.read_text()
        assert _wait_for(lambda: "beat: Starting" in log.read_text()
                         and " ready." in log.read_text(), 60, process), log.read_text()
        output = log.read_text()
        assert "leadoffice\tlead_office\t经开办(自贸办)" in output
        assert "gxj.liaison\tliaison\t区工信局" in output
        assert "plan: 哈经开委发〔2023〕1号" in output
        assert (clone / "db.sqlite3").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
