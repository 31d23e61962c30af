"""Export jobs: large documents (the ledger of a plan or of the city) built by a Celery
worker, so no web worker spends seconds of CPU on them; the owner watches the progress
on a page and downloads the file when it is ready.
"""

import datetime
import logging
from collections.abc import Mapping

from celery import shared_task
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from common.i18n import site_language
from departments.access import access_for

from ..documents.assessment import assessment_pdf
from ..documents.bulletin import bulletin_pdf
from ..documents.ledger import ledger_filename, ledger_workbook
from ..documents.stored import stored_pdf
from ..filtersets import TaskFilterSet
from ..models import Assessment, Bulletin, ExportJob, Task
from ..selectors.ledger import ledger_for

log = logging.getLogger(__name__)
KEEP_DAYS = 7  # a user's finished exports older than this are removed with their files


def ledger_params(params: Mapping[str, str]) -> dict[str, str]:
    """The task list's filters among ``params`` (others are ignored), validated now: a
    refused value is an error on the page, not a failed job."""
    clean = {name: str(params[name]) for name in TaskFilterSet.base_filters
             if name in params and str(params[name]).strip()}
    filterset = TaskFilterSet(clean, queryset=Task.objects.none())
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return clean


def _forget_old(owner: User, now: datetime.datetime) -> None:
    old = ExportJob.objects.filter(owner=owner, created_at__lt=now - datetime.timedelta(
        days=KEEP_DAYS), state__in=(ExportJob.State.DONE, ExportJob.State.FAILED))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    old.delete()


def export_ledger_start(*, owner: User, params: Mapping[str, str]) -> ExportJob:
    """Queue the ledger of the tasks ``owner`` sees, filtered like the task list."""
    clean = ledger_params(params)
    with transaction.atomic():
        _forget_old(owner, timezone.now())
        job = ExportJob.objects.create(owner=owner, kind=ExportJob.Kind.LEDGER, params=clean)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    export_build.delay(job_id)


def _set(job: ExportJob, **fields) -> None:
    """Write the job's state at once (no transaction): the page polling it sees it."""
    for name, value in fields.items():
        setattr(job, name, value)
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def export_run(job_id: int) -> ExportJob:
    """Build the job's file. A finished job is left as it is (a redelivered task)."""
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if job.finished:
        return job
    _set(job, state=ExportJob.State.RUNNING, progress=5)
    try:
        ledger = ledger_for(access_for(job.owner), job.params)
        _set(job, progress=30)
        content = ledger_workbook(ledger, progress=lambda done, total: _set(
            job, progress=30 + 65 * done // max(total, 1)))
        name = ledger_filename(ledger)
        job.file.save(name, ContentFile(content), save=False)
        _set(job, file=job.file.name, filename=name, state=ExportJob.State.DONE, progress=100,
             finished_at=timezone.now())
    except Exception as error:  # recorded for the owner; the worker goes on
        log.exception("export job %s failed", job_id)
        _set(job, state=ExportJob.State.FAILED, error=str(error)[:2000],
             finished_at=timezone.now())
    return job


def pdf_store_later(model: str, pk: int) -> None:
    """After commit, have a worker render a newly fixed bulletin or assessment PDF into
    storage. Without a reachable broker the first download renders it instead."""
    def enqueue() -> None:
        try:
            store_pdf.apply_async((model, pk), retry=False)
        except Exception as error:  # the download path renders and stores it as well
            log.warning("could not queue the PDF of %s %s: %s", model, pk, error)

    transaction.on_commit(enqueue)


# The jobs a worker runs (queued above after commit; registered under tasks_app.tasks).


@shared_task(name="tasks_app.tasks.export_build", ignore_result=True, acks_late=True)
def export_build(job_id: int) -> None:
    """Build an export job's file (the Celery task)."""
    export_run(job_id)


@shared_task(name="tasks_app.tasks.store_pdf", ignore_result=True, acks_late=True)
def store_pdf(model: str, pk: int) -> None:
    """Render a just-published bulletin's or a just-finalised assessment's PDF into storage,
    so the first download is as quick as the others."""
    with site_language():
        if model == "bulletin":
            stored_pdf(Bulletin.objects.select_related("plan").get(pk=pk), bulletin_pdf)
        else:
            stored_pdf(Assessment.objects.select_related("plan").get(pk=pk), assessment_pdf)
