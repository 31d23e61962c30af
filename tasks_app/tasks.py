"""Celery tasks of tasks_app: thin, taking ids."""

from celery import shared_task

from .documents.assessment import assessment_pdf, assessment_workbook
from .documents.bulletin import bulletin_pdf, bulletin_workbook
from .documents.stored import stored_pdf, stored_xlsx
from .i18n import site_language
from .models import Assessment, Bulletin
from .services.exports import export_run


@shared_task(ignore_result=True, acks_late=True)
def export_build(job_id: int) -> None:
    """Build an export job's file (see services.exports)."""
    export_run(job_id)


@shared_task(ignore_result=True, acks_late=True)
def store_pdf(model: str, pk: int) -> None:
    """Render a just-published bulletin's or a just-finalised assessment's PDF and .xlsx
    into storage, so the first download is as quick as the others."""
    if model == "bulletin":
        document = Bulletin.objects.select_related("plan").get(pk=pk)
        pdf, xlsx = bulletin_pdf, bulletin_workbook
    else:
        document = Assessment.objects.select_related("plan").get(pk=pk)
        pdf, xlsx = assessment_pdf, assessment_workbook
    with site_language():
        stored_pdf(document, pdf)
        stored_xlsx(document, xlsx)
