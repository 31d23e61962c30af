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
from collections.abc import Callable
from dataclasses import dataclass

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


def _by_department(rows: list) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.department_id].append(row)
    return grouped


def _task_lines(rows: list[MissingReport]) -> tuple[str, ...]:
    return tuple(f"{row.task_number}. {row.task_title}" for row in rows)


def _period_key(plan: Plan, period: ReportingPeriod) -> str:
    if period.is_weekly:
        return f"week-{period.opens_on:%Y-%m-%d}:plan-{plan.pk}"
    return f"{period.month:%Y-%m}:plan-{plan.pk}"


@dataclass(frozen=True)
class Owed:
    """What reminders and the chase ladder are about: the items a period still owes (rows
    with ``department_id`` and ``department_name``: reports or indicator readings), with
    their keys and wording. Keys: ``{prefix}reminder:…``, ``{prefix}chase-blue:…``."""

    prefix: str  # "" for reports, "reading-" for indicator readings
    period_key: str
    rows: list
    url: str
    red_url: str
    detail: str
    lines: Callable[[list], tuple[str, ...]]
    reminder: Callable[[str, int], str]  # (department, count) → heading
    overdue: Callable[[str, int, int], str]  # (department, working days late, count)
    yellow_label: str
    red_line: Callable[[list], str]  # one department's rows → a line
    red_heading: Callable[[int, int], str]  # (working days late, departments)


def owed_reminders(ctx: CycleContext, owed: Owed, stage: int) -> list[Addressed]:
    """The reminder of ``stage`` to each department still owing."""
    return [(Finding(key=f"{owed.prefix}reminder:{owed.period_key}:s{stage}:dept-{department_id}",
                     kind=Kind.REMINDER, url=owed.url, lines=owed.lines(rows),
                     heading=owed.reminder(rows[0].department_name, len(rows)),
                     detail=owed.detail),
             ctx.audience.department(department_id))
            for department_id, rows in _by_department(owed.rows).items()]


def owed_chases(ctx: CycleContext, plan: Plan, owed: Owed, late: int) -> list[Addressed]:
    """The chase ladder ``late`` working days after the deadline: blue to the liaisons,
    yellow to the heads (``chase_head_after``), red to the leaders naming the departments
    (``chase_lead_office_after``); each level its own key, so each is told once."""
    schedule, found = plan.schedule, []
    departments = _by_department(owed.rows)
    ladder = [("blue", 1, Kind.CHASE, False, True, ""),
              ("yellow", schedule.chase_head_after, Kind.ESCALATION, True, False,
               owed.yellow_label)]
    for level, after, kind, heads, liaisons, label in ladder:
        if late < after:
            continue
        for department_id, rows in departments.items():
            finding = Finding(
                key=f"{owed.prefix}chase-{level}:{owed.period_key}:dept-{department_id}",
                kind=kind, url=owed.url, lines=owed.lines(rows), detail=owed.detail,
                heading=owed.overdue(rows[0].department_name, late, len(rows)) + label,
            )
            found.append((finding, ctx.audience.department(
                department_id, heads=heads, liaisons=liaisons)))
    if late < schedule.chase_lead_office_after or not owed.rows:
        return found
    lines = tuple(owed.red_line(rows) for rows in
                  sorted(departments.values(), key=lambda rows: rows[0].department_name))
    found.append((Finding(key=f"{owed.prefix}chase-red:{owed.period_key}",
                          kind=Kind.ESCALATION, lines=lines, url=owed.red_url,
                          detail=owed.detail,
                          heading=owed.red_heading(late, len(departments))),
                  ctx.audience.leaders + ctx.audience.manager_hooks))
    return found


def _owed_reports(ctx: CycleContext, plan: Plan, period: ReportingPeriod) -> Owed:
    # Worded once per period, not per department (12,283 findings at a city's deadline).
    month, date = cn_period(period), cn_date(period.deadline)

    def reminder(department: str, count: int) -> str:
        return ngettext(
            "%(department)s：%(month)s进展报送将于%(date)s截止，尚有 %(count)d 项任务未报送",
            "%(department)s：%(month)s进展报送将于%(date)s截止，尚有 %(count)d 项任务未报送",
            count) % {"department": department, "month": month, "date": date,
                      "count": count}

    def overdue(department: str, late: int, count: int) -> str:
        return ngettext(
            "%(department)s：%(month)s进展报送已于%(date)s截止，"
            "逾期 %(late)d 个工作日仍有 %(count)d 项未报送",
            "%(department)s：%(month)s进展报送已于%(date)s截止，"
            "逾期 %(late)d 个工作日仍有 %(count)d 项未报送",
            count) % {"department": department, "month": month, "date": date,
                      "late": late, "count": count}

    def red_line(rows: list[MissingReport]) -> str:
        return gettext("%(department)s：任务 %(numbers)s") % {
            "department": rows[0].department_name,
            "numbers": join_list(r.task_number for r in rows)}

    def red_heading(late: int, count: int) -> str:
        return ngettext(
            "%(month)s进展报送逾期 %(late)d 个工作日，"
            "%(count)d 个部门仍未报送（红色督办，将在季度通报中点名）",
            "%(month)s进展报送逾期 %(late)d 个工作日，"
            "%(count)d 个部门仍未报送（红色督办，将在季度通报中点名）",
            count) % {"month": month, "late": late, "count": count}

    return Owed(prefix="", period_key=_period_key(plan, period), rows=ctx.missing[period.pk],
                url=page_url("portal:batch_report", period.pk),
                red_url=page_url("portal:overview"), detail=plan.code, lines=_task_lines,
                reminder=reminder, overdue=overdue,
                yellow_label=gettext("（黄色督办，请部门负责人督促报送）"),
                red_line=red_line, red_heading=red_heading)


OwedOf = Callable[[CycleContext, Plan, ReportingPeriod], Owed]


def reminder_findings(ctx: CycleContext, owed: OwedOf | None = None) -> list[Addressed]:
    """Reminders for each plan's upcoming monthly period (``owed``: what is owed in it,
    reports unless given)."""
    found = []
    for plan in ctx.plans:
        period = ctx.upcoming_period(plan) if ctx.sending(plan) else None
        found += reminders(ctx, plan, period, plan.schedule.reminder_offsets or [], owed)
    return found


def reminders(ctx: CycleContext, plan: Plan, period: ReportingPeriod | None,
              offsets: list[int], owed: OwedOf | None = None) -> list[Addressed]:
    """The period's reminders to each department still owing (reports unless ``owed``
    says otherwise), on ``offsets``."""
    if period is None or period.deadline < plan.tracking_start:
        return []
    stage = reminder_stage(ctx.today, period.deadline, offsets)
    if stage is None:
        return []
    return owed_reminders(ctx, (owed or _owed_reports)(ctx, plan, period), stage)


def report_chases(ctx: CycleContext, plan: Plan, period: ReportingPeriod,
                  late: int) -> list[Addressed]:
    """The chase ladder for the period's missing reports."""
    return owed_chases(ctx, plan, _owed_reports(ctx, plan, period), late)


def chase_findings(ctx: CycleContext, owed: OwedOf | None = None) -> list[Addressed]:
    """The chase ladder for each plan's chased monthly period (reports unless ``owed``)."""
    found = []
    for plan in ctx.plans:
        period = ctx.chased_period(plan) if ctx.sending(plan) else None
        if period is None:
            continue
        late = working_days_between(period.deadline, ctx.today)
        found += owed_chases(ctx, plan, (owed or _owed_reports)(ctx, plan, period), late)
    return found
