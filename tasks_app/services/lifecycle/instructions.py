"""领导批示: a manager writes an instruction on a task or on a department's report; the
departments concerned are told at once and must reply in their next report (a report is
not submitted while an instruction to its department on that task is unanswered)."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_datetime, cn_period
from common.i18n import join_list, site_language
from departments.access import access_for
from departments.models import Department
from notifications.choices import Kind

from ...choices import EventKind, ReportState
from ...history import record, task_event
from ...models import InstructionReply, LeaderInstruction, ProgressReport, Task
from ...permissions import department_ids_on_task
from ...rules.machine import actor_roles
from ...rules.tables import INSTRUCTING_ROLES
from .notices import notify_departments


def _addressees(task: Task, report: ProgressReport | None,
                departments: Iterable[Department] | None) -> list[int]:
    on_task = department_ids_on_task(task)
    if report is not None:
        if report.task_id != task.pk:
            raise ValidationError({"report": _("该报送不属于此任务。")})
        return [report.department_id]
    chosen = [d.pk for d in departments] if departments else sorted(on_task)
    strangers = [pk for pk in chosen if pk not in on_task]
    if strangers:
        names = join_list(Department.objects.filter(pk__in=strangers)
                          .values_list("name", flat=True))
        raise ValidationError({"departments": _("%(departments)s不承担此任务，不能作为批示对象。")
                               % {"departments": names}})
    if not chosen:
        raise ValidationError({"departments": _("该任务尚无责任单位，批示无法送达。")})
    return chosen


@transaction.atomic
def instruction_create(*, task: Task, text: str, actor: User,
                       report: ProgressReport | None = None,
                       departments: Iterable[Department] | None = None) -> LeaderInstruction:
    """A manager's instruction; by default to every department on the task (on a report:
    to that report's department)."""
    if not actor_roles(actor, None) & INSTRUCTING_ROLES:
        raise PermissionDenied(_("只有领导可以作出批示。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写批示内容。")})
    addressees = _addressees(task, report, departments)
    instruction = LeaderInstruction.objects.create(task=task, report=report, text=text,
                                                   author=actor)
    instruction.departments.set(addressees)
    names = list(Department.objects.filter(pk__in=addressees).order_by("name")
                 .values_list("name", flat=True))
    record(task_event(task, EventKind.INSTRUCTION, actor=actor, field="instruction",
                      after=text[:500],
                      reason=_("批示对象：%(departments)s") % {"departments": join_list(names)},
                      report_id=report.pk if report else None))
    _notify(instruction, task, report, addressees, names)
    return instruction


def _notify(instruction: LeaderInstruction, task: Task, report: ProgressReport | None,
            addressees: list[int], names: list[str]) -> None:
    actor = instruction.author
    author = (f"{actor.last_name}{actor.first_name}" or actor.username) if actor else ""
    with site_language():  # the departments' language, not the leader's
        context = {
            "instruction": instruction, "instruction_author": author,
            "departments": join_list(names), "when": cn_datetime(instruction.created_at),
            "report_label": (_("%(department)s %(month)s进展报送") % {
                "department": report.department.name,
                "month": cn_period(report.period)} if report else "")}
        heading = _("领导批示")
    notify_departments(
        kind=Kind.INSTRUCTION, key=f"instruction-{instruction.pk}", department_ids=addressees,
        task=task, heading=heading, context=context)


def unanswered_instructions(task_id: int, department_id: int) -> QuerySet[LeaderInstruction]:
    """Instructions to the department on the task that it has not replied to yet."""
    replied = InstructionReply.objects.filter(instruction=OuterRef("pk"),
                                              department_id=department_id)
    return (LeaderInstruction.objects.filter(task_id=task_id, departments=department_id)
            .filter(~Exists(replied)).order_by("created_at", "pk"))


def check_instructions_answered(report: ProgressReport) -> None:
    """Refuse to submit a report while an instruction to its department is unanswered."""
    waiting = list(unanswered_instructions(report.task_id, report.department_id)[:3])
    if waiting:
        quoted = join_list(f"“{i.text[:30]}”" for i in waiting)
        raise ValidationError({"instruction_replies": (
            _("请先填写对领导批示的落实情况再报送：%(instructions)s") % {"instructions": quoted})})


@transaction.atomic
def instruction_replies_save(*, report: ProgressReport, replies: dict[int, str],
                             user: User) -> list[InstructionReply]:
    """The department's replies, written with its report (editable until it is submitted).

    ``replies`` maps instruction ids to text; blank texts are left out.
    """
    if not access_for(user).works_for(report.department_id):
        raise PermissionDenied(_("只能为本部门填写批示落实情况。"))
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise ValidationError({"instruction_replies": _("该报送已报送，不能修改批示落实情况。")})
    wanted = {pk: (text or "").strip() for pk, text in replies.items() if (text or "").strip()}
    if not wanted:
        return []
    instructions = {i.pk: i for i in LeaderInstruction.objects.filter(
        pk__in=wanted, task_id=report.task_id, departments=report.department_id)}
    existing = {r.instruction_id: r for r in InstructionReply.objects.select_for_update()
                .filter(instruction_id__in=instructions, department_id=report.department_id)}
    saved = []
    for pk, text in wanted.items():
        if pk not in instructions:
            raise ValidationError({"instruction_replies": _("该批示不是写给本部门的。")})
        reply = existing.get(pk)
        if reply is not None and reply.report_id not in (None, report.pk):
            continue  # answered in an earlier report: that reply stays as it was
        if reply is None:
            reply = InstructionReply(instruction_id=pk, department_id=report.department_id)
        if reply.text == text and reply.pk:
            saved.append(reply)
            continue
        reply.text, reply.report, reply.created_by = text, report, user
        reply.created_at = timezone.now()
        reply.save()
        record(task_event(report.task_id, EventKind.INSTRUCTION, actor=user,
                          department_id=report.department_id, field="instruction_reply",
                          after=text[:500],
                          reason=_("落实批示“%(instruction)s”") % {
                              "instruction": instructions[pk].text[:30]},
                          report_id=report.pk))
        saved.append(reply)
    return saved
