"""延期申请: the department asks for a new due date before the due date, its head endorses,
the lead office approves (naming the new date) or refuses. An approved extension moves the
task's due date through task_update, so the history keeps every date (the original stays
in Task.original_due_on)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date
from common.i18n import site_language

from ...choices import EventKind
from ...history import record, task_event
from ...lifecycle import refresh_task_statuses
from ...models import Assignment, ExtensionRequest, Schedule
from ...rules.machine import HEAD, check_version
from ...rules.tables import EXTENSION
from ..tasks import task_update
from .notices import notify_departments
from .parts import part_check, part_department, part_locked, part_move, part_roles

State = ExtensionRequest.State


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _event(request: ExtensionRequest, actor: User | None, before: str | None,
           reason: str) -> None:
    record(task_event(request.assignment.task_id, EventKind.EXTENSION, actor=actor,
                      department_id=request.assignment.department_id, field="extension",
                      before=before or "", after=request.state, reason=reason))


def _check_dates(part: Assignment, proposed: datetime.date, today: datetime.date) -> bool:
    """Whether the request comes late (after the due date); refuses what cannot be asked."""
    due = part.task.due_on
    if due is None:
        raise ValidationError({"proposed_due_on": _("该任务没有完成时限，无需申请延期。")})
    if proposed <= due:
        raise ValidationError(
            {"proposed_due_on": _("申请延至的日期须晚于现完成时限%(date)s。")
             % {"date": cn_date(due)}})
    late = today > due
    allowed = Schedule.objects.filter(plan_id=part.task.plan_id,
                                      allow_late_extension=True).exists()
    if late and not allowed:
        raise ValidationError({"proposed_due_on": (
            _("已超过完成时限%(date)s，逾期后不受理延期申请；如确需延期，请联系牵头办公室。")
            % {"date": cn_date(due)})})
    return late


@transaction.atomic
def extension_request_file(*, part: Assignment, proposed_due_on: datetime.date, reason: str,
                           actor: User) -> ExtensionRequest:
    """The department asks for a later due date. Filed by its head, it is endorsed at once."""
    part = part_locked(part)
    roles = part_roles(part, actor)
    part_check(part, "request_extension", actor)
    step = EXTENSION.check("file", None, roles)
    reason = _required(reason, "reason", _("请填写延期理由。"))
    now = timezone.now()
    late = _check_dates(part, proposed_due_on, timezone.localtime(now).date())
    by_head = HEAD in roles
    request = ExtensionRequest.objects.create(
        assignment=part, current_due_on=part.task.due_on, proposed_due_on=proposed_due_on,
        reason=reason, requested_by=actor, late=late,
        state=State.PENDING_DECISION if by_head else step.to,
        endorsed_by=actor if by_head else None, endorsed_at=now if by_head else None)
    request.assignment = part
    _event(request, actor, None,
           _("申请延至%(date)s：%(reason)s") % {"date": cn_date(proposed_due_on), "reason": reason}
           + (_("（部门负责人申请）") if by_head else ""))
    part_move(part=part, action="request_extension", actor=actor, reason=reason)
    refresh_task_statuses([part.task_id], actor=actor)
    return request


def _locked(request: ExtensionRequest) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update(of=("self",)).select_related(
        "assignment").get(pk=request.pk)
    request.assignment = part_locked(request.assignment_id)
    return request


@transaction.atomic
def extension_request_endorse(*, request: ExtensionRequest, actor: User, endorse: bool,
                              comment: str = "",
                              expected_version: int | None = None) -> ExtensionRequest:
    """The department head endorses the request (to the lead office) or returns it."""
    request = _locked(request)
    check_version(request, expected_version)
    part = request.assignment
    roles = part_roles(part, actor)
    action = "endorse" if endorse else "return"
    if not endorse:
        part_check(part, "return_extension", actor)
    step = EXTENSION.check(action, request.state, roles)
    comment = comment.strip() if endorse else _required(comment, "comment",
                                                        _("退回延期申请时请填写意见。"))
    before, request.state = request.state, step.to
    if endorse:
        request.endorsed_by, request.endorsed_at = actor, timezone.now()
    else:
        request.decided_by, request.decided_at = actor, timezone.now()
        request.decision_reason = comment
    request.version += 1
    request.save()
    _event(request, actor, before, comment or _("部门负责人审核同意"))
    if not endorse:
        part_move(part=part, action="return_extension", actor=actor, reason=comment)
        refresh_task_statuses([part.task_id], actor=actor)
    return request


@transaction.atomic
def extension_request_decide(*, request: ExtensionRequest, actor: User, approve: bool,
                             due_on: datetime.date | None = None, reason: str = "",
                             expected_version: int | None = None) -> ExtensionRequest:
    """The lead office approves, naming the new due date, or refuses with a reason."""
    request = _locked(request)
    check_version(request, expected_version)
    part = request.assignment
    action = "approve" if approve else "refuse"
    part_check(part, f"{action}_extension", actor)
    step = EXTENSION.check(action, request.state, part_roles(part, actor))
    reason = (reason or "").strip()
    if approve:
        due_on = due_on or request.proposed_due_on
        current = part.task.due_on
        if current and due_on <= current:
            raise ValidationError({"due_on": _("批准延至的日期须晚于现完成时限%(date)s。")
                                   % {"date": cn_date(current)}})
    else:
        reason = _required(reason, "reason", _("不同意延期时请填写理由。"))
    before, request.state = request.state, step.to
    request.decided_by, request.decided_at = actor, timezone.now()
    request.decision_reason, request.approved_due_on = reason, due_on if approve else None
    request.version += 1
    request.save()
    verdict = _verdict(approve, due_on)
    _event(request, actor, before, _with_reason(verdict, reason))
    part_move(part=part, action=f"{action}_extension", actor=actor, reason=reason or verdict)
    if approve:
        task_update(task=part.task, data={"due_on": due_on}, actor=actor,
                    reason=_with_reason(_("%(department)s延期申请获批")
                                        % {"department": part_department(part).name}, reason))
    refresh_task_statuses([part.task_id], actor=actor)
    _notify(request, part, approve, reason)
    return request


def _verdict(approve: bool, due_on: datetime.date | None) -> str:
    return (_("批准延至%(date)s") % {"date": cn_date(due_on)}) if approve else _("不同意延期")


def _with_reason(text: str, reason: str) -> str:
    return _("%(text)s:%(reason)s") % {"text": text, "reason": reason} if reason else text


def _notify(request: ExtensionRequest, part: Assignment, approve: bool, reason: str) -> None:
    with site_language():  # the department's language, not the lead office's
        heading = _("%(department)s的延期申请：%(verdict)s") % {
            "department": part_department(part).name,
            "verdict": _verdict(approve, request.approved_due_on)}
        lines = [_("申请延至：%(date)s") % {"date": cn_date(request.proposed_due_on)},
                 _("理由：%(reason)s") % {"reason": request.reason},
                 *([_("审批意见：%(reason)s") % {"reason": reason}] if reason else [])]
    notify_departments(
        key=f"extension:{request.pk}:{request.state}", department_ids=[part_department(part).pk],
        task=part.task, heading=heading, lines=lines)
