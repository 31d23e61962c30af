"""Reviewing reports: the head's and the lead department's queues, the lead's task page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from departments.access import access_for

from ..exceptions import StaleVersion
from ..permissions import visible_reports
from ..selectors import portal as selectors
from ..selectors import reviews as review_selectors
from ..services import reports as services
from .common import not_found_if_denied, period_for, safe_next, today
from .forms import STALE_MESSAGE, ReviewForm, SummaryForm

LEAD_PAGE_SIZE = 50
HEAD_SHOWN = 50  # a head's queue shows its latest; each one reviewed makes room for the next


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """Reports waiting for the user: as head of a department, as lead of a task."""
    access = access_for(request.user)
    if not (access.department_ids or access.is_lead_office):
        raise Http404
    lead = review_selectors.lead_queue_page(access, request.GET.get("page"), LEAD_PAGE_SIZE)
    head = review_selectors.head_queue(access) if access.head_of else None
    head_reports = list(head[:HEAD_SHOWN]) if head is not None else []
    return render(request, "portal/reviews.html", {
        "head_reports": head_reports, "lead_page": lead,
        "head_total": (head.count() if head is not None and len(head_reports) == HEAD_SHOWN
                       else len(head_reports)),
    })


@login_required
def reviews_count(request: HttpRequest) -> HttpResponse:
    """The menu's badge: how many reports wait for the user's review (loaded by htmx)."""
    return render(request, "portal/_review_count.html",
                  {"count": review_selectors.review_count(access_for(request.user))})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead department's page for one task and period: every department's report,
    accept or return each, the consolidated summary, who reported on time."""
    access = access_for(request.user)
    with not_found_if_denied():
        task = selectors.visible_task(access, pk)
        page = review_selectors.review_page(access, task, period_for(request, task), today())
    form, status = None, 200
    if request.method == "POST":
        form, status = _save_summary(request, page)
        if form is None:
            return redirect(request.get_full_path())
    summary = page.summary
    form = form or SummaryForm(initial={
        "text": summary.text if summary else "",
        "progress": summary.progress if summary else page.task.progress,
        "version": summary.version if summary else None})
    return render(request, "portal/review.html", {
        "page": page, "task": page.task, "period": page.period, "summary_form": form,
        "today": today()}, status=status)


def _save_summary(request: HttpRequest, page: review_selectors.ReviewPage):
    """(None, 200) when saved, else the form with its errors and the status to answer."""
    form = SummaryForm(request.POST)
    if not page.may_summarise:
        raise Http404
    if not form.is_valid():
        return form, 200
    try:
        services.summary_save(
            task=page.task, period=page.period, text=form.cleaned_data["text"],
            progress=form.cleaned_data["progress"], user=request.user,
            expected_version=form.cleaned_data["version"])
    except StaleVersion:
        form.add_service_error(StaleVersion())
        return form, 409
    except ValidationError as error:
        form.add_service_error(error)
        return form, 200
    messages.success(request, _("已保存任务汇总。"))
    return None, 200


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve/accept or return one report, as head (role=head) or lead (role=lead)."""
    access = access_for(request.user)
    reports = visible_reports(access).select_related("task", "period", "department")
    report = get_object_or_404(reports, pk=pk)
    fallback = reverse("portal:review", args=[report.task_id]) + f"?period={report.period_id}"
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通过或退回。"))
        return redirect(safe_next(request, fallback))
    data = form.cleaned_data
    review_service = (services.report_head_review if data["role"] == "head"
                      else services.report_lead_review)
    decision = {"approve" if data["role"] == "head" else "accept": data["decision"] == "accept"}
    try:
        with not_found_if_denied():
            review_service(report=report, user=request.user, comment=data["comment"],
                           expected_version=data["version"], **decision)
    except StaleVersion:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, f"{report.department}：{text}")
    else:
        messages.success(request, _("已退回 %(department)s 的报送。") % {
            "department": report.department} if data["decision"] == "return"
            else _("已通过 %(department)s 的报送。") % {"department": report.department})
    return redirect(safe_next(request, fallback))
