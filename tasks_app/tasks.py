"""Celery tasks of tasks_app: thin, taking ids. ``tick`` is the one beat entry of the cycle."""

from celery import shared_task
from django.utils import timezone

from common.i18n import site_language
from ops.signals import cycle_ran

from .cycle.run import run_cycle
from .documents.assessment import assessment_pdf
from .documents.bulletin import bulletin_pdf
from .documents.stored import stored_pdf
from .models import Assessment, Bulletin
from .services.exports import export_run


@shared_task(ignore_result=True)
def tick() -> None:
    """Run the cycle for now; messages are handed to ``deliver`` after commit."""
    run_cycle(timezone.now())
    cycle_ran()


@shared_task(ignore_result=True, acks_late=True)
def export_build(job_id: int) -> None:
    """Build an export job's file (see services.exports)."""
    export_run(job_id)


@shared_task(ignore_result=True, acks_late=True)
def store_pdf(model: str, pk: int) -> None:
    """Render a just-published bulletin's or a just-finalised assessment's PDF into storage,
    so the first download is as quick as the others."""
    if model == "bulletin":
        document, render = Bulletin.objects.select_related("plan").get(pk=pk), bulletin_pdf
    else:
        document, render = Assessment.objects.select_related("plan").get(pk=pk), assessment_pdf
    with site_language():
        stored_pdf(document, render)
