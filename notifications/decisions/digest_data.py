"""The facts a digest summarises, loaded once for every subscriber due (seven queries), then
filtered per subscriber's scope in memory."""

import datetime
from dataclasses import dataclass, field

from tasks_app.choices import EventKind, Health, ReportState
from tasks_app.formatting import cn_date, cn_datetime, cn_month
from tasks_app.health import with_health
from tasks_app.models import Milestone, ProgressReport, Task, TaskEvent
from tasks_app.selectors.compliance import CLOSED_TASK_STATES, FILED_STATES, departments_on_tasks

from ..context import CycleContext
from ..models import DigestSubscription

UPCOMING_DAYS = 14


@dataclass(frozen=True)
class Row:
    plan_id: int
    driver_id: int | None
    text: str
    departments: frozenset[int] = frozenset()
    at: datetime.datetime | None = None  # for changes: when it happened
    plan_level: bool = False  # about the whole plan (a report deadline): any driver, department


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
        return [("新报送的进展", after(self.new_reports)),
                ("任务状态变化", after(self.status_changes)),
                ("滞后(红色预警)任务", self.red_tasks), ("逾期未报送", self.missing),
                ("近期截止", self.upcoming)]

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
                f"{cn_datetime(e['at'])} 任务 {e['task__number']}. {e['task__title']}:"
                f"{e['before']} → {e['after']}", on(e["task_id"]), e["at"]) for e in events]
        data.red_tasks = [Row(t["plan_id"], t["driver_id"],
                              f"任务 {t['number']}. {t['title']}(进度 {t['progress']}%)",
                              on(t["id"])) for t in red]
        data.missing = _missing(ctx, plans)
        data.upcoming = [Row(plan_id, driver_id, text, on(task_id))
                         for task_id, plan_id, driver_id, text in upcoming]
        data.upcoming += [
            Row(plan.pk, None, f"{plan.code}:{cn_month(period.month)}进展报送截止 "
                               f"{cn_date(period.deadline)}", plan_level=True)
            for plan in plans if (period := ctx.upcoming_period(plan))]
        return data


def _new_reports(ctx: CycleContext, plans, since: datetime.datetime) -> list[Row]:
    reports = (ProgressReport.objects
               .filter(state__in=(*FILED_STATES, ReportState.RETURNED), task__plan__in=plans,
                       submitted_at__gt=since, submitted_at__lte=ctx.now)
               .order_by("submitted_at", "id")
               .values("task__plan_id", "task__driver_id", "task__number", "task__title",
                       "department_id", "department__name", "status", "progress", "is_late",
                       "submitted_at"))
    labels = dict(ProgressReport._meta.get_field("status").choices)
    return [Row(r["task__plan_id"], r["task__driver_id"],
                f"{r['department__name']} · 任务 {r['task__number']}. {r['task__title']}:"
                f"{labels.get(r['status'], r['status'])},进度 {r['progress']}%"
                f"{'(逾期报送)' if r['is_late'] else ''}",
                frozenset([r["department_id"]]), r["submitted_at"]) for r in reports]


def _missing(ctx: CycleContext, plans) -> list[Row]:
    rows = []
    for plan in plans:
        period = ctx.chased_period(plan)
        for missing in ctx.missing.get(period.pk, []) if period else []:
            rows.append(Row(plan.pk, missing.driver_id,
                            f"{missing.department_name} · {cn_month(period.month)} · 任务 "
                            f"{missing.task_number}. {missing.task_title}",
                            frozenset([missing.department_id])))
    return rows


def _upcoming(ctx: CycleContext, plans) -> list[tuple[int, int, int | None, str]]:
    """(task id, plan id, driver id, text) of tasks and milestones due within two weeks."""
    window = {"due_on__gte": ctx.today,
              "due_on__lte": ctx.today + datetime.timedelta(days=UPCOMING_DAYS)}
    tasks = (Task.objects.filter(plan__in=plans, **window).exclude(status__in=CLOSED_TASK_STATES)
             .order_by("due_on", "number")
             .values_list("id", "plan_id", "driver_id", "number", "title", "due_on"))
    milestones = (Milestone.objects.filter(task__plan__in=plans, completed_on__isnull=True,
                                           **window)
                  .exclude(task__status__in=CLOSED_TASK_STATES).order_by("due_on", "id")
                  .values_list("task_id", "task__plan_id", "task__driver_id", "task__number",
                               "title", "due_on"))
    return ([(i, p, d, f"{cn_date(due)} 任务 {n}. {title} 到期") for i, p, d, n, title, due
             in tasks]
            + [(i, p, d, f"{cn_date(due)} 任务 {n} 的节点“{title}”到期") for i, p, d, n, title, due
               in milestones])


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
