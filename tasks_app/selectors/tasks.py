"""Read paths for tasks: prepared querysets, so no caller can cause N+1 queries."""

import datetime

from django.db.models import Prefetch, QuerySet

from departments.access import Access

from ..health import with_health
from ..models import Assignment, Task, TaskEvent
from ..permissions import live_parts, visible_tasks
from ..visibility import visible_events


def parts_prefetch(to_attr: str = "live_parts") -> Prefetch:
    """A task's live parts with their department or group, in document order."""
    queryset: QuerySet[Assignment] = live_parts().select_related("department", "group").order_by(
        "role", "position", "id")
    return Prefetch("assignments", queryset, to_attr=to_attr)


def task_list(access: Access, now: datetime.datetime | None = None) -> QuerySet[Task]:
    """Tasks the user may see, with health, plan, driver and parts loaded (3 queries)."""
    return with_health(
        visible_tasks(access).select_related("plan", "driver").prefetch_related(parts_prefetch()),
        now,
    ).order_by("plan_id", "number")


def assignment_list(access: Access) -> QuerySet[Assignment]:
    """Every part (live or transferred) of the tasks the user may see."""
    parts = Assignment.objects.select_related("task", "department", "group")
    if access.reads_everything:
        return parts
    return parts.filter(task__in=visible_tasks(access).values("pk"))


def task_history(access: Access, task: Task) -> QuerySet[TaskEvent]:
    """The task's events the user may see (:mod:`tasks_app.visibility`), newest first."""
    return visible_events(access, task, task.events.select_related("department", "actor")
                          .order_by("-at", "-id"))
