"""Telling the departments at once about a lifecycle decision (email and robots, after
commit), through the cycle's notification rows and senders."""

import datetime
from collections.abc import Iterable

from departments.choices import Role
from notifications.choices import Kind
from notifications.immediate import department_recipients, notify_now
from notifications.links import page_url

from ...models import Task


def notify_departments(*, key: str, department_ids: Iterable[int], task: Task, heading: str,
                       lines: Iterable[str] = (), kind: str = Kind.LIFECYCLE,
                       url: str | None = None, context: dict | None = None) -> list[int]:
    """One message per liaison and head of ``department_ids`` about ``task``.

    ``key`` names the event (the recipient is appended); the same key is never sent twice.
    """
    recipients = department_recipients(department_ids)
    return notify_now(
        kind=kind, key=f"{kind}:{key}", recipients=recipients,
        url=url or page_url("portal:task", task.pk),
        context={"task": task, "heading": heading, "lines": list(lines), **(context or {})})


def heads_told_of_review(*, department_id: int, task: Task, day: datetime.date) -> list[int]:
    """Tell the department's heads that its reports wait for their approval: one message per
    head per day, whatever the number of reports filed that day (they are listed on 审核)."""
    return notify_now(
        kind=Kind.REVIEW, key=f"review:{department_id}:{day.isoformat()}",
        recipients=department_recipients([department_id], roles=[Role.HEAD], robots=False),
        url=page_url("portal:reviews"), context={"task": task})
