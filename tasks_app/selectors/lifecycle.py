"""Read paths for the lifecycle: what the task page shows about instructions, parts,
extension and completion requests and 督办单, with the actions open to the user — each in
a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Subquery

from departments.access import access_for
from departments.models import Department

from ..choices import AssignmentRole, PartState, TaskStatus
from ..models import (
    Assignment,
    CompletionRequest,
    ExtensionRequest,
    InstructionReply,
    LeaderInstruction,
    ProgressReport,
    SupervisionSlip,
    Task,
)
from ..rules.machine import actor_roles
from ..rules.states import INACTIVE_PARTS, ack_is_overdue
from ..rules.tables import COMPLETION, EXTENSION, INSTRUCTING_ROLES, PART, SLIP
from .reviews import returned_reports, review_count


@dataclass
class PartView:
    part: Assignment
    actions: list[str]
    ack_overdue: bool


@dataclass
class Offered:
    """An object with the actions the user may take on it now."""

    item: object
    actions: list[str]


@dataclass
class TaskLifecycle:
    """The task page's parts with the user's actions, and the task-level actions (computed
    from data the page already has: no query)."""

    parts: list[PartView]
    task_actions: set[str] = field(default_factory=set)

    def part_actions(self, action: str) -> list[PartView]:
        return [view for view in self.parts if action in view.actions]


@dataclass
class TaskRequests:
    """The task's extension and completion requests and 督办单, with the user's actions."""

    extensions: list[Offered]
    completions: list[Offered]
    slips: list[Offered]


@dataclass
class Instruction:
    """An instruction with its addressees and, for each, the reply (or None)."""

    instruction: LeaderInstruction
    addressees: list[tuple[Department, InstructionReply | None]] = field(default_factory=list)

    @property
    def waiting(self) -> list[Department]:
        return [department for department, reply in self.addressees if reply is None]


def instructions_of(task: Task) -> list[Instruction]:
    """The task's instructions, newest first, each with its addressees and their replies.

    Two queries (one when there is none): the addressees with their instructions, the
    replies.
    """
    through = LeaderInstruction.departments.through
    rows = (through.objects.filter(leaderinstruction__task=task)
            .select_related("leaderinstruction__author", "leaderinstruction__report__period",
                            "leaderinstruction__report__department", "department")
            .order_by("-leaderinstruction__created_at", "-leaderinstruction_id",
                      "department__name"))
    found: dict[int, Instruction] = {}
    for row in rows:
        found.setdefault(row.leaderinstruction_id, Instruction(row.leaderinstruction))
    if not found:
        return []
    replies = {(r.instruction_id, r.department_id): r for r in InstructionReply.objects.filter(
        instruction_id__in=found).select_related("created_by")}
    for row in rows:
        found[row.leaderinstruction_id].addressees.append(
            (row.department, replies.get((row.leaderinstruction_id, row.department_id))))
    return list(found.values())


def part_views(parts: list[Assignment], user: User, today: datetime.date) -> list[PartView]:
    """Each part with the actions open to ``user`` and its 签收逾期 warning. No query."""
    views = []
    for part in parts:
        roles = actor_roles(user, part.department_id, lead=part.role == AssignmentRole.LEAD)
        actions = PART.actions_from(part.state, roles) if part.department_id else []
        views.append(PartView(part, actions, ack_is_overdue(part, today)))
    return views


def task_lifecycle(parts: list[Assignment], user: User,
                   today: datetime.date) -> TaskLifecycle:
    """The task page's lifecycle card, from the parts the page loaded: no query."""
    result = TaskLifecycle(parts=part_views(parts, user, today))
    roles = actor_roles(user, None)
    states = {p.state for p in parts if p.department_id}
    for action in ("suspend", "resume"):
        if any(PART.allowed(action, state, roles) for state in states):
            result.task_actions.add(action)
    if states and SLIP.allowed("draft", None, roles):
        result.task_actions.add("issue_slip")
    if roles & INSTRUCTING_ROLES:
        result.task_actions.add("instruct")
    return result


def task_requests(task: Task, user: User) -> TaskRequests:
    """Five queries: the lead departments, extension requests, completion requests and their
    evidence, 督办单 (only the user's departments' unless the user reads everything)."""
    lead = set(Assignment.objects.filter(task=task, role=AssignmentRole.LEAD)
               .exclude(state__in=INACTIVE_PARTS).values_list("department_id", flat=True))
    extensions = (ExtensionRequest.objects.filter(assignment__task=task)
                  .select_related("assignment__department", "requested_by", "endorsed_by",
                                  "decided_by").order_by("-requested_at", "-pk"))
    completions = (CompletionRequest.objects.filter(task=task)
                   .select_related("department", "filed_by", "decided_by")
                   .prefetch_related("attachments").order_by("-filed_at", "-pk"))
    slips = visible_slips(user).filter(items__task=task)  # every slip listing the task
    return TaskRequests(
        extensions=[Offered(r, EXTENSION.actions_from(r.state, actor_roles(
            user, r.assignment.department_id))) for r in extensions],
        completions=[Offered(r, COMPLETION.actions_from(r.decision, actor_roles(
            user, r.department_id, lead=r.department_id in lead))) for r in completions],
        slips=[Offered(s, SLIP.actions_from(s.state, actor_roles(user, s.department_id)))
               for s in slips.order_by("-year", "-sequence")])


def departments_on_task(task: Task) -> list[Department]:
    """The departments working on the task, directly or through a group (one query)."""
    live = Assignment.objects.filter(task=task).exclude(state__in=INACTIVE_PARTS)
    return list(Department.objects.filter(
        Exists(live.filter(department=OuterRef("pk")))
        | Exists(live.filter(group__members=OuterRef("pk")))).order_by("name"))


def transfer_targets(task: Task) -> list[Department]:
    """Active departments without a live part in the task (one query)."""
    taken = Assignment.objects.filter(task=task, department__isnull=False).exclude(
        state=PartState.TRANSFERRED).values("department_id")
    return list(Department.objects.filter(is_active=True).exclude(pk__in=taken)
                .order_by("name"))


def visible_slips(user: User):
    """督办单 the user may see: all for the lead office; signed ones (voided included: the
    number stays in the register) for managers, and for a department its own."""
    access = access_for(user)
    slips = SupervisionSlip.objects.select_related("department", "task__plan")
    if access.is_lead_office:
        return slips
    slips = slips.filter(sequence__isnull=False)
    if access.reads_everything:
        return slips
    return slips.filter(department_id__in=access.department_ids)


@dataclass
class Todo:
    """What the user's departments must do in the lifecycle (the home page's 待办)."""

    parts: list[PartView]
    slips: list[SupervisionSlip]
    endorsements: list[ExtensionRequest]
    instructions: list  # (instruction, department) pairs still without a reply
    returned: list[ProgressReport] = field(default_factory=list)  # to file again
    reviews: int = 0  # reports waiting for the user's review (head or lead)

    @property
    def count(self) -> int:
        return (len(self.returned) + (1 if self.reviews else 0) + len(self.parts)
                + len(self.slips) + len(self.endorsements) + len(self.instructions))


TODO_PART_STATES = (PartState.PENDING_ACK, PartState.SUPPLEMENTING, PartState.RECTIFYING)


def department_todo(user: User, today: datetime.date) -> Todo:
    """Six queries (five when the user heads no department): returned reports and the
    review count first, then the lifecycle's own items."""
    access = access_for(user)
    ids = access.department_ids
    parts = (Assignment.objects.filter(department_id__in=ids, state__in=TODO_PART_STATES)
             .exclude(task__status=TaskStatus.SUSPENDED)
             .select_related("task__plan", "department").order_by("ack_due_on", "task_id"))
    slips = (SupervisionSlip.objects.filter(department_id__in=ids, state__in=[
        SupervisionSlip.State.ISSUED, SupervisionSlip.State.RECEIVED])
             .select_related("department", "task").order_by("respond_by", "sequence"))
    endorsements = (ExtensionRequest.objects.filter(
        assignment__department_id__in=access.head_of,
        state=ExtensionRequest.State.PENDING_HEAD)
        .select_related("assignment__task", "assignment__department", "requested_by")
        .order_by("requested_at")) if access.head_of else []
    through = LeaderInstruction.departments.through
    replied = InstructionReply.objects.filter(instruction_id=OuterRef("leaderinstruction_id"),
                                              department_id=OuterRef("department_id"))
    waiting = (through.objects.filter(department_id__in=ids).filter(~Exists(replied))
               .select_related("leaderinstruction__task", "department")
               .order_by("leaderinstruction__created_at"))
    return Todo(parts=part_views(list(parts), user, today), slips=list(slips),
                endorsements=list(endorsements),
                instructions=[(row.leaderinstruction, row.department) for row in waiting],
                returned=list(returned_reports(access)), reviews=review_count(access))


@dataclass
class ToAnswer:
    instruction: LeaderInstruction
    text: str


def instructions_to_answer(task_id: int, department_id: int, report,
                           typed: dict[int, str]) -> list[ToAnswer]:
    """The instructions the department answers in this report: those it has not answered
    yet and those answered in this very report (still editable). One query."""
    answered_here = InstructionReply.objects.filter(
        instruction=OuterRef("pk"), department_id=department_id,
        report_id=report.pk if report else None)
    answered = InstructionReply.objects.filter(instruction=OuterRef("pk"),
                                               department_id=department_id)
    rows = (LeaderInstruction.objects.filter(task_id=task_id, departments=department_id)
            .filter(~Exists(answered) | Exists(answered_here))
            .annotate(reply_text=Subquery(answered_here.values("text")[:1]))
            .select_related("author").order_by("created_at", "pk"))
    return [ToAnswer(i, typed.get(i.pk, i.reply_text or "")) for i in rows]
