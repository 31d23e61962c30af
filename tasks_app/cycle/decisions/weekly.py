"""Weekly reports (每周反馈 items): the same reminders and chase ladder as the monthly reports,
on the plan's weekly periods (``CycleContext.weeks``).

Reminders use the schedule's reminder days that fit in a week ([5, 1] → 1 working day
before the weekly deadline). The chased week climbs the same ladder — blue, yellow
(``chase_head_after``), red (``chase_lead_office_after``) — while it is the week whose
deadline passed last; a week past its red step is named in the quarter's bulletin. 督办单
are not drafted for weeks: a department gets at most one slip a month, from the monthly
ladder. Findings join the day's one message per person (decisions/daily.py).
"""

from ...services.periods import weekly_reminder_offsets
from ...workdays import working_days_between
from ..context import CycleContext
from .reports import Addressed, reminders, report_chases


def weekly_reminder_findings(ctx: CycleContext) -> list[Addressed]:
    found: list[Addressed] = []
    for plan in ctx.plans:
        period = ctx.upcoming_week(plan) if ctx.sending(plan) else None
        found += reminders(ctx, plan, period, weekly_reminder_offsets(plan.schedule))
    return found


def weekly_chase_findings(ctx: CycleContext) -> list[Addressed]:
    found: list[Addressed] = []
    for plan in ctx.plans:
        period = ctx.chased_week(plan) if ctx.sending(plan) else None
        if period is None:
            continue
        late = working_days_between(period.deadline, ctx.today)
        found += report_chases(ctx, plan, period, late)
    return found
