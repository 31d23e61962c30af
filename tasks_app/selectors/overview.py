"""Read paths for the managers' overview: every active plan at a glance (8 queries)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, JSONField, OuterRef, Q, Subquery

from ..attainment import attainment, percent, plain_number
from ..choices import Health, PartState, ReportState, TaskStatus
from ..health import with_health
from ..models import (
    Assignment,
    Bulletin,
    Driver,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Target,
    TargetReading,
    Task,
)
from ..workdays import month_start

CHART_MONTHS = 12
RED_TASKS_SHOWN = 20
_QUIET_PARTS = (PartState.TRANSFERRED, PartState.COMPLETED, PartState.SUSPENDED)
_CLOSED = (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)


@dataclass
class DriverHealth:
    driver: Driver | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Health.values, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class PlanOverview:
    plan: Plan
    drivers: list[DriverHealth]
    status_counts: dict[str, int]
    period: ReportingPeriod | None = None
    missing: list[dict] = field(default_factory=list)
    progress_series: list[tuple[datetime.date, float, int]] = field(default_factory=list)
    bulletin: Bulletin | None = None  # the latest, for on-time reporting by department
    targets: list[dict] = field(default_factory=list)

    @property
    def health_totals(self) -> dict[str, int]:
        totals = dict.fromkeys(Health.values, 0)
        for row in self.drivers:
            for health, n in row.counts.items():
                totals[health] += n
        return totals

    @property
    def total(self) -> int:
        return sum(self.status_counts.values())


@dataclass
class Overview:
    plans: list[PlanOverview]
    red_tasks: list[Task]


def _health_by_driver(plans: dict[int, PlanOverview], now) -> None:
    drivers = {d.pk: d for d in Driver.objects.filter(plan_id__in=plans).order_by("number")}
    rows: dict[tuple[int, int | None], DriverHealth] = {}
    for d in drivers.values():
        rows[(d.plan_id, d.pk)] = DriverHealth(d)
    counts = (with_health(Task.objects.filter(plan_id__in=plans), now)
              .values("plan_id", "driver_id", "status", "health")
              .annotate(n=Count("id")).order_by())
    for row in counts:
        key = (row["plan_id"], row["driver_id"])
        if key not in rows:
            rows[key] = DriverHealth(drivers.get(row["driver_id"]))
        rows[key].counts[row["health"]] += row["n"]
        statuses = plans[row["plan_id"]].status_counts
        statuses[row["status"]] = statuses.get(row["status"], 0) + row["n"]
    for (plan_id, _), row in rows.items():
        plans[plan_id].drivers.append(row)


def _missing_reports(plans: dict[int, PlanOverview], month: datetime.date) -> None:
    """Departments with active parts but no submitted report in the current period."""
    for period in ReportingPeriod.objects.filter(plan_id__in=plans, month=month):
        plans[period.plan_id].period = period
    reported = ProgressReport.objects.filter(
        task=OuterRef("task_id"), department=OuterRef("department_id"), period__month=month,
    ).exclude(state=ReportState.DRAFT)
    opened = ReportingPeriod.objects.filter(plan=OuterRef("task__plan_id"), month=month)
    missing = (Assignment.objects.filter(department__isnull=False, task__plan_id__in=plans)
               .exclude(state__in=_QUIET_PARTS).exclude(task__status__in=_CLOSED)
               .filter(Exists(opened)).filter(~Exists(reported))
               .values("task__plan_id", "department_id", "department__name")
               .annotate(tasks=Count("task_id", distinct=True))
               .order_by("task__plan_id", "-tasks", "department__name"))
    for row in missing:
        plans[row["task__plan_id"]].missing.append(
            {"department_id": row["department_id"], "name": row["department__name"],
             "tasks": row["tasks"]})


def _progress_series(plans: dict[int, PlanOverview], month: datetime.date) -> None:
    """Per plan and month: the average progress of submitted reports and how many."""
    start = month
    for _ in range(CHART_MONTHS - 1):
        start = month_start(start - datetime.timedelta(days=1))
    series = (ProgressReport.objects.exclude(state=ReportState.DRAFT)
              .filter(period__plan_id__in=plans, period__month__gte=start,
                      period__month__lte=month)
              .values("period__plan_id", "period__month")
              .annotate(avg=Avg("progress"), n=Count("id")).order_by("period__month"))
    for row in series:
        plans[row["period__plan_id"]].progress_series.append(
            (row["period__month"], float(row["avg"] or 0), row["n"]))


def _latest_bulletins(plans: dict[int, PlanOverview]) -> None:
    """The latest bulletin of each plan, read with the plans (no query of its own)."""
    for item in plans.values():
        plan = item.plan
        if plan.latest_bulletin_year:
            item.bulletin = Bulletin(plan=plan, year=plan.latest_bulletin_year,
                                     quarter=plan.latest_bulletin_quarter,
                                     content=plan.latest_bulletin_content or {})


def _targets(plans: dict[int, PlanOverview], month: datetime.date) -> None:
    """Every target with its latest reading up to this month (one query)."""
    latest = TargetReading.objects.filter(target=OuterRef("pk"), month__lte=month).order_by(
        "-month")
    targets = Target.objects.filter(plan_id__in=plans).annotate(
        reading=Subquery(latest.values("value")[:1]),
        reading_month=Subquery(latest.values("month")[:1]),
    ).order_by("plan_id", "position", "id")
    for t in targets:
        plans[t.plan_id].targets.append({
            "name": t.name, "unit": t.unit, "actual": plain_number(t.reading),
            "attainment": percent(attainment(t.kind, t.value, t.reading))})


def plan_progress_series(plan: Plan, month: datetime.date) -> list[tuple]:
    """(month, average progress, reports) for the 12 months ending ``month`` (one query)."""
    item = PlanOverview(plan, [], {})
    _progress_series({plan.pk: item}, month)
    return item.progress_series


def overview(today: datetime.date, now: datetime.datetime | None = None) -> Overview:
    latest = Bulletin.objects.filter(plan=OuterRef("pk")).order_by("-year", "-quarter")
    plans = {p.pk: PlanOverview(p, [], {}) for p in Plan.objects.filter(is_active=True)
             .select_related("lead_office")
             .annotate(latest_bulletin_year=Subquery(latest.values("year")[:1]),
                       latest_bulletin_quarter=Subquery(latest.values("quarter")[:1]),
                       latest_bulletin_content=Subquery(latest.values("content")[:1],
                                                        output_field=JSONField()))
             .order_by("-signed_on", "code")}
    if not plans:
        return Overview([], [])
    month = month_start(today)
    _health_by_driver(plans, now)
    _missing_reports(plans, month)
    _progress_series(plans, month)
    _latest_bulletins(plans)
    _targets(plans, month)
    red = list(with_health(Task.objects.filter(plan_id__in=plans), now)
               .filter(Q(health=Health.RED)).select_related("plan")
               .order_by("due_on", "plan_id", "number")[:RED_TASKS_SHOWN])
    return Overview(list(plans.values()), red)
