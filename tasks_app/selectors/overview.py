"""Read paths for the managers' overview: the active plans at a glance, ten per page.

Seven queries (ten with the session's): the active plans' ids, the page's plans (with their
latest bulletin), health by driver, the periods with their progress figures, the unfiled
reports (tasks_app.rules.obligations), targets, lagging tasks.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject

from ..attainment import attainment, percent, plain_number
from ..choices import Health, PeriodKind
from ..health import red_condition, with_health
from ..models import (
    Bulletin,
    Driver,
    Plan,
    ReportingPeriod,
    Target,
    TargetReading,
    Task,
)
from ..rules.obligations import (
    DUE,
    STANDING_LABELS,
    shown_periods,
    standing,
    unfiled_tallies,
)
from ..workdays import add_months, month_start
from .owed import PLANS_PER_PAGE, recent_months

CHART_MONTHS = 12
RED_TASKS_SHOWN = 20
MISSING_SHOWN = 10  # per plan, the departments with the most unreported tasks
_RED_TASK_FIELDS = ("plan__code", "number", "title", "due_on", "progress", "health_override",
                    "health_override_reason")


@dataclass
class DriverHealth:
    driver: Driver | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Health.values, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class OwedSection:
    """The departments owing reports for one period: 待报送 before its deadline (the period
    coming up), 逾期未报 after it (the period being chased)."""

    period: ReportingPeriod
    standing: str
    departments: list[dict] = field(default_factory=list)  # the MISSING_SHOWN with most
    total: int = 0  # departments
    reports: int = 0

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self.standing])

    @property
    def is_due(self) -> bool:
        return self.standing == DUE


@dataclass
class PlanOverview:
    plan: Plan
    drivers: list[DriverHealth]
    status_counts: dict[str, int]
    period: ReportingPeriod | None = None  # this month's
    owed: list[OwedSection] = field(default_factory=list)  # due first, then overdue
    # last, this and next month's, weeks counted with them (selectors.owed.recent_months)
    periods: list[ReportingPeriod] = field(default_factory=list)
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


def _owed_reports(plans: dict[int, PlanOverview], today: datetime.date) -> None:
    """The upcoming period's due and the chased period's overdue reports, by department
    (one query, tasks_app.rules.obligations; the periods came with the plans)."""
    shown: list[tuple[PlanOverview, ReportingPeriod]] = [
        (item, period) for item in plans.values()
        for period in shown_periods(item.periods, today, item.plan.tracking_start)]
    tallies = unfiled_tallies(period for _, period in shown)
    for item, period in shown:
        owing = tallies[period.pk]
        ranked = sorted(owing.items(), key=lambda kv: (-kv[1][1], kv[1][0]))
        item.owed.append(OwedSection(
            period, standing(period, today), total=len(ranked),
            reports=sum(n for _name, n in owing.values()),
            departments=[{"department_id": dept, "name": name, "tasks": n}
                         for dept, (name, n) in ranked[:MISSING_SHOWN]]))


def _progress_series(plans: dict[int, PlanOverview], month: datetime.date,
                     today: datetime.date | None = None) -> None:
    """Per plan and month: the average progress of reports past draft and how many (the
    periods' stored figures, tasks_app.services.period_figures). With ``today``, the plan's
    periods every screen asks about (last, this and next month, weeks counted with them:
    selectors.owed.recent_months) come from the same query."""
    start = add_months(month, -(CHART_MONTHS - 1))
    first, last = recent_months(today) if today else (month, month)
    periods = (ReportingPeriod.objects
               .filter(plan_id__in=plans, month__gte=start, month__lte=last)
               .order_by("month", "opens_on")
               .values_list("plan_id", "month", "reports_past_draft", "progress_past_draft",
                            "pk", "kind", "opens_on", "deadline", "state"))
    sums: dict[tuple[int, datetime.date], list[int]] = {}
    for plan_id, period_month, reports, progress, pk, kind, opens_on, deadline, state in periods:
        if reports and period_month <= month:
            both = sums.setdefault((plan_id, period_month), [0, 0])
            both[0] += progress
            both[1] += reports
        if today and first <= period_month <= last:
            item = plans[plan_id]
            period = ReportingPeriod(pk=pk, plan=item.plan, kind=kind, month=period_month,
                                     opens_on=opens_on, deadline=deadline, state=state)
            item.periods.append(period)
            if kind == PeriodKind.MONTHLY and period_month == month:
                item.period = period
    for (plan_id, period_month), (total, n) in sums.items():
        plans[plan_id].progress_series.append((period_month, total / n, n))


def _page_plans(page_ids: list[int]) -> dict[int, PlanOverview]:
    """The page's plans with their latest bulletin (one query)."""
    latest = Bulletin.objects.filter(plan=OuterRef("pk")).order_by("-year", "-quarter")
    plans = {}
    for plan in (Plan.objects.filter(pk__in=page_ids).select_related("lead_office")
                 .annotate(bulletin_quarter=Subquery(
                               latest.values(of=JSONObject(year="year", quarter="quarter"))[:1],
                               output_field=JSONField()),
                           bulletin_rates=Subquery(latest.values("department_rates")[:1],
                                                   output_field=JSONField()))
                 .order_by("-signed_on", "code")):
        item = plans[plan.pk] = PlanOverview(plan, [], {})
        if plan.bulletin_quarter:  # the latest bulletin: its on-time rates, not its content
            item.bulletin = Bulletin(plan=plan, **plan.bulletin_quarter,
                                     department_rates=plan.bulletin_rates or [])
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
             page_number: int | str | None = 1) -> Overview:
    """A page of active plans in detail; the lagging tasks of all of them."""
    active = list(Plan.objects.filter(is_active=True).order_by("-signed_on", "code")
                  .values_list("pk", flat=True))
    if not active:
        return Overview([], [])
    page = Paginator(active, PLANS_PER_PAGE).get_page(page_number)
    month = month_start(today)
    plans = _page_plans(list(page.object_list))
    _health_by_driver(plans, now)
    _progress_series(plans, month, today)  # and the periods asked about
    _owed_reports(plans, today)
    _targets(plans, month)
    # The lagging tasks: the condition walks the due-date index and stops after
    # RED_TASKS_SHOWN rows; their health is red by that condition, so it is not computed.
    red = list(Task.objects.filter(red_condition(now), plan_id__in=active)
               .select_related("plan").only(*_RED_TASK_FIELDS)
               .order_by("due_on", "plan_id", "number")[:RED_TASKS_SHOWN])
    return Overview(list(plans.values()), red, page)
