"""督办事项: supervised items that do not come from a plan document (a meeting decision, a
leader's instruction, a document), created by the lead office in a plan's list. They are
ordinary tasks from then on: the same parts, acknowledgement, reminders, reports, lifecycle
and assessment."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.i18n import StrOrPromise
from departments.models import Department

from ...choices import AssignmentRole, FeedbackType, SourceType
from ...models import Plan, Task
from ...rules.machine import LEAD_OFFICE, actor_roles
from ..assignments import assignment_add
from ..tasks import task_create

ITEM_FIELDS = ("title", "text", "source_type", "source_reference", "urgency",
               "responsible_leader", "overseeing_leader", "feedback_type", "feedback_cycle",
               "due_on", "driver")


def _clean(data: dict) -> dict:
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("该字段不能在此填写。")))
    data = dict(data)
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("请填写督办事项名称。")})
    if data.get("source_type", SourceType.OTHER) == SourceType.PLAN:
        raise ValidationError(
            {"source_type": _("督办事项的来源应为会议决定、领导批示、文件交办或其他。")})
    data.setdefault("source_type", SourceType.OTHER)
    if data.get("feedback_type") == FeedbackType.ONE_OFF:
        data["feedback_cycle"] = ""
    elif not data.get("feedback_cycle"):
        raise ValidationError({"feedback_cycle": _("定期反馈请选择反馈周期（每周、每月或每季度）。")})  # noqa: E501
    return data


@transaction.atomic
def supervised_item_create(*, plan: Plan, data: dict, actor: User,
                           lead_department: Department | None,
                           departments: Iterable[Department] = (), reason: str = "") -> Task:
    """Create the item and give its departments their parts (each must acknowledge it).

    Without a lead department the item waits in the unassigned queue (never a guessed lead).
    """
    if LEAD_OFFICE not in actor_roles(actor, None):
        raise PermissionDenied(_("只有牵头办公室可以新建督办事项。"))
    data = _clean(data)
    others = [d for d in dict.fromkeys(departments) if d != lead_department]
    if lead_department is None and not others:
        raise ValidationError({"lead_department": _("请至少指定一个牵头部门或责任部门。")})
    source: StrOrPromise = SourceType(data["source_type"]).label
    if data.get("source_reference"):
        source = _("%(source)s:%(reference)s") % {
            "source": source, "reference": data["source_reference"]}
    reason = reason or _("新建督办事项（%(source)s）") % {"source": source}
    task = task_create(plan=plan, data=data, actor=actor, reason=reason)
    if lead_department is not None:
        assignment_add(task=task, role=AssignmentRole.LEAD, department=lead_department,
                       actor=actor, reason=reason)
    for department in others:
        assignment_add(task=task, role=AssignmentRole.RESPONSIBLE, department=department,
                       actor=actor, reason=reason)
    task.refresh_from_db()
    return task
