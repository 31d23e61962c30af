"""A report returned by the department head or by the lead department: its liaisons (and
the department's robot) are told at the next run on a working day from the plan's send time
(as every message of the cycle). One message per return (report id and version); returns
older than RETURNED_WINDOW are not told late.
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext

from common.formatting import cn_datetime, cn_period
from notifications.choices import Kind
from notifications.drafts import Draft, draft_render
from notifications.links import page_url
from notifications.models import Notification

from ...choices import ReportState
from ...models import ProgressReport
from ...workdays import is_working_day
from ..context import CycleContext

# Longer than the longest run of holidays (春节), during which nothing is sent.
RETURNED_WINDOW = datetime.timedelta(days=14)


def _returned_reports(ctx: CycleContext) -> list[ProgressReport]:
    since = ctx.now - RETURNED_WINDOW
    if not is_working_day(ctx.today):
        return []
    plans = [plan for plan in ctx.plans if ctx.sending(plan)]
    return list(ProgressReport.objects
                .filter(state=ReportState.RETURNED, period__plan__in=plans)
                .filter(Q(reviewed_at__gte=since) | Q(head_reviewed_at__gte=since))
                .select_related("task", "department", "period", "period__plan")
                .order_by("pk"))


def _by_whom(report: ProgressReport) -> tuple[str, str, datetime.datetime]:
    """Who returned it last: (reviewer, comment, when)."""
    head = report.head_reviewed_at
    lead = report.reviewed_at
    if lead and (not head or lead >= head):
        return gettext("牵头部门"), report.review_comment, lead
    return gettext("部门负责人"), report.head_comment, head


def returned_drafts(ctx: CycleContext) -> list[Draft]:
    reports = _returned_reports(ctx)
    if not reports:
        return []
    told = set(Notification.objects.filter(
        kind=Kind.RETURNED, created_at__gte=ctx.now - RETURNED_WINDOW * 2,
    ).values_list("dedupe_key", flat=True))
    drafts = []
    for report in reports:
        reviewer, comment, when = _by_whom(report)
        context = {"report": report, "reviewer": reviewer, "comment": comment,
                   "when": cn_datetime(when), "period_label": cn_period(report.period)}
        key = f"returned:report-{report.pk}:v{report.version}"
        for recipient in ctx.audience.department(report.department_id):
            if f"{key}:{recipient.tag}" not in told:
                drafts.append(draft_render(
                    kind=Kind.RETURNED, key=key, recipient=recipient, context=context,
                    url=page_url("portal:task", report.task_id)))
    return drafts
