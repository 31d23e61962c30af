#!/usr/bin/env python3
"""A small process supervisor for run.sh (instead of honcho, which stops everything when one
process exits): starts every Procfile entry, prefixes their output, and restarts a process
that exits within seconds (1 s, doubling up to 30 s while it keeps dying at once).

    python scripts/supervise.py -f Procfile [--extra 'redis=redis-server …'] \
        [--first web=http://127.0.0.1:8000/healthz]

Extra entries start first and stop last. SIGTERM or SIGINT stops everything (SIGTERM to each
process group, SIGKILL after 15 s). Standard library only.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field

STABLE_AFTER = 30.0  # a process that ran this long restarts after the shortest delay
FIRST_DELAY, MAX_DELAY, STOP_GRACE, FIRST_WAIT = 1.0, 30.0, 15.0, 30.0
_print_lock = threading.Lock()


def say(name: str, line: str) -> None:
    with _print_lock:
        sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<8}| {line}\n")
        sys.stdout.flush()


@dataclass
class Entry:
    name: str
    command: str
    popen: subprocess.Popen | None = None
    started: float = 0.0
    delay: float = FIRST_DELAY
    restarts: int = 0
    due: float = 0.0  # when to start again after an exit
    readers: list = field(default_factory=list)

    def start(self) -> None:
        self.popen = subprocess.Popen(
            ["bash", "-c", f"exec {self.command}"], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, bufsize=0)
        self.started = time.monotonic()
        say(self.name, f"started with pid {self.popen.pid}")
        reader = threading.Thread(target=self._pump, args=(self.popen,), daemon=True)
        reader.start()
        self.readers.append(reader)

    def _pump(self, popen: subprocess.Popen) -> None:
        for raw in iter(popen.stdout.readline, b""):
            say(self.name, raw.decode(errors="replace").rstrip("\n"))

    def signal(self, number: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, number)


def read_procfile(path: str) -> list[Entry]:
    entries = []
    with open(path, encoding="utf-8") as procfile:
        for line in procfile:
            line = line.strip()
            if line and not line.startswith("#") and ":" in line:
                name, command = line.split(":", 1)
                entries.append(Entry(name.strip(), command.strip()))
    return entries


def _up(url: str) -> bool:
    if not url.startswith("http://"):
        raise ValueError(f"--first needs an http:// address, not {url!r}")
    try:
        # Only http:// (checked above): the local web process.
        with urllib.request.urlopen(url, timeout=1) as response:  # nosec B310
            return response.status == 200
    except OSError:
        return False


def supervise(entries: list[Entry], first: str = "", ready: str = "") -> int:
    """Start ``entries`` in order (the rest after ``first`` answers at ``ready``, at most
    FIRST_WAIT seconds later), restart any that exits, stop all on SIGTERM/SIGINT."""
    stopping = threading.Event()

    def request_stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    for entry in entries:
        if stopping.is_set():
            break
        entry.start()
        if entry.name == first:  # the web process boots first on a busy machine
            deadline = time.monotonic() + FIRST_WAIT
            while not stopping.is_set() and time.monotonic() < deadline and not _up(ready):
                stopping.wait(0.2)
    while not stopping.wait(0.2):
        now = time.monotonic()
        for entry in entries:
            if entry.popen is None:
                if now >= entry.due:
                    entry.start()
                continue
            code = entry.popen.poll()
            if code is None:
                continue
            ran = now - entry.started
            delay = FIRST_DELAY if ran >= STABLE_AFTER else entry.delay
            entry.delay = min(delay * 2, MAX_DELAY)  # the next one, if this keeps dying
            entry.restarts += 1
            entry.due, entry.popen = now + delay, None
            say(entry.name, f"exited with code {code}; restarting in {delay:.0f} s "
                            f"(restart {entry.restarts})")
    say("system", "stopping")
    for entry in reversed(entries):
        entry.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while entry.popen is not None and entry.popen.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        entry.signal(signal.SIGKILL)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--procfile", default="Procfile")
    parser.add_argument("--extra", action="append", default=[], metavar="NAME=COMMAND")
    parser.add_argument("--first", default="", metavar="NAME=URL",
                        help="start the others once NAME answers 200 at URL")
    args = parser.parse_args()
    extras = [Entry(*item.split("=", 1)) for item in args.extra]
    first, _, ready = args.first.partition("=")
    return supervise(extras + read_procfile(args.procfile), first, ready)


if __name__ == "__main__":
    sys.exit(main())
