"""End to end: the lead office asks the API for the city's ledger; a real Celery worker (on
a real redis-server) builds it while the web request has long returned 202; the job's URL
shows it done and its download is the .xlsx with every task × department row."""

import io

import pytest
from django.conf import settings
from django.db import transaction
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.celery import app
from departments.choices import Role
from tasks_app.models import ExportJob

from .e2e_services import celery_env, celery_start, free_port, redis_start, wait_for
from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CLOCK = "2026-03-26T09:00:00+08:00"


def _reconnect(broker: str) -> None:
    """Publish to ``broker`` from now on: the connection pool and the producer pool that an
    earlier test may have opened are dropped with the old address."""
    app.close()
    app.amqp._producer_pool = None
    app.conf.broker_url = broker


@pytest.fixture
def worker_on_redis(tmp_path):
    """redis-server and one Celery worker; this process publishes to the same Redis."""
    started = []
    broker_before = app.conf.broker_url
    try:
        redis_process, broker = redis_start(tmp_path)
        started.append(redis_process)
        env = celery_env(broker, free_port(), DUBAN_MEDIA_ROOT=str(settings.MEDIA_ROOT))
        worker = celery_start("worker", ["worker", "-Q", "documents", "--pool", "solo",
                                         "--loglevel", "INFO",
                                         "--without-mingle", "--without-gossip",
                                         "--without-heartbeat", "-n", "exports@%h"],
                              tmp_path, env, CLOCK)
        started.append(worker)
        wait_for(lambda: "ready." in worker.output(), 60, "Celery worker 就绪")
        _reconnect(broker)
        yield worker
    finally:
        _reconnect(broker_before)
        for process in reversed(started):
            process.stop()


def test_the_city_ledger_is_built_by_the_worker_and_downloaded(worker_on_redis):
    with transaction.atomic():  # committed: the worker reads it from the database
        departments = DepartmentFactory.create_batch(3)
        for plan in PlanFactory.create_batch(2):
            for task in TaskFactory.create_batch(4, plan=plan):
                for department in departments[:2]:
                    AssignmentFactory(task=task, department=department)
        lead = MembershipFactory(role=Role.LEAD_OFFICE, department=None).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=lead).key}")

    started = client.get("/api/v1/tasks/ledger/")
    assert started.status_code == 202, started.content
    url = started["Location"]

    def finished() -> bool:
        return client.get(url).json()["state"] in ("done", "failed")

    wait_for(finished, 60, f"导出完成\n{worker_on_redis.output()[-3000:]}")
    job = client.get(url).json()
    assert (job["state"], job["progress"], job["error"]) == ("done", 100, "")
    assert "tasks_app.tasks.export_build" in worker_on_redis.output()
    response = client.get(job["download"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["督办台账"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 2 * 4 * 2  # every task × department of both plans
    assert ExportJob.objects.get(pk=job["id"]).owner == lead
