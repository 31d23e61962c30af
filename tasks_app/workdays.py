"""Chinese working days: public holidays and statutory make-up workdays respected.

The days come from the CalendarDay table (filled from ``chinese_calendar`` for the years it
knows, and from the State Council's notice pasted in the admin for later ones). A year
without rows falls back to ``chinese_calendar`` if it knows the year (an emptied table still
gives the statutory days), else to weekends and the fixed-date holidays (元旦, 劳动节, 国庆);
from November the 督办台 warns that next year's calendar is missing.

The table is read whole (one query, a few dozen rows a year) and kept per process; a write
clears it (``forget``) once committed, and other processes reload it after ``MAX_AGE``
seconds, so a page or a cycle run asks the database at most once whatever it computes.
"""

import calendar
import datetime
import time
from dataclasses import dataclass

import chinese_calendar

_FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}
_PACKAGE_YEARS = frozenset(day.year for day in chinese_calendar.holidays)
MAX_AGE = 60.0  # seconds another process may use a calendar edited elsewhere


@dataclass(frozen=True)
class _Calendar:
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]
    years: frozenset[int]
    loaded: float


_cached: _Calendar | None = None


def _calendar() -> _Calendar:
    global _cached
    if _cached is None or time.monotonic() - _cached.loaded > MAX_AGE:
        from .models import CalendarDay

        holidays, workdays, years = set(), set(), set()
        for day, kind, year in CalendarDay.objects.values_list("date", "kind", "year"):
            (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
            years.add(year)
        _cached = _Calendar(frozenset(holidays), frozenset(workdays), frozenset(years),
                            time.monotonic())
    return _cached


def forget() -> None:
    """Drop this process's copy of the calendar (after a write, or between tests)."""
    global _cached
    _cached = None


def year_known(year: int) -> bool:
    """Whether ``year``'s holidays are known (otherwise weekends only are)."""
    return year in _calendar().years or year in _PACKAGE_YEARS


def next_year_missing(today: datetime.date) -> int | None:
    """From November on, next year when its calendar has not been entered yet."""
    if today.month >= 11 and not year_known(today.year + 1):
        return today.year + 1
    return None


def is_working_day(day: datetime.date) -> bool:
    days = _calendar()
    if day in days.holidays:
        return False
    if day in days.workdays:
        return True
    if day.year in days.years:
        return day.weekday() < 5
    if day.year in _PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def on_or_after(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, otherwise the next working day."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """Move ``count`` working days forward (negative: backward) from ``day``."""
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count


def last_working_day_of_month(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, calendar.monthrange(year, month)[1])
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months after ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
