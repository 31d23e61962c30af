"""What a leader reads in a minute (驾驶舱): every active plan together — task counts by
health, the first red and yellow tasks, the departments behind on reports by escalation
colour, and the requests waiting for the lead office's decision.

Seven queries whatever the number of plans, tasks and departments: health counts, the red and
yellow tasks, the recent periods, the owed reports (three, tasks_app.rules.obligations), the
requests waiting.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Subquery, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ..choices import AssignmentRole, Health, PeriodKind
from ..health import with_health
from ..models import Assignment, CompletionRequest, ExtensionRequest, ReportingPeriod, Task
from ..rules.escalation import LEVEL_LABELS, LEVELS, escalation_level
from ..rules.obligations import chased_period, unfiled_tallies, upcoming_period
from ..rules.states import CLOSED_TASKS
from ..workdays import add_months, month_start

SHOWN = 10  # red and yellow tasks, departments behind


@dataclass
class Cockpit:
    now: datetime.datetime
    health: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Health.values, 0))
    red: list[dict] = field(default_factory=list)
    yellow: list[dict] = field(default_factory=list)
    behind: list[dict] = field(default_factory=list)  # department, reports, level (worst first)
    behind_departments: int = 0
    overdue_reports: int = 0
    due_reports: int = 0  # 待报送: the coming deadline, not yet late
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    extensions_waiting: int = 0
    completions_waiting: int = 0

    @property
    def total(self) -> int:
        return sum(self.health.values())

    @property
    def decisions_waiting(self) -> int:
        return self.extensions_waiting + self.completions_waiting


def _red_and_yellow(data: Cockpit, now: datetime.datetime) -> None:
    """The first red and the first yellow tasks by due date (one query: a row number per
    health)."""
    lead = (Assignment.objects.filter(task=OuterRef("pk"), role=AssignmentRole.LEAD,
                                      department__isnull=False)
            .order_by("position", "pk").values("department__name")[:1])
    rows = (with_health(Task.objects.filter(plan__is_active=True), now)
            .filter(health__in=(Health.RED, Health.YELLOW)).exclude(status__in=CLOSED_TASKS)
            .annotate(lead=Subquery(lead),
                      rank=Window(RowNumber(), partition_by=[F("health")],
                                  order_by=[F("due_on").asc(nulls_last=True), F("plan_id"),
                                            F("number")]))
            .filter(rank__lte=SHOWN)
            .order_by("rank")
            .values("id", "number", "title", "progress", "due_on", "plan__code", "lead",
                    "health"))
    for row in rows:
        (data.red if row["health"] == Health.RED else data.yellow).append(row)


def _behind(cockpit: Cockpit, today: datetime.date) -> None:
    """The departments owing reports of each plan's chased period, with the period's colour."""
    periods: dict[int, list[ReportingPeriod]] = {}
    for period in (ReportingPeriod.objects
                   .filter(plan__is_active=True, kind=PeriodKind.MONTHLY,
                           month__gte=add_months(month_start(today), -2),
                           month__lte=add_months(month_start(today), 1))
                   .select_related("plan__schedule")):
        periods.setdefault(period.plan_id, []).append(period)
    chased, due = [], []
    for plan_periods in periods.values():
        plan = plan_periods[0].plan
        if (late := chased_period(plan_periods, today, plan.tracking_start)) is not None:
            chased.append(late)
        if (coming := upcoming_period(plan_periods, today)) is not None:
            due.append(coming)
    tallies = unfiled_tallies([*chased, *due])
    cockpit.due_reports = sum(n for p in due if p not in chased
                              for _name, n in tallies[p.pk].values())
    departments: dict[int, dict] = {}
    rank = {level: i for i, level in enumerate(LEVELS)}
    for period in chased:
        level = escalation_level(period.deadline, period.plan.schedule, today)
        if level is None:
            continue
        for department_id, (name, n) in tallies[period.pk].items():
            cockpit.overdue_reports += n
            item = departments.setdefault(department_id, {
                "department_id": department_id, "name": name, "reports": 0, "level": level})
            item["reports"] += n
            if rank[level] < rank[item["level"]]:
                item["level"] = level
    for item in departments.values():
        cockpit.levels[item["level"]] += 1
        item["label"] = LEVEL_LABELS[item["level"]]
    ranked = sorted(departments.values(),
                    key=lambda d: (rank[d["level"]], -d["reports"], d["name"]))
    cockpit.behind_departments = len(ranked)
    cockpit.behind = ranked[:SHOWN]


def cockpit(now: datetime.datetime | None = None) -> Cockpit:
    """The leaders' one screen over every active plan."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    data = Cockpit(now=now)
    for row in (with_health(Task.objects.filter(plan__is_active=True), now)
                .values("health").annotate(n=Count("id")).order_by()):
        data.health[row["health"]] += row["n"]
    _red_and_yellow(data, now)
    _behind(data, today)
    extensions = (ExtensionRequest.objects
                  .filter(state=ExtensionRequest.State.PENDING_DECISION,
                          assignment__task__plan__is_active=True)
                  .annotate(kind=Value("extension")).order_by().values_list("kind", flat=True))
    completions = (CompletionRequest.objects
                   .filter(decision=CompletionRequest.Decision.PENDING,
                           task__plan__is_active=True)
                   .annotate(kind=Value("completion")).order_by().values_list("kind", flat=True))
    waiting = list(extensions.union(completions, all=True))
    data.extensions_waiting = waiting.count("extension")
    data.completions_waiting = waiting.count("completion")
    return data
