"""Run a Python module with the clock set to a moment, still ticking (time-machine), so
that end-to-end tests can start a Celery worker and beat "on" a deadline:

    python -m tests.clock 2026-03-26T09:00:00+08:00 celery -A config worker …
"""

import datetime
import runpy
import sys

import time_machine


def main() -> None:
    moment, module, *arguments = sys.argv[1:]
    time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True).start()
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
