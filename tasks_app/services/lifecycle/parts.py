"""A department's part (its assignment): the one place that moves it through the PART table
and writes the history row of every move."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date
from departments.models import Department

from ...choices import AssignmentRole, EventKind, PartState
from ...history import record, task_event
from ...lifecycle import CLOSED_PART_STATES, refresh_task_statuses
from ...models import Assignment, Task
from ...rules.machine import Transition, actor_roles
from ...rules.tables import PART


def part_roles(part: Assignment, actor: User | None) -> frozenset[str]:
    return actor_roles(actor, part.department_id, lead=part.role == AssignmentRole.LEAD)


def part_locked(part: Assignment | int) -> Assignment:
    """The part, locked for this transaction, with its task and department."""
    pk = part if isinstance(part, int) else part.pk
    return (Assignment.objects.select_for_update(of=("self",))
            .select_related("task", "department").get(pk=pk))


def part_department(part: Assignment) -> Department:
    """The department of a part the lifecycle acts on (a department's part, never a group's)."""
    if part.department is None:
        raise ValueError(f"part {part.pk} names a group, not a department")
    return part.department


def part_check(part: Assignment, action: str, actor: User | None) -> Transition:
    """The PART table's verdict on ``action`` by ``actor``; raises when refused."""
    roles = part_roles(part, actor)
    if part.department_id is None:
        step = PART.check_role(action, roles)  # the role is still checked first
        raise ValidationError({"state": _("部门组“%(group)s”的分工没有单独的办理环节，"
                                          "不能%(action)s。")
                               % {"group": part.unit_name, "action": step.verb}})
    return PART.check(action, part.state, roles)


def part_move(*, part: Assignment, action: str, actor: User | None, reason: str = "",
              target: str | None = None, fields: tuple[str, ...] = ()) -> Assignment:
    """Take ``action`` on a locked part: check it, change its state (and ``fields`` set by
    the caller), write the history row. The caller refreshes the task's status."""
    step = part_check(part, action, actor)
    before = part.state
    part.state = target or step.to
    part.closed_at = timezone.now() if part.state in CLOSED_PART_STATES else None
    part.save(update_fields=["state", "closed_at", *fields])
    record(task_event(part.task_id, EventKind.PART, actor=actor,
                      department_id=part.department_id, field="state",
                      before=before, after=part.state,
                      reason=reason or str(step.verb)))
    return part


def _ack_reason(part: Assignment, now: datetime.datetime, reason: str) -> str:
    today = timezone.localtime(now).date()
    if part.ack_due_on and today > part.ack_due_on:
        late = _("逾期签收（签收时限%(date)s）") % {"date": cn_date(part.ack_due_on)}
        return _("%(reason)s;%(late)s") % {"reason": reason, "late": late} if reason else late
    return reason or _("签收")


@transaction.atomic
def part_acknowledge(*, part: Assignment, actor: User, reason: str = "") -> Assignment:
    """签收: the department confirms it has received its part of the task."""
    part = part_locked(part)
    now = timezone.now()
    part.acknowledged_at, part.acknowledged_by = now, actor
    part_move(part=part, action="acknowledge", actor=actor,
              reason=_ack_reason(part, now, reason),
              fields=("acknowledged_at", "acknowledged_by"))
    refresh_task_statuses([part.task_id], actor=actor)
    return part


def parts_acknowledge_by_reporting(*, task: Task, department_id: int, actor: User,
                                   now: datetime.datetime) -> None:
    """Filing a report shows the department received the task: its waiting part is
    acknowledged — when the one filing may acknowledge it (not the lead office filing on
    the department's behalf)."""
    parts = list(Assignment.objects.select_for_update().filter(
        task=task, department_id=department_id, state=PartState.PENDING_ACK))
    moved = False
    for part in parts:
        if not PART.allowed("acknowledge", part.state, part_roles(part, actor)):
            continue
        part.acknowledged_at, part.acknowledged_by = now, actor
        part_move(part=part, action="acknowledge", actor=actor,
                  reason=_ack_reason(part, now, _("报送进展即视为签收")),
                  fields=("acknowledged_at", "acknowledged_by"))
        moved = True
    if moved:
        refresh_task_statuses([task.pk], actor=actor)
