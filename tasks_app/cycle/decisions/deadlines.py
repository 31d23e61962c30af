"""Due dates: a task's or milestone's due date coming up (due_soon), and a part still not
acknowledged after its acknowledgement deadline (ack_overdue).

due_soon follows the schedule's ``due_soon_offsets`` (working days before the due date),
latest reached day only, never after the due date. ack_overdue is told once per department
and acknowledgement deadline, and not for deadlines older than ``ACK_CHASE_DAYS``.
"""

import datetime
from collections import defaultdict

from django.utils.translation import gettext, ngettext

from common.formatting import cn_date
from notifications.choices import Kind
from notifications.drafts import Finding
from notifications.links import page_url

from ...choices import PartState
from ...models import Assignment, Milestone, Plan, Task
from ...rules.obligations import departments_on_tasks
from ...rules.states import CLOSED_TASKS
from ...workdays import add_working_days, working_days_between
from ..context import CycleContext
from .reports import Addressed, reminder_stage

ACK_CHASE_DAYS = 30


def _horizon(ctx: CycleContext, plans: list[Plan]) -> datetime.date:
    longest = max((max(p.schedule.due_soon_offsets or [0]) for p in plans), default=0)
    return add_working_days(ctx.today, longest) + datetime.timedelta(days=7)


def _due_items(ctx: CycleContext, plans: list[Plan]) -> list[dict]:
    """Open tasks and milestones of these plans due between today and the horizon (2 queries)."""
    window = {"due_on__gte": ctx.today, "due_on__lte": _horizon(ctx, plans)}
    tasks = (Task.objects.filter(plan__in=plans, **window).exclude(status__in=CLOSED_TASKS)
             .values("id", "number", "title", "plan_id", "due_on"))
    milestones = (Milestone.objects.filter(task__plan__in=plans, completed_on__isnull=True,
                                           **window)
                  .exclude(task__status__in=CLOSED_TASKS)
                  .values("id", "title", "due_on", "task_id", "task__number", "task__title",
                          "task__plan_id"))
    items = [{"key": f"task-{t['id']}", "task_id": t["id"], "plan_id": t["plan_id"],
              "due_on": t["due_on"],
              "what": gettext("任务 %(number)s. %(title)s") % {
                  "number": t["number"], "title": t["title"]}}
             for t in tasks]
    items += [{"key": f"milestone-{m['id']}", "task_id": m["task_id"],
               "plan_id": m["task__plan_id"], "due_on": m["due_on"],
               "what": gettext("任务 %(number)s. %(title)s 的节点“%(milestone)s”") % {
                   "number": m["task__number"], "title": m["task__title"],
                   "milestone": m["title"]}}
              for m in milestones]
    return items


def due_soon_findings(ctx: CycleContext) -> list[Addressed]:
    plans = {plan.pk: plan for plan in ctx.plans if ctx.sending(plan)}
    if not plans:
        return []
    staged = []
    for item in _due_items(ctx, list(plans.values())):
        plan = plans[item["plan_id"]]
        stage = reminder_stage(ctx.today, item["due_on"], plan.schedule.due_soon_offsets or [])
        if stage is not None and item["due_on"] >= plan.tracking_start:
            staged.append((item, stage))
    departments = departments_on_tasks({item["task_id"] for item, _ in staged})
    found = []
    for item, stage in staged:
        left = working_days_between(ctx.today, item["due_on"])
        when = gettext("今天到期") if left == 0 else ngettext(
            "还有 %(count)d 个工作日", "还有 %(count)d 个工作日", left) % {"count": left}
        for department_id, name in departments.get(item["task_id"], []):
            finding = Finding(
                key=f"due_soon:{item['key']}:{item['due_on']}:s{stage}:dept-{department_id}",
                kind=Kind.DUE_SOON, url=page_url("portal:task", item["task_id"]),
                heading=gettext("%(department)s：%(what)s将于%(date)s到期（%(when)s）") % {
                    "department": name, "what": item["what"], "date": cn_date(item["due_on"]),
                    "when": when},
                detail=plans[item["plan_id"]].code,
            )
            found.append((finding, ctx.audience.department(department_id)))
    return found


def ack_overdue_findings(ctx: CycleContext) -> list[Addressed]:
    plans = {plan.pk: plan for plan in ctx.plans if ctx.sending(plan)}
    if not plans:
        return []
    parts = (Assignment.objects
             .filter(task__plan__in=list(plans.values()), state=PartState.PENDING_ACK,
                     department__isnull=False, ack_due_on__lt=ctx.today,
                     ack_due_on__gte=ctx.today - datetime.timedelta(days=ACK_CHASE_DAYS))
             .exclude(task__status__in=CLOSED_TASKS)
             .values_list("task__plan_id", "department_id", "department__name", "ack_due_on",
                          "task__number", "task__title")
             .order_by("task__number"))
    grouped: dict[tuple, list[str]] = defaultdict(list)
    for plan_id, department_id, name, ack_due_on, number, title in parts:
        if ack_due_on >= plans[plan_id].tracking_start:
            grouped[plan_id, department_id, name, ack_due_on].append(f"{number}. {title}")
    found = []
    for (plan_id, department_id, name, ack_due_on), lines in grouped.items():
        finding = Finding(
            key=f"ack_overdue:plan-{plan_id}:{ack_due_on}:dept-{department_id}",
            kind=Kind.ACK_OVERDUE, url=page_url("portal:home"), lines=tuple(lines),
            heading=ngettext("%(department)s：%(count)d 项任务分工签收时限为%(date)s，至今仍未签收",
                             "%(department)s：%(count)d 项任务分工签收时限为%(date)s，至今仍未签收",
                             len(lines)) % {"department": name, "count": len(lines),
                                            "date": cn_date(ack_due_on)},
            detail=plans[plan_id].code,
        )
        found.append((finding, ctx.audience.department(department_id, heads=True)))
    return found
