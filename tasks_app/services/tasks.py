"""Write paths for a task's own fields, each change kept in its history."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..choices import EventKind
from ..exceptions import StaleVersion
from ..history import record, task_event
from ..models import Task

EDITABLE = (
    "title", "text", "driver", "due_on", "progress", "health_override", "health_override_reason",
    "source_type", "source_reference", "urgency", "responsible_leader", "overseeing_leader",
    "feedback_type", "feedback_cycle",
)
_EVENT_KIND = {
    "due_on": EventKind.DUE_DATE,
    "progress": EventKind.PROGRESS,
    "health_override": EventKind.HEALTH_OVERRIDE,
}


def _shown(task: Task, name: str) -> str:
    value = getattr(task, name)
    if name == "health_override":
        return value  # a code, "" for 自动 (tasks_app.event_values shows the label)
    return "" if value is None else str(value)


def check_health_override(override: str, reason: str) -> None:
    """A manual health needs a reason: it overrules what the data says."""
    if override and not (reason or "").strip():
        raise ValidationError({"health_override_reason": _("人工调整预警状态必须填写原因。")})


@transaction.atomic
def task_update(
    *, task: Task, data: dict, actor: User | None, reason: str = "",
    expected_version: int | None = None,
) -> Task:
    """Change the given fields of ``task``; refuse a stale ``expected_version``.

    A manual health override needs a reason; clearing it returns health to the computed one.
    """
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("该字段不能在此修改。")))
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    before = {name: _shown(locked, name) for name in changed}
    previous_due_on = locked.due_on
    for name in changed:
        setattr(locked, name, data[name])
    if "health_override" in changed:
        check_health_override(locked.health_override, locked.health_override_reason)
        if not locked.health_override:
            locked.health_override_reason = ""
    if "due_on" in changed and locked.original_due_on is None:
        locked.original_due_on = previous_due_on
    locked.full_clean(exclude=["plan", "driver"] if "driver" not in changed else ["plan"])
    if not changed:
        return locked
    locked.version += 1
    locked.save()
    override_reason = locked.health_override_reason
    record(*(
        task_event(locked, _EVENT_KIND.get(name, EventKind.FIELD), actor=actor, field=name,
                   before=before[name], after=_shown(locked, name),
                   reason=override_reason if name == "health_override" else reason)
        for name in changed if name != "health_override_reason"
    ))
    return locked


@transaction.atomic
def task_create(*, plan, data: dict, actor: User | None, reason: str = "") -> Task:
    """Create a task or an ad-hoc supervised item, numbered after the plan's last one."""
    number = data.pop("number", None) or (plan.tasks.aggregate(n=Max("number"))["n"] or 0) + 1
    task = Task(plan=plan, number=number, **data)
    task.original_due_on = task.due_on
    task.full_clean()
    task.save()
    record(task_event(task, EventKind.FIELD, actor=actor, field="created",
                      after=f"{task.number}. {task.title}", reason=reason or _("新建督办事项")))
    return task
