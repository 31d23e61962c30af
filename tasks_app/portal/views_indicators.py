"""月监测: indicator owners enter monthly figures; the lead office approves or returns them."""

import datetime
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from departments.access import access_for

from ..documents.reading_sheet import (
    reading_entries,
    reading_filename,
    reading_problem_rows,
    reading_workbook,
)
from ..documents.xlsx import download
from ..models import Target, TargetReading
from ..permissions import visible_targets
from ..selectors.targets import indicator_rows
from ..services.reading_sheets import ReadingEntry, readings_save_bulk
from ..services.report_sheets import SheetRejected
from ..services.targets import target_reading_review, target_reading_save
from ..workdays import add_months, month_start
from .common import int_param, today
from .forms import ReadingForm, ReadingReviewForm, SheetFileForm


def _month(request: HttpRequest) -> datetime.date:
    """``?month=2026-05``, else last month (figures come in the month after)."""
    raw = request.POST.get("month") or request.GET.get("month")
    if raw:
        try:
            return datetime.date.fromisoformat(f"{raw}-01")
        except ValueError as error:
            raise Http404 from error
    return add_months(month_start(today()), -1)


@login_required
@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.department_ids or access.reads_everything):
        raise Http404
    month = _month(request)
    if month > month_start(today()):
        raise Http404
    failed: dict[tuple[int, str], object] = {}
    if request.method == "POST":
        target = get_object_or_404(visible_targets(access), pk=int_param(request, "target"))
        kind = "review" if "review" in request.POST else "entry"
        form = FORMS[kind](request.POST, prefix=f"{kind}{target.pk}")
        if form.is_valid() and _save(request, target, month, form):
            url = reverse("portal:indicators")
            return redirect(f"{url}?month={month:%Y-%m}#target-{target.pk}")
        failed[target.pk, kind] = form
    page = Paginator(indicator_rows(access, month, plan_id=int_param(request, "plan")),
                     TARGETS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for row in page.object_list:
        pk, reading = row.target.pk, row.reading
        entry = row.may_enter and (failed.get((pk, "entry")) or ReadingForm(
            prefix=f"entry{pk}", initial={
                "value": reading.value.normalize() if reading else None,
                "is_year_to_date": reading.is_year_to_date if reading else True,
                "note": reading.note if reading else "",
                "version": reading.version if reading else 0}))
        review = None
        if access.is_lead_office and reading and reading.state == TargetReading.State.SUBMITTED:
            review = failed.get((pk, "review")) or ReadingReviewForm(
                prefix=f"review{pk}", initial={"version": reading.version})
        rows.append((row, entry, review))
    return render(request, "portal/indicators.html", {
        "rows": rows, "page": page, "month": month, "previous": add_months(month, -1),
        "next": add_months(month, 1) if month < month_start(today()) else None,
    }, status=400 if failed else 200)


FORMS = {"entry": ReadingForm, "review": ReadingReviewForm}
TARGETS_PER_PAGE = 20  # a city's targets (the lead office's, a manager's) are a few pages


def _save(request: HttpRequest, target: Target, month: datetime.date, form) -> bool:
    data = form.cleaned_data
    try:
        if "review" in request.POST:
            reading = get_object_or_404(TargetReading, target=target, month=month)
            target_reading_review(reading=reading, user=request.user,
                                  approve=request.POST["review"] == "approve",
                                  comment=data["comment"], expected_version=data["version"])
            messages.success(request, _("已审核：%(name)s") % {"name": target.name})
        else:
            target_reading_save(target=target, month=month, value=data["value"],
                                note=data["note"], is_year_to_date=data["is_year_to_date"],
                                user=request.user, expected_version=data["version"])
            messages.success(request, _("已报送：%(name)s") % {"name": target.name})
        return True
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        form.add_service_error(error)
        return False


# ---------------------------------------------------------------- Excel: download, upload,
# preview (every row checked by the services, nothing kept), confirm (all or nothing)

SHEET_SALT = "duban.indicator-sheet"
SHEET_MAX_AGE = 3600  # a preview is confirmed within the hour


def _sheet_month(request: HttpRequest, access) -> datetime.date:
    if not (access.department_ids or access.reads_everything):
        raise Http404
    month = _month(request)
    if month > month_start(today()):
        raise Http404
    return month


@login_required
@require_GET
def indicators_sheet(request: HttpRequest) -> HttpResponse:
    """The month's sheet of the targets the user monitors (a department: its own)."""
    access = access_for(request.user)
    month = _sheet_month(request, access)
    return download(reading_workbook(month, indicator_rows(access, month)),
                    reading_filename(month))


@login_required
@require_http_methods(["GET", "POST"])
def indicators_upload(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    month = _sheet_month(request, access)
    form, problems, preview, payload, status = SheetFileForm(), [], None, "", 200
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data = signing.loads(request.POST["confirm"], salt=SHEET_SALT,
                                 max_age=SHEET_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("预览已过期，请重新上传。"))
            return redirect(f"{reverse('portal:indicators_upload')}?month={month:%Y-%m}")
        if data["user"] != request.user.pk or data["month"] != month.isoformat():
            raise Http404
        entries = [ReadingEntry(**entry) for entry in data["entries"]]
        try:
            result = readings_save_bulk(month=month, entries=entries, user=request.user)
        except SheetRejected as error:
            problems, status = reading_problem_rows(error.problems), 422
        else:
            messages.success(request, _(
                "指标月监测已导入：更新 %(changed)d 项，未改动 %(same)d 项。")
                % {"changed": len(result.changed), "same": len(result.unchanged)})
            return redirect(f"{reverse('portal:indicators')}?month={month:%Y-%m}")
    elif request.method == "POST":
        form = SheetFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                entries = reading_entries(form.cleaned_data["file"], month)
                preview = readings_save_bulk(month=month, entries=entries, user=request.user,
                                             dry_run=True)
            except SheetRejected as error:
                problems, status = reading_problem_rows(error.problems), 422
            else:
                payload = signing.dumps({
                    "user": request.user.pk, "month": month.isoformat(),
                    "entries": [asdict(entry) for entry in entries]}, salt=SHEET_SALT)
        else:
            status = 422
    return render(request, "portal/indicators_upload.html", {
        "month": month, "form": form, "problems": problems, "preview": preview,
        "payload": payload}, status=status)
