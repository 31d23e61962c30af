"""中止 / 转办 by the lead office: suspend a task (its reminders stop) and resume it;
reassign a department's part to another department (both parts stay in the history)."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.i18n import StrOrPromise, site_language
from departments.models import Department

from ...choices import AssignmentRole, EventKind, PartState
from ...history import record, task_event
from ...lifecycle import refresh_task_statuses
from ...models import Assignment, Task
from ...rules.machine import actor_roles
from ...rules.states import INACTIVE_PARTS
from ...rules.tables import PART
from ...workdays import add_working_days
from ..assignments import _check_free, _new_part
from .notices import notify_departments
from .parts import part_check, part_department, part_locked, part_move


def _required_reason(reason: str, verb: StrOrPromise) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("%(action)s时请填写原因。") % {"action": verb}})
    return reason


def _department_parts(task: Task) -> list[Assignment]:
    return list(Assignment.objects.select_for_update().filter(
        task=task, department__isnull=False).exclude(state__in=INACTIVE_PARTS)
        .select_related("department").order_by("pk"))


def _task_action(task: Task, action: str, actor: User, reason: str,
                 states) -> tuple[list[Assignment], str]:
    """The parts ``action`` applies to; the role is checked even when there are none."""
    PART.check_role(action, actor_roles(actor, None))
    reason = _required_reason(reason, PART.table[action].verb)
    parts = [p for p in _department_parts(task) if p.state in states]
    if not parts:
        raise ValidationError({"state": (
            _("任务 %(number)s 当前为“%(status)s”，没有可%(action)s的部门分工。") % {
                "number": task.number, "status": task.get_status_display(),
                "action": PART.table[action].verb})})
    return parts, reason


@transaction.atomic
def task_suspend(*, task: Task, actor: User, reason: str) -> Task:
    """中止: every open part is suspended; the cycle no longer reminds or chases it."""
    parts, reason = _task_action(task, "suspend", actor, reason, PART.table["suspend"].sources)
    for part in parts:
        part.state_before_suspension = part.state
        part_move(part=part, action="suspend", actor=actor, reason=reason,
                  fields=("state_before_suspension",))
    refresh_task_statuses([task.pk], actor=actor, reason=reason)
    return Task.objects.get(pk=task.pk)


@transaction.atomic
def task_resume(*, task: Task, actor: User, reason: str) -> Task:
    """恢复办理: each suspended part returns to where it was; a part never acknowledged gets a
    new acknowledgement deadline counted from today."""
    parts, reason = _task_action(task, "resume", actor, reason, {PartState.SUSPENDED})
    days = task.plan.schedule.ack_working_days if hasattr(task.plan, "schedule") else 3
    for part in parts:
        target = part.state_before_suspension or PartState.IN_PROGRESS
        fields = ["state_before_suspension"]
        if target == PartState.PENDING_ACK:
            part.ack_due_on = add_working_days(timezone.localdate(), days)
            fields.append("ack_due_on")
        part.state_before_suspension = ""
        part_move(part=part, action="resume", actor=actor, reason=reason, target=target,
                  fields=tuple(fields))
    refresh_task_statuses([task.pk], actor=actor, reason=reason)
    return Task.objects.get(pk=task.pk)


@transaction.atomic
def part_transfer(*, part: Assignment, department: Department, actor: User,
                  reason: str) -> Assignment:
    """转办: the part passes to ``department`` (same role), which must acknowledge it.

    The old part stays, marked 已转办 and pointing at the new one; reports stay with it.
    """
    part = part_locked(part)
    part_check(part, "transfer", actor)
    reason = _required_reason(reason, PART.table["transfer"].verb)
    task = Task.objects.select_related("plan__schedule").get(pk=part.task_id)
    if department.pk == part.department_id:
        raise ValidationError({"department": _("请选择另一个部门。")})
    _check_free(task, department, None, exclude_pk=part.pk)
    old_state = part.state
    part_move(part=part, action="transfer", actor=actor,
              reason=_("转办%(department)s：%(reason)s") % {
                  "department": department.name, "reason": reason})
    new = _new_part(task, part.role, department, None, part.position)
    if old_state == PartState.SUSPENDED:
        new.state, new.state_before_suspension = PartState.SUSPENDED, PartState.PENDING_ACK
    new.save()
    part.transferred_to = new
    part.save(update_fields=["transferred_to"])
    record(task_event(task, EventKind.ASSIGNMENT_CHANGED, actor=actor,
                      department_id=department.pk, field="assignment",
                      before=f"{part_department(part).name}（{AssignmentRole(part.role).label}）",
                      after=f"{department.name}（{AssignmentRole(new.role).label}）",
                      reason=_("转办：%(reason)s") % {"reason": reason}))
    refresh_task_statuses([task.pk], actor=actor, reason=reason)
    with site_language():  # the new department's language, not the lead office's
        heading = _("%(department)s：任务 %(number)s 由%(from)s转办至本部门，请及时签收") % {
            "department": department.name, "number": task.number,
            "from": part_department(part).name}
        lines = [_("转办原因：%(reason)s") % {"reason": reason}]
    notify_departments(key=f"transfer:{new.pk}", department_ids=[department.pk], task=task,
                       heading=heading, lines=lines)
    return new
