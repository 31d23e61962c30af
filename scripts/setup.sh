#!/usr/bin/env bash
# Shared setup for run.sh and test.sh: system packages (apt, when missing) and the virtualenv.
#   source scripts/setup.sh; duban_setup runtime|dev
set -euo pipefail

DUBAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DUBAN_VENV:-$DUBAN_ROOT/.venv}"
PY="$VENV/bin/python"

duban_log() { printf '\033[1;34m[duban]\033[0m %s\n' "$*" >&2; }

# Install Debian packages that are missing (CI and fresh machines run as root).
duban_apt() {
  local missing=() installed
  # One dpkg-query for all of them (a restart should cost milliseconds here).
  installed="$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null \
    | sed -n 's/ install ok installed$//p' || true)"
  for pkg in "$@"; do
    grep -qxF "$pkg" <<<"$installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      duban_log "缺少系统软件包(需要 root 安装): ${missing[*]}"; return 1; fi
  fi
  duban_log "apt-get install ${missing[*]}"
  # Wait for the dpkg lock (unattended upgrades on a fresh machine) instead of failing at once.
  local lock=(-o DPkg::Lock::Timeout="${DUBAN_APT_LOCK_TIMEOUT:-300}")
  $sudo apt-get "${lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# Create the virtualenv and install a pinned requirements file (skipped when unchanged).
duban_venv() {
  local req="$DUBAN_ROOT/$1"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    duban_log "需要 Python 3.11 或更高版本"; return 1; }
  [ -x "$PY" ] || python3 -m venv "$VENV"
  local stamp="$VENV/.installed-$1-$(cat "$DUBAN_ROOT"/requirements*.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    duban_log "pip install -r $1"
    "$PY" -m pip install -q --disable-pip-version-check -r "$req"
    touch "$stamp"
  fi
}

duban_setup() {
  case "${1:-runtime}" in
    runtime) duban_apt redis-server libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
                       postgresql-client libldap2-dev libsasl2-dev
             duban_venv requirements.txt ;;
    # The container image (Dockerfile): system libraries, then the virtualenv, in two steps.
    image-system) duban_apt libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk postgresql-client \
                            libldap2-dev libsasl2-dev ;;
    image-venv)   duban_venv requirements.txt ;;
    dev)     duban_apt redis-server postgresql chromium fonts-noto-cjk libpango-1.0-0 \
                       libpangoft2-1.0-0 poppler-utils libldap2-dev libsasl2-dev slapd ldap-utils hey
             duban_venv requirements-dev.txt ;;
  esac
}

# Is something listening on host:port?
duban_port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
