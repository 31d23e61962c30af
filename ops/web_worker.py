"""The web server's worker: gunicorn's ``gthread`` that takes a new connection only while
one of its threads is free.

gunicorn's ``gthread`` worker accepts every connection it can (up to
``worker_connections``, 1,000) and queues the requests on its own threads. Under load one
process takes most of them: 50 clients became 40 connections in one process and 10 in the
other, and the first process's answers took twice as long (the home page's p95 at 50
clients, docs/performance.md, Serving). Taking a connection only with a thread free leaves
the others in the kernel's queue, shared by every process, for whichever frees a thread
first: each process takes as many connections as it can serve.
"""

from concurrent import futures

from gunicorn.workers.gthread import ThreadWorker


class FreeThreadWorker(ThreadWorker):
    """``gthread`` accepting only while fewer requests are in its threads than it has
    threads. Connections already taken (keep-alive) are served as before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_threads = 0  # requests given to the pool and not finished (main loop only)

    @property  # type: ignore[override]  # gthread reads it before each wait for events
    def worker_connections(self) -> int:
        """One more than the connections held while a thread is free, else as many: the
        main loop accepts only while ``nr_conns`` is below this."""
        free = self.in_threads < self.cfg.threads
        limit = self.cfg.worker_connections
        return min(self.nr_conns + 1, limit) if free else min(self.nr_conns, limit)

    @worker_connections.setter
    def worker_connections(self, _value: int) -> None:
        """gthread sets it from the configuration; the property reads the configuration."""

    @property  # type: ignore[override]  # read by each request's thread before answering
    def max_keepalived(self) -> int:
        """No connection is kept alive while every thread is busy: a kept connection's next
        request would be served before the connections waiting for a thread (which waited
        for seconds); closed, its client joins the queue behind them."""
        if self.in_threads >= self.cfg.threads:
            return 0
        return self.cfg.worker_connections - self.cfg.threads

    @max_keepalived.setter
    def max_keepalived(self, _value: int) -> None:
        """gthread sets it from the configuration; the property reads the configuration."""

    def enqueue_req(self, conn) -> None:
        self.in_threads += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs: futures.Future) -> None:
        self.in_threads -= 1
        super().finish_request(conn, fs)
