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

# Start Redis unless the broker already answers.
redis_hostport="${CELERY_BROKER_URL#redis://}"; redis_hostport="${redis_hostport%%/*}"
redis_host="${redis_hostport%%:*}"; redis_port="${redis_hostport##*:}"
REDIS_PID=""
if ! duban_port_open "$redis_host" "$redis_port"; then
  duban_log "启动 Redis(端口 $redis_port)"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    >var/redis.log 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do duban_port_open "$redis_host" "$redis_port" && break; sleep 0.1; done
fi
trap '[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true' EXIT

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py import_plan seeds/hjkwf-2023-1-implementation-plan.txt | tail -n 2
duban_log "演示账号(用户名 / 角色 / 部门):"
"$PY" manage.py seed_demo ${DUBAN_DEMO_PASSWORD:+--password "$DUBAN_DEMO_PASSWORD"}

cat >&2 <<MSG

  督办系统已启动:  $DUBAN_SITE_URL/
  部门门户登录:    $DUBAN_SITE_URL/accounts/login/
  牵头办公室后台:  $DUBAN_SITE_URL/admin/   (账号 leadoffice)
  接口文档:        $DUBAN_SITE_URL/api/docs/
  按 Ctrl+C 停止。

MSG
"$VENV/bin/honcho" -d "$DUBAN_ROOT" -f Procfile start
