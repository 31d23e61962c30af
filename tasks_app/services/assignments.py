"""Write paths for who does what: add, remove, change role, bulk assign.

Every change writes the task's history and re-derives its status in the same transaction.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.i18n import StrOrPromise
from departments.models import Department, DepartmentGroup

from ..choices import AssignmentRole, EventKind, PartState
from ..history import record, task_event
from ..lifecycle import refresh_task_statuses
from ..models import Assignment, ProgressReport, Task
from ..rules.states import INACTIVE_PARTS
from ..workdays import add_working_days


def _label(role: str) -> StrOrPromise:
    return AssignmentRole(role).label


def _check_free(task: Task, department: Department | None, group: DepartmentGroup | None,
                exclude_pk: int | None = None) -> None:
    live = task.assignments.exclude(state__in=INACTIVE_PARTS)
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
    if department is not None:
        taken = live.filter(department=department).first()
        if taken:
            raise ValidationError({"department": _(
                "%(department)s 已是任务 %(number)s 的%(role)s，"
                "同一部门在一个任务中只能担任一个角色。"
            ) % {"department": department.name, "number": task.number,
                 "role": _label(taken.role)}})
    if group is not None and live.filter(group=group).exists():
        raise ValidationError({"group": _("%(group)s 已在任务 %(number)s 的分工中。")
                               % {"group": group.name, "number": task.number}})


def _new_part(task: Task, role: str, department: Department | None,
              group: DepartmentGroup | None, position: int) -> Assignment:
    if role not in AssignmentRole.values:
        raise ValidationError({"role": _("角色必须是牵头部门或责任部门。")})
    if (department is None) == (group is None):
        raise ValidationError({"department": _("请选择一个部门或一个部门组（二选一）。")})
    ack_days = task.plan.schedule.ack_working_days if hasattr(task.plan, "schedule") else 3
    return Assignment(
        task=task, plan_id=task.plan_id, role=role, department=department, group=group,
        position=position,
        source_text="", state=PartState.PENDING_ACK,
        ack_due_on=add_working_days(timezone.localdate(), ack_days) if department else None,
    )


@transaction.atomic
def assignment_add(
    *, task: Task, role: str, actor: User | None, department: Department | None = None,
    group: DepartmentGroup | None = None, reason: str = "",
) -> Assignment:
    """Give ``department`` (or ``group``) a part in ``task``."""
    _check_free(task, department, group)
    position = (task.assignments.aggregate(p=Max("position"))["p"] or 0) + 1
    part = _new_part(task, role, department, group, position)
    part.save()
    record(task_event(task, EventKind.ASSIGNMENT_ADDED, actor=actor,
                      department_id=part.department_id, field="assignment",
                      after=f"{part.unit_name}（{_label(role)}）", reason=reason))
    refresh_task_statuses([task.pk], actor=actor, reason=reason)
    return part


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor: User | None, reason: str = "") -> None:
    """Take a part away; its reports stay (they are history)."""
    if assignment.department_id and ProgressReport.objects.filter(
        task_id=assignment.task_id, department_id=assignment.department_id
    ).exists():
        raise ValidationError(
            _("%(unit)s 已就任务 %(number)s 报送过进展，不能删除分工；请使用“转办”或“中止”。")
            % {"unit": assignment.unit_name, "number": assignment.task.number}
        )
    record(task_event(assignment.task_id, EventKind.ASSIGNMENT_REMOVED, actor=actor,
                      department_id=assignment.department_id, field="assignment",
                      before=f"{assignment.unit_name}（{_label(assignment.role)}）",
                      reason=reason))
    task_id = assignment.task_id
    assignment.delete()
    refresh_task_statuses([task_id], actor=actor, reason=reason)


@transaction.atomic
def assignment_change_role(
    *, assignment: Assignment, role: str, actor: User | None, reason: str = ""
) -> Assignment:
    if role not in AssignmentRole.values:
        raise ValidationError({"role": _("角色必须是牵头部门或责任部门。")})
    if role == assignment.role:
        return assignment
    record(task_event(assignment.task_id, EventKind.ASSIGNMENT_CHANGED, actor=actor,
                      department_id=assignment.department_id, field="role",
                      before=f"{assignment.unit_name}（{_label(assignment.role)}）",
                      after=f"{assignment.unit_name}（{_label(role)}）", reason=reason))
    assignment.role = role
    assignment.save(update_fields=["role"])
    return assignment


@dataclass
class BulkAssignResult:
    created: list[Assignment]
    skipped: list[Task]  # the department already had this part in these
    promoted: list[Assignment] = field(default_factory=list)  # responsible → lead
    demoted: list[Assignment] = field(default_factory=list)  # other leads → responsible


def _role_changed(part: Assignment, role: str, actor: User | None, reason: str):
    event = task_event(part.task_id, EventKind.ASSIGNMENT_CHANGED, actor=actor,
                       department_id=part.department_id, field="role",
                       before=f"{part.unit_name}（{_label(part.role)}）",
                       after=f"{part.unit_name}（{_label(role)}）", reason=reason)
    part.role = role
    return event


@transaction.atomic
def assignments_bulk_add(
    *, tasks: list[Task], department: Department, role: str, actor: User | None,
    reason: str = "", replace_lead: bool = False,
) -> BulkAssignResult:
    """Give one department the same role in many tasks.

    Where the department already has a part: as 责任部门 and ``role`` is 牵头部门, the part
    is promoted; otherwise the task is skipped. ``replace_lead`` (with ``role`` 牵头部门) makes
    the other lead departments of those tasks 责任部门, so the department becomes the one lead.
    A constant number of queries: reads, one bulk insert, one bulk update, one history insert
    and the status refresh.
    """
    if role not in AssignmentRole.values:
        raise ValidationError({"role": _("角色必须是牵头部门或责任部门。")})
    tasks = list(Task.objects.filter(pk__in=[t.pk for t in tasks]).select_related(
        "plan__schedule"))
    live = Assignment.objects.filter(task__in=tasks).exclude(state__in=INACTIVE_PARTS)
    mine = {part.task_id: part for part in live.filter(department=department)
            .select_related("department", "group")}
    last = dict(Assignment.objects.filter(task__in=tasks).values("task_id")
                .annotate(p=Max("position")).values_list("task_id", "p"))
    result = BulkAssignResult([], [])
    events = []
    for task in tasks:
        part = mine.get(task.pk)
        if part is None:
            result.created.append(
                _new_part(task, role, department, None, (last.get(task.pk) or 0) + 1))
        elif part.role != role and role == AssignmentRole.LEAD:
            events.append(_role_changed(part, role, actor, reason))
            result.promoted.append(part)
        else:
            result.skipped.append(task)
    if role == AssignmentRole.LEAD and replace_lead:
        for part in (live.filter(role=AssignmentRole.LEAD).exclude(department=department)
                     .select_related("department", "group")):
            events.append(_role_changed(part, AssignmentRole.RESPONSIBLE, actor, reason))
            result.demoted.append(part)
    Assignment.objects.bulk_create(result.created)
    Assignment.objects.bulk_update(result.promoted + result.demoted, ["role"])
    record(*(task_event(part.task, EventKind.ASSIGNMENT_ADDED, actor=actor,
                        department_id=department.pk, field="assignment",
                        after=f"{department.name}（{_label(role)}）", reason=reason)
             for part in result.created), *events)
    refresh_task_statuses([part.task_id for part in result.created], actor=actor, reason=reason)
    return result
