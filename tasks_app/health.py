"""Task health (green / yellow / red / stale): derived, never typed in — except a recorded
manual override. This is the one place that says how; every screen and export uses it
through :func:`with_health`.
"""

import datetime

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from .choices import Health, ReportStatus, TaskStatus
from .models import Milestone
from .rules.states import CLOSED_TASKS

STALE_AFTER = datetime.timedelta(days=45)  # no report for a month and a half
DUE_SOON = datetime.timedelta(days=30)
DUE_SOON_MIN_PROGRESS = 80
MILESTONE_SOON = datetime.timedelta(days=7)


def _open_milestone(due_before: datetime.date) -> Exists:
    """An unfinished 节点 of the task dated before ``due_before``."""
    return Exists(Milestone.objects.filter(task=OuterRef("pk"), completed_on__isnull=True,
                                           due_on__lt=due_before))


def health_expression(now: datetime.datetime | None = None) -> Case:
    """SQL for a task's health at ``now``, in order of precedence:

    1. a manual override (recorded with its reason);
    2. completed or suspended tasks are green;
    3. past the due date, a 节点 past its date and not completed, or the latest report says
       进度滞后 → red;
    4. no department has a part yet → 待分配 (not green: nobody is working on it);
    5. no report for 45 days (and the task is older than that) → stale;
    6. the latest report says 存在困难 or lists problems → yellow;
    7. due within 30 days with progress under 80%, or a 节点 due within 7 days and not
       completed → yellow;
    8. otherwise green.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    stale_before = now - STALE_AFTER
    return Case(
        When(~Q(health_override=""), then=F("health_override")),
        When(status__in=CLOSED_TASKS, then=Value(Health.GREEN)),
        When(Q(due_on__lt=today) | Q(last_report_status=ReportStatus.DELAYED)
             | _open_milestone(today), then=Value(Health.RED)),
        When(status=TaskStatus.NEW, then=Value(Health.UNASSIGNED)),
        When(Q(created_at__lt=stale_before)
             & (Q(last_reported_at__isnull=True) | Q(last_reported_at__lt=stale_before)),
             then=Value(Health.STALE)),
        When(Q(last_report_status=ReportStatus.AT_RISK) | Q(last_report_has_problems=True),
             then=Value(Health.YELLOW)),
        When(Q(due_on__lte=today + DUE_SOON) & Q(progress__lt=DUE_SOON_MIN_PROGRESS),
             then=Value(Health.YELLOW)),
        When(_open_milestone(today + MILESTONE_SOON), then=Value(Health.YELLOW)),
        default=Value(Health.GREEN),
        output_field=CharField(),
    )


def with_health(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Annotate ``health`` on a Task queryset."""
    return queryset.annotate(health=health_expression(now))


def red_condition(now: datetime.datetime | None = None) -> Q:
    """``health == red`` as a plain condition on the task's columns, equivalent to
    :func:`health_expression`'s order of precedence (a test checks them against each other).

    Unlike the CASE, the database can answer it through ``task_due_on_idx``: the overview's
    lagging tasks, ordered by due date, stop after the first rows instead of computing the
    health of every task in the city.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    derived = (Q(health_override="")
               & ~Q(status__in=CLOSED_TASKS)
               & (Q(due_on__lt=today) | Q(last_report_status=ReportStatus.DELAYED)
                  | _open_milestone(today)))
    return Q(health_override=Health.RED) | derived
