"""Export jobs: the manager's and lead office's ledger is built by a Celery task, its
progress shown on a page that refreshes itself, the file downloadable by its owner only."""

import datetime
import os

import pytest
from django.urls import reverse

from departments.access import access_for
from tasks_app.documents import ledger as ledger_document
from tasks_app.models import ExportJob
from tasks_app.selectors.ledger import ledger_for
from tasks_app.services.exports import export_ledger_start, export_run
from tasks_app.tasks import export_build

from .conftest import ledger_through_job

pytestmark = pytest.mark.django_db


def test_a_managers_ledger_download_leads_to_an_export_page(as_user, world):
    client = as_user(world.manager)
    response = client.get(reverse("portal:ledger"), {"plan": world.task.plan_id})
    assert response.status_code == 302
    assert response.url == reverse("portal:export_ledger") + f"?plan={world.task.plan_id}"
    page = client.get(response.url).content.decode()
    assert 'name="plan"' in page and "开始生成" in page


def test_the_job_is_queued_after_commit_and_its_page_polls_until_done(
        as_user, world, django_capture_on_commit_callbacks):
    client = as_user(world.manager)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("portal:export_ledger"), {"plan": world.task.plan_id})
    job = ExportJob.objects.get()
    assert len(callbacks) == 1 and job.state == ExportJob.State.QUEUED
    assert (job.owner, job.kind, job.params) == (world.manager, "ledger",
                                                 {"plan": str(world.task.plan_id)})
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'id="export-progress"' in page
    export_build.apply(args=[job.pk])  # what the Celery worker runs
    job.refresh_from_db()
    assert (job.state, job.progress, job.error) == ("done", 100, "")
    assert job.filename.endswith(".xlsx") and job.finished_at is not None
    status = client.get(reverse("portal:export_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status
    assert reverse("portal:export_download", args=[job.pk]) in status
    listing = client.get(reverse("portal:exports")).content.decode()
    assert reverse("portal:export", args=[job.pk]) in listing


def test_only_the_owner_sees_the_job_and_its_file(as_user, world, open_xlsx):
    response = ledger_through_job(as_user(world.manager), {"plan": world.task.plan_id})
    assert open_xlsx(response)["督办台账"]["A1"].value.endswith("督办台账")
    job = ExportJob.objects.get()
    for other in (world.lead_office, world.liaison):
        client = as_user(other)
        for name in ("portal:export", "portal:export_status", "portal:export_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert reverse("portal:export", args=[job.pk]) not in client.get(
            reverse("portal:exports")).content.decode()


def test_a_refused_filter_is_an_error_on_the_page_and_no_job(as_user, world):
    client = as_user(world.lead_office)
    response = client.post(reverse("portal:export_ledger"), {"health": "purple"})
    assert response.status_code == 400 and "health" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_failing_job_records_its_error(as_user, world):
    job = ExportJob.objects.create(owner=world.manager, kind="ledger",
                                   params={"health": "purple"})
    export_run(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and "health" in job.error and not job.file
    status = as_user(world.manager).get(reverse("portal:export_status", args=[job.pk]))
    assert "生成失败" in status.content.decode() and "hx-trigger" not in status.content.decode()
    assert as_user(world.manager).get(
        reverse("portal:export_download", args=[job.pk])).status_code == 404


def test_a_finished_job_is_not_built_again(world):
    job = export_ledger_start(owner=world.manager, params={})
    export_run(job.pk)
    first = ExportJob.objects.get(pk=job.pk)
    export_run(job.pk)  # a redelivered task
    assert ExportJob.objects.get(pk=job.pk).file.name == first.file.name


def test_progress_is_reported_while_rows_are_written(world, monkeypatch):
    monkeypatch.setattr(ledger_document, "PROGRESS_EVERY", 1)
    ledger = ledger_for(access_for(world.manager), {})
    seen = []
    ledger_document.ledger_workbook(ledger, progress=lambda done, total: seen.append(
        (done, total)))
    assert seen == [(n, len(ledger.rows)) for n in range(1, len(ledger.rows) + 1)]


def test_old_finished_jobs_are_removed_with_their_files(world, travel):
    old = export_ledger_start(owner=world.manager, params={})
    export_run(old.pk)
    path = ExportJob.objects.get(pk=old.pk).file.path
    travel.shift(datetime.timedelta(days=8))
    export_ledger_start(owner=world.manager, params={})
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(path)
