"""Read paths for the managers' overview: the active plans at a glance, ten per page.

Seven queries: the active plans' ids, the page's plans (with their current period and
latest bulletin), health by driver, missing reports, progress, targets, lagging tasks.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Exists, JSONField, OuterRef, Subquery

from ..attainment import attainment, percent, plain_number
from ..choices import Health, PartState, ReportState, TaskStatus
from ..health import red_condition, with_health
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
from ..workdays import add_months, month_start

CHART_MONTHS = 12
RED_TASKS_SHOWN = 20
MISSING_SHOWN = 10  # per plan, the departments with the most unreported tasks
PLANS_PER_PAGE = 10
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
    missing_total: int = 0
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
    page: Page | None = None


def _health_by_driver(plans: dict[int, PlanOverview], now) -> None:
    """Task counts by driver, health and status (drivers come with the counts: one query)."""
    rows: dict[tuple[int, int | None], DriverHealth] = {}
    counts = (with_health(Task.objects.filter(plan_id__in=plans), now)
              .values("plan_id", "driver_id", "driver__number", "driver__title", "status",
                      "health")
              .annotate(n=Count("id")).order_by("plan_id", "driver__number"))
    for row in counts:
        key = (row["plan_id"], row["driver_id"])
        if key not in rows:
            driver = row["driver_id"] and Driver(
                pk=row["driver_id"], plan_id=row["plan_id"], number=row["driver__number"],
                title=row["driver__title"])
            rows[key] = DriverHealth(driver or None)
        rows[key].counts[row["health"]] += row["n"]
        statuses = plans[row["plan_id"]].status_counts
        statuses[row["status"]] = statuses.get(row["status"], 0) + row["n"]
    for (plan_id, _), row in rows.items():
        plans[plan_id].drivers.append(row)


def _missing_reports(plans: dict[int, PlanOverview], month: datetime.date) -> None:
    """Departments with active parts but no submitted report in the current period."""
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
        item = plans[row["task__plan_id"]]
        item.missing_total += 1
        if len(item.missing) < MISSING_SHOWN:
            item.missing.append({"department_id": row["department_id"],
                                 "name": row["department__name"], "tasks": row["tasks"]})


def _progress_series(plans: dict[int, PlanOverview], month: datetime.date) -> None:
    """Per plan and month: the average progress of submitted reports and how many."""
    start = add_months(month, -(CHART_MONTHS - 1))
    series = (ProgressReport.objects.exclude(state=ReportState.DRAFT)
              .filter(period__plan_id__in=plans, period__month__gte=start,
                      period__month__lte=month)
              .values("period__plan_id", "period__month")
              .annotate(avg=Avg("progress"), n=Count("id")).order_by("period__month"))
    for row in series:
        plans[row["period__plan_id"]].progress_series.append(
            (row["period__month"], float(row["avg"] or 0), row["n"]))


def _page_plans(page_ids: list[int], month: datetime.date) -> dict[int, PlanOverview]:
    """The page's plans with their current period and latest bulletin (one query)."""
    latest = Bulletin.objects.filter(plan=OuterRef("pk")).order_by("-year", "-quarter")
    current = ReportingPeriod.objects.filter(plan=OuterRef("pk"), month=month)
    plans = {}
    for plan in (Plan.objects.filter(pk__in=page_ids).select_related("lead_office")
                 .annotate(bulletin_year=Subquery(latest.values("year")[:1]),
                           bulletin_quarter=Subquery(latest.values("quarter")[:1]),
                           bulletin_content=Subquery(latest.values("content")[:1],
                                                     output_field=JSONField()),
                           period_id=Subquery(current.values("pk")[:1]),
                           period_deadline=Subquery(current.values("deadline")[:1]),
                           period_state=Subquery(current.values("state")[:1]))
                 .order_by("-signed_on", "code")):
        item = plans[plan.pk] = PlanOverview(plan, [], {})
        if plan.bulletin_year:
            item.bulletin = Bulletin(plan=plan, year=plan.bulletin_year,
                                     quarter=plan.bulletin_quarter,
                                     content=plan.bulletin_content or {})
        if plan.period_id:
            item.period = ReportingPeriod(pk=plan.period_id, plan=plan, month=month,
                                          opens_on=month, deadline=plan.period_deadline,
                                          state=plan.period_state)
    return plans


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


def overview(today: datetime.date, now: datetime.datetime | None = None, *,
             page_number: object = 1) -> Overview:
    """A page of active plans in detail; the lagging tasks of all of them."""
    active = list(Plan.objects.filter(is_active=True).order_by("-signed_on", "code")
                  .values_list("pk", flat=True))
    if not active:
        return Overview([], [])
    page = Paginator(active, PLANS_PER_PAGE).get_page(page_number)
    month = month_start(today)
    plans = _page_plans(list(page.object_list), month)
    _health_by_driver(plans, now)
    _missing_reports(plans, month)
    _progress_series(plans, month)
    _targets(plans, month)
    # Only the shown lagging tasks get their health computed: the condition walks the
    # due-date index and stops after RED_TASKS_SHOWN rows.
    red = list(with_health(Task.objects.filter(red_condition(now), plan_id__in=active), now)
               .select_related("plan").order_by("due_on", "plan_id", "number")[:RED_TASKS_SHOWN])
    return Overview(list(plans.values()), red, page)
