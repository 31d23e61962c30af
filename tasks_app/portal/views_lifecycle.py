"""The lifecycle on the task page: one POST endpoint per action, each reading its form and
calling one service (success: back to the task page with a message; refused: the task page
again, 422 or 403 for a role not allowed, with the reason and the input kept), and the
panels the task page loads after it (instructions; requests and 督办单), the transfer form
and the department's 待办 — each also a page of its own without JavaScript. A task the
user may not see: 404."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.access import access_for
from departments.models import Department

from ..models import Assignment, CompletionRequest, ExtensionRequest, Task
from ..permissions import department_ids_on_task, visible_reports, visible_tasks
from ..rules.machine import actor_roles
from ..rules.tables import INSTRUCTING_ROLES
from ..selectors.lifecycle import (
    department_todo,
    departments_on_task,
    instructions_of,
    task_requests,
    transfer_targets,
)
from ..services.lifecycle import (
    completions,
    extensions,
    instructions,
    parts,
    slips,
    suspension,
)
from . import forms_lifecycle as f
from .common import is_htmx, today
from .views import task_page


def _part(task: Task, pk: int) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("department"), pk=pk, task=task)


def acknowledge(request, task, form: f.PartForm) -> str:
    parts.part_acknowledge(part=_part(task, form.cleaned_data["part"]), actor=request.user)
    return _("已签收。")


def request_extension(request, task, form: f.ExtensionRequestForm) -> str:
    data = form.cleaned_data
    extensions.extension_request_file(part=_part(task, data["part"]), actor=request.user,
                                      proposed_due_on=data["proposed_due_on"],
                                      reason=data["reason"])
    return _("已提交延期申请。")


def _extension(task: Task, pk: int) -> ExtensionRequest:
    return get_object_or_404(ExtensionRequest, pk=pk, assignment__task=task)


def endorse_extension(request, task, form: f.EndorseForm) -> str:
    data = form.cleaned_data
    endorse = data["decision"] == "endorse"
    extensions.extension_request_endorse(request=_extension(task, data["request"]),
                                         actor=request.user, endorse=endorse,
                                         comment=data["comment"])
    return _("已审核同意，报牵头办公室审批。") if endorse else _("已退回延期申请。")


def decide_extension(request, task, form: f.ExtensionDecisionForm) -> str:
    data = form.cleaned_data
    approve = data["decision"] == "approve"
    extensions.extension_request_decide(request=_extension(task, data["request"]),
                                        actor=request.user, approve=approve,
                                        due_on=data["due_on"], reason=data["reason"])
    return _("已同意延期，完成时限已更新。") if approve else _("已不同意延期。")


def request_completion(request, task, form: f.CompletionForm) -> str:
    data = form.cleaned_data
    department = get_object_or_404(Department, pk=data["department"])
    completions.completion_request_file(task=task, department=department, actor=request.user,
                                        results=data["results"], uploads=data["attachments"])
    return _("已提交办结申请，等待牵头办公室审核。")


def decide_completion(request, task, form: f.CompletionDecisionForm) -> str:
    data = form.cleaned_data
    item = get_object_or_404(CompletionRequest, pk=data["request"], task=task)
    done = completions.completion_request_decide(
        request=item, actor=request.user, decision=data["decision"], reason=data["reason"],
        rectify_due_on=data["rectify_due_on"])
    return _("已审核：%(decision)s。") % {"decision": done.get_decision_display()}


def suspend(request, task, form: f.ReasonForm) -> str:
    suspension.task_suspend(task=task, actor=request.user, reason=form.cleaned_data["reason"])
    return _("任务已中止，提醒和催报随之停止。")


def resume(request, task, form: f.ReasonForm) -> str:
    suspension.task_resume(task=task, actor=request.user, reason=form.cleaned_data["reason"])
    return _("任务已恢复办理。")


def transfer(request, task, form: f.TransferForm) -> str:
    data = form.cleaned_data
    department = get_object_or_404(Department, pk=data["department"], is_active=True)
    suspension.part_transfer(part=_part(task, data["part"]), department=department,
                             actor=request.user, reason=data["reason"])
    return _("已转办至%(name)s，等待其签收。") % {"name": department.name}


def issue_slip(request, task, form: f.SlipForm) -> str:
    data = form.cleaned_data
    department = get_object_or_404(Department, pk=data["department"])
    slip = slips.slip_issue(task=task, department=department, actor=request.user,
                            reason=data["reason"], respond_by=data["respond_by"],
                            required_response=data["required_response"], sign=data["sign"])
    if data["sign"]:
        return _("已签发督办单 %(number)s。") % {"number": slip.number}
    return _("督办单草稿已保存，签发后才编号、发送。")


def instruct(request, task, form: f.InstructionForm) -> str:
    data = form.cleaned_data
    report = None
    if data["report"]:
        report = get_object_or_404(visible_reports(access_for(request.user)).select_related(
            "department", "period"), pk=data["report"], task=task)
    chosen = list(Department.objects.filter(pk__in=data["departments"]))
    instructions.instruction_create(task=task, text=data["text"], actor=request.user,
                                    report=report, departments=chosen or None)
    return _("批示已送达相关部门。")


ACTIONS: dict[str, tuple[type, Callable]] = {
    "acknowledge": (f.PartForm, acknowledge),
    "request_extension": (f.ExtensionRequestForm, request_extension),
    "endorse_extension": (f.EndorseForm, endorse_extension),
    "decide_extension": (f.ExtensionDecisionForm, decide_extension),
    "request_completion": (f.CompletionForm, request_completion),
    "decide_completion": (f.CompletionDecisionForm, decide_completion),
    "suspend": (f.ReasonForm, suspend),
    "resume": (f.ReasonForm, resume),
    "transfer": (f.TransferForm, transfer),
    "issue_slip": (f.SlipForm, issue_slip),
    "instruct": (f.InstructionForm, instruct),
}


def _form(form_class, request: HttpRequest, task: Task):
    if form_class is f.InstructionForm:
        return form_class(request.POST, department_ids=department_ids_on_task(task))
    return form_class(request.POST, request.FILES)


def _form_messages(form) -> list[str]:
    """The form's own errors, each named by its field's label."""
    return [f"{form.fields[name].label or name}：{error}" if name in form.fields else error
            for name, errors in form.errors.items() for error in errors]


def _errors(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error) or _("您没有权限进行此操作。")]
    return [message for messages_ in error.message_dict.values() for message in messages_] \
        if hasattr(error, "error_dict") else list(error.messages)


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    task = get_object_or_404(visible_tasks(access_for(request.user)).select_related("plan"),
                             pk=pk)
    form_class, handler = ACTIONS[action]
    form = _form(form_class, request, task)
    try:
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        done = handler(request, task, form)
    except (ValidationError, PermissionDenied) as error:
        status = 403 if isinstance(error, PermissionDenied) else 422
        return task_page(request, pk, status=status, failed={
            "action": action, "errors": _errors(error), "posted": request.POST})
    messages.success(request, done)
    return redirect(reverse("portal:task", args=[pk]) + "#lifecycle")


def _panel(request: HttpRequest, fragment: str, heading: str, context: dict) -> HttpResponse:
    """The fragment for htmx, or a page around it."""
    context = {**context, "fragment": fragment, "heading": heading}
    return render(request, fragment if is_htmx(request) else "portal/lifecycle/page.html",
                  context)


def _visible_task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(visible_tasks(access_for(request.user)).select_related("plan"),
                             pk=pk)


@login_required
def task_instructions(request: HttpRequest, pk: int) -> HttpResponse:
    """领导批示 on the task, newest first, with each department's reply (at most 7 queries)."""
    task = _visible_task(request, pk)
    can_instruct = bool(actor_roles(request.user, None) & INSTRUCTING_ROLES)
    departments = departments_on_task(task) if can_instruct else []
    return _panel(request, "portal/lifecycle/instructions.html", _("领导批示"), {
        "task": task, "instructions": instructions_of(task), "can_instruct": can_instruct,
        "departments": departments})


@login_required
def task_requests_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Extension and completion requests and 督办单 of the task (9 queries at most)."""
    task = _visible_task(request, pk)
    return _panel(request, "portal/lifecycle/requests.html", _("延期申请、办结申请和督办单"), {
        "task": task, "requests": task_requests(task, request.user)})


@login_required
def transfer_page(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    """The lead office picks the department a part passes to (posted to task_action)."""
    task = _visible_task(request, pk)
    part = _part(task, part_pk)
    if not access_for(request.user).is_lead_office:
        raise Http404
    return render(request, "portal/lifecycle/transfer.html", {
        "task": task, "part": part, "departments": transfer_targets(task)})


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """What the user's departments must do: acknowledge, answer 督办单, endorse, reply."""
    return _panel(request, "portal/lifecycle/todo.html", _("待办"), {
        "todo": department_todo(request.user, today())})
