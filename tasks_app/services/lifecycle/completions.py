"""办结申请 → 办结销号: the lead department files a completion request with its results and
evidence; the lead office decides. Only 同意办结 completes the parts (and so the task):
a department can never simply type "done"."""

import datetime
import mimetypes
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date
from common.i18n import join_list, site_language
from departments.models import Department

from ...choices import AssignmentRole, EventKind, PartState
from ...history import record, task_event
from ...lifecycle import refresh_task_statuses
from ...models import Assignment, Attachment, CompletionRequest, Task
from ...rules.machine import LEAD_OFFICE, check_version
from ...rules.states import INACTIVE_PARTS, QUIET_PARTS
from ...rules.tables import COMPLETION, COMPLETION_ACTION, COMPLETION_PART_ACTION
from ..reports import validate_attachment
from ..tasks import task_update
from .notices import notify_departments
from .parts import part_check, part_department, part_locked, part_move, part_roles

Decision = CompletionRequest.Decision


def _event(request: CompletionRequest, actor: User | None, before: str | None,
           reason: str) -> None:
    record(task_event(request.task_id, EventKind.COMPLETION, actor=actor,
                      department_id=request.department_id, field="completion",
                      before=before or "", after=request.decision, reason=reason))


def _lead_part(task: Task, department: Department) -> Assignment:
    part = (Assignment.objects.filter(task=task, department=department)
            .exclude(state__in=INACTIVE_PARTS).first())
    if part is None:
        raise ValidationError({"department": _("%(department)s不承担任务 %(number)s。")
                               % {"department": department.name, "number": task.number}})
    return part_locked(part)


@transaction.atomic
def completion_request_file(*, task: Task, department: Department, results: str,
                            actor: User, uploads: Sequence[UploadedFile] = ()) -> CompletionRequest:
    """The lead department asks for the task to be closed, with results and evidence."""
    part = _lead_part(task, department)
    part_check(part, "request_completion", actor)
    COMPLETION.check("file", None, part_roles(part, actor))
    if CompletionRequest.objects.filter(task=task, decision=Decision.PENDING).exists():
        raise ValidationError({"results": _("该任务已有待审核的办结申请。")})
    results = (results or "").strip()
    if not results:
        raise ValidationError({"results": _("请填写办理结果。")})
    for upload in uploads:
        validate_attachment(upload)
    request = CompletionRequest.objects.create(task=task, department=department,
                                               results=results, filed_by=actor)
    for upload in uploads:
        Attachment.objects.create(
            completion_request=request, file=upload, original_name=(upload.name or "")[:255],
            size=upload.size or 0,
            content_type=mimetypes.guess_type(upload.name or "")[0] or "",
            uploaded_by=actor)
    _event(request, actor, None, results[:500])
    part_move(part=part, action="request_completion", actor=actor, reason=_("申请办结销号"))
    refresh_task_statuses([task.pk], actor=actor)
    return request


def _complete_other_parts(task_id: int, lead_part_id: int, actor: User, reason: str) -> None:
    """The task is closed: every other open part is completed with it."""
    others = list(Assignment.objects.select_for_update()
                  .filter(task_id=task_id, department__isnull=False)
                  .exclude(pk=lead_part_id)
                  .exclude(state__in=QUIET_PARTS)
                  .select_related("department"))
    pending = [part_department(p).name for p in others
               if p.state == PartState.EXTENSION_REQUESTED]
    if pending:
        raise ValidationError({"decision": (
            _("%(departments)s的延期申请尚未处理，请先审批延期申请再办结。")
            % {"departments": join_list(pending)})})
    for other in others:
        part_move(part=other, action="complete_with_task", actor=actor, reason=reason)


def _check_decision(decision: str, reason: str, rectify_due_on: datetime.date | None) -> str:
    if decision not in COMPLETION_ACTION:
        raise ValidationError(
            {"decision": _("请选择审核结论：同意办结、补充办理、不同意办结或需要整改。")})
    reason = (reason or "").strip()
    if decision != Decision.APPROVED and not reason:
        raise ValidationError({"reason": _("补充办理、不同意办结或需要整改时，请填写意见。")})
    if decision == Decision.RECTIFY:
        if rectify_due_on is None:
            raise ValidationError({"rectify_due_on": _("需要整改时请填写整改时限。")})
        if rectify_due_on <= timezone.localdate():
            raise ValidationError({"rectify_due_on": _("整改时限须晚于今天。")})
    return reason


@transaction.atomic
def completion_request_decide(*, request: CompletionRequest, actor: User, decision: str,
                              reason: str = "", rectify_due_on: datetime.date | None = None,
                              expected_version: int | None = None) -> CompletionRequest:
    """The lead office verifies: 同意办结, 补充办理, 不同意办结 or 需要整改 (new deadline)."""
    request = CompletionRequest.objects.select_for_update(of=("self",)).select_related(
        "task", "department").get(pk=request.pk)
    check_version(request, expected_version)
    part = _lead_part(request.task, request.department)
    roles = part_roles(part, actor)
    part_action = COMPLETION_PART_ACTION.get(decision, "approve_completion")
    if LEAD_OFFICE in roles:
        reason = _check_decision(decision, reason, rectify_due_on)
    step = COMPLETION.check(COMPLETION_ACTION.get(decision, "approve"), request.decision, roles)
    part_check(part, part_action, actor)
    before, request.decision = request.decision, step.to
    request.decided_by, request.decided_at = actor, timezone.now()
    request.decision_reason = reason
    request.rectify_due_on = rectify_due_on if decision == Decision.RECTIFY else None
    request.version += 1
    request.save()
    _event(request, actor, before, reason or _("办结销号"))
    part_move(part=part, action=part_action, actor=actor, reason=reason or _("办结销号"))
    if decision == Decision.APPROVED:
        _complete_other_parts(request.task_id, part.pk, actor, _("任务经牵头办公室审核办结"))
    if decision == Decision.RECTIFY:
        task_update(task=request.task, data={"due_on": rectify_due_on}, actor=actor,
                    reason=_("办结审核要求整改：%(reason)s") % {"reason": reason})
    refresh_task_statuses([request.task_id], actor=actor)
    _notify(request, part)
    return request


def _notify(request: CompletionRequest, part: Assignment) -> None:
    with site_language():  # the departments' language, not the lead office's
        lines = ([_("审核意见：%(reason)s") % {"reason": request.decision_reason}]
                 if request.decision_reason else [])
        if request.rectify_due_on:
            lines.append(_("整改时限：%(date)s") % {"date": cn_date(request.rectify_due_on)})
        heading = _("任务 %(number)s 的办结申请：%(decision)s") % {
            "number": request.task.number, "decision": request.get_decision_display()}
    department_ids = [part_department(part).pk]
    if request.decision == Decision.APPROVED:
        department_ids += [department_id for department_id in Assignment.objects.filter(
            task_id=request.task_id, state=PartState.COMPLETED,
            role=AssignmentRole.RESPONSIBLE).values_list("department_id", flat=True)
            if department_id is not None]  # a group's part has no department of its own
    notify_departments(
        key=f"completion:{request.pk}:{request.decision}", department_ids=department_ids,
        task=request.task, lines=lines, heading=heading)
