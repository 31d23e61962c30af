"""The calendar of the cycle's records: quarters, and when a bulletin or an assessment is due.

Both fall on a day of the plan's schedule and move to the next Chinese working day.
"""

import datetime

from django.utils import timezone

from .models import Schedule
from .workdays import add_months, on_or_after


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[datetime.date]:
    """The first day of each month of the quarter."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    return [add_months(first, offset) for offset in range(3)]


def quarter_end(year: int, quarter: int) -> datetime.date:
    return add_months(quarter_months(year, quarter)[-1], 1) - datetime.timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def bulletin_due_on(schedule: Schedule, year: int, quarter: int) -> datetime.date:
    """Schedule.bulletin_day of the month after the quarter, on a working day."""
    month_after = add_months(quarter_months(year, quarter)[-1], 1)
    return on_or_after(month_after.replace(day=schedule.bulletin_day))


def bulletin_quarter_due(schedule: Schedule, today: datetime.date) -> tuple[int, int]:
    """The latest quarter whose bulletin is due on or before ``today``."""
    year, quarter = previous_quarter(*quarter_of(today))
    if bulletin_due_on(schedule, year, quarter) > today:
        year, quarter = previous_quarter(year, quarter)
    return year, quarter


def assessment_due_on(schedule: Schedule, year: int) -> datetime.date:
    """Schedule.assessment_month/day of the next year, on a working day."""
    return on_or_after(datetime.date(year + 1, schedule.assessment_month,
                                     schedule.assessment_day))


def assessment_year_due(schedule: Schedule, today: datetime.date) -> int:
    """The latest year whose assessment is due on or before ``today``."""
    year = today.year - 1
    return year if assessment_due_on(schedule, year) <= today else year - 1


def local_day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the project's time zone (for datetime comparisons in SQL)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
