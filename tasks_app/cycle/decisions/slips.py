"""督办单 from the chase ladder: when a plan's chase reaches its slip level (yellow or red,
the schedule's ``slip_level``), every department still missing reports for the chased period
gets one slip draft listing all its missing items (none to the plan's lead office itself).
A draft is unnumbered and unsent until the lead office signs it; only when the schedule allows
automatic signing are the drafts signed at once and told to the department's liaisons and
heads — one message per person. One slip per (department, period): a second run proposes
nothing new.
"""

from notifications.drafts import Draft

from ...choices import SlipTrigger
from ...models import Task
from ...services.lifecycle.slip_notices import slips_drafts
from ...services.lifecycle.slips import slip_drafts_for_missing
from ...workdays import is_working_day, working_days_between
from ..context import CycleContext


def _threshold(plan) -> int | None:
    schedule = plan.schedule
    return {SlipTrigger.YELLOW: schedule.chase_head_after,
            SlipTrigger.RED: schedule.chase_lead_office_after}.get(schedule.slip_level)


def escalation_slip_drafts(ctx: CycleContext) -> list[Draft]:
    if not is_working_day(ctx.today):
        return []
    issued = []
    for plan in ctx.plans:
        threshold = _threshold(plan)
        period = ctx.chased_period(plan) if threshold and ctx.sending(plan) else None
        if period is None or not ctx.missing[period.pk]:
            continue
        late = working_days_between(period.deadline, ctx.today)
        if late < threshold:
            continue
        issued += slip_drafts_for_missing(plan=plan, period=period, level=plan.schedule.slip_level,
                                          rows=ctx.missing[period.pk], late_days=late,
                                          today=ctx.today)
    if not issued:
        return []
    tasks = Task.objects.select_related("plan").in_bulk({slip.task_id for slip in issued})
    return slips_drafts(issued, tasks,
                        lambda department_id: ctx.audience.department(department_id, heads=True))
