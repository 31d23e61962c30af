"""A WSGI application that answers after 40 ms with its process id (tests/test_web_worker.py):
a request that holds a thread, as a page waiting on PostgreSQL does."""

import os
import time


def app(environ, start_response):
    time.sleep(0.04)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
