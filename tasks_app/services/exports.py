"""Export jobs: large documents (the ledger of a plan or of the city) built by a Celery
worker, so no web worker spends seconds of CPU on them; the owner watches the progress
on a page and downloads the file when it is ready.
"""

import datetime
import logging
from collections.abc import Collection, Mapping

from celery import shared_task
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext

from common.i18n import site_language
from departments.access import access_for

from ..documents.assessment import assessment_pdf, assessment_workbook
from ..documents.bulletin import bulletin_pdf, bulletin_workbook
from ..documents.ledger import ledger_filename, ledger_workbook
from ..documents.stored import stored_pdf, stored_xlsx
from ..filtersets import TaskFilterSet
from ..models import Assessment, Bulletin, ExportJob, Task
from ..selectors.ledger import ledger_for

log = logging.getLogger(__name__)
KEEP_DAYS = 7  # a user's finished exports older than this are removed with their files
TASK_IDS = "ids"  # in a job's params: the tasks selected in the admin


def ledger_query(params: Mapping) -> QueryDict:
    """Stored params as the query the task list's filters read (several values for a
    multiple-choice filter such as ``health``)."""
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if name != TASK_IDS:
            query.setlist(name, [str(v) for v in value] if isinstance(value, list)
                          else [str(value)])
    return query


def ledger_params(params: Mapping) -> dict[str, str | list[str]]:
    """The task list's filters among ``params`` (others are ignored), validated now: a
    refused value is an error on the page, not a failed job. A filter given several values
    keeps them as a list."""
    getlist = getattr(params, "getlist", None)
    clean: dict[str, str | list[str]] = {}
    for name in TaskFilterSet.base_filters:
        if name not in params:
            continue
        given = getlist(name) if getlist else params[name]
        values = [str(v) for v in (given if isinstance(given, list | tuple) else [given])
                  if str(v).strip()]
        if values:
            clean[name] = values if len(values) > 1 else values[0]
    filterset = TaskFilterSet(ledger_query(clean), queryset=Task.objects.none())
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


def export_ledger_start(*, owner: User, params: Mapping[str, str],
                        task_ids: Collection[int] | None = None) -> ExportJob:
    """Queue the ledger of the tasks ``owner`` sees, filtered like the task list, and only
    of ``task_ids`` when given (tasks selected in the admin)."""
    clean: dict = ledger_params(params)
    if task_ids is not None:
        clean[TASK_IDS] = sorted({int(pk) for pk in task_ids})
    with transaction.atomic():
        _forget_old(owner, timezone.now())
        job = ExportJob.objects.create(owner=owner, kind=ExportJob.Kind.LEDGER, params=clean)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    """Hand the job to a worker; without a reachable broker the job fails with a reason the
    owner can read, instead of the request failing."""
    try:
        export_build.apply_async((job_id,), retry=False)
    except Exception as error:  # the broker is down: /readyz shows it as well
        log.warning("could not queue export job %s: %s", job_id, error)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, finished_at=timezone.now(),
            error=gettext("后台任务队列暂时不可用，请稍后重试。"))


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
        ledger = ledger_for(access_for(job.owner), ledger_query(job.params),
                            task_ids=job.params.get(TASK_IDS))
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
    """Render a just-published bulletin's or a just-finalised assessment's PDF and .xlsx
    into storage, so the first download is as quick as the others."""
    with site_language():
        if model == "bulletin":
            bulletin = Bulletin.objects.select_related("plan").get(pk=pk)
            stored_pdf(bulletin, bulletin_pdf)
            stored_xlsx(bulletin, bulletin_workbook)
        else:
            assessment = Assessment.objects.select_related("plan").get(pk=pk)
            stored_pdf(assessment, assessment_pdf)
            stored_xlsx(assessment, assessment_workbook)
