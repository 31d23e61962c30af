#!/usr/bin/env bash
# Run a command at a lower CPU priority than the web: the Procfile's documents worker (city
# ledgers, PDFs), so that pages keep the CPU while documents are built.
#   low_priority.sh COMMAND [ARGS…]
# `nice` alone ranks a process only within its session where the kernel shares CPU time
# between sessions first (autogroup, on by default in Debian): scripts/supervise.py starts
# every Procfile process in a session of its own, where `nice -n 10` changed nothing. The
# leader of its own session also lowers that session's share (/proc/self/autogroup; a lower
# priority needs no privilege). In containers the runtime's CPU weight does it (compose.yaml).
set -euo pipefail
LEVEL=10
stat="$(< /proc/$$/stat)" 2>/dev/null || stat=""
read -r -a fields <<< "${stat##*) }"  # after "pid (name) ": state ppid pgrp session …
if [ "${fields[3]:-}" = "$$" ] && [ -w /proc/self/autogroup ]; then
  echo "$LEVEL" 2>/dev/null > /proc/self/autogroup || true
fi
exec nice -n "$LEVEL" "$@"
