"""月监测: indicator owners enter monthly figures; the lead office approves or returns them."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from departments.access import access_for

from ..models import Target, TargetReading
from ..permissions import visible_targets
from ..selectors.targets import indicator_rows
from ..services.targets import target_reading_review, target_reading_save
from ..workdays import add_months, month_start
from .common import int_param, today
from .forms import ReadingForm, ReadingReviewForm


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
    rows = []
    for row in indicator_rows(access, month, plan_id=int_param(request, "plan")):
        pk, reading = row.target.pk, row.reading
        entry = failed.get((pk, "entry")) or ReadingForm(prefix=f"entry{pk}", initial={
            "value": reading.value.normalize() if reading else None,
            "is_year_to_date": reading.is_year_to_date if reading else True,
            "note": reading.note if reading else "", "version": reading.version if reading else 0})
        review = None
        if access.is_lead_office and reading and reading.state == TargetReading.State.SUBMITTED:
            review = failed.get((pk, "review")) or ReadingReviewForm(
                prefix=f"review{pk}", initial={"version": reading.version})
        rows.append((row, entry, review))
    return render(request, "portal/indicators.html", {
        "rows": rows, "month": month, "previous": add_months(month, -1),
        "next": add_months(month, 1) if month < month_start(today()) else None,
    }, status=400 if failed else 200)


FORMS = {"entry": ReadingForm, "review": ReadingReviewForm}


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
