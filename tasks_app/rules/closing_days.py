"""When parts and tasks closed (the reporting counts need the day a closed part stopped owing
reports): the ``closed_at`` columns the lifecycle services set when they close."""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from ..models import Assignment, Plan, Task


def _local_days(rows: Iterable[tuple]) -> dict:
    return {key: timezone.localtime(at).date() for key, at in rows}


def _closing_days(plan: Plan) -> tuple[dict[int, datetime.date], dict[tuple, datetime.date]]:
    """Task id → day the task was last closed; (task, department) → day the part was."""
    tasks = (Task.objects.filter(plan_id=plan.pk, closed_at__isnull=False).order_by()
             .values_list("pk", "closed_at"))
    parts = (Assignment.objects.filter(plan_id=plan.pk, department__isnull=False,
                                       closed_at__isnull=False)
             .order_by("closed_at").values_list("task_id", "department_id", "closed_at"))
    return _local_days(tasks), _local_days(((t, d), at) for t, d, at in parts)
