"""Celery tasks of tasks_app: thin, taking ids."""

from celery import shared_task

from .services.exports import export_run


@shared_task(ignore_result=True, acks_late=True)
def export_build(job_id: int) -> None:
    """Build an export job's file (see services.exports)."""
    export_run(job_id)
