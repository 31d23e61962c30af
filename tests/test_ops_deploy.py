"""The image and compose file cannot be built here (no Docker engine): check that they are
consistent with the scripts they use, and that the compose file parses."""

import os
import re
import subprocess
import time
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_every_file_the_dockerfile_copies_or_runs_exists():
    text = (ROOT / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+)$", text, re.M):
        *sources, _target = line.split()
        for source in sources:
            assert source == "." or (ROOT / source).exists(), source
    for mode in re.findall(r"duban_setup (\S+)'", text):
        assert re.search(rf"^\s*{re.escape(mode)}\)", (ROOT / "scripts/setup.sh").read_text(),
                         re.M), mode
    assert "USER duban" in text and "useradd" in text  # not root
    assert re.search(r"ARG PYTHON_IMAGE=python:\d+\.\d+\.\d+-slim-bookworm", text)  # pinned
    entrypoint = ROOT / "scripts/container.sh"
    assert '"/app/scripts/container.sh"' in text and entrypoint.stat().st_mode & 0o111


def test_the_image_installs_the_weasyprint_libraries_and_fonts_through_setup_sh():
    done = subprocess.run(["bash", "-c", "source scripts/setup.sh; declare -f duban_setup"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    image_system = re.search(r"image-system\)(.*?);;", done.stdout, re.S).group(1)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-cjk",
                    "postgresql-client"):
        assert package in image_system


def test_the_containers_run_the_procfile_commands_on_all_interfaces():
    for role in ("web", "worker", "documents", "beat"):
        done = subprocess.run(["scripts/container.sh", "--print", role], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        procfile = re.search(rf"^{role}: (.*)$", (ROOT / "Procfile").read_text(), re.M)
        assert done.stdout.strip().endswith(procfile.group(1))
    web = subprocess.run(["scripts/container.sh", "--print", "web"], cwd=ROOT, text=True,
                         capture_output=True, env={**os.environ, "PORT": "8000"}).stdout
    assert web.startswith("DUBAN_WEB_BIND=0.0.0.0:8000 ")
    assert 'os.environ.get("DUBAN_WEB_BIND")' in (ROOT / "config/gunicorn.py").read_text()


def test_compose_runs_every_part_supervised_with_persistent_redis():
    compose = _compose()
    services = compose["services"]
    assert {"web", "worker", "documents", "beat", "postgres", "redis", "caddy",
            "migrate"} <= set(services)
    for name in ("web", "worker", "documents", "beat", "postgres", "redis", "caddy"):
        assert services[name]["restart"] == "unless-stopped", name
    assert "--appendonly" in services["redis"]["command"]
    assert "redisdata" in compose["volumes"] and "pgdata" in compose["volumes"]
    for name in ("web", "worker", "documents", "beat"):
        assert services[name]["command"] == [name]
        assert services[name]["image"] == "duban:latest"
        assert services[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"


def test_compose_configures_through_environment_variables_only():
    environment = _compose()["services"]["web"]["environment"]
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert environment["DUBAN_CACHE_URL"].startswith("redis://redis:6379/")
    for key in environment:  # every variable is one the settings read
        assert key in (ROOT / "config/settings.py").read_text(), key


def test_caddy_proxies_to_the_web_service_with_tls():
    caddyfile = (ROOT / "deploy/Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "{$DUBAN_DOMAIN" in caddyfile
    caddy = _compose()["services"]["caddy"]
    assert "443:443" in caddy["ports"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]


def test_the_image_is_set_up_by_the_same_steps_as_run_sh():
    """The Dockerfile's virtualenv and static files come from the functions run.sh uses."""
    done = subprocess.run(["bash", "-c", "source scripts/setup.sh; declare -f duban_setup"],
                          cwd=ROOT, capture_output=True, text=True, check=True)

    def step(mode: str) -> str:
        return re.search(rf"{mode}\)(.*?);;", done.stdout, re.S).group(1).replace(";", " ")

    assert "duban_venv requirements.txt" in step("runtime")
    assert "duban_venv requirements.txt" in step("image-venv")
    runtime_packages = set(step("runtime").split())
    assert set(step("image-system").split()) - runtime_packages <= {"duban_apt"}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "manage.py static_ensure" in dockerfile  # run.sh: prepare_run → static_ensure
    prepare = (ROOT / "ops/management/commands/prepare_run.py").read_text()
    assert "static_ensure()" in prepare
    assert "manage.py prepare_run" in (ROOT / "scripts/run.sh").read_text()
    # Every pinned requirement is used: honcho was replaced by scripts/supervise.py.
    assert "honcho" not in (ROOT / "requirements.txt").read_text().lower()


def test_the_master_warms_up_and_freezes_what_it_loaded_before_forking(monkeypatch, tmp_path):
    """gunicorn's when_ready: the workers start with the resolver, the login template and
    the catalogue, and the garbage collector leaves the master's objects alone."""
    import gc
    import importlib.util
    import types

    # Reading the settings module must not switch this process's metrics to multiprocess.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("DUBAN_METRICS_DIR_READY", str(tmp_path))
    spec = importlib.util.spec_from_file_location("duban_gunicorn", ROOT / "config/gunicorn.py")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    gc.unfreeze()
    try:
        settings.when_ready(types.SimpleNamespace(cfg=types.SimpleNamespace(preload_app=True)))
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_documents_worker_yields_the_cpu_in_its_own_session_too():
    """scripts/supervise.py starts each Procfile process in a session of its own; where the
    kernel shares CPU time between sessions first (autogroup), only the session's own nice
    value ranks it against the web. The script lowers both, and never its caller's session;
    in compose the container's CPU weight does it."""
    assert re.search(r"^documents: scripts/low_priority\.sh ", (ROOT / "Procfile").read_text(),
                     re.M)
    assert _compose()["services"]["documents"]["cpu_shares"] < 1024
    mine = Path("/proc/self/autogroup")
    before = mine.read_text() if mine.exists() else None
    if before is not None:  # can a session lower its own share here (not in every container)?
        probe = subprocess.run(["bash", "-c", "echo 10 > /proc/self/autogroup 2>/dev/null; "
                                "cat /proc/self/autogroup"], start_new_session=True,
                               capture_output=True, text=True)
        before = before if probe.stdout.endswith(" nice 10\n") else None
    for own_session in (True, False):
        child = subprocess.Popen([str(ROOT / "scripts/low_priority.sh"), "sleep", "30"],
                                 start_new_session=own_session)
        try:
            deadline = time.monotonic() + 10
            while not Path(f"/proc/{child.pid}/cmdline").read_bytes().startswith(b"sleep"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            stat = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            assert stat[16] == "10"  # nice
            if before is not None:  # a kernel with autogroup that lets it be set
                group = Path(f"/proc/{child.pid}/autogroup").read_text()
                assert group.endswith(" nice 10\n") if own_session else group == before
                assert mine.read_text() == before
        finally:
            child.kill()
            child.wait()
