"""The transition tables: a department's part, an extension request, a completion request,
a 督办单. The task's own status is derived from its parts (tasks_app.lifecycle)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import PartState
from ..models import CompletionRequest, ExtensionRequest, SupervisionSlip
from .machine import HEAD, LEAD_DEPARTMENT, LEAD_OFFICE, LIAISON, MANAGER, SYSTEM, Machine
from .machine import transition as t

P = PartState

DEPARTMENT = (LIAISON, HEAD)
# A part still being worked on: the states from which a completion may be requested.
WORKING = (P.IN_PROGRESS, P.SUPPLEMENTING, P.RECTIFYING)
OPEN = (P.PENDING_ACK, P.EXTENSION_REQUESTED, P.COMPLETION_REQUESTED, *WORKING)

PART = Machine(_("该部门的办理状态"), PartState, [
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
EXTENSION = Machine(_("该延期申请"), E, [
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
COMPLETION = Machine(_("该办结申请"), C, [
    t("file", [None], C.PENDING, [LEAD_DEPARTMENT], pgettext_lazy("action", "申请办结")),
    t("approve", [C.PENDING], C.APPROVED, [LEAD_OFFICE], pgettext_lazy("action", "同意办结")),
    t("supplement", [C.PENDING], C.SUPPLEMENT, [LEAD_OFFICE],
      pgettext_lazy("action", "要求补充办理")),
    t("reject", [C.PENDING], C.REJECTED, [LEAD_OFFICE], pgettext_lazy("action", "不同意办结")),
    t("rectify", [C.PENDING], C.RECTIFY, [LEAD_OFFICE], pgettext_lazy("action", "要求整改")),
])
# The completion decision → the lead part's transition.
COMPLETION_PART_ACTION: dict[str, str] = {
    C.APPROVED: "approve_completion", C.SUPPLEMENT: "request_supplement",
    C.REJECTED: "reject_completion", C.RECTIFY: "require_rectification",
}
COMPLETION_ACTION: dict[str, str] = {
    C.APPROVED: "approve", C.SUPPLEMENT: "supplement", C.REJECTED: "reject", C.RECTIFY: "rectify"}

S = SupervisionSlip.State
SIGNED = (S.ISSUED, S.RECEIVED, S.ANSWERED)
SLIP = Machine(_("该督办单"), S, [
    t("draft", [None], S.DRAFT, [LEAD_OFFICE, SYSTEM], pgettext_lazy("action", "拟稿督办单")),
    # SYSTEM signs only where the plan's schedule allows automatic signing.
    t("sign", [S.DRAFT], S.ISSUED, [LEAD_OFFICE, SYSTEM], pgettext_lazy("action", "签发督办单")),
    t("receive", [S.ISSUED], S.RECEIVED, DEPARTMENT, pgettext_lazy("action", "签收督办单")),
    t("answer", [S.RECEIVED], S.ANSWERED, DEPARTMENT, pgettext_lazy("action", "反馈督办单")),
    t("void", [S.DRAFT, *SIGNED], S.VOIDED, [LEAD_OFFICE], pgettext_lazy("action", "作废督办单")),
])

# Not a state machine (an instruction has no states), but a role rule all the same.
INSTRUCTING_ROLES = frozenset({MANAGER})
