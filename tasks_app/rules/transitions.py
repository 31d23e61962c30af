"""The state machines of the 督办 lifecycle: one transition table per object (the tables are
at the end of this module; the services in ``services/lifecycle`` ask them).

A transition names the action, the states it may start from, the state it leads to and
the roles allowed to take it. :meth:`Machine.check` is the one gate every service passes:
a role not allowed is refused with PermissionDenied, a state that does not allow the action
with a ValidationError — both in Chinese, naming who may act or what the state is.

Roles are relative to the department concerned (see :func:`actor_roles`): the liaison and
the head of that department, the lead department (a department holding a lead part), the
lead office, the managers, and the system (the cycle, acting without a user).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from departments.access import access_for

from ..choices import PartState
from ..models import CompletionRequest, ExtensionRequest, SupervisionSlip

LIAISON = "liaison"
HEAD = "head"
LEAD_DEPARTMENT = "lead_department"
LEAD_OFFICE = "lead_office"
MANAGER = "manager"
SYSTEM = "system"
ROLE_LABELS = {  # as in "只有本部门负责人可以……" (who may act)
    LIAISON: pgettext_lazy("who", "本部门联络员"), HEAD: pgettext_lazy("who", "本部门负责人"),
    LEAD_DEPARTMENT: pgettext_lazy("who", "牵头部门"),
    LEAD_OFFICE: pgettext_lazy("who", "牵头办公室"), MANAGER: pgettext_lazy("who", "领导"),
    SYSTEM: pgettext_lazy("who", "督办系统"),
}
ROLE_ORDER = list(ROLE_LABELS)


def actor_roles(actor: User | None, department_id: int | None, *,
                lead: bool = False) -> frozenset[str]:
    """What ``actor`` is with respect to ``department_id``'s part (``lead``: a lead part).

    No actor is the system (the cycle). A department user of another department has no
    role at all.
    """
    if actor is None:
        return frozenset({SYSTEM})
    access = access_for(actor)
    roles = set()
    if department_id in access.liaison_of:
        roles.add(LIAISON)
    if department_id in access.head_of:
        roles.add(HEAD)
    if lead and access.works_for(department_id):
        roles.add(LEAD_DEPARTMENT)
    if access.is_lead_office:
        roles.add(LEAD_OFFICE)
    if access.is_manager:
        roles.add(MANAGER)
    return frozenset(roles)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the service decides (e.g. resume restores the earlier state)
    roles: frozenset[str]
    verb: str


def transition(action: str, sources: Iterable[str], target: str | None,
               roles: Iterable[str], verb: str) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), verb)


class Machine:
    """A transition table for one kind of object whose states are ``labels``."""

    def __init__(self, noun: str, labels: type[TextChoices], transitions: list[Transition]):
        self.noun = noun
        self.labels = labels
        self.table = {t.action: t for t in transitions}

    def label(self, state: str | None) -> str:
        return str(self.labels(state).label) if state else _("(新建)")

    def allowed(self, action: str, state: str | None, roles: frozenset[str]) -> bool:
        step = self.table[action]
        return bool(step.roles & roles) and state in step.sources

    def check_role(self, action: str, roles: frozenset[str]) -> Transition:
        """The transition for ``action`` if ``roles`` may take it, else PermissionDenied."""
        step = self.table[action]
        if not step.roles & roles:
            who = pgettext("alternatives", "或").join(
                str(ROLE_LABELS[r]) for r in ROLE_ORDER if r in step.roles)
            raise PermissionDenied(_("只有%(who)s可以%(action)s。")
                                   % {"who": who, "action": step.verb})
        return step

    def check(self, action: str, state: str | None, roles: frozenset[str]) -> Transition:
        """The transition for ``action`` from ``state`` by someone with ``roles``, or an
        error: PermissionDenied for the role, ValidationError for the state."""
        step = self.check_role(action, roles)
        if state not in step.sources:
            raise ValidationError({"state": _("%(object)s当前为“%(state)s”,不能%(action)s。") % {
                "object": self.noun, "state": self.label(state), "action": step.verb}})
        return step

    def actions_from(self, state: str | None, roles: frozenset[str]) -> list[str]:
        """The actions open to ``roles`` in ``state`` (what a page offers)."""
        return [a for a in self.table if self.allowed(a, state, roles)]


# ---------------------------------------------------------------- the tables

P = PartState

t = transition
DEPARTMENT = (LIAISON, HEAD)
# A part still being worked on: the states from which a completion may be requested.
WORKING = (P.IN_PROGRESS, P.SUPPLEMENTING, P.RECTIFYING)
OPEN = (P.PENDING_ACK, P.EXTENSION_REQUESTED, P.COMPLETION_REQUESTED, *WORKING)

PART = Machine(gettext_lazy("该部门的办理状态"), PartState, [
    t("acknowledge", [P.PENDING_ACK], P.IN_PROGRESS, DEPARTMENT, pgettext_lazy("action", "签收")),
    t("request_extension", [P.IN_PROGRESS], P.EXTENSION_REQUESTED, DEPARTMENT,
      pgettext_lazy("action", "申请延期")),
    t("return_extension", [P.EXTENSION_REQUESTED], P.IN_PROGRESS, [HEAD],
      pgettext_lazy("action", "退回延期申请")),
    t("approve_extension", [P.EXTENSION_REQUESTED], P.IN_PROGRESS, [LEAD_OFFICE],
      pgettext_lazy("action", "批准延期")),
    t("refuse_extension", [P.EXTENSION_REQUESTED], P.IN_PROGRESS, [LEAD_OFFICE],
      pgettext_lazy("action", "不同意延期")),
    t("request_completion", WORKING, P.COMPLETION_REQUESTED, [LEAD_DEPARTMENT],
      pgettext_lazy("action", "申请办结")),
    t("approve_completion", [P.COMPLETION_REQUESTED], P.COMPLETED, [LEAD_OFFICE],
      pgettext_lazy("action", "同意办结")),
    t("complete_with_task", [P.PENDING_ACK, *WORKING], P.COMPLETED, [LEAD_OFFICE],
      pgettext_lazy("action", "随任务办结")),
    t("request_supplement", [P.COMPLETION_REQUESTED], P.SUPPLEMENTING, [LEAD_OFFICE],
      pgettext_lazy("action", "要求补充办理")),
    t("reject_completion", [P.COMPLETION_REQUESTED], P.IN_PROGRESS, [LEAD_OFFICE],
      pgettext_lazy("action", "不同意办结")),
    t("require_rectification", [P.COMPLETION_REQUESTED], P.RECTIFYING, [LEAD_OFFICE],
      pgettext_lazy("action", "要求整改")),
    t("suspend", OPEN, P.SUSPENDED, [LEAD_OFFICE], pgettext_lazy("action", "中止")),
    t("resume", [P.SUSPENDED], None, [LEAD_OFFICE], pgettext_lazy("action", "恢复办理")),
    t("transfer", [P.PENDING_ACK, P.SUSPENDED, *WORKING], P.TRANSFERRED, [LEAD_OFFICE],
      pgettext_lazy("action", "转办")),
])

E = ExtensionRequest.State
EXTENSION = Machine(gettext_lazy("该延期申请"), E, [
    t("file", [None], E.PENDING_HEAD, DEPARTMENT, pgettext_lazy("action", "申请延期")),
    t("endorse", [E.PENDING_HEAD], E.PENDING_DECISION, [HEAD],
      pgettext_lazy("action", "审核延期申请")),
    t("return", [E.PENDING_HEAD], E.RETURNED, [HEAD], pgettext_lazy("action", "退回延期申请")),
    t("approve", [E.PENDING_DECISION], E.APPROVED, [LEAD_OFFICE],
      pgettext_lazy("action", "批准延期")),
    t("refuse", [E.PENDING_DECISION], E.REFUSED, [LEAD_OFFICE],
      pgettext_lazy("action", "不同意延期")),
])

C = CompletionRequest.Decision
COMPLETION = Machine(gettext_lazy("该办结申请"), C, [
    t("file", [None], C.PENDING, [LEAD_DEPARTMENT], pgettext_lazy("action", "申请办结")),
    t("approve", [C.PENDING], C.APPROVED, [LEAD_OFFICE], pgettext_lazy("action", "同意办结")),
    t("supplement", [C.PENDING], C.SUPPLEMENT, [LEAD_OFFICE],
      pgettext_lazy("action", "要求补充办理")),
    t("reject", [C.PENDING], C.REJECTED, [LEAD_OFFICE], pgettext_lazy("action", "不同意办结")),
    t("rectify", [C.PENDING], C.RECTIFY, [LEAD_OFFICE], pgettext_lazy("action", "要求整改")),
])
# The completion decision → the lead part's transition.
COMPLETION_PART_ACTION = {
    C.APPROVED: "approve_completion", C.SUPPLEMENT: "request_supplement",
    C.REJECTED: "reject_completion", C.RECTIFY: "require_rectification",
}
COMPLETION_ACTION = {C.APPROVED: "approve", C.SUPPLEMENT: "supplement", C.REJECTED: "reject",
                     C.RECTIFY: "rectify"}

S = SupervisionSlip.State
SIGNED = (S.ISSUED, S.RECEIVED, S.ANSWERED)
SLIP = Machine(gettext_lazy("该督办单"), S, [
    t("draft", [None], S.DRAFT, [LEAD_OFFICE, SYSTEM], pgettext_lazy("action", "拟稿督办单")),
    # SYSTEM signs only where the plan's schedule allows automatic signing.
    t("sign", [S.DRAFT], S.ISSUED, [LEAD_OFFICE, SYSTEM], pgettext_lazy("action", "签发督办单")),
    t("receive", [S.ISSUED], S.RECEIVED, DEPARTMENT, pgettext_lazy("action", "签收督办单")),
    t("answer", [S.RECEIVED], S.ANSWERED, DEPARTMENT, pgettext_lazy("action", "反馈督办单")),
    t("void", [S.DRAFT, *SIGNED], S.VOIDED, [LEAD_OFFICE], pgettext_lazy("action", "作废督办单")),
])

# Not a state machine (an instruction has no states), but a role rule all the same.
INSTRUCTING_ROLES = frozenset({MANAGER})
