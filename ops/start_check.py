"""Has anything changed since the last ``prepare_run``? Answered without loading Django
(loading it costs seconds of CPU, most of a restart on a busy machine), so that run.sh can
skip ``prepare_run`` when nothing did:

    python -m ops.start_check     exit 0 and print what prepare_run printed, or exit 1

"Nothing changed" means: the same files in the checkout (names, sizes, modification times:
code, migrations, static sources, the plan), the same installed requirements, the same
settings from the environment, static files built, and in the database the same applied
migrations, the demo accounts' password and the primary plan that prepare_run left there.
Standard library only (psycopg for PostgreSQL, imported only then).
"""

import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
STAMP = ROOT / "var" / "prepared.json"
SKIP_DIRS = {".git", ".venv", "var", "test-artifacts", "__pycache__", "node_modules",
             ".pytest_cache", ".ruff_cache", ".mypy_cache"}
ENVIRONMENT = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DUBAN_STATICFILES_STORAGE",
               "DUBAN_S3_BUCKET", "DUBAN_S3_ENDPOINT_URL")
LEAD_PASSWORD = "SELECT password FROM auth_user WHERE username = 'leadoffice'"


def files_fingerprint() -> str:
    """Every file of the checkout (not var/, the database or caches), the virtualenv's
    install stamps, the demo password kept in var/, and the environment that matters."""
    digest = hashlib.sha256()
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIP_DIRS)
        for name in sorted(names):
            if name.startswith("db.sqlite3") or name.endswith(".pyc"):
                continue
            path = Path(directory) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(ROOT)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                          .encode())
    digest.update("\0".join(sorted(p.name for p in Path(sys.prefix).glob(".installed-*")))
                  .encode())
    password = ROOT / "var" / "demo_password"
    digest.update(password.read_bytes() if password.exists() else b"-")
    for name in ENVIRONMENT:
        digest.update(f"{name}={os.environ.get(name, '')}\n".encode())
    return digest.hexdigest()


def _sqlite(path: Path):
    return sqlite3.connect(path, timeout=5) if path.is_file() else None


def _connect():
    """A DB-API connection to DATABASE_URL (SQLite or PostgreSQL), else None."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return _sqlite(ROOT / "db.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite" and parsed.path[1:] not in ("", ":memory:"):
        return _sqlite(Path(parsed.path[1:]))
    if parsed.scheme in ("postgres", "postgresql"):
        import psycopg

        return psycopg.connect(url, connect_timeout=5)
    return None


def database_markers(cursor) -> dict:
    """What prepare_run leaves in the database: applied migrations, the demo password's
    hash, the plans. The same queries for prepare_run (Django's cursor) and the check."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    cursor.execute(LEAD_PASSWORD)
    password = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT code FROM tasks_app_plan ORDER BY code")
    plans = [row[0] for row in cursor.fetchall()]
    return {"migrations": migrations, "password": password, "plans": plans}


def static_built() -> bool:
    return (ROOT / "var" / "static" / ".duban-sources").exists()  # removed with var/static


def unchanged() -> dict | None:
    """The stamp prepare_run wrote when nothing changed since, else None."""
    if os.environ.get("DUBAN_DEMO_PASSWORD_RENEW") == "1" or not STAMP.exists():
        return None
    given, kept = os.environ.get("DUBAN_DEMO_PASSWORD", ""), ROOT / "var" / "demo_password"
    if given and (not kept.exists() or kept.read_text().strip() != given):
        return None  # a new demo password asked for
    stamp = json.loads(STAMP.read_text())
    if stamp.get("files") != files_fingerprint() or not static_built():
        return None
    connection = _connect()
    if connection is None:
        return None
    try:
        markers = database_markers(connection.cursor())
    finally:
        connection.close()
    return stamp if stamp.get("database") == markers else None


def main() -> int:
    try:
        stamp = unchanged()
    except Exception as error:  # any doubt: prepare_run decides
        print(f"start_check: {error}", file=sys.stderr)
        return 1
    if stamp is None:
        return 1
    print("\n".join(stamp["output"]))
    print("启动准备:自上次启动以来没有变化,跳过迁移、静态文件、导入和演示账号检查",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
