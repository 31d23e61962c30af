"""Task history: every change of status, progress, assignment… becomes a TaskEvent row."""

from django.contrib.auth.models import User
from django.utils import timezone

from .models import Task, TaskEvent


def task_event(
    task: Task | int,
    kind: str,
    *,
    actor: User | None = None,
    department_id: int | None = None,
    field: str = "",
    before: object = "",
    after: object = "",
    reason: str = "",
    report_id: int | None = None,
    number: str = "",
) -> TaskEvent:
    """An unsaved history row; callers save it (or bulk-create many) in their transaction."""
    return TaskEvent(
        task_id=task if isinstance(task, int) else task.pk,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        department_id=department_id,
        at=timezone.now(),
        field=field,
        before="" if before is None else str(before),
        after="" if after is None else str(after),
        reason=reason,
        report_id=report_id,
        number=number,
    )


def record(*events: TaskEvent) -> None:
    TaskEvent.objects.bulk_create(events)
