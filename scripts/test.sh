#!/usr/bin/env bash
# One command: set up and run the whole test suite.
#   ./scripts/test.sh                  PostgreSQL (a throwaway local server is started)
#   DUBAN_TEST_DB=sqlite ./scripts/test.sh   quicker run on SQLite
#   ./scripts/test.sh -k importer     extra arguments go to pytest
# Installs what is missing (apt: redis-server, postgresql, chromium, fonts-noto-cjk; pip).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$DUBAN_ROOT"
duban_setup dev
mkdir -p var test-artifacts

PG_DIR=""
cleanup() {
  if [ -n "$PG_DIR" ]; then
    $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT

if [ "${DUBAN_TEST_DB:-postgres}" != "sqlite" ] && [ -z "${DATABASE_URL:-}" ]; then
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  PG_DIR="$(mktemp -d)"; chmod 755 "$PG_DIR"
  PG_AS=""
  if [ "$(id -u)" -eq 0 ]; then
    install -d -o postgres -g postgres "$PG_DIR/data" "$PG_DIR/sock"
    PG_AS="runuser -u postgres --"
  else
    mkdir -p "$PG_DIR/data" "$PG_DIR/sock"
  fi
  PG_PORT="${DUBAN_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
  $PG_AS "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
  $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/sock/server.log" -w -o \
    "-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  # The fault test restarts this server mid-batch (tests/test_e2e_faults.py).
  export DUBAN_TEST_PG_RESTART="$PG_AS $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/sock/server.log -m immediate -w restart"
  duban_log "PostgreSQL 测试库: $DATABASE_URL"
fi

"$VENV/bin/ruff" check .
# Security lint: bandit, medium severity and up (等保 #13).
"$VENV/bin/bandit" -q -ll -r audit security common departments tasks_app notifications seeds config \
  ops scripts -x '*/migrations/*'
# Layers (docs/design.md): the import contracts of .importlinter, then the types of the
# rules, services and selectors (mypy + django-stubs, incremental cache in var/mypy_cache).
"$VENV/bin/lint-imports" --cache-dir var/import_linter_cache
"$VENV/bin/mypy"
"$PY" manage.py makemigrations --check --dry-run -v0 --settings tests.settings
"$PY" -m pytest "$@"
