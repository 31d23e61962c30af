"""Meeting decisions (会议议定事项): record them, turn one into a follow-up supervised item
(a Task with 来源 = 会议决定 in the meeting's plan), close them."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date
from common.i18n import site_language
from departments.access import access_for
from departments.models import Department

from ..choices import FeedbackCycle, FeedbackType, SourceType, TaskStatus
from ..models import Meeting, MeetingDecision, Task
from .lifecycle.items import supervised_item_create

TITLE_LENGTH = 60


def _check_lead_office(actor: User | None) -> None:
    if actor is None or not access_for(actor).is_lead_office:
        raise PermissionDenied(_("只有牵头办公室可以记录和督办会议议定事项。"))


@transaction.atomic
def decision_record(*, meeting: Meeting, text: str, actor: User,
                    departments: Iterable[Department] = (),
                    due_on: datetime.date | None = None) -> MeetingDecision:
    """Record a decision of a meeting that has taken place; the meeting is then 已召开."""
    _check_lead_office(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写议定事项。")})
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"meeting": _("会议定于%(date)s召开，会后再记录议定事项。")
             % {"date": cn_date(meeting.held_on)}})
    if meeting.state != Meeting.State.HELD:
        meeting.state = Meeting.State.HELD
        meeting.save(update_fields=["state"])
    decision = MeetingDecision.objects.create(meeting=meeting, text=text, due_on=due_on,
                                              created_by=actor)
    decision.departments.set(list(departments))
    return decision


def _title(text: str) -> str:
    first = text.splitlines()[0].strip()
    return first if len(first) <= TITLE_LENGTH else first[:TITLE_LENGTH] + "…"


@transaction.atomic
def decision_to_follow_up(*, decision: MeetingDecision, departments: Iterable[Department],
                          lead_department: Department | None, due_on: datetime.date | None,
                          actor: User) -> Task:
    """Turn a decision into a follow-up supervised item, numbered after the plan's last task.

    The lead department leads; the other departments are responsible. Without a lead
    department the item waits in the lead office's unassigned queue (never a guessed lead).
    """
    _check_lead_office(actor)
    decision = MeetingDecision.objects.select_for_update(of=("self",)).select_related(
        "meeting__plan").get(pk=decision.pk)
    if decision.follow_up_task_id:
        raise ValidationError({"follow_up_task": _("该议定事项已转为跟踪督办事项。")})
    departments = [d for d in dict.fromkeys(departments) if d != lead_department]
    if lead_department is None and not departments:
        raise ValidationError({"departments": _("请至少指定一个牵头部门或责任部门。")})
    meeting = decision.meeting
    with site_language():  # kept with the item, in the site's language
        reference = f"{meeting.title}（{cn_date(meeting.held_on)}）"
        reason = _("%(meeting)s议定事项转督办") % {"meeting": reference}
    task = supervised_item_create(
        plan=meeting.plan, actor=actor, lead_department=lead_department,
        departments=departments, reason=reason, data={
            "title": _title(decision.text), "text": decision.text, "driver": None,
            "source_type": SourceType.MEETING, "source_reference": reference[:300],
            "due_on": due_on or decision.due_on, "feedback_type": FeedbackType.PERIODIC,
            "feedback_cycle": FeedbackCycle.MONTHLY,
        })
    decision.follow_up_task = task
    decision.due_on = decision.due_on or due_on
    decision.save(update_fields=["follow_up_task", "due_on"])
    decision.departments.add(*departments, *([lead_department] if lead_department else []))
    return task


@transaction.atomic
def decision_close(*, decision: MeetingDecision, actor: User) -> MeetingDecision:
    """Mark a decision as carried out (已落实). One with a follow-up item closes when that
    item is completed (办结)."""
    _check_lead_office(actor)
    decision = MeetingDecision.objects.select_for_update(of=("self",)).select_related(
        "follow_up_task").get(pk=decision.pk)
    if decision.is_closed:
        return decision
    task = decision.follow_up_task
    if task is not None and task.status != TaskStatus.COMPLETED:
        raise ValidationError(
            {"is_closed": _("跟踪督办事项 %(number)s 尚未办结，不能标记为已落实。")
             % {"number": task.number}})
    decision.is_closed, decision.closed_at = True, timezone.now()
    decision.save(update_fields=["is_closed", "closed_at"])
    return decision
