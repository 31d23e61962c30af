"""Filing progress reports: one task's form, and the whole sheet saved row by row."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from departments.access import access_for
from departments.models import Department

from ..choices import PeriodState
from ..exceptions import StaleVersion
from ..models import ProgressReport, ReportingPeriod
from ..permissions import reporting_departments, visible_tasks
from ..selectors import portal as selectors
from ..selectors.lifecycle import instructions_to_answer
from ..services import reports as services
from ..services.report_sheets import SheetRejected, reports_submit_drafts
from .common import int_param, is_htmx, not_found_if_denied, period_for, pick_department
from .forms import STALE_MESSAGE, ReportForm, ReportWithAttachmentsForm

DONE = {"save": gettext_lazy("已保存草稿。"), "submit": gettext_lazy("已报送。"),
        "withdraw": gettext_lazy("已撤回，可修改后重新报送。"),
        "remove_attachment": gettext_lazy("已删除附件。")}


def _act(request: HttpRequest, filing: services.Filing, report, form) -> str | None:
    """Run the posted action; returns its name when done, None when the form has errors."""
    action = request.POST.get("action", "save")
    if action == "withdraw" and report is not None:
        services.report_withdraw(report=report, user=request.user,
                                 expected_version=int_param(request, "version"))
    elif action == "remove_attachment" and report is not None:
        with not_found_if_denied():
            item = report.attachments.get(pk=int_param(request, "attachment"))
        services.attachment_remove(attachment=item, user=request.user)
    elif form.is_valid():
        services.report_file(
            filing=filing, data=form.report_data(), user=request.user,
            uploads=form.cleaned_data["attachments"], submit=action == "submit",
            expected_version=form.cleaned_data["version"], replies=_replies(request))
    else:
        return None
    return action


def _replies(request: HttpRequest) -> dict[int, str]:
    """Replies to leaders' instructions typed into the form (``reply_<instruction id>``)."""
    return {int(name.removeprefix("reply_")): value for name, value in request.POST.items()
            if name.startswith("reply_") and name.removeprefix("reply_").isdigit()}


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """This period's report of one of the user's departments on one task."""
    access = access_for(request.user)
    task = get_object_or_404(visible_tasks(access).select_related("plan"), pk=pk)
    department_id = pick_department(request, reporting_departments(access, task))
    period = period_for(request, task)
    filing = services.Filing(task, department_id, period)
    report = (ProgressReport.objects.filter(task=task, department_id=department_id,
                                            period=period)
              .select_related("reviewed_by", "head_reviewed_by")
              .prefetch_related("attachments").first())
    status, form = 200, None
    if request.method == "POST":
        form = ReportWithAttachmentsForm(request.POST, request.FILES)
        try:
            with not_found_if_denied():
                action = _act(request, filing, report, form)
        except StaleVersion:
            form.add_service_error(StaleVersion())
            status, action = 409, None
        except ValidationError as error:
            form.add_service_error(error)
            action = None
        if action:
            messages.success(request, DONE.get(action, DONE["save"]))
            return redirect(request.get_full_path())
    previous = services.previous_report(filing) if report is None else None
    form = form or ReportWithAttachmentsForm(initial=selectors.report_initial(
        task, report, previous) | {"version": report.version if report else 0})
    typed = _replies(request) if request.method == "POST" else {}
    return render(request, "portal/report.html", {
        "task": task, "period": period, "report": report, "previous": previous, "form": form,
        "instructions": instructions_to_answer(task.pk, department_id, report, typed),
        "department": Department.objects.get(pk=department_id),
        "editable": report is None or report.state in services.EDITABLE_STATES,
        "withdrawable": report is not None and report.state in services.WITHDRAWABLE_STATES,
    }, status=status)


def _sheet_department(request: HttpRequest) -> int:
    return pick_department(request, access_for(request.user).department_ids)


def _row_form(row: selectors.SheetRow) -> ReportForm:
    return ReportForm(initial=row.values | {"version": row.version},
                      auto_id=f"id_%s_{row.task.pk}")


@login_required
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    """All of the department's tasks for the period on one page (the Excel replacement)."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk)
    department_id = _sheet_department(request)
    rows = selectors.sheet_rows(period, department_id)
    if not rows and not selectors.department_on_plan(department_id, period.plan_id):
        raise Http404
    departments = list(Department.objects.filter(
        pk__in=access_for(request.user).department_ids).order_by("name"))
    return render(request, "portal/batch_report.html", {
        "period": period, "entries": [(row, _row_form(row)) for row in rows],
        "department": next(d for d in departments if d.pk == department_id),
        "departments": departments, "locked": period.state == PeriodState.LOCKED,
    })


@login_required
@require_http_methods(["POST"])
def batch_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """全部报送: every saved draft of the department for the period, all or nothing."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk)
    department_id = _sheet_department(request)
    try:
        result = reports_submit_drafts(period=period, department_id=department_id,
                                       user=request.user)
    except SheetRejected as error:
        for problem in error.problems:
            prefix = _("任务 %(number)s:") % {"number": problem.row} if problem.row else ""
            messages.error(request, f"{prefix}{problem.message}")
    else:
        messages.success(request, ngettext("已报送 %(n)d 项草稿。", "已报送 %(n)d 项草稿。",
                                           len(result.submitted)) % {"n": len(result.submitted)})
    url = reverse("portal:batch_report", args=[period.pk])
    return redirect(f"{url}?department={department_id}")


def _row_response(request, period, department_id, task_id, form=None, message="", status=200):
    rows = selectors.sheet_rows(period, department_id, task_id)
    if not rows:
        raise Http404
    return render(request, "portal/_sheet_row.html", {
        "row": rows[0], "form": form or _row_form(rows[0]), "period": period,
        "department_id": department_id, "message": message, "status_code": status,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def batch_row(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Save (or submit, or withdraw) one row of the sheet; answers the re-drawn row.

    422 with field messages when the input is refused, 409 when someone else saved first.
    """
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk)
    department_id = _sheet_department(request)
    if request.method == "GET":
        return _row_response(request, period, department_id, task_pk)
    rows = selectors.sheet_rows(period, department_id, task_pk)
    if not rows:
        raise Http404
    form = ReportForm(request.POST, auto_id=f"id_%s_{task_pk}")
    action = request.POST.get("action", "save")
    status, message = 200, ""
    try:
        with not_found_if_denied():
            if not _row_action(request, action, rows[0], period, department_id, form):
                status = 422
    except ValidationError as error:
        form.add_service_error(error)
        status = 409 if isinstance(error, StaleVersion) else 422
    if status == 200:
        message, form = DONE.get(action, DONE["save"]), None
    if not is_htmx(request):
        _flash(request, status, message, form)
        url = reverse("portal:batch_report", args=[period.pk])
        return redirect(f"{url}?department={department_id}#row-{task_pk}")
    return _row_response(request, period, department_id, task_pk, form, message, status)


def _row_action(request, action: str, row: selectors.SheetRow, period, department_id,
                form) -> bool:
    """Run the row's action through the services; False when the form itself is invalid."""
    if action == "withdraw":
        if row.report is None:
            raise ValidationError({"state": _("该任务本期尚未报送。")})
        services.report_withdraw(report=row.report, user=request.user,
                                 expected_version=int_param(request, "version"))
        return True
    if not form.is_valid():
        return False
    services.report_save(
        filing=services.Filing(row.task, department_id, period), data=form.report_data(),
        user=request.user, expected_version=form.cleaned_data["version"],
        submit=action == "submit")
    return True


def _flash(request: HttpRequest, status: int, message: str, form) -> None:
    if status == 200:
        messages.success(request, message)
    elif status == 409:
        messages.error(request, STALE_MESSAGE)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
