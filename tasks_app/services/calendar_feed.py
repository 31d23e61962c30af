"""The calendar feed (.ics): a secret per-user address with the dates that matter to the
user — report deadlines and meetings of the user's plans, due dates of the user's tasks
and their milestones (every task for managers and the lead office).

Six queries whatever the number of tasks; dates from half a year back to 18 months ahead.
"""

import datetime
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditKind
from audit.services import audit_record
from common.formatting import cn_month
from departments.access import Access, access_for
from notifications.ics import CalendarEvent, ics_calendar
from notifications.links import page_url
from notifications.models import CalendarFeed

from ..choices import PeriodKind
from ..models import Meeting, Milestone, Plan, ReportingPeriod, Task
from ..permissions import visible_tasks
from ..rules.states import CLOSED_TASKS
from ..workdays import add_months, month_start
from .periods import deadline_for

PAST_MONTHS, FUTURE_MONTHS = 6, 18
CLOSED = CLOSED_TASKS


@transaction.atomic
def calendar_feed_issue(*, user: User, regenerate: bool = False) -> CalendarFeed:
    """The user's feed address, created on first use; ``regenerate`` revokes the old one."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    target = f"日历订阅地址 {user.get_username()}"
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, key=secrets.token_urlsafe(32))
        audit_record(AuditKind.CREDENTIAL, user=user, target=target, detail="生成")
    elif regenerate:
        feed.key = secrets.token_urlsafe(32)
        feed.save(update_fields=["key"])
        audit_record(AuditKind.CREDENTIAL, user=user, target=target,
                     detail="重新生成，旧地址作废")
    return feed


def _plans(access: Access, tasks: QuerySet[Task]) -> list[Plan]:
    plans = Plan.objects.filter(is_active=True).select_related("schedule")
    if not access.reads_everything:
        plans = plans.filter(Exists(tasks.filter(plan=OuterRef("pk"))))
    return list(plans.order_by("code"))


def _deadlines(plans: list[Plan], start: datetime.date, end: datetime.date):
    """Existing periods' deadlines, and the schedule's for months not opened yet."""
    existing = {(p.plan_id, p.month): p.deadline for p in ReportingPeriod.objects.filter(
        plan__in=plans, kind=PeriodKind.MONTHLY, month__gte=month_start(start), month__lte=end)}
    for plan in plans:
        month = max(month_start(start), plan.tracking_start.replace(day=1))
        last = datetime.date(plan.period_end, 12, 1) if plan.period_end else end
        while month <= min(end, last):
            deadline = existing.get((plan.pk, month)) or deadline_for(plan.schedule, month)
            yield CalendarEvent(
                uid=f"deadline-{plan.pk}-{month:%Y%m}@duban", day=deadline,
                summary=gettext("进展报送截止：%(month)s（%(plan)s）")
                % {"month": cn_month(month), "plan": plan.code},
                description=f"{plan.code} {plan.title}\n"
                + gettext("%(month)s进展报送截止") % {"month": cn_month(month)},
                categories=gettext("报送截止"))
            month = add_months(month, 1)


def _meetings(plans: list[Plan], start, end):
    for meeting in Meeting.objects.filter(plan__in=plans, held_on__gte=start,
                                          held_on__lte=end).select_related("plan"):
        yield CalendarEvent(uid=f"meeting-{meeting.pk}@duban", day=meeting.held_on,
                            summary=meeting.title, categories=meeting.get_kind_display(),
                            description=f"{meeting.plan.code} {meeting.get_kind_display()}")


def _tasks(tasks: QuerySet[Task], start, end):
    open_tasks = tasks.exclude(status__in=CLOSED)
    for task in open_tasks.filter(due_on__gte=start, due_on__lte=end).select_related("plan"):
        assert task.due_on is not None  # filtered on it
        yield CalendarEvent(uid=f"task-{task.pk}@duban", day=task.due_on,
                            summary=gettext("任务到期：%(number)s. %(title)s")
                            % {"number": task.number, "title": task.title},
                            description=f"{task.plan.code}\n{task.title}",
                            categories=gettext("任务到期"),
                            url=page_url("portal:task", task.pk))
    milestones = Milestone.objects.filter(
        task__in=open_tasks, completed_on__isnull=True, due_on__gte=start, due_on__lte=end,
    ).select_related("task__plan")
    for item in milestones:
        assert item.due_on is not None  # filtered on it
        yield CalendarEvent(uid=f"milestone-{item.pk}@duban", day=item.due_on,
                            summary=gettext("节点到期：%(title)s") % {"title": item.title},
                            categories=gettext("节点到期"),
                            description=gettext("%(plan)s 任务 %(number)s. %(title)s") % {
                                "plan": item.task.plan.code, "number": item.task.number,
                                "title": item.task.title},
                            url=page_url("portal:task", item.task_id))


def calendar_events(access: Access, today: datetime.date) -> list[CalendarEvent]:
    start, end = add_months(month_start(today), -PAST_MONTHS), add_months(today, FUTURE_MONTHS)
    tasks = visible_tasks(access)
    plans = _plans(access, tasks)
    events = [*_deadlines(plans, start, end), *_meetings(plans, start, end),
              *_tasks(tasks, start, end)]
    return sorted(events, key=lambda e: (e.day, e.uid))


def calendar_for_key(key: str) -> str | None:
    """The feed's text, or None when no feed has this key."""
    feed = CalendarFeed.objects.select_related("user").filter(key=key).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    events = calendar_events(access_for(feed.user), timezone.localtime(now).date())
    name = gettext("督办日历（%(user)s）") % {"user": feed.user.get_username()}
    return ics_calendar(events, name=name, now=now)
