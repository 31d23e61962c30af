#!/usr/bin/env bash
# One command: set up and run the whole product (web, Celery worker, beat, Redis broker),
# with the primary plan imported and demo accounts printed.
#   ./scripts/run.sh            SQLite in ./db.sqlite3 (default)
#   DATABASE_URL=postgres://… ./scripts/run.sh
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$DUBAN_ROOT"
duban_setup runtime

export PORT="${PORT:-8000}" DUBAN_VENV="$VENV"
export DUBAN_SITE_URL="${DUBAN_SITE_URL:-http://127.0.0.1:$PORT}"
# Served over plain http on 127.0.0.1: no https redirect, no secure-only cookies.
export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-0}"
export DJANGO_SECURE_HSTS_SECONDS="${DJANGO_SECURE_HSTS_SECONDS:-0}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
mkdir -p var

# Redis (the broker) under the supervisor unless one already answers: append-only file in
# var/redis, so queued tasks survive a restart of Redis.
redis_hostport="${CELERY_BROKER_URL#redis://}"; redis_hostport="${redis_hostport%%/*}"
redis_host="${redis_hostport%%:*}"; redis_port="${redis_hostport##*:}"
extra=()
if ! duban_port_open "$redis_host" "$redis_port"; then
  mkdir -p var/redis
  extra+=(--extra "redis=redis-server --port $redis_port --bind 127.0.0.1 --dir '$DUBAN_ROOT/var/redis' --appendonly yes --appendfsync everysec --save ''")
fi

# Migrations when pending, static files when changed, plan, demo accounts (one process).
# The demo password is kept in var/demo_password; DUBAN_DEMO_PASSWORD sets it,
# DUBAN_DEMO_PASSWORD_RENEW=1 makes a new one. Skipped (without loading Django) when
# nothing changed since the last start: ops/start_check.py.
"$PY" -m ops.start_check || "$PY" manage.py prepare_run

cat >&2 <<MSG

  督办系统已启动:  $DUBAN_SITE_URL/
  部门门户登录:    $DUBAN_SITE_URL/accounts/login/
  牵头办公室后台:  $DUBAN_SITE_URL/admin/   (账号 leadoffice)
  接口文档:        $DUBAN_SITE_URL/api/docs/
  就绪检查:        $DUBAN_SITE_URL/readyz   指标: $DUBAN_SITE_URL/metrics
  按 Ctrl+C 停止。

MSG
# Every process supervised: one that dies is started again within seconds.
exec "$PY" scripts/supervise.py -f Procfile --first "web=http://127.0.0.1:$PORT/healthz" "${extra[@]}"
