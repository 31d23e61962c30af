"""The one answer to "who owes which report, by when": owed, due, overdue, filed, returned,
excused — for a period, a plan, a department or a task part.

The rule (every screen, document, message and the API ask this module):

- A department owes a report on a task for a period when it holds a *part* in the task —
  directly, or as an active member of a group named on it — that was given by the period's
  deadline, and the task reports in that period: one-off items (一次性反馈) never owe periodic
  reports; quarterly items only in the monthly period of a quarter's last month; monthly
  items in every monthly period; weekly items (每周) in every weekly period and never in a
  monthly one. A weekly period counts with the month of its deadline day (bulletins,
  assessments and the quarter's lock take it with that month).
- A department named directly and through a group counts once, through its direct part; a
  member of two groups counts once, through the part given first.
- Open parts owe (待签收, 办理中, 延期申请中 — an extension moves the completion deadline,
  not the reports —, 办结申请中, 补充办理中, 整改中). Suspended, completed and transferred
  parts, parts of completed or suspended tasks and inactive departments are *excused* from
  then on: nothing is asked of them any more. The reporting counts (bulletin rates, the
  assessment) still count the periods whose deadline passed before the part closed.
- A report is *filed* when submitted, approved by the head or accepted; a *returned* report
  (and a draft) is owed again.
- An owed, unfiled report is *due* (待报送) until the end of the deadline day and *overdue*
  (逾期未报) after it.
"""

import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, reduce

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AssignmentRole, FeedbackCycle, FeedbackType, PeriodKind
from ..models import (
    Assignment,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Schedule,
    TargetAssignment,
    TargetReading,
)
from ..workdays import add_months, add_working_days
from .closing_days import _closing_days
from .deadlines import local_day_start
from .states import (
    CLOSED_PARTS,
    CLOSED_TASKS,
    FILED_READINGS,
    FILED_REPORTS,
    LIVE_PARTS,
    OPEN_PARTS,
    own_part,
)

QUARTER_END_MONTHS = (3, 6, 9, 12)

DUE = "due"
OVERDUE = "overdue"
Slot = tuple[str, datetime.date]  # a period of any plan: (kind, its month or its Monday)
STANDING_LABELS = {DUE: _("待报送"), OVERDUE: _("逾期未报")}


def standing(period: ReportingPeriod, today: datetime.date) -> str:
    """An owed, unfiled report: 待报送 up to the deadline day, 逾期未报 after it."""
    return OVERDUE if today > period.deadline else DUE


def reports_in(feedback_type: str, feedback_cycle: str, period: ReportingPeriod) -> bool:
    """Whether a task with this feedback type and cycle reports in ``period`` at all."""
    if feedback_type == FeedbackType.ONE_OFF:
        return False
    if period.kind == PeriodKind.WEEKLY or feedback_cycle == FeedbackCycle.WEEKLY:
        return period.kind == PeriodKind.WEEKLY and feedback_cycle == FeedbackCycle.WEEKLY
    if feedback_cycle == FeedbackCycle.QUARTERLY:
        return period.month.month in QUARTER_END_MONTHS
    return True


def reports_in_condition(period: ReportingPeriod, prefix: str = "") -> Q:
    """:func:`reports_in` for ``period`` as a condition on tasks (``prefix``: the path to
    the task, e.g. ``"task__"``); a test checks every combination against it."""
    monthly = ~Q(**{f"{prefix}feedback_cycle": FeedbackCycle.WEEKLY})
    if period.kind == PeriodKind.WEEKLY:
        cycle = ~monthly
    elif period.month.month in QUARTER_END_MONTHS:
        cycle = monthly
    else:
        cycle = monthly & ~Q(**{f"{prefix}feedback_cycle": FeedbackCycle.QUARTERLY})
    return cycle & ~Q(**{f"{prefix}feedback_type": FeedbackType.ONE_OFF})


def owes(given_on: datetime.date, closed_on: datetime.date | None, cycle: str,
         period: ReportingPeriod, feedback_type: str = FeedbackType.PERIODIC) -> bool:
    """A part given on ``given_on`` and closed on ``closed_on`` owed a report for ``period``."""
    if not reports_in(feedback_type, cycle, period):
        return False
    return given_on <= period.deadline and (closed_on is None or closed_on > period.deadline)


# ---------------------------------------------------------------- which period is asked for


def upcoming_period(periods: Iterable[ReportingPeriod],
                    today: datetime.date) -> ReportingPeriod | None:
    """The period whose deadline is next (today included): its reports are due."""
    ahead = [p for p in periods if p.deadline >= today]
    return min(ahead, key=lambda p: p.deadline, default=None)


def chased_period(periods: Iterable[ReportingPeriod], today: datetime.date,
                  tracking_start: datetime.date) -> ReportingPeriod | None:
    """The period whose deadline passed most recently: the only one still chased (overdue),
    unless its deadline came before the plan's tracking started."""
    past = [p for p in periods if p.deadline < today]
    period = max(past, key=lambda p: p.deadline, default=None)
    return period if period and period.deadline >= tracking_start else None


def by_kind(periods: Iterable[ReportingPeriod]) -> dict[str, list[ReportingPeriod]]:
    """The periods split into monthly and weekly ones (monthly first), each asked on its own:
    a plan has an upcoming and a chased month, and with weekly items a week of each too."""
    kinds: dict[str, list[ReportingPeriod]] = {kind: [] for kind in PeriodKind.values}
    for period in periods:
        kinds[period.kind].append(period)
    return {kind: mine for kind, mine in kinds.items() if mine}


def asked_periods(periods: Iterable[ReportingPeriod], today: datetime.date,
                  tracking_start: datetime.date) -> list[tuple[str, ReportingPeriod]]:
    """(standing, period) a screen asks about, per kind: the chased period (逾期未报), then
    the upcoming one (待报送); none whose deadline came before the tracking start."""
    asked = []
    for mine in by_kind(periods).values():
        for standing_, period in ((OVERDUE, chased_period(mine, today, tracking_start)),
                                  (DUE, upcoming_period(mine, today))):
            if period is not None and period.deadline >= tracking_start:
                asked.append((standing_, period))
    return asked


def red_day(period: ReportingPeriod, schedule: Schedule) -> datetime.date:
    """The working day on which a missing report is escalated to the lead office (red)."""
    return add_working_days(period.deadline, schedule.chase_lead_office_after)


def red_moment(period: ReportingPeriod, schedule: Schedule) -> datetime.datetime:
    """The red step's day at the schedule's send time."""
    return timezone.make_aware(datetime.datetime.combine(red_day(period, schedule),
                                                         schedule.send_time))


def shown_periods(periods: Iterable[ReportingPeriod], today: datetime.date,
                  tracking_start: datetime.date) -> list[ReportingPeriod]:
    """The periods a plan's counts show (overview, 督办台, digest), in their order: the month
    coming up (待报送), the month chased (逾期未报), then the same two weeks."""
    asked = asked_periods(periods, today, tracking_start)
    return [period for standing_, period in sorted(
        asked, key=lambda pair: (pair[1].kind != PeriodKind.MONTHLY, pair[0] != DUE))]


# ---------------------------------------------------------------- owed reports, one by one


@dataclass(frozen=True)
class MissingReport:
    """One report a department owes for a period (``filed``: it has been filed since)."""

    period_id: int
    plan_id: int
    task_id: int
    task_number: int
    task_title: str
    department_id: int
    department_name: str
    driver_id: int | None = None
    filed: bool = False
    filed_at: datetime.datetime | None = None


@dataclass(frozen=True)
class _Part:
    plan_id: int
    driver_id: int | None
    task_id: int
    task_number: int
    task_title: str
    feedback_type: str
    feedback_cycle: str
    given_on: datetime.date
    state: str
    department_id: int
    department_name: str
    filed: dict[Slot, datetime.datetime | None] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PARTS


_PART_FIELDS = ("task__plan_id", "task__driver_id", "task_id", "task__number", "task__title",
                "task__feedback_type", "task__feedback_cycle", "given_on", "state", "dept",
                "dept_name")


def _slot(period: ReportingPeriod) -> Slot:
    return (period.kind, period.opens_on if period.kind == PeriodKind.WEEKLY else period.month)


def _filed_in(period_ids: list[int]) -> tuple[Exists, Subquery]:
    """Whether the part's department filed its report for one of ``period_ids`` (the plans'
    periods of one month or week: a task's report can only be in its own plan's), and when.
    Task, department and period probe the reports' unique index; no join, no ordering. The
    first is hashed by PostgreSQL (one pass); the second runs per part."""
    report = ProgressReport.objects.filter(
        task_id=OuterRef("task_id"), department_id=OuterRef("dept"),
        period_id__in=period_ids, state__in=FILED_REPORTS).order_by()
    return Exists(report), Subquery(report.values("submitted_at")[:1])


def _of_plans(parts: QuerySet, plan_ids: Iterable[int]) -> QuerySet:
    """The plans' parts, found through their own copy of the plan (an index) and their
    tasks' (so that the join to the tasks reads these plans' tasks, not the city's)."""
    ids = list(plan_ids)
    return parts.filter(plan_id__in=ids, task__plan_id__in=ids)


def _held(parts: QuerySet, department_ids: Iterable[int] | None = None) -> QuerySet:
    """``parts`` once per department holding them — a direct part's active department, each
    active member of a group part (only ``department_ids``, if given) — with ``dept``,
    ``dept_name`` and ``given_on``."""
    direct = Q(department__isnull=False, department__is_active=True)
    grouped = Q(group__isnull=False, group__members__is_active=True)
    if department_ids is not None:
        ids = list(department_ids)
        direct &= Q(department_id__in=ids)
        grouped &= Q(group__members__in=ids)
    # One filter call, then annotations: they reuse its join to the group's members.
    return parts.filter(direct | grouped).annotate(
        given_on=TruncDate("created_at"),  # in the site's time zone, as every rule counts days
        dept=Coalesce("department_id", "group__members__id"),
        dept_name=Coalesce("department__name", "group__members__name"))


def _governing(rows: Iterable[Sequence], fields: Sequence[str]
               ) -> dict[tuple[int, int], Sequence]:
    """(department id, task id) → the row of the part through which the department holds
    the task: its direct part if it has one; else, of its groups' parts, an open one before
    a closed one, then the one given first. ``fields`` names the rows' values: ``dept``,
    ``task_id``, ``department_id`` (None for a group's part), ``state``, ``given_on``."""
    dept, task, direct, state, given_on = (fields.index(name) for name in (
        "dept", "task_id", "department_id", "state", "given_on"))

    def precedence(row: Sequence) -> tuple[bool, int]:
        return row[state] in OPEN_PARTS, -row[given_on].toordinal()

    # A department's own part governs; of live parts it has at most one per task (a
    # constraint). Then, where it has none, the groups' part with precedence.
    governing: dict[tuple[int, int], Sequence] = {}
    grouped = []
    for row in rows:
        if row[direct] is None:
            grouped.append(row)
        else:
            governing[row[dept], row[task]] = row
    named = set(governing)
    for row in grouped:
        key = (row[dept], row[task])
        if key in named:
            continue
        held = governing.get(key)
        if held is None or precedence(row) > precedence(held):
            governing[key] = row
    return governing


def _parts(*, plan_ids: set[int] | None = None, task_ids: set[int] | None = None,
           department_ids: Iterable[int] | None = None,
           slots: dict[Slot, list[int]] | None = None, times: bool = True) -> list[_Part]:
    """Each department's part in each task that is not closed, groups expanded to their
    active members, the one that governs (:func:`_governing`). With each part, its
    department's filed reports in ``slots`` (slot → its periods' ids) and, with ``times``,
    when each was filed. One query.
    Closed parts are returned too (they shadow a group part) — ask ``is_open``."""
    parts = Assignment.objects.filter(state__in=LIVE_PARTS).exclude(task__status__in=CLOSED_TASKS)
    if plan_ids is not None:
        parts = _of_plans(parts, plan_ids)
    if task_ids is not None:
        parts = parts.filter(task_id__in=task_ids)
    parts = _held(parts, department_ids)
    slot_periods = slots or {}
    slots_in_order = sorted(slot_periods)
    filed_fields = []
    for n, slot in enumerate(slots_in_order):
        exists, at = _filed_in(slot_periods[slot])
        parts = parts.annotate(**{f"filed_{n}": exists,
                                  f"filed_at_{n}": at if times else Value(
                                      None, output_field=DateTimeField())})
        filed_fields += [f"filed_{n}", f"filed_at_{n}"]
    fields = (*_PART_FIELDS, "department_id", *filed_fields)
    result = []
    for row in _governing(parts.order_by().values_list(*fields), fields).values():
        filed = {slot: row[len(_PART_FIELDS) + 2 + 2 * n]
                 for n, slot in enumerate(slots_in_order) if row[len(_PART_FIELDS) + 1 + 2 * n]}
        (plan_id, driver_id, task_id, number, title, ftype, cycle, given_on, state, dept,
         name) = row[:len(_PART_FIELDS)]
        result.append(_Part(plan_id, driver_id, task_id, number, title, ftype, cycle,
                            given_on, state, dept, name, filed))
    return result


def owed_reports(
    periods: Iterable[ReportingPeriod], *, department_ids: Iterable[int] | None = None,
    task_ids: set[int] | None = None, times: bool = True,
) -> dict[int, list[MissingReport]]:
    """Every report owed for each period (filed or not), by period id, ordered by task number
    and department name. One query whatever the number of tasks and departments (the
    periods' distinct months and weeks are each one subquery). ``times=False``: without
    ``filed_at`` (a subquery per part; whether it was filed is one pass)."""
    periods = list(periods)
    if not periods:
        return {}
    slots: dict[Slot, list[int]] = defaultdict(list)
    for period in periods:
        slots[_slot(period)].append(period.pk)
    by_plan: dict[int, list[_Part]] = defaultdict(list)
    for part in _parts(plan_ids={period.plan_id for period in periods}, task_ids=task_ids,
                       department_ids=department_ids, slots=slots, times=times):
        if part.is_open:
            by_plan[part.plan_id].append(part)
    result: dict[int, list[MissingReport]] = {}
    for period in periods:
        rows, slot = [], _slot(period)
        for part in by_plan[period.plan_id]:
            if owes(part.given_on, None, part.feedback_cycle, period, part.feedback_type):
                rows.append(MissingReport(
                    period.pk, part.plan_id, part.task_id, part.task_number, part.task_title,
                    part.department_id, part.department_name, part.driver_id,
                    slot in part.filed, part.filed.get(slot)))
        result[period.pk] = sorted(rows, key=lambda r: (r.task_number, r.department_name))
    return result


def unfiled_tallies(periods: Iterable[ReportingPeriod]) -> dict[int, dict[int, tuple[str, int]]]:
    """Period id → {department id: (name, reports owed and not filed)}: what
    :func:`owed_reports` lists as unfiled, counted by the database (one query, a row per
    plan and department) for pages that show counts, not rows (overview, 督办台, cockpit).

    The same rule, said for counting: a department owes a task's report for a period when
    the task reports in it and one of the department's open parts in the class that governs
    — its direct parts if it has any live one, else its groups' parts — was given by the
    deadline (the governing part is the open one given first). A test compares both."""
    periods = list(periods)
    if not periods:
        return {}
    # Of a department's open parts through groups (two of a task's groups may hold it), the
    # one given first: one row per department and task, counted without de-duplicating.
    earlier_group_part = Assignment.objects.filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")),
        task_id=OuterRef("task_id"), state__in=OPEN_PARTS, group__members=OuterRef("dept"))
    parts = (_held(_of_plans(Assignment.objects.filter(state__in=OPEN_PARTS),
                             {period.plan_id for period in periods})
                   .exclude(task__status__in=CLOSED_TASKS)
                   .exclude(task__feedback_type=FeedbackType.ONE_OFF))
             .exclude(Q(department__isnull=True)
                      & (own_part(OuterRef("task_id"), OuterRef("dept"))
                         | Exists(earlier_group_part))))
    slots: dict[Slot, list[ReportingPeriod]] = defaultdict(list)
    for period in periods:
        slots[_slot(period)].append(period)
    unfiled: dict[str, Q] = {}
    for n, mine in enumerate(slots.values()):
        plans_by_deadline: dict[datetime.date, list[int]] = defaultdict(list)
        for period in mine:  # plans on one schedule share a deadline: one WHEN for them
            plans_by_deadline[period.deadline].append(period.plan_id)
        # Given by the deadline (given_on <= deadline), said as a moment: created before the
        # next day began in the site's time zone (where TruncDate reads given_on). Comparing
        # stored times skips converting each part's to a date.
        given_before = Case(*(When(task__plan_id__in=plan_ids, then=Value(
                                  local_day_start(day + datetime.timedelta(days=1))))
                              for day, plan_ids in plans_by_deadline.items()),
                            output_field=DateTimeField())
        filed, _at = _filed_in([period.pk for period in mine])
        parts = parts.alias(**{f"given_before_{n}": given_before, f"filed_{n}": filed})
        unfiled[f"owed_{n}"] = (
            reports_in_condition(mine[0], "task__")
            & Q(**{"created_at__lt": F(f"given_before_{n}"), f"filed_{n}": False}))
    # Only the rows owed in some slot, counted per slot. With one slot (the usual page) the
    # condition is the WHERE alone, which the database answers with an anti-join on the
    # filed reports instead of a lookup per part (a third less time for ten plans).
    parts = parts.filter(reduce(operator.or_, unfiled.values()))
    tallies = {name: Count("task_id", filter=condition if len(unfiled) > 1 else None)
               for name, condition in unfiled.items()}
    result: dict[int, dict[int, tuple[str, int]]] = {period.pk: {} for period in periods}
    # Per plan, its periods' columns in a row (plan, department, name, count per slot).
    head = ("task__plan_id", "dept", "dept_name")
    columns: dict[int, list[tuple[int, dict[int, tuple[str, int]]]]] = defaultdict(list)
    for n, mine in enumerate(slots.values()):
        for period in mine:
            columns[period.plan_id].append((len(head) + n, result[period.pk]))
    for row in (parts.order_by().values(*head).annotate(**tallies)
                .values_list(*head, *tallies)):
        for column, owing in columns[row[0]]:
            if owed := row[column]:
                owing[row[1]] = (row[2], owed)
    return result


def _unfiled(row: MissingReport, as_of: datetime.datetime | None) -> bool:
    if not row.filed:
        return True
    return as_of is not None and (row.filed_at is None or row.filed_at >= as_of)


def missing_reports_for(
    periods: Iterable[ReportingPeriod], *, as_of: datetime.datetime | None = None,
    department_ids: Iterable[int] | None = None,
) -> dict[int, list[MissingReport]]:
    """Missing reports by period id, ordered by task number and department name.

    ``as_of``: count only reports filed before that moment. Three queries whatever the number
    of periods, tasks and departments.
    """
    owed = owed_reports(periods, department_ids=department_ids, times=as_of is not None)
    return {period_id: [row for row in rows if _unfiled(row, as_of)]
            for period_id, rows in owed.items()}


def missing_reports(period: ReportingPeriod) -> list[MissingReport]:
    """Reports still owed for the period, now."""
    return missing_reports_for([period])[period.pk]


def departments_on_tasks(task_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """(department id, name) of the departments working on each open task (one query)."""
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    parts = sorted((p for p in _parts(task_ids=task_ids) if p.is_open),
                   key=lambda r: r.department_name)
    for row in parts:
        result[row.task_id].append((row.department_id, row.department_name))
    return result


@dataclass(frozen=True)
class OwedCount:
    """How many departments owe reports for a period, and how many reports."""

    period: ReportingPeriod
    standing: str  # DUE or OVERDUE
    departments: int
    reports: int

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self.standing])


def due_and_overdue(periods: Iterable[ReportingPeriod], today: datetime.date,
                    tracking_start: datetime.date,
                    tallies: dict[int, dict[int, tuple[str, int]]]) -> list[OwedCount]:
    """The plan's two counts: the upcoming period's (待报送) and the chased period's (逾期未报),
    from the plan's periods and their :func:`unfiled_tallies` — and with weekly periods, the
    same two for the weeks (monthly first)."""
    counts = []
    for period in shown_periods(periods, today, tracking_start):
        owing = tallies.get(period.pk, {})
        counts.append(OwedCount(period, standing(period, today), len(owing),
                                sum(n for _name, n in owing.values())))
    return counts


# ---------------------------------------------------------------- the bulletin's two lists


@dataclass(frozen=True)
class Named:
    """The departments a bulletin names for its periods past the red step."""

    missing: dict[int, list[tuple[ReportingPeriod, int]]]  # 逾期未报送: still missing
    filed_late: dict[int, list[tuple[ReportingPeriod, int]]]  # 逾期后补报: filed after red


def bulletin_named(schedule: Schedule, periods: list[ReportingPeriod],
                   today: datetime.date) -> Named:
    """Department id → [(period, reports)] for each period whose red step has come: the
    reports still missing, and those filed only after the red step. One query."""
    reached = [period for period in periods if red_day(period, schedule) <= today]
    missing: dict[int, list[tuple[ReportingPeriod, int]]] = defaultdict(list)
    filed_late: dict[int, list[tuple[ReportingPeriod, int]]] = defaultdict(list)
    owed = owed_reports(reached)
    for period in reached:
        red = red_moment(period, schedule)
        still: dict[int, int] = defaultdict(int)
        late: dict[int, int] = defaultdict(int)
        for row in owed[period.pk]:
            if not row.filed:
                still[row.department_id] += 1
            elif _unfiled(row, red):
                late[row.department_id] += 1
        for department_id, n in still.items():
            missing[department_id].append((period, n))
        for department_id, n in late.items():
            filed_late[department_id].append((period, n))
    return Named(dict(missing), dict(filed_late))


# ---------------------------------------------------------------- the reporting counts
# (bulletin on-time rates, the assessment's timeliness). A department's part in a task owed
# a report for every period whose deadline came after it was given and before it closed:
# open parts are not closed; closed parts (and parts of closed tasks) closed on the day the
# history says (_closing_days). A filed report counts when it was owed.

NEVER = datetime.date(1900, 1, 1)  # closed, but the history does not say when

Counts = dict[int, list[int]]  # department id → [owed, filed on time, filed late]


@dataclass(frozen=True)
class Holding:
    """A department's governing part in a task, as the reporting counts need it."""

    given_on: datetime.date
    closed_on: datetime.date | None  # None: the part and its task are open
    cycle: str


def _holdings(plan: Plan) -> dict[tuple[int, int], Holding]:
    """(department id, task id) → the governing part (:func:`_governing`) of each department
    in each of the plan's periodic tasks. Three queries."""
    task_days, part_days = _closing_days(plan)
    fields = ("dept", "task_id", "department_id", "given_on", "state", "task__status",
              "task__feedback_cycle")
    rows = (_held(_of_plans(Assignment.objects.filter(state__in=LIVE_PARTS), [plan.pk])
                  .exclude(task__feedback_type=FeedbackType.ONE_OFF))
            .order_by().values_list(*fields))
    holdings = {}
    for (dept, task_id), (_d, _t, direct, given_on, state, status, cycle) in _governing(
            rows, fields).items():
        days = [task_days.get(task_id, NEVER)] if status in CLOSED_TASKS else []
        if state in CLOSED_PARTS:
            own = part_days.get((task_id, dept)) if direct is not None else None
            days.append(own or task_days.get(task_id, NEVER))
        holdings[dept, task_id] = Holding(given_on, min(days, default=None), cycle)
    return holdings


def owed_and_filed(plan: Plan, periods: list[ReportingPeriod]) -> Counts:
    """Department id → [owed, filed on time, filed late], summed over ``periods``. Four
    queries: the plan's parts and their closing days, then the periods' filed reports; a
    report counts when its department's part owed it (:func:`owes`: the task reports in the
    period, the part was given by its deadline and not closed before)."""
    counts: Counts = defaultdict(lambda: [0, 0, 0])
    if not periods:
        return counts

    # A plan's parts share few (given on, closed on, cycle): each is judged against the
    # periods once, not once per part (a city's year: 200,000 calls).
    @cache
    def owed_periods(holding: Holding) -> frozenset[int]:
        return frozenset(period.pk for period in periods
                         if owes(holding.given_on, holding.closed_on, holding.cycle, period))

    owed = {key: owed_periods(holding) for key, holding in _holdings(plan).items()}
    for (dept, _task_id), period_ids in owed.items():
        counts[dept][0] += len(period_ids)
    nothing: frozenset[int] = frozenset()
    filed = ProgressReport.objects.filter(period__in=periods, state__in=FILED_REPORTS)
    for dept, task_id, period_id, is_late in filed.order_by().values_list(
            "department_id", "task_id", "period_id", "is_late"):
        if period_id in owed.get((dept, task_id), nothing):
            counts[dept][2 if is_late else 1] += 1
    return counts


# ---------------------------------------------------------------- 月监测: owed target readings
# The monthly figure of a target for month M is due with the plan's reporting period of the
# month after (the figures come in the month after): same deadline, same reminder days, same
# chase ladder as the reports of that period.


def reading_month(period: ReportingPeriod) -> datetime.date:
    """The month whose target readings are due by ``period``'s deadline: the month before."""
    return add_months(period.month, -1)


@dataclass(frozen=True)
class MissingReading:
    """A target's reading for a month that one of its owning departments owes
    (``filed``: it has been filed since — submitted or approved)."""

    plan_id: int
    target_id: int
    target_name: str
    month: datetime.date
    department_id: int
    department_name: str
    filed: bool = False


def _target_owners(plan_ids: set[int]) -> dict[int, list[tuple[int, str, str, int, int]]]:
    """Target id → (department id, name, target name, plan id, target year or 0) for every
    unit on the target: direct active departments and the active members of groups; with
    their role first so owners can be chosen. One query."""
    rows = (TargetAssignment.objects.filter(target__plan_id__in=plan_ids)
            .filter(Q(department__isnull=False, department__is_active=True)
                    | Q(group__isnull=False, group__members__is_active=True))
            .annotate(dept=Coalesce("department_id", "group__members__id"),
                      dept_name=Coalesce("department__name", "group__members__name"))
            .order_by("target_id", "position", "id")
            .values_list("target_id", "role", "dept", "dept_name", "target__name",
                         "target__plan_id", "target__year"))
    by_target: dict[int, list] = defaultdict(list)
    for target_id, role, dept, name, target_name, plan_id, year in rows:
        by_target[target_id].append((role, dept, name, target_name, plan_id, year or 0))
    owners: dict[int, list[tuple[int, str, str, int, int]]] = {}
    for target_id, units in by_target.items():
        leads = [u for u in units if u[0] == AssignmentRole.LEAD] or units
        seen: dict[int, tuple[int, str, str, int, int]] = {}
        for _role, dept, name, target_name, plan_id, year in leads:
            seen.setdefault(dept, (dept, name, target_name, plan_id, year))
        owners[target_id] = list(seen.values())
    return owners


def owed_readings(periods: Iterable[ReportingPeriod], *,
                  department_ids: Iterable[int] | None = None
                  ) -> dict[int, list[MissingReading]]:
    """Every target reading owed by ``period``'s deadline (filed or not), by period id,
    ordered by target and department name. Two queries.

    The rule: a target is monitored monthly until the end of its target year; it is owed
    by its lead units (directly, or the active members of a lead group), or — when it has
    no lead — by every unit named on it. One reading per target and month settles it for
    all its owners, whoever filed it; a returned reading is owed again."""
    periods = list(periods)
    if not periods:
        return {}
    owners = _target_owners({period.plan_id for period in periods})
    wanted = set(department_ids) if department_ids is not None else None
    months = {reading_month(period) for period in periods}
    filed = set(TargetReading.objects.filter(target_id__in=owners, month__in=months,
                                             state__in=FILED_READINGS)
                .values_list("target_id", "month"))
    result: dict[int, list[MissingReading]] = {}
    for period in periods:
        month, rows = reading_month(period), []
        for target_id, units in owners.items():
            for dept, name, target_name, plan_id, year in units:
                if plan_id != period.plan_id or (year and month.year > year):
                    continue
                if wanted is not None and dept not in wanted:
                    continue
                rows.append(MissingReading(plan_id, target_id, target_name, month, dept, name,
                                           (target_id, month) in filed))
        result[period.pk] = sorted(rows, key=lambda r: (r.target_id, r.department_name))
    return result


def missing_readings_for(periods: Iterable[ReportingPeriod], *,
                         department_ids: Iterable[int] | None = None
                         ) -> dict[int, list[MissingReading]]:
    """Target readings still owed (not filed) by period id. Two queries."""
    owed = owed_readings(periods, department_ids=department_ids)
    return {period_id: [row for row in rows if not row.filed] for period_id, rows in owed.items()}
