"""Liveness and readiness for load balancers, compose and orchestrators (no login), and the
Prometheus metrics of every web process together."""

import os

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import readiness
from .metrics import CycleCollector


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is checked (a restart would not fix a database)."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis, migrations, beat and the outbox are all fine, else 503."""
    checks = readiness()
    ready = all(check.ok for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "fail",
         "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()}},
        status=200 if ready else 503, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """django-prometheus's request and database metrics and the cycle's own. Under gunicorn
    (``PROMETHEUS_MULTIPROC_DIR``, set by config/gunicorn.py) every worker writes its counts
    to files in that directory and any worker answers with the sum over all of them."""
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(CycleCollector())
    else:
        registry = REGISTRY  # one process (runserver, tests): CycleCollector registered there
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
