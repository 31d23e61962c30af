"""The 督办台: what waits across all plans, ordered by what needs a decision first —
requests awaiting approval (extensions, completions), 督办单 drafts to sign and slip
feedback to read, red tasks — then the rest (parts not acknowledged, open slips, suspended
tasks, supervised items). Each list is filtered by the model's own FilterSet, the one the
API uses (plan, department), and carries its exact count. Seven queries whatever the size:
one per list of requests, parts and slips (the count is a window over the same rows), two
for the task lists, and one for the filter choices.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.expressions import Combinable
from django.db.models.functions import RowNumber
from django.utils import timezone

from departments.models import Department

from .. import workdays
from ..choices import PartState, SourceType, TaskStatus
from ..filtersets import AssignmentFilterSet, TaskFilterSet
from ..filtersets_lifecycle import (
    CompletionRequestFilterSet,
    ExtensionRequestFilterSet,
    SlipFilterSet,
)
from ..health import red_condition
from ..models import (
    Assignment,
    CompletionRequest,
    ExtensionRequest,
    Plan,
    SupervisionSlip,
    Task,
)
from ..rules.states import CLOSED_TASKS
from .lifecycle import PartView

DESK_ROWS = 50  # per list: the first to decide on; filters narrow the rest
FEEDBACK_DAYS = 30  # answered 督办单 stay on the desk this long
FILTERS = ("plan", "department")


@dataclass
class Section:
    """One list of the desk: its first DESK_ROWS rows and how many there are."""

    rows: list = field(default_factory=list)
    total: int = 0

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class DeskChoices:
    plans: list[tuple[int, str]]
    departments: list[tuple[int, str]]


@dataclass
class Desk:
    # What needs a decision, in this order.
    extensions: Section
    completions: Section
    slip_drafts: Section
    feedback: Section  # 督办单 answered in the last FEEDBACK_DAYS days
    red: Section
    # The rest.
    waiting: Section
    slips: Section  # signed, awaiting receipt or feedback
    suspended: Section
    items: Section
    choices: DeskChoices
    filters: dict[str, int]
    calendar_missing: int | None = None

    @property
    def decisions(self) -> int:
        """Everything in the decision lists (requests, drafts, feedback, red tasks)."""
        return sum(len(s) for s in (self.extensions, self.completions, self.slip_drafts,
                                    self.feedback, self.red))

    @property
    def overdue(self) -> list[PartView]:
        return [view for view in self.waiting if view.ack_overdue]

    @property
    def waiting_total(self) -> int:
        return self.waiting.total


def desk_params(data) -> dict[str, str]:
    """The desk's filter parameters from a query dict (other parameters are ignored)."""
    return {name: data[name] for name in FILTERS if data.get(name)}


def _filter(filterset_class, params: dict[str, str], queryset: QuerySet) -> QuerySet:
    """The model's own FilterSet applied to the desk's parameters; bad values raise."""
    if not params:  # the unfiltered desk: no form to build and validate five times
        return queryset
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors]
                               for name, errors in filterset.errors.items()})
    return filterset.qs


def _ranked(queryset: QuerySet, order: list, partition: F) -> QuerySet:
    """Number the rows per partition and count them, in the same query: the first
    DESK_ROWS of each partition."""
    return queryset.annotate(
        row=Window(RowNumber(), partition_by=[partition], order_by=order),
        total=Window(Count("pk"), partition_by=[partition]),
    ).filter(row__lte=DESK_ROWS)


def _first(queryset: QuerySet, order: list) -> list:
    """The first DESK_ROWS rows in ``order``, each carrying how many there are (one query)."""
    return list(queryset.annotate(total=Window(Count("pk"))).order_by(*order)[:DESK_ROWS])


def _section(rows: list) -> Section:
    return Section(rows, rows[0].total if rows else 0)


def _choices() -> DeskChoices:
    """Active plans and departments for the filters, in one query."""
    plans = Plan.objects.filter(is_active=True).order_by().annotate(
        choice=Value("plan", output_field=CharField())).values_list("choice", "pk", "code")
    departments = Department.objects.filter(is_active=True).order_by().annotate(
        choice=Value("department", output_field=CharField())).values_list(
        "choice", "pk", "name")
    rows = sorted(plans.union(departments, all=True), key=lambda r: (r[0], r[2]))
    return DeskChoices([(pk, name) for kind, pk, name in rows if kind == "plan"],
                       [(pk, name) for kind, pk, name in rows if kind == "department"])


# What the desk shows of a task: the ranking sorts thousands of rows, so keep them narrow.
_TASK_FIELDS = ("plan__code", "number", "title", "due_on", "progress", "status", "source_type",
                "source_reference", "urgency")


def _tasks(params: dict[str, str], now: datetime.datetime) -> dict[str, Section]:
    """Red tasks, suspended tasks and open supervised items, each task in one list (red
    first): the first DESK_ROWS of each by due date, and how many there are (two queries).

    Each list's first rows are their own ordered subquery, so the database walks
    ``task_due_on_idx`` and stops early; ranking the lists in one window sorted every red
    task in the city."""
    suspended, is_open = Q(status=TaskStatus.SUSPENDED), ~Q(status__in=CLOSED_TASKS)
    lagging = red_condition(now)
    red = is_open & lagging
    items = is_open & ~lagging & ~Q(source_type=SourceType.PLAN)
    order: list[str | Combinable] = [F("due_on").asc(nulls_last=True), "plan_id", "number"]
    tasks = _filter(TaskFilterSet, params, Task.objects.all())
    counts = tasks.aggregate(  # no WHERE repeating the three conditions: one pass counts
        suspended=Count("pk", filter=suspended), red=Count("pk", filter=red),
        items=Count("pk", filter=items))
    # One IN over the lists' UNION ALL (each list's first rows, the LIMIT inside an IN so
    # that SQLite takes it too): PostgreSQL joins it on the primary key, where three ORed
    # INs made it test every task of the city against them.
    red_ids, *other_ids = [
        Task.objects.filter(pk__in=tasks.filter(condition).order_by(*order)
                            .values("pk")[:DESK_ROWS]).order_by().values("pk")
        for condition in (red, suspended, items)]
    # The lists show no health, only which list a task is in.
    section = Case(When(suspended, then=Value("suspended")), When(red, then=Value("red")),
                   default=Value("items"), output_field=CharField())
    rows = list(Task.objects.filter(pk__in=red_ids.union(*other_ids, all=True))
                .annotate(section=section)
                .select_related("plan").only(*_TASK_FIELDS).order_by(*order))
    return {name: Section([t for t in rows if t.section == name], counts[name])
            for name in ("red", "suspended", "items")}


def _slips(params: dict[str, str], today: datetime.date, drafts: bool) -> dict[str, Section]:
    """Drafts to sign (lead office), answered slips to read, slips awaiting receipt or
    feedback — one query."""
    State = SupervisionSlip.State
    since = timezone.make_aware(datetime.datetime.combine(
        today - datetime.timedelta(days=FEEDBACK_DAYS), datetime.time()))
    wanted = Q(state__in=[State.ISSUED, State.RECEIVED]) | Q(state=State.ANSWERED,
                                                            answered_at__gte=since)
    if drafts:
        wanted |= Q(state=State.DRAFT)
    section = Case(When(state=State.DRAFT, then=Value("drafts")),
                   When(state=State.ANSWERED, then=Value("feedback")),
                   default=Value("open"), output_field=CharField())
    slips = _filter(SlipFilterSet, params, SupervisionSlip.objects.filter(wanted))
    rows = list(_ranked(slips.annotate(section=section),
                        [F("answered_at").desc(nulls_last=True), "respond_by", "sequence",
                         "pk"], partition=F("section"))
                .select_related("department", "task__plan").order_by("section", "row"))
    return {name: _section([s for s in rows if s.section == name])
            for name in ("drafts", "feedback", "open")}


def desk(today: datetime.date, *, drafts: bool = True, params: dict[str, str] | None = None,
         now: datetime.datetime | None = None) -> Desk:
    """The desk for the lead office (``drafts``: with the 督办单 drafts) or a manager,
    filtered by ``params`` (plan, department ids; a bad value raises ValidationError).
    Seven queries, and the working-day calendar's (read once per process)."""
    params = params or {}
    pending_extensions = _filter(ExtensionRequestFilterSet, params, ExtensionRequest.objects.filter(
        state__in=[ExtensionRequest.State.PENDING_DECISION,
                   ExtensionRequest.State.PENDING_HEAD]))
    extensions = _first(pending_extensions.select_related(
        "assignment__task__plan", "assignment__department", "requested_by"), [
        Case(When(state=ExtensionRequest.State.PENDING_DECISION, then=Value(0)),
             default=Value(1)).asc(), "requested_at"])
    pending_completions = _filter(CompletionRequestFilterSet, params,
                                  CompletionRequest.objects.filter(
                                      decision=CompletionRequest.Decision.PENDING))
    completions = _first(pending_completions.select_related(
        "task__plan", "department", "filed_by"), ["filed_at"])
    unacknowledged = _filter(AssignmentFilterSet, params, Assignment.objects.filter(
        state=PartState.PENDING_ACK, department__isnull=False)
        .exclude(task__status__in=CLOSED_TASKS))
    parts = _first(unacknowledged.select_related("task__plan", "department"), [
        F("ack_due_on").asc(nulls_last=True), "task__plan_id", "task__number"])
    # All are waiting for acknowledgement: overdue past their deadline (签收逾期).
    waiting = Section([PartView(p, [], p.ack_due_on is not None and p.ack_due_on < today)
                       for p in parts],
                      parts[0].total if parts else 0)
    slips = _slips(params, today, drafts)
    tasks = _tasks(params, now or timezone.now())
    return Desk(
        extensions=_section(extensions), completions=_section(completions),
        slip_drafts=slips["drafts"], feedback=slips["feedback"], red=tasks["red"],
        waiting=waiting, slips=slips["open"], suspended=tasks["suspended"],
        items=tasks["items"], choices=_choices(),
        filters={name: int(value) for name, value in params.items()},
        calendar_missing=workdays.next_year_missing(today))
