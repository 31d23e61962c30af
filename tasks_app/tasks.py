"""Celery tasks of tasks_app: thin, taking ids. ``tick`` is the one beat entry of the cycle.

The export and PDF jobs are defined beside the services that queue them (services.exports)
under their names here; importing them registers them when a worker discovers this module.
"""

from celery import shared_task
from django.utils import timezone

from ops.signals import cycle_ran

from .cycle.run import run_cycle
from .services.exports import export_build, store_pdf

__all__ = ["export_build", "store_pdf", "tick"]


@shared_task(ignore_result=True)
def tick() -> None:
    """Run the cycle for now; messages are handed to ``deliver`` after commit."""
    run_cycle(timezone.now())
    cycle_ran()
