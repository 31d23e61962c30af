"""What a history row's before/after means: codes for states, shown through their labels.

TaskEvent keeps the code of a state or status (``completed``, not 已办结) so that nothing
depends on a label's wording or on the language of whoever made the change; the label is
rendered when the row is shown (portal timeline, admin, API, digests). Other fields keep
their text as written (titles, dates, percentages, department names). A 督办单's number is
data, kept in its own column (``TaskEvent.number``) and shown before the state's label.
"""

from django.db import models
from django.utils.translation import gettext

from common.i18n import translated

from .choices import Health, PartState, ReportState, TaskStatus


def coded_fields() -> dict[str, type[models.TextChoices]]:
    """Event ``field`` → the choices its before/after codes belong to."""
    from .models import CompletionRequest, ExtensionRequest, SupervisionSlip

    return {"slip": SupervisionSlip.State, "status": TaskStatus,
            "state": PartState, "report_state": ReportState,
            "completion": CompletionRequest.Decision, "extension": ExtensionRequest.State,
            "health_override": Health}


def shown(field: str, value: str) -> str:
    """A stored before/after value as the reader sees it."""
    choices = coded_fields().get(field)
    if choices is None:
        return translated(value)
    if field == "health_override" and not value:
        return gettext("自动")
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:  # a row written as text before codes (see migration 0005)
        return translated(value)


def field_labels() -> dict[str, str]:
    """Event ``field`` codes that are not a Task column → their Chinese name."""
    return {"assignment": gettext("分工"), "milestone": gettext("节点"),
            "milestone_completed": gettext("节点完成"), "report": gettext("进展报送"),
            "report_state": gettext("报送状态"), "state": gettext("办理状态"),
            "role": gettext("角色"), "version": gettext("版本"), "task": gettext("任务"),
            "summary": gettext("牵头部门汇总"), "slip": gettext("督办单"),
            "instruction": gettext("领导批示"), "instruction_reply": gettext("批示落实情况"),
            "extension": gettext("延期申请"), "completion": gettext("办结申请"),
            "created": gettext("创建"), "alias": gettext("部门别名"),
            "progress_text": gettext("本期进展"), "problems": gettext("存在问题"),
            "next_steps": gettext("下步计划"), "needs_coordination": gettext("提请会议协调")}


def field_shown(field: str) -> str:
    """A history row's ``field`` code as the reader sees it (任务 columns by their verbose
    name): never ``status`` or ``assignment`` on a screen."""
    from django.core.exceptions import FieldDoesNotExist

    from .models import Task

    if not field:
        return ""
    labels = field_labels()
    if field in labels:
        return labels[field]
    try:
        return str(Task._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field
