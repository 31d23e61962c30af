"""Telling the departments at once about a lifecycle decision (email and robots, after
commit), through the cycle's notification rows and senders."""

from collections.abc import Iterable

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
