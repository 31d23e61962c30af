#!/usr/bin/env bash
# The container's entrypoint: one role per container, the same Procfile lines as run.sh
# (gunicorn and Celery flags live there), listening on all interfaces inside the container.
#   container.sh web|worker|documents|beat|migrate|backup|manage ARGS…   (--print ROLE: show the command)
set -euo pipefail
cd "$(dirname "$0")/.."
export DUBAN_VENV="${DUBAN_VENV:-/opt/duban/venv}" PORT="${PORT:-8000}"
# gunicorn (config/gunicorn.py) binds here: every interface inside the container.
export DUBAN_WEB_BIND="${DUBAN_WEB_BIND:-0.0.0.0:$PORT}"
PY="$DUBAN_VENV/bin/python"

procfile_command() {
  local line
  line="$(sed -n "s/^$1: //p" Procfile)"
  [ -n "$line" ] || { echo "Procfile has no '$1' entry" >&2; exit 2; }
  printf '%s' "$line"
}

if [ "${1:-}" = "--print" ]; then
  [ "$2" = web ] && printf 'DUBAN_WEB_BIND=%s ' "$DUBAN_WEB_BIND"
  procfile_command "$2"; echo; exit 0
fi
role="${1:-web}"; shift || true
case "$role" in
  web|worker|documents|beat) exec bash -c "exec $(procfile_command "$role")" ;;
  migrate) exec "$PY" manage.py migrate --noinput ;;
  backup)  exec "$PY" manage.py backup "$@" ;;
  manage)  exec "$PY" manage.py "$@" ;;
  *) echo "unknown role: $role (web, worker, documents, beat, migrate, backup, manage)" >&2; exit 2 ;;
esac
