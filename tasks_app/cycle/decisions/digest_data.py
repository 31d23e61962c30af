"""The facts a digest summarises, loaded once for every subscriber due (seven queries), then
filtered per subscriber's scope in memory."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext

from common.formatting import cn_date, cn_datetime, cn_period
from notifications.links import page_url
from notifications.models import DigestSubscription

from ...choices import EventKind, Health, ReportState
from ...event_values import shown
from ...health import with_health
from ...models import Milestone, ProgressReport, Task, TaskEvent
from ...rules.escalation import escalation_level
from ...rules.obligations import departments_on_tasks
from ...rules.states import CLOSED_TASKS, FILED_REPORTS
from ..context import CycleContext

UPCOMING_DAYS = 14


@dataclass(frozen=True)
class Row:
    plan_id: int
    driver_id: int | None
    text: str
    departments: frozenset[int] = frozenset()
    at: datetime.datetime | None = None  # for changes: when it happened
    plan_level: bool = False  # about the whole plan (a report deadline): any driver, department
    url: str = ""  # the task's page
    department: str = ""  # missing reports: who owes it
    level: str | None = None  # missing reports: the chase ladder's colour (rules.escalation)


@dataclass
class DigestData:
    now: datetime.datetime
    new_reports: list[Row] = field(default_factory=list)
    status_changes: list[Row] = field(default_factory=list)
    red_tasks: list[Row] = field(default_factory=list)
    missing: list[Row] = field(default_factory=list)
    upcoming: list[Row] = field(default_factory=list)

    def sections(self, since: datetime.datetime) -> list[tuple[str, list[Row]]]:
        def after(rows: list[Row]) -> list[Row]:
            return [row for row in rows if row.at is None or row.at > since]
        return [(gettext("新报送的进展"), after(self.new_reports)),
                (gettext("任务状态变化"), after(self.status_changes)),
                (gettext("滞后（红色预警）任务"), self.red_tasks),
                (gettext("逾期未报送"), self.missing),
                (gettext("近期截止"), self.upcoming)]

    @classmethod
    def load(cls, ctx: CycleContext, *, since: datetime.datetime) -> "DigestData":
        plans = [plan for plan in ctx.plans if ctx.tracking(plan)]
        data = cls(now=ctx.now)
        red = list(with_health(Task.objects.filter(plan__in=plans), ctx.now)
                   .filter(health=Health.RED).order_by("plan_id", "number")
                   .values("id", "plan_id", "driver_id", "number", "title", "progress"))
        events = list(TaskEvent.objects
                      .filter(kind=EventKind.STATUS, at__gt=since, at__lte=ctx.now,
                              task__plan__in=plans)
                      .order_by("at", "id")
                      .values("task_id", "task__plan_id", "task__driver_id", "task__number",
                              "task__title", "before", "after", "at"))
        upcoming = _upcoming(ctx, plans)
        departments = departments_on_tasks(
            {t["id"] for t in red} | {e["task_id"] for e in events} | {u[0] for u in upcoming})

        def on(task_id: int) -> frozenset[int]:
            return frozenset(d for d, _ in departments.get(task_id, []))

        data.new_reports = _new_reports(ctx, plans, since)
        data.status_changes = [
            Row(e["task__plan_id"], e["task__driver_id"],
                gettext("%(at)s 任务 %(number)s. %(title)s：%(before)s → %(after)s") % {
                    "at": cn_datetime(e["at"]), "number": e["task__number"],
                    "title": e["task__title"], "before": shown("status", e["before"]),
                    "after": shown("status", e["after"])},
                on(e["task_id"]), e["at"]) for e in events]
        data.red_tasks = [Row(t["plan_id"], t["driver_id"],
                              gettext("任务 %(number)s. %(title)s（进度 %(progress)s%%）") % {
                                  "number": t["number"], "title": t["title"],
                                  "progress": t["progress"]},
                              on(t["id"]), url=page_url("portal:task", t["id"]))
                          for t in red]
        data.missing = _missing(ctx, plans)
        data.upcoming = [Row(plan_id, driver_id, text, on(task_id))
                         for task_id, plan_id, driver_id, text in upcoming]
        data.upcoming += [_due_row(ctx, plan, period) for plan in plans
                          for period in (ctx.upcoming_period(plan), ctx.upcoming_week(plan))
                          if period]
        return data


def _new_reports(ctx: CycleContext, plans, since: datetime.datetime) -> list[Row]:
    reports = (ProgressReport.objects
               .filter(state__in=(*FILED_REPORTS, ReportState.RETURNED), task__plan__in=plans,
                       submitted_at__gt=since, submitted_at__lte=ctx.now)
               .order_by("submitted_at", "id")
               .values("task__plan_id", "task__driver_id", "task__number", "task__title",
                       "department_id", "department__name", "status", "progress", "is_late",
                       "submitted_at"))
    labels = dict(ProgressReport._meta.get_field("status").choices)
    return [Row(r["task__plan_id"], r["task__driver_id"],
                gettext("%(department)s · 任务 %(number)s. %(title)s：%(status)s，进度 "
                        "%(progress)s%%") % {
                    "department": r["department__name"], "number": r["task__number"],
                    "title": r["task__title"], "status": labels.get(r["status"], r["status"]),
                    "progress": r["progress"]} + (gettext("（逾期报送）") if r["is_late"] else ""),
                frozenset([r["department_id"]]), r["submitted_at"]) for r in reports]


def _missing(ctx: CycleContext, plans) -> list[Row]:
    rows = []
    chased = [(plan, period) for plan in plans
              for period in (ctx.chased_period(plan), ctx.chased_week(plan))]
    for plan, period in chased:
        level = escalation_level(period.deadline, plan.schedule, ctx.today) if period else None
        for missing in ctx.missing.get(period.pk, []) if period else []:
            rows.append(Row(plan.pk, missing.driver_id,
                            gettext("%(department)s · %(month)s · 任务 %(number)s. %(title)s")
                            % {"department": missing.department_name,
                               "month": cn_period(period),
                               "number": missing.task_number, "title": missing.task_title},
                            frozenset([missing.department_id]),
                            department=missing.department_name, level=level))
    return rows


def _due_row(ctx: CycleContext, plan, period) -> Row:
    """The plan's next report deadline with its reports still 待报送 (not yet overdue)."""
    rows = ctx.missing.get(period.pk, [])
    text = gettext("%(plan)s：%(month)s进展报送截止 %(date)s") % {
        "plan": plan.code, "month": cn_period(period), "date": cn_date(period.deadline)}
    if rows:
        text += gettext("，%(departments)s 个部门 %(reports)s 项待报送") % {
            "departments": len({row.department_id for row in rows}), "reports": len(rows)}
    return Row(plan.pk, None, text, plan_level=True)


def _upcoming(ctx: CycleContext, plans) -> list[tuple[int, int, int | None, str]]:
    """(task id, plan id, driver id, text) of tasks and milestones due within two weeks."""
    window = {"due_on__gte": ctx.today,
              "due_on__lte": ctx.today + datetime.timedelta(days=UPCOMING_DAYS)}
    tasks = (Task.objects.filter(plan__in=plans, **window).exclude(status__in=CLOSED_TASKS)
             .order_by("due_on", "number")
             .values_list("id", "plan_id", "driver_id", "number", "title", "due_on"))
    milestones = (Milestone.objects.filter(task__plan__in=plans, completed_on__isnull=True,
                                           **window)
                  .exclude(task__status__in=CLOSED_TASKS).order_by("due_on", "id")
                  .values_list("task_id", "task__plan_id", "task__driver_id", "task__number",
                               "title", "due_on"))
    task_text = gettext("%(date)s 任务 %(number)s. %(title)s 到期")
    milestone_text = gettext("%(date)s 任务 %(number)s 的节点“%(title)s”到期")
    return ([(i, p, d, task_text % {"date": cn_date(due), "number": n, "title": title})
             for i, p, d, n, title, due in tasks]
            + [(i, p, d, milestone_text % {"date": cn_date(due), "number": n, "title": title})
               for i, p, d, n, title, due in milestones])


@dataclass(frozen=True)
class Scope:
    """A subscriber's scope; an empty dimension means everything."""

    plans: frozenset[int]
    drivers: frozenset[int]
    departments: frozenset[int]

    @classmethod
    def of(cls, subscription: DigestSubscription) -> "Scope":
        return cls(frozenset(p.pk for p in subscription.plans.all()),
                   frozenset(d.pk for d in subscription.drivers.all()),
                   frozenset(d.pk for d in subscription.departments.all()))

    @property
    def is_everything(self) -> bool:
        return not (self.plans or self.drivers or self.departments)

    def covers(self, row: Row) -> bool:
        if self.plans and row.plan_id not in self.plans:
            return False
        if row.plan_level:
            return True
        return ((not self.drivers or row.driver_id in self.drivers)
                and (not self.departments or bool(row.departments & self.departments)))
