"""Task health (green / yellow / red / stale): derived, never typed in — except a recorded
manual override. This is the one place that says how; every screen and export uses it
through :func:`with_health`.
"""

import datetime

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from .choices import Health, ReportStatus
from .rules.states import CLOSED_TASKS

STALE_AFTER = datetime.timedelta(days=45)  # no report for a month and a half
DUE_SOON = datetime.timedelta(days=30)
DUE_SOON_MIN_PROGRESS = 80


def health_expression(now: datetime.datetime | None = None) -> Case:
    """SQL for a task's health at ``now``, in order of precedence:

    1. a manual override (recorded with its reason);
    2. completed or suspended tasks are green;
    3. past the due date, or the latest report says 进度滞后 → red;
    4. no report for 45 days (and the task is older than that) → stale;
    5. the latest report says 存在困难 or lists problems → yellow;
    6. due within 30 days with progress under 80% → yellow;
    7. otherwise green.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    stale_before = now - STALE_AFTER
    return Case(
        When(~Q(health_override=""), then=F("health_override")),
        When(status__in=CLOSED_TASKS, then=Value(Health.GREEN)),
        When(Q(due_on__lt=today) | Q(last_report_status=ReportStatus.DELAYED),
             then=Value(Health.RED)),
        When(Q(created_at__lt=stale_before)
             & (Q(last_reported_at__isnull=True) | Q(last_reported_at__lt=stale_before)),
             then=Value(Health.STALE)),
        When(Q(last_report_status=ReportStatus.AT_RISK) | Q(last_report_has_problems=True),
             then=Value(Health.YELLOW)),
        When(Q(due_on__lte=today + DUE_SOON) & Q(progress__lt=DUE_SOON_MIN_PROGRESS),
             then=Value(Health.YELLOW)),
        default=Value(Health.GREEN),
        output_field=CharField(),
    )


def with_health(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Annotate ``health`` on a Task queryset."""
    return queryset.annotate(health=health_expression(now))
