"""一键催办: the lead office chases selected departments or tasks now, through the same
pipeline as the cycle (drafts → outbox → channels, dedupe, receipts). Pressing twice on the
same day for the same department and tasks sends nothing more. Each department chased gets a
line in the history of every task it was chased for (counted in the bulletin).
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from common.i18n import site_language
from departments.access import access_for
from departments.choices import Role
from departments.models import Department, Membership, Person
from notifications.channels import channel_configured
from notifications.channels.routing import channel_address, wanted_channels
from notifications.choices import Channel, DeliveryState, Kind
from notifications.dispatch import enqueue
from notifications.drafts import drafts_render, drafts_store, person
from notifications.links import page_url
from notifications.models import Notification

from ..choices import EventKind, PartState, TaskStatus
from ..models import Assignment, Task, TaskEvent

_QUIET_PARTS = (PartState.TRANSFERRED, PartState.COMPLETED, PartState.SUSPENDED)
_CLOSED = (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)
MAX_NOTE = 500


@dataclass
class UrgeTarget:
    department: Department
    tasks: list[Task]
    recipients: list[User] = field(default_factory=list)
    channels: dict[int, list[str]] = field(default_factory=dict)  # user id → channels
    key: str = ""
    already: bool = False  # sent today already (dedupe)

    @property
    def reach(self) -> list[tuple[User, str]]:
        """Each recipient with the channels that will carry the message, for the preview."""
        return [(u, "、".join(str(Channel(c).label) for c in self.channels.get(u.pk, [])))
                for u in self.recipients]


def _require_lead_office(user: User) -> None:
    if not access_for(user).is_lead_office:
        raise PermissionDenied(gettext("只有牵头办公室可以一键催办。"))


def _key(department_id: int, task_ids: list[int], today: datetime.date) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(task_ids))).encode()).hexdigest()[:12]
    return f"urge:{today.isoformat()}:{department_id}:{digest}"


def urge_targets(*, user: User, department_ids: list[int], task_ids: list[int],
                 plan_id: int | None = None, now: datetime.datetime | None = None,
                 ) -> list[UrgeTarget]:
    """Who would be chased, on which channels, for which open tasks (reads only; a fixed
    number of queries). Departments are chased for their open parts (of ``plan_id`` when
    given); tasks for every department with an open part in them."""
    _require_lead_office(user)
    now = now or timezone.now()
    parts = (Assignment.objects.filter(department__isnull=False)
             .exclude(state__in=_QUIET_PARTS).exclude(task__status__in=_CLOSED)
             .select_related("task", "department").order_by("department__name", "task_id"))
    if task_ids:
        parts = parts.filter(task_id__in=task_ids)
    if department_ids:
        parts = parts.filter(department_id__in=department_ids)
    elif not task_ids:
        return []
    if plan_id:
        parts = parts.filter(task__plan_id=plan_id)
    by_department: dict[int, UrgeTarget] = {}
    for part in parts:
        target = by_department.setdefault(part.department_id, UrgeTarget(part.department, []))
        if part.task not in target.tasks:
            target.tasks.append(part.task)
    members = defaultdict(lambda: defaultdict(list))
    for membership in (Membership.objects.filter(department_id__in=by_department,
                                                 role__in=[Role.LIAISON, Role.HEAD],
                                                 user__is_active=True)
                       .select_related("user").order_by("user__first_name", "user_id")):
        members[membership.department_id][membership.role].append(membership.user)
    profiles = {p.user_id: p for p in Person.objects.filter(
        user__memberships__department_id__in=by_department).distinct()}
    today = timezone.localtime(now).date()
    for department_id, target in by_department.items():
        roles = members[department_id]
        target.recipients = roles[Role.LIAISON] or roles[Role.HEAD]
        target.key = _key(department_id, [t.pk for t in target.tasks], today)
        for recipient in target.recipients:
            profile = profiles.get(recipient.pk)
            target.channels[recipient.pk] = [
                c for c in wanted_channels(profile, Kind.URGE)
                if channel_configured(c) and channel_address(c, recipient.email, profile)
            ] or [Channel.EMAIL]
    sent = set(Notification.objects.filter(
        dedupe_key__startswith="urge:", dedupe_key__in=[
            f"{t.key}:user-{u.pk}" for t in by_department.values() for u in t.recipients])
        .values_list("dedupe_key", flat=True))
    for target in by_department.values():
        target.already = bool(target.recipients) and all(
            f"{target.key}:user-{u.pk}" in sent for u in target.recipients)
    return list(by_department.values())


def urge_preview_text(target: UrgeTarget, *, note: str, user: User):
    """The message as the first recipient of ``target`` would read it (nothing stored)."""
    from notifications.emails import render

    with site_language():
        return render(Kind.URGE, {
            "department": target.department, "tasks": target.tasks, "note": note.strip(),
            "sender": str(user), "when": timezone.localtime(),
            "recipient": person(target.recipients[0]), "url": page_url("portal:home")})


def urge_department_choices() -> list[Department]:
    """Departments with open parts, to pick from on the 一键催办 page (one query)."""
    open_parts = (Assignment.objects.filter(department=OuterRef("pk"))
                  .exclude(state__in=_QUIET_PARTS).exclude(task__status__in=_CLOSED))
    return list(Department.objects.filter(Exists(open_parts), is_active=True)
                .order_by("name"))


@transaction.atomic
def urge_send(*, user: User, department_ids: list[int], task_ids: list[int],
              plan_id: int | None = None, note: str = "",
              now: datetime.datetime | None = None) -> dict:
    """Chase now; returns counts. Departments without anyone to reach are named."""
    now = now or timezone.now()
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": gettext("附言不能超过 %(n)s 个字。") % {"n": MAX_NOTE}})
    targets = urge_targets(user=user, department_ids=department_ids, task_ids=task_ids,
                           plan_id=plan_id, now=now)
    if not targets:
        raise ValidationError(gettext("所选部门或任务没有需要催办的未办结分工。"))
    drafts, events, chased, unreachable = [], [], 0, []
    with site_language():
        for target in targets:
            if not target.recipients:
                unreachable.append(target.department.name)
                continue
            if target.already:
                continue
            context = {"department": target.department, "tasks": target.tasks, "note": note,
                       "sender": str(user), "when": timezone.localtime(now)}
            drafts += drafts_render(kind=Kind.URGE, key=target.key,
                                    recipients=[person(u) for u in target.recipients],
                                    context=context, url=page_url("portal:home"))
            reason = gettext("一键催办（%(names)s）") % {
                "names": "、".join(str(u) for u in target.recipients)}
            if note:
                reason += gettext("：%(note)s") % {"note": note}
            events += [TaskEvent(task=task, kind=EventKind.URGE, department=target.department,
                                 actor=user, at=now, reason=reason) for task in target.tasks]
            chased += 1
    drafts_store(drafts, today=timezone.localtime(now).date())
    TaskEvent.objects.bulk_create(events)
    keys = Q(pk__in=[])
    for target in targets:
        keys |= Q(dedupe_key__startswith=f"{target.key}:")
    ids = sorted(Notification.objects.filter(keys, state=DeliveryState.PENDING,
                                             next_attempt_at__isnull=True)
                 .values_list("id", flat=True))  # held SMS/IM wait for the morning
    enqueue(ids, now)
    return {"departments": chased, "messages": len(drafts),
            "skipped": sum(t.already for t in targets), "unreachable": unreachable}
