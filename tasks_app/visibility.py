"""What a department sees of a task's history: one rule for the task page and the API.

Managers and the lead office see every event. A department sees the task's own events
(no department), its own department's events, and of other departments only what concerns
every party (division of labour, deadlines, task status and progress, part states,
completion). Other departments' reports and their reviews (return comments), 督办单,
leader instructions addressed to them with their replies, and extension requests stay
private — except that the lead department sees the reports and reviews it oversees.
"""

from django.db.models import Q, QuerySet

from departments.access import Access

from .choices import EventKind
from .models import Task, TaskEvent
from .permissions import lead_department_ids

PARTY_KINDS = frozenset({
    EventKind.STATUS, EventKind.PROGRESS, EventKind.ASSIGNMENT_ADDED,
    EventKind.ASSIGNMENT_REMOVED, EventKind.ASSIGNMENT_CHANGED, EventKind.DUE_DATE,
    EventKind.HEALTH_OVERRIDE, EventKind.FIELD, EventKind.SUMMARY, EventKind.PART,
    EventKind.COMPLETION,
})
LEAD_REVIEWS = frozenset({EventKind.REPORT, EventKind.REVIEW})
PRIVATE_KINDS = frozenset(EventKind) - PARTY_KINDS  # report, review, slip, instruction, …


def visible_events(access: Access, task: Task, events: QuerySet[TaskEvent] | None = None,
                   *, leads_here: bool | None = None) -> QuerySet[TaskEvent]:
    """The task's events this user may see (``leads_here``: whether one of the user's
    departments leads the task, when the caller already knows)."""
    events = task.events.all() if events is None else events
    if access.reads_everything:
        return events
    ids = access.department_ids
    if not ids:
        return events.none()
    if leads_here is None:
        leads_here = bool(lead_department_ids(task) & ids)
    shown = PARTY_KINDS | (LEAD_REVIEWS if leads_here else frozenset())
    return events.filter(Q(department_id__isnull=True) | Q(department_id__in=ids)
                         | Q(kind__in=shown))
