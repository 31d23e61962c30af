"""月监测: reminders and chases for the monthly target readings (indicator figures).

The figures for month M are due with the plan's reporting period of month M+1 (same
deadline), and follow the same reminder days and chase ladder as the reports of that
period: reminders to the owning departments' liaisons, blue to the liaisons, yellow to the
heads, red to the lead office and the managers, naming the departments. *Which* readings
are owed is the rules layer's answer (``owed_readings``); this module only addresses it.
The findings join the reports' in the one daily message per person, through the same
ledger (told once), quiet hours and outbox.
"""

from collections import defaultdict

from django.utils.translation import gettext, ngettext

from common.formatting import cn_date, cn_month
from common.i18n import join_list
from notifications.choices import Kind
from notifications.drafts import Finding
from notifications.links import page_url

from ...models import Plan, ReportingPeriod
from ...rules.obligations import MissingReading, reading_month
from ...workdays import working_days_between
from ..context import CycleContext
from .reports import Addressed, reminder_stage


def _by_department(rows: list[MissingReading]) -> dict[int, list[MissingReading]]:
    grouped: dict[int, list[MissingReading]] = defaultdict(list)
    for row in rows:
        grouped[row.department_id].append(row)
    return grouped


def _key(plan: Plan, period: ReportingPeriod) -> str:
    return f"{reading_month(period):%Y-%m}:plan-{plan.pk}"


def _url(period: ReportingPeriod) -> str:
    return f"{page_url('portal:indicators')}?month={reading_month(period):%Y-%m}"


def _lines(rows: list[MissingReading]) -> tuple[str, ...]:
    return tuple(row.target_name for row in rows)


def reading_reminder_findings(ctx: CycleContext) -> list[Addressed]:
    found = []
    for plan in ctx.plans:
        period = ctx.upcoming_period(plan) if ctx.sending(plan) else None
        if period is None or period.deadline < plan.tracking_start:
            continue
        stage = reminder_stage(ctx.today, period.deadline, plan.schedule.reminder_offsets or [])
        if stage is None:
            continue
        for department_id, rows in _by_department(ctx.missing_readings[period.pk]).items():
            finding = Finding(
                key=f"reading-reminder:{_key(plan, period)}:s{stage}:dept-{department_id}",
                kind=Kind.REMINDER, url=_url(period), lines=_lines(rows), detail=plan.code,
                heading=ngettext(
                    "%(department)s：%(month)s指标监测数据将于%(date)s截止，"
                    "尚有 %(count)d 项指标未填报",
                    "%(department)s：%(month)s指标监测数据将于%(date)s截止，"
                    "尚有 %(count)d 项指标未填报",
                    len(rows)) % {"department": rows[0].department_name,
                                  "month": cn_month(reading_month(period)),
                                  "date": cn_date(period.deadline), "count": len(rows)},
            )
            found.append((finding, ctx.audience.department(department_id)))
    return found


def _overdue_heading(department: str, period: ReportingPeriod, late: int, count: int) -> str:
    return ngettext(
        "%(department)s：%(month)s指标监测数据已于%(date)s截止，"
        "逾期 %(late)d 个工作日仍有 %(count)d 项指标未填报",
        "%(department)s：%(month)s指标监测数据已于%(date)s截止，"
        "逾期 %(late)d 个工作日仍有 %(count)d 项指标未填报",
        count) % {"department": department, "month": cn_month(reading_month(period)),
                  "date": cn_date(period.deadline), "late": late, "count": count}


def _blue_and_yellow(ctx: CycleContext, plan: Plan, period: ReportingPeriod,
                     late: int) -> list[Addressed]:
    found = []
    ladder = [("blue", 1, Kind.CHASE, False, True, ""),
              ("yellow", plan.schedule.chase_head_after, Kind.ESCALATION, True, False,
               gettext("（黄色督办，请部门负责人督促填报）"))]
    for level, after, kind, heads, liaisons, label in ladder:
        if late < after:
            continue
        for department_id, rows in _by_department(ctx.missing_readings[period.pk]).items():
            finding = Finding(
                key=f"reading-chase-{level}:{_key(plan, period)}:dept-{department_id}",
                kind=kind, url=_url(period), lines=_lines(rows), detail=plan.code,
                heading=_overdue_heading(rows[0].department_name, period, late,
                                         len(rows)) + label,
            )
            found.append((finding, ctx.audience.department(
                department_id, heads=heads, liaisons=liaisons)))
    return found


def _red(ctx: CycleContext, plan: Plan, period: ReportingPeriod, late: int) -> list[Addressed]:
    missing = ctx.missing_readings[period.pk]
    if late < plan.schedule.chase_lead_office_after or not missing:
        return []
    departments = _by_department(missing)
    lines = tuple(
        gettext("%(department)s：%(targets)s") % {
            "department": rows[0].department_name,
            "targets": join_list(row.target_name for row in rows)}
        for rows in sorted(departments.values(), key=lambda rows: rows[0].department_name))
    finding = Finding(
        key=f"reading-chase-red:{_key(plan, period)}", kind=Kind.ESCALATION, lines=lines,
        url=_url(period), detail=plan.code,
        heading=ngettext(
            "%(month)s指标监测数据逾期 %(late)d 个工作日，%(count)d 个部门仍未填报（红色督办）",
            "%(month)s指标监测数据逾期 %(late)d 个工作日，%(count)d 个部门仍未填报（红色督办）",
            len(departments)) % {"month": cn_month(reading_month(period)), "late": late,
                                 "count": len(departments)},
    )
    return [(finding, ctx.audience.leaders + ctx.audience.manager_hooks)]


def reading_chase_findings(ctx: CycleContext) -> list[Addressed]:
    found = []
    for plan in ctx.plans:
        period = ctx.chased_period(plan) if ctx.sending(plan) else None
        if period is None:
            continue
        late = working_days_between(period.deadline, ctx.today)
        found += _blue_and_yellow(ctx, plan, period, late)
        found += _red(ctx, plan, period, late)
    return found
