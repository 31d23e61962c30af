"""Downloads and uploads in the portal: the task ledger (督办台账) and the department's
monthly report sheet (download, fill offline, upload)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from departments.access import access_for
from departments.models import Department

from ..documents.ledger import ledger_filename, ledger_workbook
from ..documents.report_sheet import (
    problem_rows,
    sheet_entries,
    sheet_filename,
    sheet_workbook,
)
from ..documents.xlsx import download
from ..models import ReportingPeriod
from ..selectors import portal as selectors
from ..selectors.ledger import ledger_for
from ..services.report_sheets import SheetRejected, reports_save_bulk
from .common import pick_department
from .forms import SheetUploadForm


@login_required
@require_GET
def ledger_download(request: HttpRequest) -> HttpResponse:
    """The ledger of the tasks the user sees, filtered like the task list (``?plan=`` …);
    a department gets only its own rows, at once. Managers and the lead office see a plan
    or the whole city: theirs is built by an export job (same filters)."""
    access = access_for(request.user)
    if access.reads_everything:
        query = request.GET.urlencode()
        return redirect(reverse("portal:export_ledger") + (f"?{query}" if query else ""))
    try:
        ledger = ledger_for(access, request.GET)
    except ValidationError as error:
        text = "；".join(f"{name}：{' '.join(msgs)}" for name, msgs in error.message_dict.items())
        return HttpResponse(_("筛选条件不正确：") + text, status=400,
                            content_type="text/plain; charset=utf-8")
    return download(ledger_workbook(ledger), ledger_filename(ledger))


def _sheet_context(request: HttpRequest, pk: int, *, attachments: bool = True):
    """The period, the department (``?department=``, one of the user's) and its rows."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk)
    department_id = pick_department(request, access_for(request.user).department_ids)
    rows = selectors.sheet_rows(period, department_id, attachments=attachments)
    if not rows and not selectors.department_on_plan(department_id, period.plan_id):
        raise Http404
    department = Department.objects.get(pk=department_id)
    return period, department, rows


@login_required
@require_GET
def sheet_download(request: HttpRequest, pk: int) -> HttpResponse:
    period, department, rows = _sheet_context(request, pk, attachments=False)
    return download(sheet_workbook(period, department.name, department.pk, rows),
                    sheet_filename(period, department.name))


@login_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the filled sheet: every row checked like the portal's form, all or nothing."""
    period, department, rows = _sheet_context(request, pk)
    form, problems, status = SheetUploadForm(), [], 200
    if request.method == "POST":
        form = SheetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            submit = form.cleaned_data["action"] == "submit"
            try:
                entries = sheet_entries(form.cleaned_data["file"], period, department.pk)
                result = reports_save_bulk(period=period, department_id=department.pk,
                                           entries=entries, user=request.user, submit=submit)
            except SheetRejected as error:
                problems, status = problem_rows(error.problems), 422
            else:
                messages.success(request, _(
                    "报送表已导入：保存草稿 %(saved)d 项，报送 %(submitted)d 项，未改动 %(same)d "
                    "项。")
                    % {"saved": len(result.saved), "submitted": len(result.submitted),
                       "same": len(result.unchanged)})
                url = reverse("portal:batch_report", args=[period.pk])
                return redirect(f"{url}?department={department.pk}")
        else:
            status = 422
    return render(request, "portal/sheet_upload.html", {
        "period": period, "department": department, "rows": rows, "form": form,
        "problems": problems}, status=status)
