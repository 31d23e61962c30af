"""Portal pages that only read: home, task page, overview, profile, attachment download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from departments.access import access_for
from departments.models import Membership
from notifications.models import CalendarFeed

from ..models import Attachment
from ..permissions import plans_milestones, visible_reports, visible_tasks
from ..selectors import overview as overview_selectors
from ..selectors import portal as selectors
from ..selectors.lifecycle import task_lifecycle
from ..services.calendar_feed import calendar_feed_issue
from ..services.tokens import api_token_issue
from ..workdays import month_start
from .bar_charts import plan_charts
from .charts import progress_chart
from .common import not_found_if_denied, today

HOME_PAGE_SIZE = 50  # the busiest department's most urgent rows; the rest a page away
TIMELINE_PAGE_SIZE = 30  # a task's latest entries; four years of monthly reports a page away


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The department's tasks; managers and the lead office land on the overview."""
    access = access_for(request.user)
    if not access.department_ids and access.reads_everything:
        return redirect("portal:overview")
    home = selectors.home(access, today())
    rows = Paginator(home.rows, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/home.html", {"home": home, "rows": rows, "today": today()})


@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return task_page(request, pk)


def task_page(request: HttpRequest, pk: int, *, status: int = 200,
              failed: dict | None = None) -> HttpResponse:
    """The task page; ``failed``: a refused lifecycle action, shown with its input kept."""
    access = access_for(request.user)
    with not_found_if_denied():
        detail = selectors.task_detail(access, pk)
    lifecycle = task_lifecycle(detail.parts, request.user, today())
    timeline = Paginator(detail.timeline, TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("timeline"))
    return render(request, "portal/task.html", {
        "detail": detail, "task": detail.task, "lifecycle": lifecycle, "today": today(),
        "timeline": timeline,
        "can_plan": plans_milestones(access, leads_task=detail.leads_here),
        "failed": failed or {}}, status=status)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every plan at a glance, for managers and the lead office only."""
    if not access_for(request.user).reads_everything:
        raise Http404
    day = today()
    data = overview_selectors.overview(day, page_number=request.GET.get("page", 1))
    plans = [(plan, progress_chart(plan.progress_series, month_start(day)), plan_charts(plan))
             for plan in data.plans]
    return render(request, "portal/overview.html", {
        "overview": data, "plans": plans, "today": day})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The user's memberships and personal API token (create or regenerate)."""
    if request.method == "POST" and request.POST.get("action", "").startswith("calendar"):
        regenerate = request.POST["action"] == "calendar_regenerate"
        calendar_feed_issue(user=request.user, regenerate=regenerate)
        messages.success(request, _("已重新生成日历订阅地址，旧地址已失效。") if regenerate
                         else _("已生成日历订阅地址。"))
        return redirect("portal:profile")
    if request.method == "POST":
        regenerate = request.POST.get("action") == "regenerate"
        api_token_issue(user=request.user, regenerate=regenerate)
        messages.success(request, _("已重新生成接口令牌，旧令牌已失效。") if regenerate
                         else _("已生成接口令牌。"))
        return redirect("portal:profile")
    memberships = (Membership.objects.filter(user=request.user).select_related("department")
                   .order_by("role", "department__name"))
    return render(request, "portal/profile.html", {
        "memberships": memberships, "token": Token.objects.filter(user=request.user).first(),
        "calendar": CalendarFeed.objects.filter(user=request.user).first()})


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download an attachment of a report (or completion request) the user may see."""
    access = access_for(request.user)
    item = get_object_or_404(Attachment.objects.select_related("completion_request"), pk=pk)
    if item.report_id:
        allowed = visible_reports(access).filter(pk=item.report_id).exists()
    else:
        allowed = visible_tasks(access).filter(pk=item.completion_request.task_id).exists()
    if not allowed:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=item.original_name,
                        content_type=item.content_type or "application/octet-stream")
