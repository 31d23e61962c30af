"""A task's 节点 saved at once from the uploaded Excel sheet.

Every row goes through :mod:`tasks_app.services.milestones` (the rules of the portal's
planning page, the admin and the API; history written in the same transaction) inside ONE
transaction: a row with a 节点 number changes that 节点, a row without one adds a 节点.
``dry_run`` (the preview) runs every row and rolls back; a confirm saves all or nothing.
Rows repeating what is stored, and 节点 not in the sheet, are untouched (the sheet never
deletes: that is done on the page).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import StaleVersion
from ..models import Milestone, Task
from .milestones import MilestoneData, milestone_create, milestone_update
from .report_sheets import SheetProblem, SheetRejected

FIELDS = ("title", "due_on", "departments", "completed_on")


@dataclass(frozen=True)
class MilestoneEntry:
    row: int
    milestone_id: int | None
    title: str
    due_on: datetime.date | None
    department_ids: tuple[int, ...]
    completed_on: datetime.date | None
    version: int | None = None


@dataclass
class MilestonesResult:
    created: list[str] = field(default_factory=list)  # titles
    changed: list[str] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # rows


class _Rollback(Exception):
    pass


def _same(milestone: Milestone, entry: MilestoneEntry) -> bool:
    return (milestone.title == entry.title.strip() and milestone.due_on == entry.due_on
            and milestone.completed_on == entry.completed_on
            and {d.pk for d in milestone.departments.all()} == set(entry.department_ids))


def _apply(task: Task, entries: list[MilestoneEntry], user: User, reason: str
           ) -> tuple[MilestonesResult, list[SheetProblem]]:
    stored = {m.pk: m for m in task.milestones.prefetch_related("departments")}
    result, problems, seen = MilestonesResult(), [], set()
    for entry in entries:
        data = MilestoneData(entry.title, entry.due_on, frozenset(entry.department_ids),
                             entry.completed_on)
        milestone = stored.get(entry.milestone_id) if entry.milestone_id else None
        if entry.milestone_id and milestone is None:
            problems.append(SheetProblem(entry.row, "milestone",
                                         _("该任务没有这个节点（请勿修改灰色单元格）。")))
            continue
        if entry.milestone_id is not None:
            if entry.milestone_id in seen:
                problems.append(SheetProblem(entry.row, "milestone",
                                             _("该节点在表格中出现了两次。")))
                continue
            seen.add(entry.milestone_id)
        if milestone is not None and _same(milestone, entry):
            result.unchanged.append(entry.row)
            continue
        try:
            with transaction.atomic():
                if milestone is None:
                    milestone_create(task=task, data=data, actor=user, reason=reason)
                    result.created.append(entry.title.strip())
                else:
                    milestone_update(milestone=milestone, data=data, actor=user,
                                     reason=reason, expected_version=entry.version)
                    result.changed.append(entry.title.strip())
        except StaleVersion:
            problems.append(SheetProblem(entry.row, "", _(
                "下载表格后，该节点已被修改；请重新下载表格后再填写。")))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.append(SheetProblem(entry.row, name if name in FIELDS else "",
                                             " ".join(messages)))
    return result, problems


def milestones_save_bulk(*, task: Task, entries: list[MilestoneEntry], user: User,
                         reason: str, dry_run: bool = False) -> MilestonesResult:
    """Save (or, ``dry_run``, only check) the sheet's rows, all or nothing; raises
    SheetRejected with every row's problems when any row is refused. The caller checks
    that the user plans this task's 节点."""
    try:
        with transaction.atomic():
            result, problems = _apply(task, entries, user, reason)
            if problems:
                raise SheetRejected(problems)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result
