"""The state sets every layer shares: which part, task and report states count as live, open,
closed or filed. Defined once here; nothing else spells them out again."""

import datetime

from django.db.models import Exists
from django.db.models.expressions import Combinable

from ..choices import PartState, ReportState, TaskStatus
from ..models import Assignment
from ..models.reports import AWAITING_REVIEW
from ..models.targets import TargetReading

# ---------------------------------------------------------------- a department's part

#: A transferred part is history: it belongs to the department it was transferred to now.
INACTIVE_PARTS = (PartState.TRANSFERRED,)
#: Every part that still counts as the department's (open or closed).
LIVE_PARTS = tuple(state for state in PartState.values if state not in INACTIVE_PARTS)
#: A part whose work is over: it owes nothing from the day it closed.
CLOSED_PARTS = (PartState.SUSPENDED, PartState.COMPLETED)
#: A part being worked on: it owes reports, receives reminders and chases.
OPEN_PARTS = tuple(state for state in LIVE_PARTS if state not in CLOSED_PARTS)
#: Parts that owe nothing now (closed or transferred).
QUIET_PARTS = (*INACTIVE_PARTS, *CLOSED_PARTS)


def own_part(task: Combinable, department: Combinable) -> Exists:
    """Whether the department holds a live part of its own in the task (``task`` and
    ``department``: expressions, e.g. ``OuterRef("task_id")``). Where it does, its groups'
    parts in the task do not count for it: the governing rule (obligations._governing) as
    every query that expands groups to their members says it."""
    return Exists(Assignment.objects.filter(task_id=task, department_id=department)
                  .exclude(state__in=INACTIVE_PARTS))

# ---------------------------------------------------------------- the task

#: A closed task (completed or suspended): no reports, reminders or chases.
CLOSED_TASKS = (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)

# ---------------------------------------------------------------- a progress report

#: A report counts as filed once submitted (and while approved or accepted). A returned report
#: is owed again; a draft was never filed.
FILED_REPORTS = (ReportState.SUBMITTED, ReportState.HEAD_APPROVED, ReportState.ACCEPTED)
#: Filed reports in a review queue (the head's or the lead department's; the tuple lives with
#: the model, whose index finds them) — the department may still withdraw them.
WITHDRAWABLE_REPORTS = AWAITING_REVIEW
#: Reports the department may still edit and file.
EDITABLE_REPORTS = (ReportState.DRAFT, ReportState.RETURNED)


def ack_is_overdue(part: Assignment, today: datetime.date) -> bool:
    """A part waiting for acknowledgement past its deadline: the 签收逾期 warning."""
    return (part.state == PartState.PENDING_ACK and part.ack_due_on is not None
            and part.ack_due_on < today)


# ---------------------------------------------------------------- a target reading (月监测)

#: A monthly figure counts as filed once submitted (and while approved); a returned one is
#: owed again.
FILED_READINGS = (TargetReading.State.SUBMITTED, TargetReading.State.APPROVED)
