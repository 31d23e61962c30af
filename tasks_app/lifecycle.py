"""The task's own status, derived from its departments' parts."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from .choices import EventKind, PartState, TaskStatus
from .history import record, task_event
from .models import Assignment, Task
from .rules.states import CLOSED_PARTS, CLOSED_TASKS, LIVE_PARTS

_ACTIVE = set(LIVE_PARTS)
# Closed: no more reports owed; the time of closing is kept in ``closed_at``.
CLOSED_PART_STATES = frozenset(CLOSED_PARTS)
CLOSED_TASK_STATUSES = frozenset(CLOSED_TASKS)


def derive_task_status(part_states: Iterable[str], has_group: bool = False) -> str:
    """The task status that its parts' states add up to.

    No part at all: 待分配. All parts suspended: 中止. All completed: 办结 (only a verified
    completion completes a part). Any completion request: 办结申请. Any rectification:
    整改中. All still waiting for acknowledgement: 待签收. Otherwise 办理中 (补充办理 and
    延期申请 included). Group parts (各相关部门) have no lifecycle of their own; alone
    they mean 办理中.
    """
    states = [state for state in part_states if state in _ACTIVE]
    if not states:
        return TaskStatus.IN_PROGRESS if has_group else TaskStatus.NEW
    if all(state == PartState.SUSPENDED for state in states):
        return TaskStatus.SUSPENDED
    live = [state for state in states if state != PartState.SUSPENDED]
    if all(state == PartState.COMPLETED for state in live):
        return TaskStatus.COMPLETED
    if PartState.COMPLETION_REQUESTED in live:
        return TaskStatus.COMPLETION_REQUESTED
    if PartState.RECTIFYING in live:
        return TaskStatus.RECTIFYING
    if all(state == PartState.PENDING_ACK for state in live):
        return TaskStatus.PENDING_ACK
    return TaskStatus.IN_PROGRESS


def refresh_task_statuses(
    task_ids: Iterable[int], *, actor: User | None = None, reason: str = ""
) -> list[int]:
    """Re-derive the status of these tasks; write changed ones and their history rows.

    Two queries plus one bulk update, whatever the number of tasks. Returns changed ids.
    """
    task_ids = set(task_ids)
    parts: dict[int, list[str]] = defaultdict(list)
    groups: set[int] = set()
    for task_id, state, department_id in Assignment.objects.filter(
        task_id__in=task_ids
    ).values_list("task_id", "state", "department_id"):
        if department_id is None:
            groups.add(task_id)
        else:
            parts[task_id].append(state)
    changed, events, now = [], [], timezone.now()
    for task in Task.objects.filter(pk__in=task_ids).only("id", "status", "version"):
        status = derive_task_status(parts[task.pk], task.pk in groups)
        if status != task.status:
            events.append(task_event(
                task, EventKind.STATUS, actor=actor, field="status",
                before=task.status, after=status,
                reason=reason,
            ))
            task.status = status
            task.closed_at = now if status in CLOSED_TASK_STATUSES else None
            task.version += 1
            changed.append(task)
    Task.objects.bulk_update(changed, ["status", "closed_at", "version"])
    record(*events)
    return [task.pk for task in changed]
