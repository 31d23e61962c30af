"""Monthly reports: reminders before the deadline and the graded chase after it.

Reminders go to the liaisons on the schedule's reminder days (e.g. 5 and 1 working days
before). Only the latest reminder day reached is told, and never after the deadline: a
missed reminder is replaced by the next one, or by the chase.

The chase ladder (督办等级), counted in working days after the deadline:
blue (first working day after) → the liaisons; yellow (``chase_head_after``) → the heads;
red (``chase_lead_office_after``) → the lead office and the managers, naming the
departments. Each level is told once; only the period whose deadline passed most recently
is chased.
"""

import datetime
from collections import defaultdict

from django.utils.translation import gettext, ngettext

from common.formatting import cn_date, cn_period
from common.i18n import join_list
from notifications.choices import Kind
from notifications.drafts import Finding, Recipient
from notifications.links import page_url

from ...models import Plan, ReportingPeriod
from ...rules.obligations import MissingReport
from ...workdays import add_working_days, working_days_between
from ..context import CycleContext

Addressed = tuple[Finding, list[Recipient]]


def reminder_stage(today: datetime.date, deadline: datetime.date,
                   offsets: list[int]) -> int | None:
    """The reminder offset whose day was reached most recently, or None."""
    if today > deadline:
        return None
    reached = [k for k in offsets if add_working_days(deadline, -k) <= today]
    return min(reached, default=None)


def _by_department(rows: list[MissingReport]) -> dict[int, list[MissingReport]]:
    grouped: dict[int, list[MissingReport]] = defaultdict(list)
    for row in rows:
        grouped[row.department_id].append(row)
    return grouped


def _task_lines(rows: list[MissingReport]) -> tuple[str, ...]:
    return tuple(f"{row.task_number}. {row.task_title}" for row in rows)


def _period_key(plan: Plan, period: ReportingPeriod) -> str:
    if period.is_weekly:
        return f"week-{period.opens_on:%Y-%m-%d}:plan-{plan.pk}"
    return f"{period.month:%Y-%m}:plan-{plan.pk}"


def reminder_findings(ctx: CycleContext) -> list[Addressed]:
    found = []
    for plan in ctx.plans:
        period = ctx.upcoming_period(plan) if ctx.sending(plan) else None
        found += reminders(ctx, plan, period, plan.schedule.reminder_offsets or [])
    return found


def reminders(ctx: CycleContext, plan: Plan, period: ReportingPeriod | None,
              offsets: list[int]) -> list[Addressed]:
    """The period's reminders to each department still owing reports, on ``offsets``."""
    found: list[Addressed] = []
    if period is None or period.deadline < plan.tracking_start:
        return found
    stage = reminder_stage(ctx.today, period.deadline, offsets)
    if stage is None:
        return found
    url = page_url("portal:batch_report", period.pk)
    for department_id, rows in _by_department(ctx.missing[period.pk]).items():
        finding = Finding(
            key=f"reminder:{_period_key(plan, period)}:s{stage}:dept-{department_id}",
            kind=Kind.REMINDER, url=url, lines=_task_lines(rows),
            heading=ngettext(
                "%(department)s：%(month)s进展报送将于%(date)s截止，尚有 %(count)d 项任务未报送",
                "%(department)s：%(month)s进展报送将于%(date)s截止，尚有 %(count)d 项任务未报送",
                len(rows)) % {"department": rows[0].department_name,
                              "month": cn_period(period),
                              "date": cn_date(period.deadline), "count": len(rows)},
            detail=plan.code,
        )
        found.append((finding, ctx.audience.department(department_id)))
    return found


def _overdue_heading(department: str, period: ReportingPeriod, late: int, count: int) -> str:
    return ngettext(
        "%(department)s：%(month)s进展报送已于%(date)s截止，"
        "逾期 %(late)d 个工作日仍有 %(count)d 项未报送",
        "%(department)s：%(month)s进展报送已于%(date)s截止，"
        "逾期 %(late)d 个工作日仍有 %(count)d 项未报送",
        count) % {"department": department, "month": cn_period(period),
                  "date": cn_date(period.deadline), "late": late, "count": count}


def _blue_and_yellow(ctx: CycleContext, plan: Plan, period: ReportingPeriod,
                     late: int) -> list[Addressed]:
    schedule, found = plan.schedule, []
    url = page_url("portal:batch_report", period.pk)
    ladder = [("blue", 1, Kind.CHASE, False, True, ""),
              ("yellow", schedule.chase_head_after, Kind.ESCALATION, True, False,
               gettext("（黄色督办，请部门负责人督促报送）"))]
    for level, after, kind, heads, liaisons, label in ladder:
        if late < after:
            continue
        for department_id, rows in _by_department(ctx.missing[period.pk]).items():
            finding = Finding(
                key=f"chase-{level}:{_period_key(plan, period)}:dept-{department_id}",
                kind=kind, url=url, lines=_task_lines(rows), detail=plan.code,
                heading=_overdue_heading(rows[0].department_name, period, late,
                                         len(rows)) + label,
            )
            found.append((finding, ctx.audience.department(
                department_id, heads=heads, liaisons=liaisons)))
    return found


def _red(ctx: CycleContext, plan: Plan, period: ReportingPeriod, late: int) -> list[Addressed]:
    if late < plan.schedule.chase_lead_office_after or not ctx.missing[period.pk]:
        return []
    departments = _by_department(ctx.missing[period.pk])
    lines = tuple(
        gettext("%(department)s：任务 %(numbers)s") % {
            "department": rows[0].department_name,
            "numbers": join_list(r.task_number for r in rows)}
        for rows in sorted(departments.values(), key=lambda rows: rows[0].department_name))
    finding = Finding(
        key=f"chase-red:{_period_key(plan, period)}", kind=Kind.ESCALATION, lines=lines,
        url=page_url("portal:overview"), detail=plan.code,
        heading=ngettext(
            "%(month)s进展报送逾期 %(late)d 个工作日，"
            "%(count)d 个部门仍未报送（红色督办，将在季度通报中点名）",
            "%(month)s进展报送逾期 %(late)d 个工作日，"
            "%(count)d 个部门仍未报送（红色督办，将在季度通报中点名）",
            len(departments)) % {"month": cn_period(period), "late": late,
                                 "count": len(departments)},
    )
    return [(finding, ctx.audience.leaders + ctx.audience.manager_hooks)]


def chase_findings(ctx: CycleContext) -> list[Addressed]:
    found = []
    for plan in ctx.plans:
        period = ctx.chased_period(plan) if ctx.sending(plan) else None
        if period is None:
            continue
        late = working_days_between(period.deadline, ctx.today)
        found += _blue_and_yellow(ctx, plan, period, late)
        found += _red(ctx, plan, period, late)
    return found
