"""Write paths of the working-day calendar (CalendarDay): a whole year at once, or one day.

Every write clears the per-process copy kept by tasks_app.workdays once it commits, and moves
the deadlines of the year's open reporting periods that the new calendar changes.
"""

from dataclasses import dataclass

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .. import workdays
from ..choices import PeriodState
from ..holiday_notice import Festival
from ..models import CalendarDay, ReportingPeriod
from .periods import deadline_for, week_deadline_for

Kind = CalendarDay.Kind


@dataclass(frozen=True)
class YearResult:
    year: int
    holidays: int
    workdays: int
    moved_periods: int


def chinese_calendar_years() -> list[int]:
    """The years the installed ``chinese_calendar`` knows."""
    return sorted({day.year for day in chinese_calendar.holidays})


def chinese_calendar_days(year: int) -> list[CalendarDay]:
    """``year``'s days as ``chinese_calendar`` knows them (unsaved rows); empty if it does not."""
    names = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    return [CalendarDay(date=day, kind=kind, name=names.get(name, name), year=year)
            for kind, table in ((Kind.HOLIDAY, chinese_calendar.holidays),
                                (Kind.WORKDAY, chinese_calendar.workdays))
            for day, name in table.items() if day.year == year]


def festival_days(year: int, festivals: list[Festival]) -> list[CalendarDay]:
    """The rows a parsed notice gives (unsaved)."""
    return [CalendarDay(date=day, kind=kind, name=festival.name, year=year)
            for festival in festivals
            for kind, days in ((Kind.HOLIDAY, festival.holidays), (Kind.WORKDAY, festival.workdays))
            for day in days]


def _refresh_periods(years: set[int]) -> int:
    """Open periods of ``years`` whose deadline the calendar moves get the new one."""
    workdays.forget()
    moved = []
    for period in (ReportingPeriod.objects.filter(month__year__in=years, state=PeriodState.OPEN)
                   .select_related("plan__schedule")):
        schedule = period.plan.schedule
        deadline = (week_deadline_for(schedule, period.opens_on) if period.is_weekly
                    else deadline_for(schedule, period.month))
        if deadline != period.deadline:
            period.deadline = deadline
            moved.append(period)
    ReportingPeriod.objects.bulk_update(moved, ["deadline"])
    return len(moved)


@transaction.atomic
def calendar_year_replace(year: int, days: list[CalendarDay]) -> YearResult:
    """Make ``days`` the whole calendar of ``year`` (rows of other years on the same dates
    give way: the newer notice is the one in force)."""
    if not days:
        raise ValidationError(_("%(year)s年没有任何节假日安排，未写入。") % {"year": year})
    if len({day.date for day in days}) != len(days):
        raise ValidationError(_("同一天出现了两次，未写入。"))
    CalendarDay.objects.filter(Q(year=year) | Q(date__in=[day.date for day in days])).delete()
    for day in days:
        day.year = year
        day.full_clean(validate_unique=False)
    CalendarDay.objects.bulk_create(days)
    transaction.on_commit(workdays.forget)
    moved = _refresh_periods({year} | {day.date.year for day in days})
    return YearResult(year, sum(d.kind == Kind.HOLIDAY for d in days),
                      sum(d.kind == Kind.WORKDAY for d in days), moved)


def calendar_apply_notice(year: int, festivals: list[Festival]) -> YearResult:
    """Write the parsed State Council notice as ``year``'s calendar, in one transaction."""
    return calendar_year_replace(year, festival_days(year, festivals))


def calendar_load_known(year: int) -> YearResult:
    """``year``'s calendar from ``chinese_calendar``; refused for a year it does not know."""
    days = chinese_calendar_days(year)
    if not days:
        raise ValidationError(_("chinese_calendar 不包含%(year)s年的节假日安排："
                                "请在管理后台粘贴国务院办公厅的通知。") % {"year": year})
    return calendar_year_replace(year, days)


@transaction.atomic
def calendar_day_save(day: CalendarDay) -> CalendarDay:
    """Add or correct one day (the admin's form)."""
    day.full_clean()
    day.save()
    transaction.on_commit(workdays.forget)
    _refresh_periods({day.year, day.date.year})
    return day


@transaction.atomic
def calendar_days_delete(days: list[CalendarDay]) -> None:
    """Remove days (the admin's delete and delete-selected)."""
    years = {day.year for day in days} | {day.date.year for day in days}
    CalendarDay.objects.filter(pk__in=[day.pk for day in days]).delete()
    transaction.on_commit(workdays.forget)
    _refresh_periods(years)

