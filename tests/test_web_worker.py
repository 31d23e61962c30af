"""The web server's worker (ops/web_worker.py) under more clients than threads: each client
keeps its connection (keep-alive) and asks again as soon as it is answered, as a browser
on a busy day or a load test does. Every client is served about as often as the others, no
one waits long, and both processes serve (gunicorn's own gthread let one process take most
connections and starved the clients queued behind it)."""

import http.client
import statistics
import sys
import threading
import time

import pytest

from .e2e_services import Process, free_port, wait_for
from .web_processes import answers

CLIENTS, SECONDS = 12, 3.0


def _ask(port: int, until: float, served: list[tuple[float, str]]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < until:
        started = time.monotonic()
        connection.request("GET", "/")
        response = connection.getresponse()
        body = response.read().decode()
        served.append((time.monotonic() - started, body))
        if response.will_close:  # answered with Connection: close: queue again
            connection.close()
    connection.close()


def _serve_clients(tmp_path) -> list[list[tuple[float, str]]]:
    port = free_port()
    server = Process("web", [f"{sys.prefix}/bin/gunicorn", "tests.wsgi_sleeper:app",
                             "--worker-class", "ops.web_worker.FreeThreadWorker",
                             "--workers", "2", "--threads", "2",
                             "--keep-alive", "5", "--bind", f"127.0.0.1:{port}"], tmp_path)
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/"), 60, "gunicorn")
        time.sleep(0.5)  # both processes up
        served: list[list[tuple[float, str]]] = [[] for _ in range(CLIENTS)]
        until = time.monotonic() + SECONDS
        clients = [threading.Thread(target=_ask, args=(port, until, mine)) for mine in served]
        for client in clients:
            client.start()
        for client in clients:
            client.join(30)
        return served
    finally:
        server.stop()


@pytest.mark.e2e
def test_every_client_is_served_in_turn_by_both_processes(tmp_path):
    served = _serve_clients(tmp_path)
    counts = [len(mine) for mine in served]
    waits = [wait for mine in served for wait, _pid in mine]
    # 2 processes × 2 threads, 40 ms a request: ≈ 100 answers a second, ≈ 8 per client.
    assert sum(counts) > 100, counts
    assert min(counts) >= max(counts) / 2, counts  # no client served half as often
    # ≈ 0.12 s each: 12 clients for 4 threads (on a busy CI machine, several times that).
    assert max(waits) < 2.0 and statistics.quantiles(waits, n=20)[-1] < 1.0, max(waits)
    assert len({pid for mine in served for _wait, pid in mine}) == 2
