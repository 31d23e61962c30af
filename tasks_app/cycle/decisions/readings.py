"""月监测: reminders and chases for the monthly target readings (indicator figures).

The figures for month M are due with the plan's reporting period of month M+1 (same
deadline), and follow the same reminder days and chase ladder as the reports of that
period: reminders to the owning departments' liaisons, blue to the liaisons, yellow to the
heads, red to the lead office and the managers, naming the departments. *Which* readings
are owed is the rules layer's answer (``owed_readings``); this module only addresses it.
The findings join the reports' in the one daily message per person, through the same
ledger (told once), quiet hours and outbox.
"""

from django.utils.translation import gettext, ngettext

from common.formatting import cn_date, cn_month
from common.i18n import join_list
from notifications.links import page_url

from ...models import Plan, ReportingPeriod
from ...rules.obligations import MissingReading, reading_month
from ..context import CycleContext
from .reports import Addressed, Owed, chase_findings, reminder_findings


def _lines(rows: list[MissingReading]) -> tuple[str, ...]:
    return tuple(row.target_name for row in rows)


def _owed_readings(ctx: CycleContext, plan: Plan, period: ReportingPeriod) -> Owed:
    month = cn_month(reading_month(period))

    def reminder(department: str, count: int) -> str:
        return ngettext(
            "%(department)s：%(month)s指标监测数据将于%(date)s截止，"
            "尚有 %(count)d 项指标未填报",
            "%(department)s：%(month)s指标监测数据将于%(date)s截止，"
            "尚有 %(count)d 项指标未填报",
            count) % {"department": department, "month": month,
                      "date": cn_date(period.deadline), "count": count}

    def overdue(department: str, late: int, count: int) -> str:
        return ngettext(
            "%(department)s：%(month)s指标监测数据已于%(date)s截止，"
            "逾期 %(late)d 个工作日仍有 %(count)d 项指标未填报",
            "%(department)s：%(month)s指标监测数据已于%(date)s截止，"
            "逾期 %(late)d 个工作日仍有 %(count)d 项指标未填报",
            count) % {"department": department, "month": month,
                      "date": cn_date(period.deadline), "late": late, "count": count}

    def red_line(rows: list[MissingReading]) -> str:
        return gettext("%(department)s：%(targets)s") % {
            "department": rows[0].department_name,
            "targets": join_list(row.target_name for row in rows)}

    def red_heading(late: int, count: int) -> str:
        return ngettext(
            "%(month)s指标监测数据逾期 %(late)d 个工作日，%(count)d 个部门仍未填报（红色督办）",
            "%(month)s指标监测数据逾期 %(late)d 个工作日，%(count)d 个部门仍未填报（红色督办）",
            count) % {"month": month, "late": late, "count": count}

    url = f"{page_url('portal:indicators')}?month={reading_month(period):%Y-%m}"
    return Owed(prefix="reading-", period_key=f"{reading_month(period):%Y-%m}:plan-{plan.pk}",
                rows=ctx.missing_readings[period.pk], url=url, red_url=url, detail=plan.code,
                lines=_lines, reminder=reminder, overdue=overdue,
                yellow_label=gettext("（黄色督办，请部门负责人督促填报）"),
                red_line=red_line, red_heading=red_heading)


def reading_reminder_findings(ctx: CycleContext) -> list[Addressed]:
    return reminder_findings(ctx, _owed_readings)


def reading_chase_findings(ctx: CycleContext) -> list[Addressed]:
    return chase_findings(ctx, _owed_readings)
