"""Write paths for planning a task: its dated 节点 and its 完成时限, in bulk or one by one.

The lead office and the task's lead department break a task into 节点, each with a date and
the departments that must reach it; health turns yellow and red from those dates
(tasks_app.health). Every change writes the task's history in the same transaction.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date
from departments.models import Department

from ..choices import EventKind
from ..exceptions import StaleVersion
from ..history import record, task_event
from ..models import Milestone, Task
from ..permissions import department_ids_on_task

TITLE_MAX: int = Milestone._meta.get_field("title").max_length or 0


@dataclass(frozen=True)
class MilestoneData:
    """What a person types for one 节点."""

    title: str
    due_on: datetime.date | None
    department_ids: frozenset[int] = frozenset()
    completed_on: datetime.date | None = None


def milestone_data(values: dict) -> MilestoneData:
    """MilestoneData from a form's or serializer's cleaned values (departments as objects
    or ids)."""
    departments = values.get("departments") or ()
    return MilestoneData(
        title=values.get("title") or "",
        due_on=values.get("due_on"),
        department_ids=frozenset(getattr(d, "pk", d) for d in departments),
        completed_on=values.get("completed_on"),
    )


def _describe(title: str, due_on: datetime.date | None) -> str:
    """How history keeps a 节点: its text and ISO date (screens format the date)."""
    return f"{title} {due_on.isoformat()}" if due_on else title


def milestone_validate(task: Task, data: MilestoneData) -> dict[str, list[str]]:
    """Field errors for ``data`` as a 节点 of ``task`` (empty when valid)."""
    errors: dict[str, list[str]] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = [_("请填写节点内容。")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("节点内容不能超过 %(n)d 个字。") % {"n": TITLE_MAX}]
    if data.due_on is None:
        errors["due_on"] = [_("请填写节点时限。")]
    elif task.due_on and data.due_on > task.due_on:
        errors["due_on"] = [_("节点时限不能晚于任务完成时限（%(due)s）。")
                            % {"due": cn_date(task.due_on)}]
    if data.completed_on and data.completed_on > timezone.localdate():
        errors["completed_on"] = [_("完成日期不能晚于今天。")]
    strangers = set(data.department_ids) - set(department_ids_on_task(task))
    if strangers:
        names = Department.objects.filter(pk__in=strangers).values_list("name", flat=True)
        errors["departments"] = [_("%(names)s 不是该任务的牵头或责任部门。")
                                 % {"names": "、".join(sorted(names)) or strangers}]
    return errors


def _check(task: Task, data: MilestoneData) -> None:
    errors = milestone_validate(task, data)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_create(*, task: Task, data: MilestoneData, actor: User | None,
                     reason: str = "") -> Milestone:
    """Add a 节点 to ``task`` after its last one."""
    _check(task, data)
    position = (task.milestones.aggregate(p=Max("position"))["p"] or 0) + 1
    milestone = Milestone.objects.create(task=task, title=data.title.strip(), due_on=data.due_on,
                                         completed_on=data.completed_on, position=position)
    milestone.departments.set(data.department_ids)
    record(task_event(task, EventKind.MILESTONE, actor=actor, field="milestone",
                      after=_describe(milestone.title, milestone.due_on), reason=reason))
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, data: MilestoneData, actor: User | None,
                     reason: str = "", expected_version: int | None = None) -> Milestone:
    """Change a 节点's text, date, departments or completion; history says before → after.

    A stale ``expected_version`` (someone changed it since it was read) is refused.
    """
    milestone = Milestone.objects.select_for_update().select_related("task").get(
        pk=milestone.pk)
    if expected_version is not None and milestone.version != expected_version:
        raise StaleVersion()
    task = milestone.task
    _check(task, data)
    before = _describe(milestone.title, milestone.due_on)
    was_completed = milestone.completed_on
    old_departments = set(milestone.departments.values_list("pk", flat=True))
    milestone.title, milestone.due_on = data.title.strip(), data.due_on
    milestone.completed_on = data.completed_on
    milestone.version += 1
    milestone.save(update_fields=["title", "due_on", "completed_on", "version"])
    if old_departments != set(data.department_ids):
        milestone.departments.set(data.department_ids)
    after = _describe(milestone.title, milestone.due_on)
    events = []
    if before != after or old_departments != set(data.department_ids):
        events.append(task_event(task, EventKind.MILESTONE, actor=actor, field="milestone",
                                 before=before, after=after, reason=reason))
    if was_completed != milestone.completed_on:
        events.append(task_event(
            task, EventKind.MILESTONE, actor=actor, field="milestone_completed",
            before=was_completed.isoformat() if was_completed else "",
            after=milestone.completed_on.isoformat() if milestone.completed_on else "",
            reason=reason or milestone.title))
    record(*events)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor: User | None, reason: str = "",
                     expected_version: int | None = None) -> None:
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if expected_version is not None and milestone.version != expected_version:
        raise StaleVersion()
    record(task_event(milestone.task_id, EventKind.MILESTONE, actor=actor, field="milestone",
                      before=_describe(milestone.title, milestone.due_on), reason=reason))
    milestone.delete()


@transaction.atomic
def tasks_set_due_on(*, tasks: Iterable[Task], due_on: datetime.date, actor: User | None,
                     reason: str) -> list[Task]:
    """Give many tasks the same 完成时限 (the lead office's bulk action).

    The first date a task ever had is kept as 原定完成时限. Refused as a whole when a task
    already has a 节点 dated after ``due_on``. A constant number of queries.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("批量修改完成时限必须填写原因。")})
    locked = list(Task.objects.select_for_update().filter(pk__in=[t.pk for t in tasks])
                  .order_by("pk"))
    late = dict(Milestone.objects.filter(task__in=locked, due_on__gt=due_on)
                .values("task__number").annotate(last=Max("due_on"))
                .values_list("task__number", "last"))
    if late:
        raise ValidationError({"due_on": _(
            "以下任务有晚于该日期的节点，请先调整节点：%(tasks)s"
        ) % {"tasks": "、".join(str(n) for n in sorted(late))}})
    changed, events = [], []
    for task in locked:
        if task.due_on == due_on:
            continue
        events.append(task_event(task, EventKind.DUE_DATE, actor=actor, field="due_on",
                                 before="" if task.due_on is None else str(task.due_on),
                                 after=str(due_on), reason=reason))
        if task.original_due_on is None:
            task.original_due_on = task.due_on or due_on
        task.due_on = due_on
        task.version += 1
        changed.append(task)
    Task.objects.bulk_update(changed, ["due_on", "original_due_on", "version"])
    record(*events)
    return changed
