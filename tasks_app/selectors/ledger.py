"""The task ledger (督办台账): one row per task and department, with the department's latest
submitted report. Four queries whatever the number of tasks, so the portal, the admin, the
API and the ``export_ledger`` command can all ask for a whole city's plans.

The caller passes the tasks already filtered (visibility, then the task list's filters,
see :class:`tasks_app.filtersets.TaskFilterSet`). ``departments`` limits the rows to those
departments: a department user's ledger has only its own rows.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, FilteredRelation, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from common.formatting import cn_period
from common.i18n import join_list
from common.lookups import InReadFirst
from departments.access import Access

from ..choices import AssignmentRole, Health, ReportStatus, TaskStatus
from ..filtersets import TaskFilterSet
from ..health import with_health
from ..models import ProgressReport, ReportingPeriod, Task
from ..permissions import visible_tasks
from ..rules.obligations import (
    STANDING_LABELS,
    asked_periods,
    owed_reports,
)
from ..rules.states import FILED_REPORTS, INACTIVE_PARTS
from .owed import recent_periods

TASK_VALUES = ("id", "plan_id", "plan__code", "plan__title", "driver__number", "driver__title",
               "number", "title", "due_on", "status", "progress", "health",
               "plan__tracking_start")


@dataclass(frozen=True)
class LatestReport:
    month: datetime.date
    status: str
    progress: int
    progress_text: str
    problems: str
    next_steps: str

    @property
    def status_label(self) -> str:
        return str(ReportStatus(self.status).label)


@dataclass(frozen=True)
class LedgerRow:
    task: dict
    lead: str
    responsible: str
    department_id: int | None
    department: str
    role: str
    report: LatestReport | None
    standing: str | None = None  # a report owed: DUE, OVERDUE, or None: nothing owed
    standing_period: ReportingPeriod | None = None  # the period it is owed for

    @property
    def standing_label(self) -> str:
        if not self.standing or self.standing_period is None:
            return ""
        return f"{STANDING_LABELS[self.standing]}（{cn_period(self.standing_period)}）"

    @property
    def status_label(self) -> str:
        return str(TaskStatus(self.task["status"]).label)

    @property
    def health_label(self) -> str:
        return str(Health(self.task["health"]).label)

    @property
    def role_label(self) -> str:
        return str(AssignmentRole(self.role).label) if self.role else ""


@dataclass
class Ledger:
    rows: list[LedgerRow]
    plans: dict[int, tuple[str, str]]  # id → (code, title), in row order
    as_of: datetime.date

    @property
    def task_count(self) -> int:
        return len({row.task["id"] for row in self.rows})

    @property
    def single_plan(self) -> tuple[str, str] | None:
        return next(iter(self.plans.values())) if len(self.plans) == 1 else None


def ledger_departments(access: Access, wanted: int | None = None) -> frozenset[int] | None:
    """The departments whose rows the user gets: all for managers and the lead office, its
    own for a department; only ``wanted`` when the list is filtered by a department."""
    mine = None if access.reads_everything else access.department_ids
    if wanted is None:
        return mine
    return frozenset({wanted}) if mine is None else mine & {wanted}


def ledger_for(access: Access, params, now: datetime.datetime | None = None,
               task_ids: Collection[int] | None = None) -> Ledger:
    """The ledger of the tasks the user may see, filtered like the task list (``params``
    are TaskFilterSet's) and to ``task_ids`` when given (the admin's selected tasks);
    ValidationError naming the parameter when a value is refused."""
    tasks = visible_tasks(access)
    if task_ids is not None:
        tasks = tasks.filter(pk__in=list(task_ids))
    filterset = TaskFilterSet(params, queryset=with_health(tasks, now))
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    wanted = filterset.form.cleaned_data.get("department")
    return ledger(filterset.qs, departments=ledger_departments(access, wanted), now=now)


CHUNK = 2000  # rows fetched at a time: a city's rows are never all held as fetched
PART_VALUES = ("part__role", "part__department_id", "part__department__name",
               "part__group_id", "part__group__name", "part__source_text",
               "part__group__members__id", "part__group__members__name")


def _tasks_with_parts(ids, now: datetime.datetime) -> tuple[
        list[dict], dict[int, list[tuple]], dict[int, list[tuple[int, str]]]]:
    """The task rows (ordered by plan and number), each task's live parts (role, department
    id, department name, group id, unit name) and each named group's members, in one query:
    the tasks joined to their live parts and the parts' group members. The tasks' ids are
    read first (:class:`~common.lookups.InReadFirst`): joined to eight tables, a semi-join
    on them came last, after every task of the city met its parts (a department's 118
    tasks: 73 → 13 ms; a plan's: 52 → 13 ms; the whole city's: 330 → 370 ms)."""
    live = FilteredRelation("assignments", condition=~Q(assignments__state__in=INACTIVE_PARTS))
    joined = (with_health(Task.objects.filter(InReadFirst(F("pk"), ids)), now).annotate(part=live)
              .order_by("plan__signed_on", "plan_id", "number", "part__role", "part__position",
                        "part__id", "part__group__members__name", "part__group__members__id")
              .values_list(*TASK_VALUES, *PART_VALUES))
    task_rows: dict[int, dict] = {}
    parts: dict[int, list[tuple]] = defaultdict(list)
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    seen_parts: set[tuple] = set()
    width = len(TASK_VALUES)
    for row in joined.iterator(chunk_size=CHUNK):
        task_id = row[0]
        if task_id not in task_rows:
            task_rows[task_id] = dict(zip(TASK_VALUES, row[:width]))
        role, department_id, department, group_id, group, source_text, member_id, member = (
            row[width:])
        if role is None:
            continue  # a task without live parts
        part = (role, department_id, department, group_id, department or group or source_text)
        if (task_id, part) not in seen_parts:  # a group part comes once per member
            seen_parts.add((task_id, part))
            parts[task_id].append(part)
        if group_id and member_id and (member_id, member) not in members[group_id]:
            members[group_id].append((member_id, member))
    return list(task_rows.values()), parts, members


def _latest_reports(task_ids, departments) -> dict[tuple[int, int | None], LatestReport]:
    """(task id, department id) → the department's latest submitted report on the task."""
    reports = ProgressReport.objects.filter(task_id__in=task_ids, state__in=FILED_REPORTS)
    if departments is not None:
        reports = reports.filter(department_id__in=departments)
    latest = reports.order_by().annotate(rank=Window(  # no Meta ordering: a sort of all
        RowNumber(), partition_by=[F("task_id"), F("department_id")],
        order_by=[F("period__month").desc(), F("id").desc()],
    )).filter(rank=1).values_list("task_id", "department_id", "period__month", "status",
                                  "progress", "progress_text", "problems", "next_steps")
    return {(task_id, department_id): LatestReport(*rest)  # type: ignore[arg-type]  # values_list
            for task_id, department_id, *rest in latest.iterator(chunk_size=CHUNK)}


def _holders(parts: list[tuple], members: dict) -> list[tuple[int, str, str]]:
    """(department id, name, role) working on a task: direct parts first, then the members
    of groups named on it (a direct part wins)."""
    holders: dict[int, tuple[int, str, str]] = {}
    for role, department_id, name, _group_id, _unit in parts:
        if department_id:
            holders.setdefault(department_id, (department_id, name, role))
    for role, department_id, _name, group_id, _unit in parts:
        if not department_id:
            for member_id, member_name in members.get(group_id, []):
                holders.setdefault(member_id, (member_id, member_name, role))
    return list(holders.values())


def _standings(task_rows: list[dict], departments: Collection[int] | None,
               today: datetime.date,
               ) -> dict[tuple[int, int | None], tuple[str, ReportingPeriod]]:
    """(task id, department id) → DUE or OVERDUE for the reports owed and not filed: the
    chased period's first, then the coming one's (two queries, tasks_app.rules)."""
    starts = {task["plan_id"]: task["plan__tracking_start"] for task in task_rows}
    periods = recent_periods(starts, today)
    asked: list[tuple[str, ReportingPeriod]] = []
    for plan_id, mine in periods.items():
        asked += asked_periods(mine, today, starts[plan_id])
    owed = owed_reports([period for _, period in asked], department_ids=departments,
                        times=False)
    result: dict[tuple[int, int | None], tuple[str, ReportingPeriod]] = {}
    for standing, period in asked:
        for row in owed[period.pk]:
            if not row.filed:
                result.setdefault((row.task_id, row.department_id), (standing, period))
    return result


def ledger(tasks: QuerySet[Task], *, departments: Collection[int] | None = None,
           now: datetime.datetime | None = None) -> Ledger:
    """The ledger of these tasks (ordered by plan and number). Four queries."""
    now = now or timezone.now()
    ids = tasks.order_by().values("pk")
    task_rows, parts, members = _tasks_with_parts(ids, now)
    reports = _latest_reports(ids, departments) if task_rows else {}
    standings = _standings(task_rows, departments,
                           timezone.localtime(now).date()) if task_rows else {}
    rows: list[LedgerRow] = []
    plans: dict[int, tuple[str, str]] = {}
    joined: dict[tuple[str, ...], str] = {}  # each list of units joined once (a gettext)

    def units(task_parts: list[tuple], wanted: str) -> str:
        names = tuple(unit for role, *_, unit in task_parts if role == wanted)
        if names not in joined:
            joined[names] = join_list(names)
        return joined[names]

    for task in task_rows:
        task_parts = parts.get(task["id"], [])
        holders = _holders(task_parts, members)
        if departments is not None:
            holders = [h for h in holders if h[0] in departments]
            if not holders:
                continue
        lead = units(task_parts, AssignmentRole.LEAD)
        responsible = units(task_parts, AssignmentRole.RESPONSIBLE)
        no_one: list[tuple[int | None, str, str]] = [(None, "", "")]
        for department_id, name, role in holders or no_one:
            rows.append(LedgerRow(task, lead, responsible, department_id, name, role,
                                  reports.get((task["id"], department_id)),
                                  *(standings.get((task["id"], department_id)) or ())))
        plans.setdefault(task["plan_id"], (task["plan__code"], task["plan__title"]))
    return Ledger(rows, plans, timezone.localtime(now).date())
