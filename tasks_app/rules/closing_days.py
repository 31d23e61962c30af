"""When parts and tasks closed, read from the history (the reporting counts need the day a
closed part stopped owing reports). Kept apart so that it can be replaced by date columns
without touching the obligation rules."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation

from ..choices import EventKind
from ..models import Plan, TaskEvent
from .states import CLOSED_PARTS, CLOSED_TASKS


def history_labels(*choices) -> list[str]:
    """Labels as history rows store them (before → after), in every language of the site."""
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.update(str(choice.label) for choice in choices)
    return sorted(labels)


def _local_days(rows: Iterable[tuple]) -> dict:
    return {key: timezone.localtime(at).date() for key, at in rows}


def _closing_days(plan: Plan) -> tuple[dict[int, datetime.date], dict[tuple, datetime.date]]:
    """Task id → day the task was last closed; (task, department) → day the part was."""
    events = TaskEvent.objects.filter(task__plan_id=plan.pk).order_by()
    tasks = (events.filter(kind=EventKind.STATUS, field="status",
                           after__in=history_labels(*CLOSED_TASKS))
             .values("task_id").annotate(at=Max("at")).values_list("task_id", "at"))
    parts = (events.filter(kind=EventKind.PART, field="state", department__isnull=False,
                           after__in=history_labels(*CLOSED_PARTS))
             .values("task_id", "department_id").annotate(at=Max("at"))
             .values_list("task_id", "department_id", "at"))
    return _local_days(tasks), _local_days(((t, d), at) for t, d, at in parts)
